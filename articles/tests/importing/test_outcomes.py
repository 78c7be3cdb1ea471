"""Each file's outcome, decided directly (articles/importing/outcomes.py), without
the command or the database: created, updated, unchanged, conflict, refused."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from articles.fileformat.article_record import ArticleRecord
from articles.fileformat.fingerprints import fingerprint, same_file
from articles.fileformat.reading import parse_article
from articles.importing.outcomes import (
    CONFLICT_MESSAGE,
    ImportReport,
    UrlClaims,
    decide,
    refused_by_database,
    unreadable,
)
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
    outcome = decide("a.md", record(), "d1", None, edited=False, force=False)

    assert (outcome.outcome, outcome.message, outcome.url) == ("created", "", URL)


def test_a_created_file_says_when_it_takes_over_a_redirected_url():
    outcome = decide(
        "a.md",
        record(),
        "d1",
        None,
        edited=False,
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

    outcome = decide("a.md", file, digest, imported(file), edited=False, force=False)

    assert (outcome.outcome, outcome.message) == ("unchanged", "")


def test_a_changed_file_of_an_article_no_editor_touched_updates_it():
    old, new = record(), record(title="What is a living cell?")
    article = imported(old)

    outcome = decide(
        "a.md",
        new,
        fingerprint(new),
        article,
        edited=False,
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
        edited=True,
        force=force,
    )

    assert (outcome.outcome, outcome.message) == (expected, message)
    assert outcome.outcome.is_problem is not force


def test_a_file_at_a_new_url_for_an_article_moves_it_even_if_nothing_else_changed():
    old = record()
    new = record(url="/learn/biology/questions/what-is-a-living-cell")
    article = imported(old, import_fingerprint=fingerprint(new))

    outcome = decide("a.md", new, fingerprint(new), article, edited=False, force=False)

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


def test_files_that_give_one_url_are_each_refused_naming_the_others():
    claims = UrlClaims(path_of=str, twins={URL: ["a.md", "b.md", "c.md"]})

    refusal = claims.claim("b.md", record())

    assert refusal.outcome == Outcome.REFUSED
    assert refusal.message == (
        f"its url {URL} is also claimed by a.md, c.md in this batch: neither is "
        "imported, as which one is right cannot be told"
    )
    assert URL in claims


def test_a_file_the_reader_refused_is_refused_with_the_readers_reason():
    outcome = unreadable("bad.md", "line 4: field 'title': is required")

    assert str(outcome) == "refused   bad.md: line 4: field 'title': is required"


def test_a_file_the_database_would_not_take_is_refused_naming_the_reason():
    outcome = refused_by_database("a.md", record(), ValueError("value too long"))

    assert (outcome.outcome, outcome.url) == ("refused", URL)
    assert outcome.message == "the database refused it: value too long"


def test_the_report_counts_each_outcome_and_keeps_the_problems():
    report = ImportReport()
    report.add(decide("a.md", record(), "d", None, edited=False, force=False))
    report.add(unreadable("b.md", "not UTF-8 text"))

    assert report.summary() == (
        "2 files: 1 created, 0 updated, 0 unchanged, 0 conflict, 1 refused"
    )
    assert [problem.path for problem in report.problems] == ["b.md"]
    assert report.failed and report.wrote_articles


@pytest.mark.parametrize(
    ("seed", "version_1", "version_2"),
    [
        (
            "000_36ba845e82c8e443.txt",
            "14a7b20d31c498137b0884393f2d7ed7",
            "2:8a3f0387721132382e065afd6e452529",
        ),
        (
            "002_c8994953b99ddd1b.txt",
            "d62b8da7247adc2800ffda00e76da429",
            "2:684654537f490d3d53bf47511912b9e1",
        ),
    ],
)
def test_a_files_fingerprint_stays_what_earlier_imports_stored(
    seed, version_1, version_2
):
    # Articles keep the fingerprint of their last import; were it to change,
    # the next import would take every unchanged file for a changed one.
    (path,) = [path for path in SEED_FILES if path.name == seed]
    file = parse_article(path.read_bytes())

    assert fingerprint(file) == version_2
    assert same_file(version_1, file, version_2)  # kept by imports before 2
    assert not same_file(version_1, record(), fingerprint(record()))


def test_a_new_optional_attribute_of_the_record_changes_no_fingerprint():
    @dataclasses.dataclass
    class WithReviewer(ArticleRecord):
        reviewer: str | None = None

    file = record()
    reviewed = WithReviewer(**dataclasses.asdict(file))

    assert fingerprint(reviewed) == fingerprint(file)
    reviewed.reviewer = "Dr. Cell"
    assert fingerprint(reviewed) != fingerprint(file)


def test_fingerprints_tell_apart_what_a_file_tells_apart():
    extras = [
        {"note": "1"},
        {"note": 1},
        {1: "note"},
        {"note": datetime.date(2024, 1, 1)},
        {"note": "2024-01-01"},
        {"note": {"~date": "2024-01-01"}},
        {"a": 1, "b": 2},
        {"b": 2, "a": 1},
        {"note": ""},
        {"note": None},
        {"note": [1, 2]},
        {"note": [2, 1]},
        {"note": True},
    ]

    digests = [fingerprint(dataclasses.replace(record(), extra=e)) for e in extras]

    assert len(set(digests)) == len(extras)
    assert fingerprint(record(title="")) != fingerprint(record(title=" "))
