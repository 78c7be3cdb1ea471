"""The admin: editors find, edit and relink articles through the admin's own views."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article

from ..factories import FIXTURES, change_form_data, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = User.objects.create_superuser("editor", "editor@example.com", "pw-for-tests")
    client.force_login(user)
    return client


@pytest.fixture
def seeds():
    call_command("import_articles", str(FIXTURES), stdout=io.StringIO())
    return Article.objects.get(source_id=97053)


def test_the_change_list_searches_by_title_and_filters_by_subject(editor, seeds):
    page = editor.get(
        "/admin/articles/article/",
        {"q": "Metastatic", "subject__id__exact": seeds.subject_id},
    )

    assert page.status_code == 200
    assert (
        "What treatment options are available for Metastatic Liver Cancer?"
        in page.content.decode()
    )
    assert page.context["cl"].result_count == 2


def test_the_change_list_finds_an_article_by_its_id(editor, seeds):
    page = editor.get("/admin/articles/article/", {"q": "97053"})

    assert page.context["cl"].result_count == 1


def test_an_editor_edits_an_answer_and_reorders_related_links(editor, seeds):
    url = f"/admin/articles/article/{seeds.pk}/change/"
    data = change_form_data(editor.get(url))
    data["answer"] = "A new answer.\r\n\r\nWith **two** paragraphs."
    first, second = data["related_links-0-position"], data["related_links-1-position"]
    data["related_links-0-position"], data["related_links-1-position"] = 6, first
    data["related_links-0-position"] = second

    response = editor.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    seeds.refresh_from_db()
    assert seeds.answer == "A new answer.\n\nWith **two** paragraphs."
    urls = list(seeds.related_links.values_list("position", "target_url"))
    assert urls[0][1].endswith("what-are-the-key-characteristics-of-cholangiocarcinoma")
    assert urls[1][1].endswith(
        "what-are-the-common-genetic-factors-associated-with-liver-cancer"
    )


def test_a_slug_already_taken_in_the_subject_is_refused_in_plain_words(editor, seeds):
    other = Article.objects.exclude(pk=seeds.pk).get()
    url = f"/admin/articles/article/{seeds.pk}/change/"
    data = change_form_data(editor.get(url))
    data["slug"] = other.slug

    response = editor.post(url, data)

    assert response.status_code == 200
    assert "This URL is taken: another article of this subject has the same slug." in (
        response.content.decode()
    )
    seeds.refresh_from_db()
    assert seeds.slug != other.slug


def test_an_edit_in_the_admin_survives_a_reimport_of_a_changed_file(
    editor, seeds, tmp_path
):
    url = f"/admin/articles/article/{seeds.pk}/change/"
    data = change_form_data(editor.get(url))
    data["title"] = "An editor's better title?"
    assert editor.post(url, data).status_code == 302
    changed = (
        (FIXTURES / "000_36ba845e82c8e443.txt")
        .read_text()
        .replace("author: QuickTakes", "author: Someone Else")
    )
    (tmp_path / "a.md").write_text(changed)

    with pytest.raises(CommandError):
        call_command(
            "import_articles", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO()
        )

    seeds.refresh_from_db()
    assert (seeds.title, seeds.author) == ("An editor's better title?", "QuickTakes")


def test_an_article_made_in_the_admin_gets_its_url_and_exports(editor, seeds, tmp_path):
    data = {
        "title": "A new question?",
        "question": "A new question?",
        "answer": "Yes.",
        "date": "2025-01-02",
        "subject": seeds.subject_id,
        "slug": "a-new-question",
        "source_id": 5,
        "status": "published",
        "related_links-TOTAL_FORMS": 0,
        "related_links-INITIAL_FORMS": 0,
    }

    response = editor.post("/admin/articles/article/add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="a-new-question")
    assert article.url == "/learn/medicine/questions/a-new-question"
    call_command("export_articles", str(tmp_path / "out"), stdout=io.StringIO())
    text = (tmp_path / "out" / "medicine" / "a-new-question.md").read_text()
    assert text.startswith(
        "---\nid: 5\ndate: 2025-01-02\ntitle: >-\n    A new question?\n"
    )
    # Importing that export again is no conflict: the file is the article.
    out = io.StringIO()
    call_command("import_articles", str(tmp_path / "out"), stdout=out)
    assert "3 files: 0 created, 1 updated, 2 unchanged, 0 conflict" in out.getvalue()


def test_a_new_article_needs_neither_an_id_nor_a_date(editor, seeds, tmp_path):
    form = editor.get("/admin/articles/article/add/").context["adminform"].form
    data = {
        "title": "An undated question?",
        "question": "An undated question?",
        "answer": "Yes.",
        "subject": seeds.subject_id,
        "slug": "an-undated-question",
        "status": "published",
        "related_links-TOTAL_FORMS": 0,
        "related_links-INITIAL_FORMS": 0,
    }

    response = editor.post("/admin/articles/article/add/", data)

    assert not form.fields["source_id"].required
    assert not form.fields["date"].required
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="an-undated-question")
    assert (article.source_id, article.date) == (None, None)
    call_command("export_articles", str(tmp_path / "out"), stdout=io.StringIO())
    text = (tmp_path / "out" / "medicine" / "an-undated-question.md").read_text()
    assert text.startswith("---\ntitle: >-\n    An undated question?\n")


def test_the_change_list_puts_articles_without_a_date_last(editor, seeds):
    make_article("undated", date=None)

    page = editor.get("/admin/articles/article/")

    assert [article.slug for article in page.context["cl"].result_list][-1] == (
        "undated"
    )
    assert "No date" in page.content.decode()  # the date filter's choice


def test_the_subject_list_shows_article_counts(editor, seeds):
    page = editor.get("/admin/articles/subject/").content.decode()

    assert "Medicine" in page and '<td class="field-article_count">2</td>' in page


def test_a_subjects_slug_cannot_be_changed_once_made(editor, seeds):
    url = f"/admin/articles/subject/{seeds.subject_id}/change/"

    response = editor.post(url, {"name": "Medicine and Health", "slug": "health"})

    assert response.status_code == 302
    seeds.refresh_from_db()
    assert (seeds.subject.name, seeds.subject.slug) == (
        "Medicine and Health",
        "medicine",
    )
    assert seeds.url.startswith("/learn/medicine/questions/")


def test_no_help_text_holds_markup_the_admin_would_render_as_html():
    # The admin does not escape help texts: a "<title>" there once swallowed
    # the rest of the change form, Save button included.
    from articles.models import RelatedLink, Subject

    for model in (Article, Subject, RelatedLink):
        for field in model._meta.get_fields():
            assert "<" not in str(getattr(field, "help_text", "")), field
