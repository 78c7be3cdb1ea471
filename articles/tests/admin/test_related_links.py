"""Related links in the change form: found by title, in an explicit order, at
most five; and the admin's pages answer in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import RelatedLink, Status, Subject

from ..factories import change_form_data, make_article, staff

pytestmark = pytest.mark.django_db

MEDICINE = "/learn/medicine/questions/"
CHANGELIST = "/admin/articles/article/"
AUTOCOMPLETE = "/admin/articles/article/related-autocomplete/"
WIDGET = {"app_label": "articles", "model_name": "relatedlink", "field_name": "target"}


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def with_links(data: dict, *links: tuple[int, str, int | None]) -> dict:
    """The change form's data with these (position, URL, chosen article id) links."""
    data = {k: v for k, v in data.items() if not k.startswith("related_links-")}
    data.update(
        {
            "related_links-TOTAL_FORMS": str(len(links)),
            "related_links-INITIAL_FORMS": "0",
            "related_links-MIN_NUM_FORMS": "0",
            "related_links-MAX_NUM_FORMS": "5",
        }
    )
    for number, (position, url, chosen) in enumerate(links):
        data[f"related_links-{number}-position"] = str(position)
        data[f"related_links-{number}-target_url"] = url
        if chosen:
            data[f"related_links-{number}-target_article"] = str(chosen)
    return data


def saved_links(article) -> list[tuple[int, str]]:
    return list(article.related_links.values_list("position", "target_url"))


def test_the_autocomplete_finds_articles_by_words_of_their_title(editor):
    biology = Subject.objects.create(slug="biology", name="Biology")
    liver = make_article("liver", title="How does the liver filter blood?")
    make_article("liver", subject=biology, title="How does the liver filter blood?")
    make_article("heart", title="How does the heart pump?")

    found = editor.get(AUTOCOMPLETE, {**WIDGET, "term": "liver blood"}).json()

    assert sorted(result["text"] for result in found["results"]) == [
        "How does the liver filter blood? (Biology)",
        "How does the liver filter blood? (Medicine)",
    ]
    assert str(liver.pk) in {result["id"] for result in found["results"]}


def test_the_autocomplete_costs_the_same_queries_however_many_articles(
    editor, django_assert_num_queries
):
    make_article("first", title="Cells one")
    editor.get(AUTOCOMPLETE, {**WIDGET, "term": "cells"})  # session warmed
    for number in range(40):
        make_article(f"cells-{number}", title=f"Cells {number}")

    # session, user, the user's and their groups' permissions, the count for
    # the pager, the page of results
    with django_assert_num_queries(6):
        found = editor.get(AUTOCOMPLETE, {**WIDGET, "term": "cells"}).json()

    assert len(found["results"]) == 20
    assert found["pagination"]["more"] is True


def test_staff_without_permissions_get_no_autocomplete(client):
    make_article("q")
    staff(client, "sam")

    assert client.get(AUTOCOMPLETE, {**WIDGET, "term": "q"}).status_code == 403


def test_choosing_an_article_by_title_links_it_with_its_url_and_title(editor, client):
    target = make_article("target", title="The target")
    article = make_article("q")
    data = with_links(
        change_form_data(editor.get(change_url(article))), (1, "", target.pk)
    )

    response = editor.post(change_url(article), data)

    assert response.status_code == 302
    link = article.related_links.get()
    assert (link.target, link.target_url, link.target_title) == (
        target,
        target.url,
        "The target",
    )
    client.logout()
    assert 'href="/learn/medicine/questions/target"' in client.get(article.url).text


def test_an_editor_reorders_related_links_by_their_numbers(editor, client):
    first, second = make_article("first"), make_article("second")
    article = make_article("q")
    form = change_form_data(editor.get(change_url(article)))
    editor.post(
        change_url(article),
        with_links(form, (1, first.url, None), (2, second.url, None)),
    )
    data = change_form_data(editor.get(change_url(article)))
    data["related_links-0-position"], data["related_links-1-position"] = "2", "1"

    editor.post(change_url(article), data)

    assert saved_links(article) == [(1, second.url), (2, first.url)]
    client.logout()
    page = client.get(article.url).text
    assert page.index(second.url) < page.index(first.url)


def test_two_links_with_one_number_are_refused_in_plain_words(editor):
    article = make_article("q")
    form = change_form_data(editor.get(change_url(article)))

    response = editor.post(
        change_url(article),
        with_links(
            form,
            (2, "/learn/medicine/questions/a", None),
            (2, "/learn/medicine/questions/b", None),
        ),
    )

    assert "Two related links are number 2" in response.text
    assert saved_links(article) == []


def test_a_sixth_link_is_refused(editor):
    article = make_article("q")
    form = change_form_data(editor.get(change_url(article)))
    links = [(n, f"/learn/medicine/questions/a{n}", None) for n in range(1, 7)]

    response = editor.post(change_url(article), with_links(form, *links))

    assert response.status_code == 200
    assert saved_links(article) == []


def test_a_malformed_url_is_refused_and_names_the_shape(editor):
    article = make_article("q")
    form = change_form_data(editor.get(change_url(article)))

    response = editor.post(
        change_url(article), with_links(form, (1, "https://example.com/x", None))
    )

    assert "/learn/subject/questions/slug" in response.text
    assert saved_links(article) == []


@pytest.mark.parametrize("by", ["title", "url"])
def test_linking_an_article_to_itself_is_refused(editor, by):
    article = make_article("q", title="A question")
    form = change_form_data(editor.get(change_url(article)))
    link = (1, "", article.pk) if by == "title" else (1, article.url, None)

    response = editor.post(change_url(article), with_links(form, link))

    assert "An article cannot be related to itself." in response.text
    assert saved_links(article) == []


def test_a_link_to_itself_from_a_file_does_not_stop_a_save(editor):
    article = make_article("q", title="Old title")
    article.replace_related_links([RelatedLink(position=1, target_url=article.url)])
    data = change_form_data(editor.get(change_url(article)))

    response = editor.post(change_url(article), {**data, "title": "New title"})

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "New title"
    assert saved_links(article) == [(1, article.url)]


def test_a_url_of_an_article_not_imported_yet_is_kept_and_resolves_later(editor):
    article = make_article("q")
    form = change_form_data(editor.get(change_url(article)))
    later = "/learn/medicine/questions/later"

    editor.post(change_url(article), with_links(form, (1, later, None)))
    arrived = make_article("later")

    assert article.related_links.get().target == arrived


def test_the_change_form_costs_the_same_queries_with_five_links_or_none(editor):
    bare = make_article("bare")
    linked = make_article("linked")
    targets = [make_article(f"t{n}") for n in range(5)]
    form = change_form_data(editor.get(change_url(linked)))
    links = [(n + 1, t.url, None) for n, t in enumerate(targets)]
    editor.post(change_url(linked), with_links(form, *links))
    assert linked.related_links.count() == 5

    with CaptureQueriesContext(connection) as without_links:
        editor.get(change_url(bare))
    with CaptureQueriesContext(connection) as with_five:
        page = editor.get(change_url(linked))

    assert len(with_five) == len(without_links)
    assert page.text.count("(Medicine)</option>") == 5


def test_the_change_list_costs_the_same_queries_however_many_articles(editor):
    make_article("one")
    editor.get(CHANGELIST)
    with CaptureQueriesContext(connection) as one_article:
        editor.get(CHANGELIST)
    for number in range(60):
        make_article(f"q{number}", status=Status.DRAFT if number % 2 else "published")

    with CaptureQueriesContext(connection) as sixty_one:
        page = editor.get(CHANGELIST)

    assert len(sixty_one) == len(one_article)
    assert page.context["cl"].result_count == 61
