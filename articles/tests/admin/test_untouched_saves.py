"""An untouched save writes nothing, and every field's value makes the round
trip through the change form exactly, as a browser submits it (the form's
HTML parsed, not the view's context): no revision, no log entry, no new
version, no drift of the import's fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.forms.models import model_to_dict
from reversion.models import Version

from articles.fileformat.fingerprints import fingerprint
from articles.importing.importer import import_files
from articles.importing.rows import record_from_article
from articles.models import Article, Outcome, RelatedLink

from ..factories import FIXTURES, staff
from ..submitted_form import submitted_form

pytestmark = pytest.mark.django_db

EVERY_FIELD = Path(__file__).parents[1] / "data" / "editing" / "every-field.md"


def change_url(article: Article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def as_stored(article: Article) -> dict:
    """Every column of the article and of its links, as the database holds them."""
    row = model_to_dict(Article.objects.get(pk=article.pk))
    row.update(
        Article.objects.filter(pk=article.pk)
        .values("url", "updated_at", "version", "import_fingerprint")
        .get()
    )
    links = list(RelatedLink.objects.filter(article=article).order_by("pk").values())
    return {"article": row, "links": links}


def browser_save(client, article: Article, **typed: str):
    """Open the article's form, type `typed` into it, and press "Save and
    continue editing", as Chromium would submit it."""
    page = client.get(change_url(article))
    data = submitted_form(page.text)
    for name, value in typed.items():
        data[name] = [value]
    return client.post(change_url(article), data)


@pytest.fixture
def editor(client):
    return staff(client, "edna", "Editors")


@pytest.fixture
def imported(tmp_path) -> Article:
    """The article of data/editing/every-field.md: spaces around its texts, line
    breaks at both ends, a body of "\\n&nbsp;\\n", a score of 0.1 + 0.2, unknown
    fields, a link to an article not imported yet."""
    (tmp_path / "every-field.md").write_bytes(EVERY_FIELD.read_bytes())
    import_files([tmp_path], workers=1)
    return Article.objects.get()


def test_an_untouched_save_keeps_every_value_and_writes_nothing(editor, imported):
    before = as_stored(imported)
    revisions = Version.objects.count()

    response = browser_save(editor, imported)

    assert response.status_code == 302
    assert as_stored(imported) == before
    assert Version.objects.count() == revisions
    assert not LogEntry.objects.exists()
    page = editor.get(response.url)
    assert "nothing saved" in page.text
    assert "changed successfully" not in page.text


def test_an_untouched_save_leaves_the_article_as_its_file_says(editor, imported):
    browser_save(editor, imported)

    article = Article.objects.get(pk=imported.pk)
    links = article.related_links.order_by("position")
    assert fingerprint(record_from_article(article, links)) == (
        article.import_fingerprint
    )
    assert article.body == "\n&nbsp;\n"
    assert article.question == "\nWhat starts with a line break,\nand has another?\n"
    assert article.title == "  A title with spaces around it  "


def test_the_seed_files_survive_an_untouched_save_and_import_as_unchanged(
    editor, tmp_path
):
    import_files([FIXTURES], workers=1)
    for article in Article.objects.all():
        before = as_stored(article)
        assert browser_save(editor, article).status_code == 302
        assert as_stored(article) == before

    report = import_files([FIXTURES], workers=1)

    assert report.counts[Outcome.UNCHANGED] == len(list(FIXTURES.glob("*.txt")))
    assert report.counts[Outcome.CONFLICT] == 0


def test_an_edit_changes_only_the_field_typed_into(editor, imported):
    before = as_stored(imported)["article"]

    response = browser_save(editor, imported, title="A new title")

    assert response.status_code == 302
    after = as_stored(imported)["article"]
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"title", "updated_at", "version"}
    assert after["version"] == before["version"] + 1
    assert LogEntry.objects.get().get_change_message() == "Changed Title."


def test_line_breaks_typed_in_a_browser_are_kept_as_the_format_has_them(
    editor, imported
):
    response = browser_save(
        editor, imported, answer="One.\r\n\r\nTwo.", body="\r\n&nbsp;\r\n"
    )

    assert response.status_code == 302
    article = Article.objects.get(pk=imported.pk)
    assert article.answer == "One.\n\nTwo."
    assert article.body == "\n&nbsp;\n"
    assert LogEntry.objects.get().get_change_message() == "Changed Answer."


def test_a_changed_link_alone_saves_the_article_with_a_revision(editor, imported):
    before = as_stored(imported)["article"]

    response = browser_save(
        editor,
        imported,
        **{"related_links-0-target_url": "/learn/medicine/questions/elsewhere"},
    )

    assert response.status_code == 302
    assert as_stored(imported)["article"]["version"] == before["version"] + 1
    assert list(imported.related_links.values_list("target_url", flat=True)) == [
        "/learn/medicine/questions/elsewhere"
    ]
    assert "related link “1. /learn/medicine/questions/elsewhere”" in (
        LogEntry.objects.get().get_change_message()
    )
    assert Version.objects.get_for_object(imported).count() == 2  # import, edit


def test_a_blank_title_of_spaces_is_refused_as_missing(editor, imported):
    response = browser_save(editor, imported, title="   ")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == [
        "This field is required."
    ]
