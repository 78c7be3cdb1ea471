"""Two editors, one article: a form older than the article refuses to
overwrite it (whoever or whatever changed it: an editor, an import, a restore,
a bulk action), keeps the editor's input, says who changed what, and saves
the editor's changes over the new version when saved again. Editors see who
else has the form open."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from articles.history import article_versions
from articles.importing.importer import import_files
from articles.models import Article, Editing, RelatedLink, Status, Subject

from ..factories import make_article, staff, write_article
from ..submitted_form import submitted_form

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"
MEDICINE = "/learn/medicine/questions/"


def change_url(article: Article) -> str:
    return f"{CHANGELIST}{article.pk}/change/"


def opened(client, article: Article) -> dict[str, list[str]]:
    """The article's form as the editor's browser holds it, just opened."""
    return submitted_form(client.get(change_url(article)).text)


def save(client, article: Article, form: dict, **typed: str):
    """Type `typed` into the opened `form` and press "Save and continue"."""
    data = {**form, **{name: [value] for name, value in typed.items()}}
    return client.post(change_url(article), data)


@pytest.fixture
def edna(client):
    return staff(client, "edna", "Editors")


@pytest.fixture
def bob():
    return staff(Client(), "bob", "Editors")


@pytest.fixture
def article() -> Article:
    return make_article("q", title="The first title", question="The question?")


def test_a_stale_form_is_refused_and_names_who_changed_what(edna, bob, article):
    ednas_form = opened(edna, article)
    save(bob, article, opened(bob, article), title="Bob's title")

    response = save(edna, article, ednas_form, question="Edna's question?")

    assert response.status_code == 200
    saved = Article.objects.get(pk=article.pk)
    assert (saved.title, saved.question) == ("Bob's title", "The question?")
    page = response.text
    assert "This article was changed by bob at" in page
    assert "your changes were not saved" in page
    assert "<del>The first title</del>" in page
    assert "<ins>Bob&#x27;s title</ins>" in page


def test_the_refused_form_keeps_the_editors_input_over_the_new_version(
    edna, bob, article
):
    ednas_form = opened(edna, article)
    save(bob, article, opened(bob, article), title="Bob's title")

    refused = save(edna, article, ednas_form, question="Edna's question?")
    again = submitted_form(refused.text)

    assert again["question"] == ["Edna's question?"]  # hers, kept
    assert again["title"] == ["Bob's title"]  # his, where she changed nothing
    assert again["seen_version"] == [str(Article.objects.get(pk=article.pk).version)]
    response = edna.post(change_url(article), again)
    assert response.status_code == 302
    saved = Article.objects.get(pk=article.pk)
    assert (saved.title, saved.question) == ("Bob's title", "Edna's question?")


def test_when_both_changed_a_field_the_form_keeps_the_editors_and_says_so(
    edna, bob, article
):
    ednas_form = opened(edna, article)
    save(bob, article, opened(bob, article), title="Bob's title")

    refused = save(edna, article, ednas_form, title="Edna's title")

    assert "You both changed <strong>Title</strong>" in refused.text
    assert submitted_form(refused.text)["title"] == ["Edna's title"]
    assert (
        edna.post(change_url(article), submitted_form(refused.text)).status_code == 302
    )
    assert Article.objects.get(pk=article.pk).title == "Edna's title"


def test_two_saves_of_one_form_the_second_is_refused(edna, article):
    form = opened(edna, article)  # e.g. the form in two tabs
    assert save(edna, article, form, title="Once").status_code == 302

    response = save(edna, article, form, title="Twice")

    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).title == "Once"


def test_a_stale_form_is_refused_after_an_import_changed_the_article(edna, tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "a", title="From the file")
    import_files([tmp_path], workers=1)
    article = Article.objects.get()
    ednas_form = opened(edna, article)
    write_article(tmp_path, "a.md", MEDICINE + "a", title="From the new file")
    import_files([tmp_path], workers=1)

    response = save(edna, article, ednas_form, author="Edna")

    assert response.status_code == 200
    assert "This article was changed by an import at" in response.text
    assert "<ins>From the new file</ins>" in response.text
    assert Article.objects.get(pk=article.pk).author == "QuickTakes"


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_a_stale_form_is_refused_after_a_bulk_action(edna, bob, action):
    article = make_article(
        "q", status=Status.DRAFT if action == "publish" else "published"
    )
    ednas_form = opened(edna, article)
    bulk = bob.post(CHANGELIST, {"action": action, "_selected_action": [article.pk]})
    assert bulk.status_code == 302

    response = save(edna, article, ednas_form, author="Edna")

    assert response.status_code == 200
    assert "This article was changed by bob" in response.text
    assert Article.objects.get(pk=article.pk).author == ""


def test_a_stale_form_is_refused_after_a_restore(edna, bob, article):
    save(bob, article, opened(bob, article), title="Bob's first title")
    good = article_versions(article.pk).get()
    save(bob, article, opened(bob, article), title="Bob's second title")
    ednas_form = opened(edna, article)
    restore = f"{CHANGELIST}{article.pk}/history/{good.pk}/"
    bob.post(restore, submitted_form(bob.get(restore).text, pressed="_save"))
    assert Article.objects.get(pk=article.pk).title == "Bob's first title"

    response = save(edna, article, ednas_form, author="Edna")

    assert response.status_code == 200
    assert "Reverted to previous version" in response.text
    assert "<ins>Bob&#x27;s first title</ins>" in response.text
    versions = [v.field_dict["version"] for v in article_versions(article.pk)]
    assert versions == sorted(versions, reverse=True)  # never back


def test_a_stale_form_is_refused_after_a_scheduled_publish(edna, article):
    from articles.publishing import apply_schedule

    soon = timezone.now() + datetime.timedelta(hours=1)
    Article.objects.filter(pk=article.pk).update(status=Status.DRAFT, publish_at=soon)
    ednas_form = opened(edna, article)
    apply_schedule(now=soon)  # the worker's job, at its time

    response = save(edna, article, ednas_form, author="Edna", status="draft")

    assert response.status_code == 200
    assert "This article was changed by the schedule at" in response.text
    saved = Article.objects.get(pk=article.pk)
    assert (saved.status, saved.author) == (Status.PUBLISHED, "")


def test_a_stale_form_is_refused_after_a_review_published_the_article(edna, article):
    from articles.reviews import publish_reviewed, submit_for_review

    Article.objects.filter(pk=article.pk).update(status=Status.DRAFT)
    article.refresh_from_db()
    review = submit_for_review(article, user=None, note="Ready.")
    ednas_form = opened(edna, article)
    publish_reviewed(review, user=User.objects.get(username="edna"))

    response = save(edna, article, ednas_form, author="Edna", status="draft")

    assert response.status_code == 200
    saved = Article.objects.get(pk=article.pk)
    assert (saved.status, saved.author) == (Status.PUBLISHED, "")


def test_a_stale_form_with_related_links_is_refused_with_a_message_not_hidden_errors(
    edna, bob
):
    targets = [make_article(f"t{n}", title=f"Target {n}") for n in range(3)]
    article = make_article("q")
    for position, target in enumerate(targets[:2], start=1):
        RelatedLink.objects.create(
            article=article, position=position, target=target, target_url=target.url
        )
    ednas_form = opened(edna, article)
    # Bob's save replaces the links: their ids in Edna's form are gone.
    save(bob, article, opened(bob, article), **{"related_links-1-position": "3"})

    refused = save(
        edna, article, ednas_form, **{"related_links-0-target_url": targets[2].url}
    )

    assert refused.status_code == 200
    assert "This article was changed by bob" in refused.text
    assert "You both changed <strong>Related links</strong>" in refused.text
    again = submitted_form(refused.text)
    assert again["related_links-0-target_url"] == [targets[2].url]
    assert edna.post(change_url(article), again).status_code == 302
    assert list(article.related_links.values_list("position", "target_url")) == [
        (1, targets[2].url),
        (2, targets[1].url),
    ]


def test_links_the_editor_left_alone_take_the_colleagues_new_links(edna, bob):
    target = make_article("t", title="Target")
    article = make_article("q")
    ednas_form = opened(edna, article)
    save(
        bob,
        article,
        opened(bob, article),
        **{
            "related_links-TOTAL_FORMS": "1",
            "related_links-0-position": "1",
            "related_links-0-target_url": target.url,
        },
    )

    refused = save(edna, article, ednas_form, author="Edna")
    again = submitted_form(refused.text)
    assert edna.post(change_url(article), again).status_code == 302

    saved = Article.objects.get(pk=article.pk)
    assert saved.author == "Edna"
    assert list(saved.related_links.values_list("target_url", flat=True)) == [
        target.url
    ]


def test_the_form_names_the_other_editors_who_have_it_open(edna, bob, article):
    opened(bob, article)

    page = edna.get(change_url(article)).text

    note = page.split('class="editing-presence__others"')[1].split("</p>")[0]
    assert "Also open by" in note
    assert "<strong>bob</strong>" in note
    assert "edna" not in note


def test_a_form_closed_or_long_left_is_no_longer_named(edna, bob, article, settings):
    opened(bob, article)
    bob.post(f"{CHANGELIST}{article.pk}/editing/", {"left": "1"})
    assert "Also open by" not in edna.get(change_url(article)).text

    opened(bob, article)
    long_ago = timezone.now() - datetime.timedelta(
        seconds=settings.EDITING_PRESENCE_SECONDS + 1
    )
    Editing.objects.filter(user__username="bob").update(seen_at=long_ago)
    assert "Also open by" not in edna.get(change_url(article)).text

    bob.post(f"{CHANGELIST}{article.pk}/editing/")  # the form's script, still open
    assert "<strong>bob</strong>" in edna.get(change_url(article)).text


def test_saving_the_form_ends_the_editors_presence(edna, bob, article):
    form = opened(bob, article)
    form["_save"] = [""]
    del form["_continue"]
    assert save(bob, article, form, title="Bob's title").status_code == 302

    assert "Also open by" not in edna.get(change_url(article)).text


def test_the_presence_address_answers_only_posts_of_editors(edna, client, article):
    url = f"{CHANGELIST}{article.pk}/editing/"
    assert edna.get(url).status_code == 405
    assert edna.post(f"{CHANGELIST}999999/editing/").status_code == 404
    assert edna.post(f"{CHANGELIST}abc/editing/").status_code == 404
    viewer = staff(Client(), "vera")
    assert viewer.post(url).status_code == 403
    assert edna.post(url).status_code == 204
    assert Editing.objects.filter(user__username="edna").exists()


def test_a_colleagues_new_subject_and_status_are_taken_into_the_refused_form(
    edna, bob, article
):
    biology = Subject.objects.create(slug="biology", name="Biology")
    ednas_form = opened(edna, article)
    save(
        bob,
        article,
        opened(bob, article),
        subject=str(biology.pk),
        status=Status.DRAFT,
    )

    refused = save(edna, article, ednas_form, author="Edna")
    again = submitted_form(refused.text)

    assert (again["subject"], again["status"]) == ([str(biology.pk)], ["draft"])
    assert "<del>Medicine</del>" in refused.text
    assert "<ins>Biology</ins>" in refused.text
    assert edna.post(change_url(article), again).status_code == 302
    saved = Article.objects.get(pk=article.pk)
    assert (saved.subject, saved.status, saved.author) == (biology, "draft", "Edna")


def test_staff_who_only_view_the_article_are_not_named_as_editing(edna, article):
    viewer = staff(Client(), "vera")
    User.objects.get(username="vera").user_permissions.add(
        Permission.objects.get(codename="view_article")
    )
    assert viewer.get(change_url(article)).status_code == 200

    assert "Also open by" not in edna.get(change_url(article)).text


def test_a_stale_form_is_refused_after_a_suggestion_was_added(edna, bob, article):
    target = make_article("t", title="Target")
    ednas_form = opened(edna, article)
    added = bob.post(
        f"{CHANGELIST}{article.pk}/suggestions/add/", {"target": str(target.pk)}
    )
    assert added.status_code == 302

    refused = save(edna, article, ednas_form, author="Edna")

    assert refused.status_code == 200
    assert "Added related link to “Target” from suggestions" in refused.text
    again = submitted_form(refused.text)
    assert again["related_links-0-target_url"] == [target.url]  # kept
    assert edna.post(change_url(article), again).status_code == 302
    assert list(article.related_links.values_list("target_url", flat=True)) == [
        target.url
    ]
