"""Data that stays true through the admin: a moved article exports its new
subject, a retyped related-link URL exports nothing of the article it named
before, and every error of the related links names its field."""

from __future__ import annotations

import pytest

from articles.fileformat.writing import dump_article
from articles.importing.importer import import_files
from articles.importing.rows import record_from_article
from articles.models import Article, RelatedLink, Subject

from ..factories import make_article, staff, write_article
from ..submitted_form import submitted_form

pytestmark = pytest.mark.django_db

MEDICINE = "/learn/medicine/questions/"


def change_url(article: Article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def browser_save(client, article: Article, **typed: str):
    """Open the form, type `typed` into it, press "Save and continue"."""
    data = submitted_form(client.get(change_url(article)).text)
    data.update({name: [value] for name, value in typed.items()})
    return client.post(change_url(article), data)


def exported(article: Article) -> str:
    """The article's file as the export would write it now."""
    article = Article.objects.get(pk=article.pk)
    return dump_article(record_from_article(article, article.related_links.all()))


@pytest.fixture
def editor(client):
    return staff(client, "edna", "Editors")


@pytest.fixture
def imported(tmp_path) -> dict[str, Article]:
    """Two Medicine articles from files, "a" linking to "b" (its title,
    subject and id as a's file names them), and a Biology subject."""
    write_article(tmp_path, "a.md", MEDICINE + "a", related=[MEDICINE + "b"])
    write_article(tmp_path, "b.md", MEDICINE + "b", title="The b question")
    import_files([tmp_path], workers=1)
    Subject.objects.create(slug="biology", name="Biology")
    return Article.objects.in_bulk([MEDICINE + "a", MEDICINE + "b"], field_name="url")


def test_a_moved_article_exports_its_new_subject(editor, imported):
    biology = Subject.objects.get(slug="biology")

    response = browser_save(editor, imported[MEDICINE + "b"], subject=str(biology.pk))

    assert response.status_code == 302
    text = exported(imported[MEDICINE + "b"])
    assert "\nsubject: Biology\n" in text
    assert "\nurl: /learn/biology/questions/b\n" in text


def test_links_made_to_a_moved_article_afterwards_name_its_new_subject(
    editor, imported, tmp_path
):
    moved = imported[MEDICINE + "b"]
    biology = Subject.objects.get(slug="biology")
    browser_save(editor, moved, subject=str(biology.pk))
    write_article(tmp_path, "c.md", MEDICINE + "c")
    import_files([tmp_path / "c.md"], workers=1)
    article = Article.objects.get(url=MEDICINE + "c")

    response = browser_save(
        editor,
        article,
        **{
            "related_links-TOTAL_FORMS": "1",
            "related_links-0-position": "1",
            "related_links-0-target_article": str(moved.pk),
        },
    )

    assert response.status_code == 302
    link = RelatedLink.objects.get(article=article)
    assert (link.target_url, link.target_subject) == (
        "/learn/biology/questions/b",
        "Biology",
    )
    suggested = make_article("d").add_related_link(Article.objects.get(pk=moved.pk))
    assert suggested.target_subject == "Biology"


def test_a_spelling_the_editor_types_with_the_move_is_kept(editor, imported):
    biology = Subject.objects.get(slug="biology")

    browser_save(
        editor,
        imported[MEDICINE + "b"],
        subject=str(biology.pk),
        subject_name="biology",
    )

    assert Article.objects.get(pk=imported[MEDICINE + "b"].pk).subject_name == (
        "biology"
    )


def test_a_retyped_link_url_drops_the_title_subject_and_id_of_the_old_target(
    editor, imported
):
    article = imported[MEDICINE + "a"]
    assert "Related 1" in exported(article)
    elsewhere = MEDICINE + "not-written-yet"

    response = browser_save(
        editor, article, **{"related_links-0-target_url": elsewhere}
    )

    assert response.status_code == 302
    link = RelatedLink.objects.get(article=article)
    assert (link.target_url, link.target, link.target_title) == (elsewhere, None, "")
    assert (link.target_subject, link.target_source_id) == ("", None)
    text = exported(article)
    assert f"related_article1:\n    url: {elsewhere}\n" in text
    assert "Related 1" not in text and "1001" not in text


def test_a_retyped_link_url_takes_the_title_subject_and_id_of_the_article_there(
    editor, imported, tmp_path
):
    write_article(tmp_path, "c.md", MEDICINE + "c", title="The c question", id=33)
    import_files([tmp_path / "c.md"], workers=1)
    article = imported[MEDICINE + "a"]

    browser_save(editor, article, **{"related_links-0-target_url": MEDICINE + "c"})

    link = RelatedLink.objects.get(article=article)
    c = Article.objects.get(url=MEDICINE + "c")
    assert (link.target, link.target_title, link.target_source_id) == (
        c,
        "The c question",
        33,
    )
    assert link.target_subject == "Medicine"


def test_two_links_of_one_number_are_told_on_their_number_fields(editor, imported):
    article = imported[MEDICINE + "a"]
    data = submitted_form(editor.get(change_url(article)).text)
    data.update(
        {
            "related_links-TOTAL_FORMS": ["2"],
            "related_links-1-position": ["1"],
            "related_links-1-target_url": [MEDICINE + "b"],
        }
    )

    response = editor.post(change_url(article), data)

    assert response.status_code == 200
    forms = response.context["inline_admin_formsets"][0].formset.forms
    assert [form.errors.get("position", [""])[0][:30] for form in forms] == [
        "Two related links are number 1",
        "Two related links are number 1",
    ]
    assert all(not form.non_field_errors() for form in forms)


def test_a_link_to_itself_is_told_on_the_field_that_names_it(editor, imported):
    article = imported[MEDICINE + "a"]

    response = browser_save(
        editor, article, **{"related_links-0-target_url": article.url}
    )

    form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert form.errors == {"target_url": ["An article cannot be related to itself."]}


def test_a_row_whose_link_is_gone_is_saved_as_a_new_link_not_a_hidden_error(
    editor, imported
):
    article = imported[MEDICINE + "a"]
    data = submitted_form(editor.get(change_url(article)).text)
    # Another save replaced the links since (new ids), without a new version
    # of the article: as an older release's save did.
    article.replace_related_links(list(article.related_links.all()))

    data["related_links-0-target_url"] = [MEDICINE + "elsewhere"]
    response = editor.post(change_url(article), data)

    assert response.status_code == 302
    assert list(article.related_links.values_list("target_url", flat=True)) == [
        MEDICINE + "elsewhere"
    ]
