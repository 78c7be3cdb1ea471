"""Search that forgives: "Did you mean …" for misspelt words, from the published
articles' own words, and the last word typed matched as a word's start."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article, Status
from articles.search import policy, search_articles
from articles.search.spelling import edit_distance, prefix_distance

from ..factories import make_article, write_article

pytestmark = pytest.mark.django_db

PLANNER = 1 if connection.vendor == "postgresql" else 0
DID_YOU_MEAN = re.compile(r'<p class="did-you-mean">Did you mean <a href="([^"]+)">')


def page_of(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def titles_on(page: str) -> list[str]:
    results = page.split('<ol class="search-results"', 1)[1].split("</ol>", 1)[0]
    return [html.unescape(t) for t in re.findall(r"<h2><a [^>]+>([^<]+)</a>", results)]


def did_you_mean(page: str) -> str | None:
    """The text of the page's "Did you mean" link, if it has one."""
    found = re.search(DID_YOU_MEAN.pattern + r"([^<]+)</a>", page)
    return html.unescape(found[2]) if found else None


def suggestions(client, query: str) -> dict:
    response = client.get("/search/suggest/", {"q": query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def liver_articles():
    make_article(
        "a1",
        title="How is hepatocellular carcinoma staged?",
        question="How is it staged?",
        answer="By the inflammation of the liver and imaging.",
    )
    make_article(
        "a2",
        title="What is cardiovascular fitness?",
        question="What is it?",
        answer="The heart's endurance.",
    )
    make_article(
        "a3",
        title="Cardio before weights?",
        question="Which first?",
        answer="Either.",
        date="2024-01-01",
    )


def test_a_misspelt_word_gets_a_did_you_mean_link_that_runs_that_search(
    client, liver_articles
):
    page = page_of(client, q="hepatocelular carcinoma")

    assert "0 results for &ldquo;hepatocelular carcinoma&rdquo;" in page
    assert did_you_mean(page) == "hepatocellular carcinoma"
    link = html.unescape(DID_YOU_MEAN.search(page)[1])
    assert link == "/search/?q=hepatocellular%20carcinoma"
    followed = client.get(link).content.decode()
    assert titles_on(followed) == ["How is hepatocellular carcinoma staged?"]
    assert did_you_mean(followed) is None


def test_the_suggestion_is_a_word_as_articles_write_it_not_its_stem(
    client, liver_articles
):
    # SQLite's index holds "inflamm"; the reader is offered the word.
    assert did_you_mean(page_of(client, q="inflammaton")) == "inflammation"
    assert did_you_mean(page_of(client, q="Liver inflammaton")) == "Liver inflammation"


def test_words_the_index_knows_are_kept_and_quotes_too(client, liver_articles):
    page = page_of(client, q='"hepatocellular carcinomma" staged')

    assert did_you_mean(page) == '"hepatocellular carcinoma" staged'


def test_the_suggestion_link_keeps_the_subject(client, liver_articles):
    page = page_of(client, q="carcinomma", subject="medicine")

    assert html.unescape(DID_YOU_MEAN.search(page)[1]) == (
        "/search/?q=carcinoma&subject=medicine"
    )


def test_nothing_is_suggested_when_no_word_is_close_or_all_are_known(
    client, liver_articles
):
    # Known words that no article has together: no spelling would help.
    for query in ["zqxwvy", "carcinoma fitness", "hepatocellular zqxwvy", "cardi0"]:
        page = page_of(client, q=query)
        assert "0 results for" in page, query
        assert did_you_mean(page) is None, query


def test_a_suggestion_that_would_find_nothing_in_the_subject_is_not_offered(
    client, liver_articles
):
    from articles.models import Subject

    Subject.objects.create(slug="law", name="Law")

    page = page_of(client, q="carcinomma", subject="law")

    assert did_you_mean(page) is None


def test_a_drafts_words_are_never_suggested(client):
    make_article("a1", title="Zymogen activation", status=Status.DRAFT)
    unpublished = make_article("a2", title="Xenotransplantation risks")
    unpublished.status = Status.DRAFT
    unpublished.save()

    for query in ["zymogen", "zymogenn", "xenotransplantaton"]:
        page = page_of(client, q=query)
        assert did_you_mean(page) is None, query
        assert suggestions(client, query) == {
            "query": query,
            "results": [],
            "suggestion": None,
        }


def test_a_deleted_articles_words_are_no_longer_suggested(client):
    make_article("a1", title="Xenotransplantation risks").delete()

    assert did_you_mean(page_of(client, q="xenotransplantaton")) is None


def test_an_edited_articles_new_words_are_suggested(client):
    article = make_article("a1", title="Osmosis")
    article.title = "Xenotransplantation risks"
    article.save()

    assert did_you_mean(page_of(client, q="xenotransplantaton")) == (
        "xenotransplantation"
    )


def test_a_draft_published_in_bulk_has_its_words_suggested(client):
    make_article("a1", title="Xenotransplantation risks", status=Status.DRAFT)
    assert did_you_mean(page_of(client, q="xenotransplantaton")) is None

    # As the admin's action does (which then retires the cached pages).
    Article.objects.update(status=Status.PUBLISHED)

    assert search_articles("xenotransplantaton").suggestion == "xenotransplantation"


def test_imported_articles_words_are_suggested(client, tmp_path):
    write_article(
        tmp_path, "a.md", "/learn/medicine/questions/a", title="What is hemostasis?"
    )

    call_command("import_articles", str(tmp_path), stdout=io.StringIO())

    assert did_you_mean(page_of(client, q="hemostassis")) == "hemostasis"


def test_the_last_word_finds_longer_words_after_its_whole_word_matches(
    client, liver_articles
):
    page = page_of(client, q="cardio")

    # The whole word first, though the longer word's article is newer.
    assert "2 results for &ldquo;cardio&rdquo;" in page
    assert titles_on(page) == [
        "Cardio before weights?",
        "What is cardiovascular fitness?",
    ]
    assert titles_on(page_of(client, q="cardiovasc")) == [
        "What is cardiovascular fitness?"
    ]
    assert titles_on(page_of(client, q="fitness cardio")) == [
        "What is cardiovascular fitness?"
    ]


def test_only_the_last_word_is_taken_as_a_start(client, liver_articles):
    assert "0 results for" in page_of(client, q="cardio fitn")
    assert "0 results for" in page_of(client, q="cardiovasc fitness")
    assert "0 results for" in page_of(client, q='"cardiovasc"')


def test_a_prefix_tier_past_the_first_page_continues_in_order(client):
    for number in range(15):
        make_article(f"w{number:02}", title=f"Enzyme {number:02}")
    for number in range(10):
        make_article(f"l{number:02}", title=f"Enzymes kinetics {number:02}")

    first, second = page_of(client, q="enzyme"), page_of(client, q="enzyme", page=2)

    # Stemming makes "enzymes" the whole word too; "enzymatic" is longer.
    assert "25 results for" in first
    assert len(titles_on(first)) == 20 and len(titles_on(second)) == 5


def test_a_prefix_tier_follows_the_whole_words_across_pages(client):
    for number in range(15):
        make_article(f"w{number:02}", title=f"Cortex {number:02}")
    for number in range(10):
        make_article(f"l{number:02}", title=f"Cortexolone {number:02}")

    first, second = page_of(client, q="cortex"), page_of(client, q="cortex", page=2)

    assert "25 results for" in first
    shown = titles_on(first) + titles_on(second)
    assert shown[:15] == [f"Cortex {n:02}" for n in range(14, -1, -1)]
    assert shown[15:] == [f"Cortexolone {n:02}" for n in range(9, -1, -1)]


def test_past_the_cap_the_longer_words_tier_repeats_no_article(monkeypatch):
    monkeypatch.setattr(policy, "CAP", 6)
    # In the first tier by its answer, though its title has the longer word.
    both = make_article("both", title="Cardiovascular basics", answer="Cardio.")
    for day in range(1, 5):
        make_article(
            f"t{day}",
            title=f"Cardiovascular {day}",
            date=f"2024-01-0{day}",
            answer="Hearts.",
        )
        make_article(
            f"a{day}",
            title=f"Other {day}",
            date=f"2024-02-0{day}",
            answer="Cardiovascular.",
        )

    results = search_articles("cardio", limit=10)

    pks = [hit.article.pk for hit in results.hits]
    assert pks[0] == both.pk
    assert len(pks) == len(set(pks)) == 6
    # Then the longer word's title matches, ranked, then the newest others.
    assert [hit.article.title for hit in results.hits[1:]] == [
        "Cardiovascular 4",
        "Cardiovascular 3",
        "Cardiovascular 2",
        "Cardiovascular 1",
        "Other 4",
    ]


def test_suggestions_as_the_reader_types_are_the_first_titles_found(
    client, liver_articles
):
    assert suggestions(client, "cardio") == {
        "query": "cardio",
        "results": [
            {
                "title": "Cardio before weights?",
                "url": "/learn/medicine/questions/a3",
            },
            {
                "title": "What is cardiovascular fitness?",
                "url": "/learn/medicine/questions/a2",
            },
        ],
        "suggestion": None,
    }
    assert suggestions(client, "hepatocelular")["suggestion"] == "hepatocellular"
    assert suggestions(client, "") == {"query": "", "results": [], "suggestion": None}


HOSTILE = [
    "\x00",
    "cardio\x00vascular",
    "hepato\x00celular",
    "x" * 5000,
    "hepatocelular " * 300,
    "!!! ... ???",
    '"""',
    "NEAR(a b) * ^ :",
    "\ue000\ue001",
    "ǅǆǄ ﬃ ᾈ",
    "🧬" * 50,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_no_query_makes_the_suggestions_or_the_spelling_fail(
    client, liver_articles, query
):
    answer = suggestions(client, query)

    assert isinstance(answer["results"], list)
    assert "result" in page_of(client, q=query) or "Type a word" in page_of(
        client, q=query
    )


def test_a_page_where_the_whole_words_give_way_to_longer_ones_costs_one_more(
    client, liver_articles, django_assert_num_queries
):
    # The content version, subjects, the counts of both tiers, the ranked
    # whole-word matches, the ranked longer words' matches, the articles.
    with django_assert_num_queries(6 + PLANNER):
        page = page_of(client, q="cardio")
    assert len(titles_on(page)) == 2


def test_a_misspelt_search_costs_a_few_queries_more(
    client, liver_articles, django_assert_num_queries
):
    # The content version, subjects, the counts; then the known words, the
    # candidates (and, on SQLite, their spelling as written) for each unknown
    # word, whether the closest are published words, and the count of what
    # the spelling finds.
    per_word = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(3 + 1 + per_word + 1 + 1 + PLANNER):
        page = page_of(client, q="hepatocelular carcinoma")
    assert did_you_mean(page) == "hepatocellular carcinoma"


def test_edit_distance_counts_added_dropped_changed_and_swapped_letters():
    assert edit_distance("hepatocelular", "hepatocellular") == 1
    assert edit_distance("cardoi", "cardio") == 1
    assert edit_distance("inflation", "inflamation") == 2
    assert edit_distance("", "abc") == edit_distance("abc", "") == 3
    # A stem is measured against the start of the word it may come from.
    assert prefix_distance("inflamm", "inflamation") == 1
    assert prefix_distance("hepat", "hepatocellular") > 2


def test_search_articles_gives_the_suggestion_only_when_nothing_matches(
    liver_articles,
):
    assert search_articles("carcinomma").suggestion == "carcinoma"
    assert search_articles("carcinoma").suggestion is None
