"""Review before publish: a writer (an editor who may not publish) submits a
draft, an editor who may publish finds it under "Awaiting review" and
publishes it or sends it back with a comment; the article's history keeps
each step. Through the admin's own views."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from reversion.models import Version

from articles.models import Article, Review, Status

from ..factories import make_article, staff

pytestmark = pytest.mark.django_db

ARTICLES = "/admin/articles/article/"
AWAITING = f"{ARTICLES}worklists/review/"


@pytest.fixture
def writer(client):
    return staff(client, "wes", "Writers")


@pytest.fixture
def draft() -> Article:
    return make_article("comets", title="Comets", status=Status.DRAFT)


def as_user(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


def submit(client, article, note: str = ""):
    return client.post(f"{ARTICLES}{article.pk}/review/submit/", {"note": note})


def decide(client, article, **data):
    return client.post(f"{ARTICLES}{article.pk}/review/decide/", data)


def history(article) -> list[tuple[str, str]]:
    """(who, comment) of each revision, oldest first."""
    versions = Version.objects.get_for_object(article).select_related("revision__user")
    return [
        (str(v.revision.user), v.revision.comment) for v in reversed(list(versions))
    ]


def test_a_writer_submits_a_draft_and_an_editor_finds_and_publishes_it(
    writer, draft, client
):
    page = writer.get(f"{ARTICLES}{draft.pk}/review/")
    assert 'id="review-submit"' in page.text and "review-decision" not in page.text

    response = submit(writer, draft, "Ready, I think.")
    assert response.status_code == 302
    assert "was submitted for review" in writer.get(response.url).text

    staff(client, "edna", "Editors")
    worklist = client.get(AWAITING)
    assert worklist.status_code == 200
    assert [r.article.title for r in worklist.context["page"]] == ["Comets"]
    assert "wes" in worklist.text and "Ready, I think." in worklist.text
    assert 'id="review-decision"' in client.get(f"{ARTICLES}{draft.pk}/review/").text

    published = decide(client, draft, publish="Publish")

    assert published.url == AWAITING
    assert Article.objects.get(pk=draft.pk).status == Status.PUBLISHED
    assert client.get(AWAITING).context["page"].paginator.count == 0
    client.logout()
    assert client.get(draft.url).status_code == 200
    assert history(draft) == [
        ("wes", "Submitted for review: Ready, I think."),
        ("edna", "Published after review."),
    ]


def test_an_editor_sends_it_back_with_a_comment_the_writer_then_reads(
    writer, draft, client
):
    submit(writer, draft)
    editor = staff(client, "edna", "Editors")

    refused = decide(editor, draft, send_back="Send back", comment="  ")
    assert Review.objects.get().state == Review.State.AWAITING
    assert "the comment is required" in editor.get(refused.url).text

    decide(editor, draft, send_back="Send back", comment="Cite a source.")

    assert Article.objects.get(pk=draft.pk).status == Status.DRAFT
    review = Review.objects.get()
    assert (review.state, review.comment, str(review.decided_by)) == (
        "sent_back",
        "Cite a source.",
        "edna",
    )
    page = as_user(writer, "wes").get(f"{ARTICLES}{draft.pk}/review/").text
    assert "Cite a source." in page and "sent back by edna" in page
    # Sent back, it may be submitted again.
    assert 'id="review-submit"' in page
    assert history(draft)[-1] == ("edna", "Sent back after review: Cite a source.")


def test_a_writer_can_neither_publish_nor_send_back_nor_submit_twice(writer, draft):
    submit(writer, draft)

    assert decide(writer, draft, publish="Publish").status_code == 403
    assert decide(writer, draft, comment="x", send_back="1").status_code == 403
    again = submit(writer, draft)

    assert "already awaits review" in writer.get(again.url).text
    assert Review.objects.count() == 1
    assert Article.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_review_decided_already_is_not_decided_again(writer, draft, client):
    submit(writer, draft)
    first = staff(client, "edna", "Editors")
    decide(first, draft, send_back="1", comment="Not yet.")

    second = decide(first, draft, publish="Publish")

    assert second.status_code == 404  # no open review of it any more
    assert Article.objects.get(pk=draft.pk).status == Status.DRAFT


def test_publishing_it_otherwise_closes_its_review(writer, draft, client):
    other = make_article("other", title="Other", status=Status.DRAFT)
    submit(writer, draft), submit(as_user(writer, "wes"), other)
    editor = staff(client, "edna", "Editors")

    editor.post(
        ARTICLES, {"action": "publish", "_selected_action": [draft.pk], "index": 0}
    )

    awaiting = editor.get(AWAITING).context["page"]
    assert [r.article.title for r in awaiting] == ["Other"]
    assert Review.objects.get(article=draft).state == Review.State.PUBLISHED


def test_a_published_article_is_not_submitted(writer):
    article = make_article("live", title="Live")

    response = submit(writer, article)

    assert "is published already" in writer.get(response.url).text
    assert not Review.objects.exists()


def test_staff_without_permissions_see_no_review(client, draft):
    bare = staff(client, "sam")

    assert bare.get(AWAITING).status_code == 403
    assert bare.get(f"{ARTICLES}{draft.pk}/review/").status_code == 403
    assert submit(bare, draft).status_code == 403


def test_the_article_list_and_form_link_to_the_review(writer, draft):
    assert f'href="{AWAITING}"' in writer.get(ARTICLES).text
    form = writer.get(f"{ARTICLES}{draft.pk}/change/").text
    assert f'href="{ARTICLES}{draft.pk}/review/"' in form


def test_a_note_with_a_nul_character_is_refused_naming_the_field(writer, draft):
    response = submit(writer, draft, "Ready\x00")

    assert "The note holds a NUL character" in writer.get(response.url).text
    assert not Review.objects.exists()
