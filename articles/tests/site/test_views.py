"""The public pages: an article at its URL, subjects, home, search."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import LISTED_INDEX, Article, RelatedLink

from ..factories import FIXTURES, make_article, write_article

pytestmark = pytest.mark.django_db

SEED_URL = (
    "/learn/medicine/questions/"
    "what-treatment-options-are-available-for-metastatic-liver-cancer"
)


@pytest.fixture
def seeds():
    call_command("import_articles", str(FIXTURES), stdout=io.StringIO())


def test_the_article_page_shows_everything_the_seed_page_carries(client, seeds):
    page = client.get(SEED_URL).content.decode()

    assert (
        "<h1>What treatment options are available for Metastatic Liver Cancer?</h1>"
        in page
    )
    assert 'Posted on <time datetime="2024-12-07">Dec 07, 2024</time>' in page
    assert "&middot; QuickTakes" in page
    assert "<strong>Surgery</strong>: In select cases" in page
    assert (
        "<title>What treatment options are available for Metastatic Liver Cancer? "
        "| QuickTakes | Medicine</title>" in page
    )
    assert '<meta name="description" content="This article outlines the various' in page
    assert (
        '<meta name="keywords" content="metastatic liver cancer, treatment options'
        in page
    )
    assert '<a href="/learn/medicine/">Medicine</a>' in page


def test_a_file_without_a_date_makes_a_page_and_listing_that_show_no_date(
    client, tmp_path
):
    url = "/learn/medicine/questions/when-was-this-written"
    write_article(tmp_path, "a.md", url, title="When was this written?", omit=["date"])
    call_command("import_articles", str(tmp_path), stdout=io.StringIO())

    page = client.get(url).content.decode()
    listing = client.get("/learn/medicine/").content.decode()
    home = client.get("/").content.decode()

    assert '<p class="byline">QuickTakes</p>' in page
    assert "Posted on" not in page
    for shown in (page, listing, home):
        assert "<time" not in shown
    assert "When was this written?" in listing
    assert '<span class="meta">Medicine</span>' in home


@pytest.mark.parametrize("suffix", ["", "/"])
def test_the_article_answers_with_or_without_a_trailing_slash(client, seeds, suffix):
    response = client.get(SEED_URL + suffix)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/learn/medicine/questions/no-such-question",
        "/learn/no-such-subject/questions/what-treatment-options-are-available-for-metastatic-liver-cancer",
        "/learn/no-such-subject/",
        "/learn/medicine/questions/UPPER",
    ],
)
def test_unknown_subjects_and_questions_answer_404(client, seeds, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_related_links_show_only_articles_that_exist_each_once(client):
    article = make_article("main")
    other = make_article("other", title="The other question")
    for position, url in enumerate(
        [other.url, other.url, "/learn/medicine/questions/gone"], 1
    ):
        RelatedLink.objects.create(article=article, position=position, target_url=url)
    RelatedLink.objects.filter(target_url=other.url).update(target=other)

    page = client.get(article.url).content.decode()

    assert page.count(f'<a href="{other.url}">The other question</a>') == 1
    assert "/learn/medicine/questions/gone" not in page


def test_a_link_resolves_when_its_article_is_created_later(client):
    article = make_article("main")
    RelatedLink.objects.create(
        article=article, position=1, target_url="/learn/medicine/questions/later"
    )

    make_article("later", title="Arrived later")

    assert "Arrived later" in client.get(article.url).content.decode()


def test_an_article_pages_queries_do_not_grow_with_its_related_links(client):
    def queries_for(article):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.url).status_code == 200
        return len(queries)

    lonely = make_article("lonely")
    linked = make_article("linked")
    for position in range(1, 6):
        target = make_article(f"target-{position}")
        RelatedLink.objects.create(
            article=linked, position=position, target_url=target.url, target=target
        )

    # The article with the versions of what it shows, its related articles,
    # and the newest of its subject, which the next pages of the subject
    # remember.
    assert queries_for(target) == 3
    assert queries_for(linked) == queries_for(lonely) == 2


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's plan: PostgreSQL plans its own"
)
def test_an_article_pages_related_articles_are_read_from_the_listed_index(client):
    linked = make_article("linked")
    target = make_article("target")
    RelatedLink.objects.create(
        article=linked, position=1, target_url=target.url, target=target
    )
    with CaptureQueriesContext(connection) as queries:
        page = client.get(linked.url).content.decode()
    [related_sql] = [query["sql"] for query in queries if "target_id" in query["sql"]]

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {related_sql}")
        plan = " / ".join(row[-1] for row in cursor.fetchall())

    assert target.title in page
    assert f"USING COVERING INDEX {LISTED_INDEX}" in plan, plan


def test_the_newest_of_a_subject_are_remembered_until_one_of_them_changes(client):
    first = make_article("first", title="First question")
    second = make_article("second", title="Second question")
    assert "Second question" in client.get(first.url).content.decode()

    second.title = "Second question, renamed"
    second.save()

    page = client.get(first.url).content.decode()
    assert "Second question, renamed" in page
    more = client.get(make_article("third").url).content.decode()
    assert "Second question, renamed" in more and "First question" in more


def test_answers_are_sanitized(client):
    article = make_article(
        "hostile",
        answer=(
            "<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
            '<img src=x onerror="alert(3)">\n\n<a href="#" onclick="alert(4)">x</a>'
        ),
    )

    page = client.get(article.url).content.decode()

    assert "<script>alert" not in page
    assert "javascript:" not in page
    assert "onerror" not in page and "onclick" not in page


def test_math_in_the_answer_keeps_its_latex_commands(client):
    article = make_article("math", answer="$$\nx \\neq 0, \\nabla f, \\nu\n$$")

    page = client.get(article.url).content.decode()

    assert "x \\neq 0, \\nabla f, \\nu" in page


def test_no_index_asks_search_engines_not_to_index(client):
    hidden = make_article("hidden", no_index=True)
    shown = make_article("shown")

    assert (
        '<meta name="robots" content="noindex">'
        in client.get(hidden.url).content.decode()
    )
    assert 'name="robots"' not in client.get(shown.url).content.decode()


def test_the_subject_page_lists_its_questions_newest_first(client):
    make_article("older", title="Older question", date="2024-01-01")
    make_article("newer", title="Newer question", date="2024-06-01")

    page = client.get("/learn/medicine/").content.decode()

    assert page.index("Newer question") < page.index("Older question")


def test_listings_put_questions_without_a_date_after_the_dated_ones(client):
    make_article("undated", title="Undated question", date=None)
    make_article("older", title="Older question", date="2024-01-01")
    make_article("newer", title="Newer question", date="2024-06-01")

    for url in ("/learn/medicine/", "/"):
        page = client.get(url).content.decode()
        assert (
            page.index("Newer question")
            < page.index("Older question")
            < page.index("Undated question")
        ), url


def test_a_page_number_past_the_end_answers_404(client):
    make_article("one")

    assert client.get("/learn/medicine/?page=9").status_code == 404
    assert client.get("/learn/medicine/?page=abc").status_code == 404
    assert client.get("/learn/medicine/?page=²").status_code == 404
    assert client.get("/learn/medicine/?page=" + "9" * 5000).status_code == 404


def test_home_lists_subjects_with_counts_and_the_latest_questions(client, seeds):
    page = client.get("/").content.decode()

    assert (
        '<a href="/learn/medicine/"><span class="subject-list__name">Medicine</span> '
        '<span class="count">2 questions</span></a>' in page
    )
    assert "How does the treatment of Metastatic Liver Cancer differ" in page


def test_search_finds_questions_by_words_of_their_title(client, seeds):
    page = client.get("/search/", {"q": "differ from primary"}).content.decode()

    assert "1 result for" in page
    assert "How does the treatment of Metastatic Liver Cancer differ" in page


@pytest.mark.parametrize(
    "query", ['"unclosed', "a OR b AND", "%_\\", "рак печени ✓", "x" * 500]
)
def test_search_never_errors(client, seeds, query):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200


def test_every_article_is_reachable_from_its_subject_page(client, seeds):
    for article in Article.objects.all():
        listing = client.get(article.subject.get_absolute_url()).content.decode()
        assert f'href="{article.url}"' in listing


def test_the_server_error_page_is_in_the_sites_design_and_needs_no_database(
    rf, django_assert_num_queries
):
    from django.views.defaults import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))

    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in page
    assert 'rel="stylesheet" href="/static/css/site.' in page
