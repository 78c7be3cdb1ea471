"""Full-text search: ranking, snippets, filters, pages, and an index that keeps up."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articles.models import Article, Status, Subject
from articles.search import highlight, policy, search_articles
from articles.search.backend import current_backend
from articles.search.terms import parse_query

from ..factories import make_article, write_article

pytestmark = pytest.mark.django_db

MEDICINE = "/learn/medicine/questions/"
# On PostgreSQL each search also sets up the planner: one query more.
PLANNER = 1 if connection.vendor == "postgresql" else 0
SQLITE_TRIGGERS = ("delete", "insert", "update")


def titles(query: str, **options) -> list[str]:
    return [hit.article.title for hit in search_articles(query, **options).hits]


def page_of(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def result_count(page: str) -> int:
    results = page.split('<ol class="search-results"', 1)[1].split("</ol>", 1)[0]
    return results.count("<li>")


def biology() -> Subject:
    return Subject.objects.create(slug="biology", name="Biology")


def test_a_title_match_ranks_above_an_answer_only_match():
    make_article("answer-only", title="About livers", answer="Mitochondria abound.")
    make_article("in-title", title="What are mitochondria?", answer="Organelles.")

    assert titles("mitochondria") == ["What are mitochondria?", "About livers"]


def test_equal_ranks_go_newest_first_then_highest_id():
    older = make_article("older", title="Ribosome facts", date="2024-01-01")
    first = make_article("first", title="Ribosome facts", date="2024-06-01")
    second = make_article("second", title="Ribosome facts", date="2024-06-01")

    hits = search_articles("ribosome").hits

    assert [hit.article.pk for hit in hits] == [second.pk, first.pk, older.pk]


def test_equal_ranks_put_an_article_without_a_date_last():
    older = make_article("older", title="Ribosome facts", date="2024-01-01")
    newer = make_article("newer", title="Ribosome facts", date="2024-06-01")
    undated = make_article("undated", title="Ribosome facts", date=None)

    hits = search_articles("ribosome").hits

    assert [hit.article.pk for hit in hits] == [newer.pk, older.pk, undated.pk]


def test_words_are_found_in_every_indexed_field_and_stemmed():
    make_article("by-question", title="One", question="How do kidneys filter?")
    make_article("by-answer", title="Two", answer="The nephron filters blood.")
    make_article("by-keywords", title="Three", seo_keywords="renal, filtering")
    make_article("elsewhere", title="Four", seo_description="filter")

    assert sorted(titles("filter")) == ["One", "Three", "Two"]


def test_snippets_mark_the_matched_words_and_escape_the_rest():
    make_article(
        "hostile",
        answer="If a < b & c, <script>alert(1)</script> the **pancreas** makes "
        "<b>insulin</b>.",
    )

    snippet = search_articles("insulin").hits[0].snippet

    assert "<mark>insulin</mark>" in snippet
    assert "a &lt; b &amp; c" in snippet
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "the pancreas makes" in snippet  # Markdown emphasis dropped


def test_a_marker_character_in_an_article_cannot_unbalance_the_markup():
    assert highlight("a \ue000b <i> \ue000c\ue001 d\ue001") == (
        "a <mark>b &lt;i&gt; c</mark> d"
    )
    assert highlight("lone \ue001 and \ue000 markers").split() == [
        "lone",
        "and",
        "markers",
    ]


def test_the_page_shows_title_link_subject_date_and_snippet(client):
    article = make_article(
        "liver", title="What does the liver do?", answer="The liver detoxifies."
    )

    page = page_of(client, q="detoxifies")

    assert "1 result for &ldquo;detoxifies&rdquo;" in page
    assert f'<a href="{article.url}">What does the liver do?</a>' in page
    assert 'Medicine &middot; <time datetime="2024-12-07">Dec 07, 2024</time>' in page
    assert "The liver <mark>detoxifies</mark>." in page


def test_the_page_shows_no_date_for_an_article_without_one(client):
    make_article("liver", answer="The liver detoxifies.", date=None)

    page = page_of(client, q="detoxifies")

    assert '<p class="meta">Medicine</p>' in page
    assert "<time" not in page


def test_the_subject_filter_keeps_only_that_subjects_articles(client):
    make_article("medicine-cells", title="Cells in medicine")
    make_article("biology-cells", title="Cells in biology", subject=biology())

    assert titles("cells", subject=Subject.objects.get(slug="biology")) == [
        "Cells in biology"
    ]
    page = page_of(client, q="cells", subject="biology")
    assert "Cells in biology" in page and "Cells in medicine" not in page
    assert '<option value="biology" selected>Biology</option>' in page


def test_an_unknown_subject_filters_nothing(client):
    make_article("medicine-cells", title="Cells in medicine")

    page = page_of(client, q="cells", subject="no-such-subject")

    assert "Cells in medicine" in page
    assert '<option value="">All subjects</option>' in page
    assert " selected" not in page


def test_results_come_a_page_at_a_time_and_past_the_end_is_404(client):
    for number in range(25):
        make_article(f"enzyme-{number:02}", title=f"Enzyme {number:02}")

    first, second = page_of(client, q="enzyme"), page_of(client, q="enzyme", page=2)

    assert "25 results for" in first
    assert result_count(first) == 20 and result_count(second) == 5
    assert '<ol class="search-results" start="21">' in second
    assert "?q=enzyme&amp;page=2" in first
    for page in ["3", "0", "abc", "-1", "²", "9" * 5000]:
        assert client.get("/search/", {"q": "enzyme", "page": page}).status_code == 404


def test_past_the_cap_title_matches_come_first_then_the_newest(monkeypatch, client):
    monkeypatch.setattr(policy, "CAP", 3)
    make_article("old-title", title="Neuron basics", date="2020-01-01")
    for day in range(1, 5):
        make_article(
            f"answer-{day}",
            title=f"Other {day}",
            date=f"2024-01-0{day}",
            answer="A neuron fires.",
        )

    results = search_articles("neuron", limit=10)

    assert (results.total, results.more) == (3, True)
    assert [hit.article.title for hit in results.hits] == [
        "Neuron basics",
        "Other 4",
        "Other 3",
    ]
    assert "3+ results for" in page_of(client, q="neuron")


def test_past_the_cap_the_newest_come_before_the_undated(monkeypatch):
    monkeypatch.setattr(policy, "CAP", 3)
    make_article("undated", title="Undated", date=None, answer="A neuron fires.")
    for day in range(1, 4):
        make_article(
            f"answer-{day}",
            title=f"Other {day}",
            date=f"2024-01-0{day}",
            answer="A neuron fires.",
        )

    results = search_articles("neuron", limit=10)

    assert [hit.article.title for hit in results.hits] == [
        "Other 3",
        "Other 2",
        "Other 1",
    ]


def test_quoted_words_must_come_together_in_order():
    make_article("together", title="Acute inflammation")
    make_article("apart", title="Inflammation, acute or not")

    assert titles('"acute inflammation"') == ["Acute inflammation"]
    assert sorted(titles("acute inflammation")) == [
        "Acute inflammation",
        "Inflammation, acute or not",
    ]


def test_a_phrase_may_hold_small_words_and_several_phrases_may_be_asked():
    # The question restates the title, as in the seed files. (PostgreSQL joins
    # the fields' words in one sequence: a phrase could straddle two fields.)
    for slug, title, answer in [
        ("cost", "The cost of living", "Acute inflammation."),
        ("living", "Living at a cost", "Acute pain."),
    ]:
        make_article(slug, title=title, question=title, answer=answer)

    assert titles('"cost of living"') == ["The cost of living"]
    assert titles('"cost of living" "acute inflammation"') == ["The cost of living"]
    assert titles('"living cost" "acute inflammation"') == []


def test_the_last_word_is_also_taken_as_a_start_after_its_whole_word_matches():
    make_article("photo", title="Photosynthesis in leaves")
    make_article("cellulose", title="Cellulose fibres", date="2024-12-08")
    make_article("cell", title="Cell walls")

    assert titles("photosynth") == ["Photosynthesis in leaves"]
    assert titles("leaves photosynth") == ["Photosynthesis in leaves"]
    # The whole word first, though the longer one's article is newer.
    assert titles("cell") == ["Cell walls", "Cellulose fibres"]
    assert titles("cellul") == ["Cellulose fibres"]
    assert titles('"photosynth"') == titles("ph") == titles("photosynth leaves") == []


def test_drafts_are_never_found(client):
    make_article("draft", title="Secret glycolysis", status=Status.DRAFT)
    shown = make_article("shown", title="Public glycolysis")

    assert titles("glycolysis") == ["Public glycolysis"]
    shown.status = Status.DRAFT
    shown.save()
    assert titles("glycolysis") == []
    assert "0 results for" in page_of(client, q="glycolysis")
    Article.objects.update(status=Status.PUBLISHED)
    assert sorted(titles("glycolysis")) == ["Public glycolysis", "Secret glycolysis"]


def test_an_article_unpublished_after_its_id_was_matched_is_left_out():
    # The ids come from the index first, the articles after: a draft in between
    # must not be shown, nor suggested to editors.
    draft = make_article("draft", title="Glycolysis", status=Status.DRAFT)
    shown = make_article("shown", title="Glycolysis too")
    backend = current_backend()

    hits = policy._hits(backend, parse_query("glycolysis"), [draft.pk, shown.pk])

    assert [hit.article.title for hit in hits] == ["Glycolysis too"]


def test_imported_articles_are_found_at_once(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "a", title="What is hemostasis?")
    write_article(
        tmp_path, "b.md", MEDICINE + "b", id=2, title="Other", answer="Hemostasis."
    )

    call_command("import_articles", str(tmp_path), stdout=io.StringIO())

    assert titles("hemostasis") == ["What is hemostasis?", "Other"]


def test_an_edited_article_is_found_by_its_new_words_only():
    article = make_article("edited", title="Osmosis explained", answer="Water.")

    article.title = "Diffusion explained"
    article.answer = "Particles spread."
    article.save()

    assert titles("osmosis") == [] and titles("water") == []
    assert titles("diffusion") == titles("particles") == ["Diffusion explained"]


def test_an_article_moved_to_another_subject_is_filtered_by_its_new_one():
    article = make_article("moved", title="Meiosis")
    article.subject = biology()
    article.save()

    assert titles("meiosis", subject=article.subject) == ["Meiosis"]
    assert titles("meiosis", subject=Subject.objects.get(slug="medicine")) == []


def test_a_deleted_article_is_no_longer_found():
    make_article("gone", title="Apoptosis").delete()

    assert titles("apoptosis") == []


def test_reimporting_a_changed_file_replaces_its_words(tmp_path):
    path = write_article(tmp_path, "a.md", MEDICINE + "a", title="Old glucagon")
    call_command("import_articles", str(tmp_path), stdout=io.StringIO())
    write_article(tmp_path, "a.md", MEDICINE + "a", title="New somatostatin")

    call_command("import_articles", str(path), stdout=io.StringIO())

    assert titles("glucagon") == []
    assert titles("somatostatin") == ["New somatostatin"]


HOSTILE = [
    '"unclosed',
    '""',
    "a OR b AND",
    "NOT",
    "NEAR(a b)",
    "a NEAR/2 b",
    "cell*",
    "*",
    "^cell",
    "title:cell",
    "{title}: cell",
    "-cell",
    "(cell",
    "cell)",
    "%_\\",
    "'; DROP TABLE articles_article; --",
    "рак печени ✓",
    "🧬🦠",
    "café",
    "x" * 500,
    "cell " * 100,
    "...",
    "   ",
    "",
    "\x00",
    "\ue000\ue001",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_no_query_makes_the_search_fail(client, query):
    make_article("cells", title="Cell biology", answer="Café au lait cells.")

    page = page_of(client, q=query)

    # A count of results for any query; an invitation to type for a blank one.
    assert ("results for &ldquo;" in page or "result for &ldquo;" in page) == bool(
        query.strip()
    )
    assert ("Type a word" in page) != bool(query.strip())
    assert Article.objects.count() == 1


def test_punctuation_and_operators_are_words_or_nothing():
    make_article("near", title="Near the cell")

    assert titles("cell*") == titles("^cell") == titles("(cell") == ["Near the cell"]
    assert titles("title:cell") == []  # "title" is a word that must match too
    assert parse_query("*** ... !!!") == []


@pytest.fixture
def cell_biology():
    return make_article(
        "cells", title="Cell biology", answer="<script>x</script> café cells."
    )


@settings(
    max_examples=150,
    deadline=None,
    # The article is made once for all examples, which only read it.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.text(max_size=120)
    | st.lists(
        st.sampled_from(HOSTILE + ["cell", "Café", '"', "AND", "OR", "*", ":", " "]),
        max_size=12,
    ).map(" ".join)
)
@example("cell")
def test_any_text_searches_without_error(cell_biology, text):
    results = search_articles(text, limit=5)

    assert 0 <= len(results.hits) <= min(results.total, 5)
    for hit in results.hits:
        assert hit.article == cell_biology
        assert "<script>" not in hit.snippet


@pytest.mark.parametrize("matching", [1, 25])
def test_a_results_page_costs_the_same_queries_however_many_hit(
    client, django_assert_num_queries, matching
):
    for number in range(matching):
        make_article(f"cortex-{number:02}", title=f"Cortex {number:02}")

    # The content version, subjects, the counts, one page of ranked ids, the
    # page's articles.
    with django_assert_num_queries(5 + PLANNER):
        page_of(client, q="cortex", subject="medicine")


def test_a_page_past_the_cap_costs_one_query_more(
    monkeypatch, client, django_assert_num_queries
):
    monkeypatch.setattr(policy, "CAP", 5)
    for number in range(8):
        make_article(f"cortex-{number:02}", title=f"Other {number}", answer="Cortex.")
    make_article("title", title="Cortex")

    # The content version, subjects, counts, ranked title matches, the newest
    # others, the articles.
    with django_assert_num_queries(6 + PLANNER):
        page_of(client, q="cortex")


def test_the_search_index_is_in_place_after_every_migration():
    # On SQLite, a later migration that rebuilds articles_article drops the
    # triggers with the old table: this is where that shows.
    if connection.vendor == "sqlite":
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'articles_article' AND name LIKE %s ORDER BY name"
        )
        expected = [f"articles_article_search_{event}" for event in SQLITE_TRIGGERS]
    else:
        sql = (
            "SELECT indexname FROM pg_indexes WHERE tablename = 'articles_article' "
            "AND indexname LIKE %s ORDER BY indexname"
        )
        expected = [f"article_search_{name}" for name in ("pairs", "title", "vector")]
    with connection.cursor() as cursor:
        cursor.execute(sql, ["%search%"])
        assert [row[0] for row in cursor.fetchall()] == expected


def test_search_pages_are_not_indexed_by_search_engines(client):
    assert '<meta name="robots" content="noindex">' in page_of(client, q="x")
