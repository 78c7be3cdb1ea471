"""Each file's outcome, decided directly (articles/importing/outcomes.py), without
the command or the database: created, updated, unchanged, conflict, refused."""

from __future__ import annotations

import datetime

import pytest

from articles.fileformat.article_record import ArticleRecord
from articles.fileformat.reading import parse_article
from articles.importing.outcomes import (
    CONFLICT_MESSAGE,
    ImportReport,
    UrlClaims,
    decide,
    refused_by_database,
    unreadable,
)
from articles.importing.rows import fingerprint
from articles.models import Article, Outcome

from ..factories import SEED_FILES, article_text

URL = "/learn/biology/questions/what-is-a-cell"


def record(url: str = URL, title: str = "What is a cell?") -> ArticleRecord:
    return ArticleRecord(
        id=7,
        date=datetime.date(2024, 12, 7),
        title=title,
        question=title,
        answer="The unit of life.",
        subject="Biology",
        url=url,
    )


def imported(file: ArticleRecord, **changes) -> Article:
    """An article as the import left it for `file` (not saved: no database)."""
    return Article(
        **{"url": file.url, "import_fingerprint": fingerprint(file), **changes}
    )


def test_a_file_no_article_has_is_created():
    outcome = decide(
        "a.md", record(), "d1", None, current_fingerprint=None, force=False
    )

    assert (outcome.outcome, outcome.message, outcome.url) == ("created", "", URL)


def test_a_created_file_says_when_it_takes_over_a_redirected_url():
    outcome = decide(
        "a.md",
        record(),
        "d1",
        None,
        current_fingerprint=None,
        force=False,
        redirected_to="/learn/biology/questions/cells",
    )

    assert outcome.outcome == Outcome.CREATED
    assert outcome.message == (
        "its URL redirected to /learn/biology/questions/cells, an article that "
        "moved from it; the URL is this article's now"
    )


def test_a_file_that_says_what_it_said_at_the_last_import_is_unchanged():
    file = record()
    digest = fingerprint(file)

    outcome = decide(
        "a.md", file, digest, imported(file), current_fingerprint=None, force=False
    )

    assert (outcome.outcome, outcome.message) == ("unchanged", "")


def test_a_changed_file_of_an_article_no_editor_touched_updates_it():
    old, new = record(), record(title="What is a living cell?")
    article = imported(old)

    outcome = decide(
        "a.md",
        new,
        fingerprint(new),
        article,
        current_fingerprint=article.import_fingerprint,
        force=False,
    )

    assert (outcome.outcome, outcome.message) == ("updated", "")


@pytest.mark.parametrize(
    ("force", "expected", "message"),
    [(False, Outcome.CONFLICT, CONFLICT_MESSAGE), (True, Outcome.UPDATED, "")],
)
def test_a_changed_file_of_an_article_an_editor_changed_is_a_conflict_unless_forced(
    force, expected, message
):
    old, new = record(), record(title="What is a living cell?")

    outcome = decide(
        "a.md",
        new,
        fingerprint(new),
        imported(old),
        current_fingerprint=fingerprint(record(title="Cells, as an editor put it")),
        force=force,
    )

    assert (outcome.outcome, outcome.message) == (expected, message)
    assert outcome.outcome.is_problem is not force


def test_an_editor_who_made_the_article_what_the_file_now_says_is_no_conflict():
    old, new = record(), record(title="What is a living cell?")

    outcome = decide(
        "a.md",
        new,
        fingerprint(new),
        imported(old),
        current_fingerprint=fingerprint(new),
        force=False,
    )

    assert outcome.outcome == Outcome.UPDATED


def test_a_file_at_a_new_url_for_an_article_moves_it_even_if_nothing_else_changed():
    old = record()
    new = record(url="/learn/biology/questions/what-is-a-living-cell")
    article = imported(old, import_fingerprint=fingerprint(new))

    outcome = decide(
        "a.md", new, fingerprint(new), article, current_fingerprint=None, force=False
    )

    assert (outcome.outcome, outcome.message) == ("updated", f"moved from {URL}")


def test_the_first_file_to_give_a_url_claims_it_and_a_second_is_refused(tmp_path):
    first = tmp_path / "a.md"
    first.write_text(article_text(URL))
    claims = UrlClaims(path_of=lambda name: str(tmp_path / name))

    assert claims.claim("a.md", record()) is None
    assert claims.claim("a.md", record()) is None  # the same file again
    refusal = claims.claim("b.md", record())

    assert refusal.outcome == Outcome.REFUSED
    assert refusal.message == f"its url {URL} is already claimed by a.md in this batch"
    assert URL in claims
    assert "/learn/biology/questions/another" not in claims


def test_a_file_the_reader_refused_is_refused_with_the_readers_reason():
    outcome = unreadable("bad.md", "line 4: field 'title': is required")

    assert str(outcome) == "refused   bad.md: line 4: field 'title': is required"


def test_a_file_the_database_would_not_take_is_refused_naming_the_reason():
    outcome = refused_by_database("a.md", record(), ValueError("value too long"))

    assert (outcome.outcome, outcome.url) == ("refused", URL)
    assert outcome.message == "the database refused it: value too long"


def test_the_report_counts_each_outcome_and_keeps_the_problems():
    report = ImportReport()
    report.add(
        decide("a.md", record(), "d", None, current_fingerprint=None, force=False)
    )
    report.add(unreadable("b.md", "not UTF-8 text"))

    assert report.summary() == (
        "2 files: 1 created, 0 updated, 0 unchanged, 0 conflict, 1 refused"
    )
    assert [problem.path for problem in report.problems] == ["b.md"]
    assert report.failed and report.wrote_articles


@pytest.mark.parametrize(
    ("seed", "digest"),
    [
        ("000_36ba845e82c8e443.txt", "14a7b20d31c498137b0884393f2d7ed7"),
        ("002_c8994953b99ddd1b.txt", "d62b8da7247adc2800ffda00e76da429"),
    ],
)
def test_a_files_fingerprint_stays_what_earlier_imports_stored(seed, digest):
    # Articles keep the fingerprint of their last import; were it to change,
    # the next import would take every unchanged file for a changed one.
    (path,) = [path for path in SEED_FILES if path.name == seed]

    assert fingerprint(parse_article(path.read_bytes())) == digest
