"""The editors' admin pages on a database of 100,000 articles: the change list
(first page, a search, a late page, the scheduled articles), the change form
of an article with five related links, the related-article autocomplete and
the articles awaiting review each answer in the same fixed number of queries
as with a handful of articles. The timings are bench/admin_benchmark.py's;
this asserts only what the pages run and show."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.fileformat.limits import article_url
from articles.models import Article, RelatedLink, Review, Subject

pytestmark = [pytest.mark.scale, pytest.mark.django_db]

SCALE = 100_000
CHANGELIST = "/admin/articles/article/"
AUTOCOMPLETE = "/admin/articles/article/related-autocomplete/"
AWAITING = "/admin/articles/article/worklists/review/"
WIDGET = {"app_label": "articles", "model_name": "relatedlink", "field_name": "target"}
WORDS = ["cell", "liver", "enzyme", "neuron", "protein", "tissue", "kidney"]


def bulk_articles(count: int) -> list[Article]:
    """`count` published articles over three subjects, written in batches as an
    import would (no save(), no signals); returns those of the first batch."""
    subjects = [
        Subject.objects.create(slug=slug, name=slug.title())
        for slug in ("medicine", "biology", "chemistry")
    ]
    first = None
    for start in range(0, count, 5_000):
        batch = []
        for n in range(start, min(start + 5_000, count)):
            subject = subjects[n % 3]
            slug = f"question-{n}"
            words = f"{WORDS[n % 7]} {WORDS[n // 7 % 7]}"
            batch.append(
                Article(
                    subject=subject,
                    slug=slug,
                    url=article_url(subject.slug, slug),
                    source_id=n,
                    date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n % 1500),
                    title=f"What does the {words} do ({n})?",
                    question=f"What does the {words} do?",
                    answer=f"The {words} answer number {n}.",
                    status="published",
                )
            )
        created = Article.objects.bulk_create(batch)
        first = first or created
    return first


@pytest.fixture
def many_articles() -> list[Article]:
    return bulk_articles(SCALE)


def queries_of(client, path: str, query: dict | None = None):
    """The response to a GET and the queries it ran, the second time: the first
    fills the per-process caches (content types) a running site has full."""
    client.get(path, query or {})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, query or {})
    assert response.status_code == 200
    return response, len(queries)


def test_the_admin_pages_cost_a_fixed_number_of_queries_with_100k_articles(
    editor, many_articles
):
    linked, *targets = many_articles[:6]
    RelatedLink.objects.bulk_create(
        RelatedLink(article=linked, position=n, target_url=t.url, target=t)
        for n, t in enumerate(targets, start=1)
    )
    assert Article.objects.count() == SCALE
    # A few articles scheduled and awaiting review among the 100,000.
    drafts = many_articles[10:40]
    Article.objects.filter(pk__in=[a.pk for a in drafts]).update(
        status="draft", publish_at=timezone.now() + datetime.timedelta(days=1)
    )
    Review.objects.bulk_create(
        Review(article=a, submitted_at=timezone.now(), note="Ready.") for a in drafts
    )

    first_page, first_page_queries = queries_of(editor, CHANGELIST)
    search, search_queries = queries_of(editor, CHANGELIST, {"q": "kidney"})
    late_page, late_page_queries = queries_of(editor, CHANGELIST, {"p": "400"})
    form, form_queries = queries_of(editor, f"{CHANGELIST}{linked.pk}/change/")
    found, autocomplete_queries = queries_of(
        editor, AUTOCOMPLETE, {**WIDGET, "term": "liver cell"}
    )
    scheduled, scheduled_queries = queries_of(editor, CHANGELIST, {"scheduled": "any"})
    awaiting, awaiting_queries = queries_of(editor, AWAITING)

    # Each: session, user, the user's and their groups' permissions. Pages in a
    # transaction add its savepoint and release under the tests.
    # Change list: the subjects for the filter, the count, the page of 100.
    assert (first_page_queries, search_queries, late_page_queries) == (9, 9, 9)
    assert first_page.context["cl"].result_count == SCALE
    assert len(first_page.context["cl"].result_list) == 100
    assert late_page.context["cl"].page_num == 400
    assert len(late_page.context["cl"].result_list) == 100
    assert all("kidney" in a.title for a in search.context["cl"].result_list)
    # Change form: the article, its links with their articles and subjects,
    # the subjects for the select; the editor's presence refreshed, and the
    # other editors with the form open.
    assert form_queries == 11
    options = [f"{t.title} ({t.subject.name})</option>" for t in targets]
    assert [option for option in options if option in form.text] == options
    # Autocomplete: the count for the pager, the page of 20.
    assert autocomplete_queries == 6
    results = found.json()["results"]
    assert len(results) == 20 and found.json()["pagination"]["more"] is True
    assert all("liver" in r["text"] and "cell" in r["text"] for r in results)
    # The scheduled ones, by their index: as the change list.
    assert scheduled_queries == 9
    assert scheduled.context["cl"].result_count == 30
    assert "Publishes " in scheduled.text
    # Awaiting review: the count and the page of 30, by the open reviews' index.
    assert awaiting_queries == 6
    assert awaiting.context["page"].paginator.count == 30
    assert len(awaiting.context["page"].object_list) == 30
