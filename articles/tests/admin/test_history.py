"""History: every change keeps a revision (admin, import, publish action); an
editor sees who changed what, compares two revisions and restores one."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from reversion.models import Version

from articles.history import article_versions
from articles.importing.revisions import write_revisions
from articles.models import Article, Redirect, Status

from ..factories import change_form_data, make_article, staff, write_article

pytestmark = pytest.mark.django_db

MEDICINE = "/learn/medicine/questions/"


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def history_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/history/"


def edit(client, article, **changes):
    """Save the article's change form with `changes`; returns the response."""
    data = change_form_data(client.get(change_url(article)))
    return client.post(change_url(article), {**data, **changes})


def import_folder(folder):
    call_command("import_articles", str(folder), stdout=io.StringIO())


def comments(article) -> list[str]:
    return [v.revision.get_comment() for v in article_versions(article.pk)]


def test_an_admin_save_keeps_a_revision_naming_who_and_which_fields(editor):
    article = make_article("q", answer="Old answer.")

    response = edit(editor, article, answer="New answer.", title="A new title")

    assert response.status_code == 302
    version = article_versions(article.pk).get()
    assert version.revision.user.username == "edna"
    assert "Answer" in version.revision.get_comment()
    assert "Title" in version.revision.get_comment()
    assert version.field_dict["answer"] == "New answer."


def test_an_import_keeps_a_revision_of_each_article_it_creates_or_updates(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "a", answer="First.")
    import_folder(tmp_path)
    write_article(tmp_path, "a.md", MEDICINE + "a", answer="Second.")
    import_folder(tmp_path)
    import_folder(tmp_path)  # unchanged: no revision

    article = Article.objects.get(slug="a")
    versions = list(article_versions(article.pk))
    assert [v.revision.user for v in versions] == [None, None]
    assert versions[0].field_dict["answer"] == "Second."
    assert versions[1].field_dict["answer"] == "First."
    updated, created = comments(article)
    assert updated.endswith(f"updated from {tmp_path / 'a.md'}: changed answer")
    assert created.endswith(f"created from {tmp_path / 'a.md'}")


def test_an_imported_revision_holds_the_related_links(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "a", related=[MEDICINE + "b"])
    import_folder(tmp_path)

    article = Article.objects.get(slug="a")
    version = article_versions(article.pk).get()
    kept = version.revision.version_set.exclude(pk=version.pk)
    assert [v.field_dict["target_url"] for v in kept] == [MEDICINE + "b"]


def test_a_dry_run_keeps_no_revision(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "a")

    call_command("import_articles", str(tmp_path), "--dry-run", stdout=io.StringIO())

    assert not Version.objects.exists()


def test_the_publish_action_keeps_a_revision_by_the_editor(editor):
    article = make_article("q", status=Status.DRAFT)

    editor.post(
        "/admin/articles/article/",
        {"_selected_action": [article.pk], "action": "publish", "index": 0},
    )

    version = article_versions(article.pk).get()
    assert version.revision.user.username == "edna"
    assert version.field_dict["status"] == Status.PUBLISHED
    assert "ublished" in version.revision.get_comment()


def test_the_history_page_lists_who_changed_what_newest_first(editor, tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "a", answer="From the file.")
    import_folder(tmp_path)
    article = Article.objects.get(slug="a")
    edit(editor, article, answer="From the editor.")

    page = editor.get(history_url(article)).content.decode()

    assert page.index("edna") < page.index("command line")
    assert "Changed Answer" in page
    assert "created from" in page
    assert "Restore this version" in page


def test_the_history_page_of_an_article_without_revisions_says_so(editor):
    article = make_article(slug="never-changed")  # made without a revision

    response = editor.get(history_url(article))

    assert response.status_code == 200
    assert "This article has no revisions yet" in response.content.decode()


def test_the_history_page_costs_the_same_queries_however_long_the_history(
    editor, django_assert_max_num_queries
):
    article = make_article("q")
    for number in range(8):
        edit(editor, article, answer=f"Answer {number}.")

    with django_assert_max_num_queries(8):
        page = editor.get(history_url(article))

    assert page.content.decode().count('name="from"') == 8


def test_comparing_two_revisions_shows_the_lines_that_changed(editor):
    article = make_article("q", answer="One.")
    edit(editor, article, answer="One.\n\nTwo.")
    edit(editor, article, answer="One.\n\nThree.", seo_title="QuickTakes | Med")
    newer, older = article_versions(article.pk)

    page = editor.get(
        f"{history_url(article)}compare/?from={older.pk}&to={newer.pk}"
    ).content.decode()

    assert "<del>Two.</del>" in page
    assert "<ins>Three.</ins>" in page
    assert "SEO title" in page
    assert "<h2>Title</h2>" not in page  # unchanged fields are not listed
    crumbs = page.split('<div class="breadcrumbs">')[1].split("</div>")[0]
    assert f'<a href="{change_url(article)}">{article}</a>' in crumbs
    assert f'<a href="{history_url(article)}">History</a>' in crumbs
    assert crumbs.rstrip().endswith("&rsaquo; Changes")


def test_comparing_shows_changed_related_links(editor):
    target = make_article("target")
    article = make_article("q")
    edit(editor, article, author="An editor")
    data = change_form_data(editor.get(change_url(article)))
    prefix = "related_links"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-position": "1",
            f"{prefix}-0-target_url": target.url,
        }
    )
    editor.post(change_url(article), data)

    page = editor.get(f"{history_url(article)}compare/").content.decode()

    assert "Related links" in page
    assert f"<ins>1. {target.url}</ins>" in page


def test_restoring_a_revision_brings_back_its_text_and_links(editor):
    article = make_article("q", answer="The good answer.")
    edit(editor, article, author="An editor")
    good = article_versions(article.pk).get()
    edit(editor, article, answer="A worse answer.")

    form = editor.get(f"{history_url(article)}{good.pk}/")
    assert "The good answer." in form.content.decode()
    # The live preview asks the same address as on the change form.
    assert 'data-preview-url="/admin/articles/article/render-answer/"' in form.text
    assert Article.objects.get(pk=article.pk).answer == "A worse answer."  # not yet
    editor.post(f"{history_url(article)}{good.pk}/", change_form_data(form))

    assert Article.objects.get(pk=article.pk).answer == "The good answer."
    assert "Reverted" in comments(article)[0]


def test_restoring_a_revision_at_another_url_redirects_the_url_it_leaves(
    editor, client
):
    article = make_article("old-slug")
    edit(editor, article, author="An editor")
    at_old_url = article_versions(article.pk).get()
    edit(editor, article, slug="new-slug")

    form = editor.get(f"{history_url(article)}{at_old_url.pk}/")
    editor.post(f"{history_url(article)}{at_old_url.pk}/", change_form_data(form))

    article.refresh_from_db()
    assert article.slug == "old-slug"
    assert list(Redirect.objects.values_list("old_url", flat=True)) == [
        MEDICINE + "new-slug"
    ]
    client.logout()
    assert client.get(MEDICINE + "new-slug").headers["Location"] == article.url
    assert client.get(article.url).status_code == 200


def test_staff_without_permissions_cannot_see_or_restore_history(client):
    article = make_article("q")
    staff(client, "sam")

    assert client.get(history_url(article)).status_code == 403
    assert client.get(f"{history_url(article)}compare/").status_code == 403


def test_comparing_revisions_of_another_article_is_not_found(editor):
    one, other = make_article("one"), make_article("other")
    edit(editor, one, author="An editor")
    edit(editor, other, author="An editor")
    theirs = article_versions(other.pk).get()
    mine = article_versions(one.pk).get()

    response = editor.get(f"{history_url(one)}compare/?from={mine.pk}&to={theirs.pk}")

    assert response.status_code == 404


def test_an_import_that_changes_a_slug_moves_the_article_and_redirects(
    tmp_path, client
):
    write_article(tmp_path, "a.md", MEDICINE + "first-name", id=7)
    import_folder(tmp_path)
    article = Article.objects.get()
    (tmp_path / "a.md").unlink()
    write_article(tmp_path, "b.md", MEDICINE + "second-name", id=7)

    out = io.StringIO()
    call_command("import_articles", str(tmp_path), "-v2", stdout=out)

    assert f"moved from {MEDICINE}first-name" in out.getvalue()
    assert list(Article.objects.values_list("pk", "slug")) == [
        (article.pk, "second-name")
    ]
    response = client.get(MEDICINE + "first-name")
    assert response.status_code == 301
    assert response.headers["Location"] == MEDICINE + "second-name"


def test_an_article_of_another_subject_with_the_same_id_is_not_a_move(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "shared", id=7)
    write_article(
        tmp_path, "b.md", "/learn/biology/questions/shared", id=7, subject="Biology"
    )

    import_folder(tmp_path)

    assert Article.objects.count() == 2
    assert not Redirect.objects.exists()


def test_a_bulk_revision_holds_what_reversion_itself_would_keep(editor):
    article = make_article("q", answer="Kept $$\\nabla$$ answer.", key_order=["id"])
    edit(editor, article, title="Kept")  # reversion's own revision
    by_reversion = article_versions(article.pk).get()

    write_revisions([(article.pk, "in bulk")])

    in_bulk = article_versions(article.pk).first()
    assert in_bulk.revision.get_comment() == "in bulk"
    assert in_bulk.field_dict == by_reversion.field_dict | {
        "updated_at": in_bulk.field_dict["updated_at"]
    }
    assert in_bulk.object_repr == by_reversion.object_repr


@pytest.mark.parametrize("outcome", ["created", "updated"])
def test_an_imports_revision_holds_what_the_database_then_holds(tmp_path, outcome):
    links = [MEDICINE + "b", MEDICINE + "c"]
    if outcome == "updated":
        write_article(tmp_path, "a.md", MEDICINE + "a", related=links[:1])
        import_folder(tmp_path)
        Article.objects.filter(slug="a").update(status=Status.DRAFT)
    write_article(tmp_path, "a.md", MEDICINE + "a", answer="$$\\nabla$$", related=links)
    import_folder(tmp_path)
    article = Article.objects.get(slug="a")
    by_import = article_versions(article.pk).first()

    write_revisions([(article.pk, "read back")])  # from the database, as it is

    read_back = article_versions(article.pk).first()
    assert read_back.revision.get_comment() == "read back"
    assert by_import.field_dict == read_back.field_dict
    assert by_import.object_repr == read_back.object_repr
    link_data = [
        sorted(version.field_dict.items())
        for version in (by_import, read_back)
        for version in version.revision.version_set.exclude(pk=version.pk)
    ]
    assert link_data[:2] == link_data[2:] and len(link_data) == 4


def test_an_imported_revision_can_be_restored(editor, tmp_path):
    write_article(
        tmp_path,
        "a.md",
        MEDICINE + "a",
        answer="As imported.",
        related=[MEDICINE + "b"],
    )
    import_folder(tmp_path)
    article = Article.objects.get(slug="a")
    imported = article_versions(article.pk).get()
    edit(editor, article, answer="Edited.", **{"related_links-0-DELETE": "on"})
    assert not article.related_links.exists()

    form = editor.get(f"{history_url(article)}{imported.pk}/")
    editor.post(f"{history_url(article)}{imported.pk}/", change_form_data(form))

    article.refresh_from_db()
    assert article.answer == "As imported."
    assert [link.target_url for link in article.related_links.all()] == [MEDICINE + "b"]


def test_an_import_taking_a_redirected_url_says_so(tmp_path, client):
    moved = make_article("new-home")
    Redirect.objects.create(old_url=MEDICINE + "old-home", article=moved)
    write_article(tmp_path, "a.md", MEDICINE + "old-home")

    out = io.StringIO()
    call_command("import_articles", str(tmp_path), "-v2", stdout=out)

    assert f"its URL redirected to {MEDICINE}new-home" in out.getvalue()
    assert not Redirect.objects.exists()
    assert client.get(MEDICINE + "old-home").status_code == 200
