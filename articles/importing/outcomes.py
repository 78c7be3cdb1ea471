"""Every file's outcome, decided here and only here, and the report that counts them.

A file of a batch ends as one `Outcome`:

- refused:   it is not a valid article (`unreadable`: the message says why and
             where), another file of the batch gives its URL too (`UrlClaims`:
             both are refused), or the database would not take it
             (`refused_by_database`). Nothing of it is written;
- created:   no article had its URL; one now does (`decide`);
- updated:   the file changed since it was last imported, and the article with
             it; or its slug changed (same subject, same id): the article moved,
             and its old URL redirects to the new one;
- unchanged: the file says what it said at the last import (an editor's later
             changes stay as they are);
- conflict:  the file changed, but so did the article, in the admin, since the
             last import: the edit is kept, unless the import is forced.

The importer (`importer.py`) reads, asks, and writes what was decided; nothing
here queries the database.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Callable

from articles.fileformat.article_record import ArticleRecord
from articles.fileformat.fingerprints import same_file
from articles.fileformat.reading import FormatError
from articles.models import Article, Outcome

from .files import read_article_file

CONFLICT_MESSAGE = (
    "the file changed, and so did the article in the admin since the last "
    "import: the edit was kept"
)


@dataclasses.dataclass
class FileOutcome:
    """What happened to one file: its outcome, why, and the URL it gave."""

    path: str
    outcome: Outcome
    message: str = ""
    url: str = ""

    def __str__(self) -> str:
        detail = f": {self.message}" if self.message else ""
        return f"{self.outcome:<9} {self.path}{detail}"


def unreadable(path: str, problem: str) -> FileOutcome:
    """A file that is not a valid article, with the reader's reason."""
    return FileOutcome(path, Outcome.REFUSED, problem)


def refused_by_database(
    path: str, record: ArticleRecord, error: Exception
) -> FileOutcome:
    """A valid file the database would not take (a constraint, a lock)."""
    message = f"the database refused it: {error}"
    return FileOutcome(path, Outcome.REFUSED, message, record.url)


class UrlClaims:
    """The URLs a batch's files claim. A URL two files give is neither's: both
    are refused, each naming the other (`twins`, found before the import
    starts). Otherwise the first file to give a URL has it, and a later one
    that gives it too (a twin the first look missed) is refused.

    Kept by the URL's hash, not the URL: a 100k batch's URLs weigh 15 MB. Two
    files whose URLs share a hash are told apart by reading the earlier file
    again, which happens only for a likely twin.
    """

    def __init__(
        self, path_of: Callable[[str], str], twins: dict[str, list[str]] | None = None
    ):
        self.path_of = path_of  # the file a report's name stands for
        self.twins = twins or {}  # URL: the names of the files that give it
        self.claimed: dict[int, str] = {}

    def claim(self, path: str, record: ArticleRecord) -> FileOutcome | None:
        """Claim the file's URL; the refusal if another file of the batch gives it."""
        if record.url in self.twins:
            others = ", ".join(name for name in self.twins[record.url] if name != path)
            message = (
                f"its url {record.url} is also claimed by {others} in this batch: "
                "neither is imported, as which one is right cannot be told"
            )
            return FileOutcome(path, Outcome.REFUSED, message, record.url)
        earlier = self.claimed.setdefault(hash(record.url), path)
        if earlier == path or _url_in(self.path_of(earlier)) != record.url:
            return None
        message = f"its url {record.url} is already claimed by {earlier} in this batch"
        return FileOutcome(path, Outcome.REFUSED, message, record.url)

    def __contains__(self, url: str) -> bool:
        """Whether a file of the batch claimed `url` (a rare false yes is safe)."""
        return url in self.twins or hash(url) in self.claimed


def _url_in(path: str) -> str | None:
    """The URL in an earlier file of the batch, read again."""
    try:
        return read_article_file(path).url
    except FormatError:
        return None


def decide(
    path: str,
    record: ArticleRecord,
    digest: str,
    article: Article | None,
    *,
    edited: bool,
    force: bool,
    redirected_to: str | None = None,
) -> FileOutcome:
    """The outcome of a valid file that claimed its URL: created, unchanged,
    conflict or updated.

    `digest` is the file's fingerprint; `article` the article at the file's URL,
    or the one the file moves (None: there is none); `edited`, whether editors
    changed that article since its last import into anything but what the
    file says; `redirected_to`, where the file's URL redirects, if an article
    moved away from it.
    """
    if article is None:
        message = ""
        if redirected_to is not None:
            message = (
                f"its URL redirected to {redirected_to}, an article "
                "that moved from it; the URL is this article's now"
            )
        return FileOutcome(path, Outcome.CREATED, message, record.url)
    moved = f"moved from {article.url}" if article.url != record.url else ""
    if same_file(article.import_fingerprint, record, digest) and not moved:
        return FileOutcome(path, Outcome.UNCHANGED, "", record.url)
    if edited and not force:
        return FileOutcome(path, Outcome.CONFLICT, CONFLICT_MESSAGE, record.url)
    return FileOutcome(path, Outcome.UPDATED, moved, record.url)


@dataclasses.dataclass
class ImportReport:
    """Counts of each outcome, and the files that did not go in cleanly."""

    counts: Counter = dataclasses.field(default_factory=Counter)
    outcomes: list[FileOutcome] = dataclasses.field(default_factory=list)
    problems: list[FileOutcome] = dataclasses.field(default_factory=list)
    dry_run: bool = False
    rolled_back: bool = False
    keep_outcomes: bool = False

    def add(self, outcome: FileOutcome) -> None:
        self.counts[outcome.outcome] += 1
        if self.keep_outcomes:
            self.outcomes.append(outcome)
        if Outcome(outcome.outcome).is_problem:
            self.problems.append(outcome)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    @property
    def wrote_articles(self) -> bool:
        return bool(self.counts[Outcome.CREATED] or self.counts[Outcome.UPDATED])

    def summary(self) -> str:
        counts = ", ".join(f"{self.counts[name]} {name}" for name in Outcome.values)
        total = sum(self.counts.values())
        note = ""
        if self.dry_run:
            note = " (dry run: nothing was written)"
        elif self.rolled_back:
            note = " (strict: the batch was rolled back, nothing was written)"
        return f"{total} files: {counts}{note}"


def report_name(path: str, relative_to: str | os.PathLike | None) -> str:
    """How reports name the file at `path`: under `relative_to`, if given."""
    if relative_to is None:
        return path
    return os.path.relpath(path, relative_to)
