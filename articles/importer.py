"""Article files into the database: validate, upsert, report.

`import_files(paths)` reads every article file under the given files and
folders and decides, file by file, one outcome:

- created:   no article had its URL; one now does;
- updated:   the file changed since it was last imported, and the article with it;
             or its slug changed (same subject, same id): the article moved,
             and its old URL redirects to the new one;
- unchanged: the file says what it said at the last import (an editor's later
             changes stay as they are);
- conflict:  the file changed, but so did the article, in the admin, since the
             last import: the edit is kept, and `force=True` overwrites it;
- refused:   the file is not a valid article (the message says why and where),
             or another file of the batch already claimed its URL. Nothing of
             it is written.

Every article created or updated keeps a revision in its history (see
`history.py`). Re-running an import is always safe. Files are handled in
chunks, each in one transaction, with a handful of queries per chunk whatever
its size. With `dry_run` everything runs inside a transaction that is rolled
back; with `strict` the whole batch is one transaction, rolled back if any
file failed.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from itertools import islice
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .file_reading import ReadResult, default_workers, read_article_file, read_in_order
from .frontmatter import ArticleRecord, FormatError
from .import_plan import ChunkPlan, CurrentState, find_moves, keep_history
from .models import Article, ImportBatch, Redirect, RelatedLink, Subject
from .page_cache import content_changed
from .records import fingerprint

# A batch record counts each in a column of its name.
OUTCOMES = ImportBatch.OUTCOMES
ARTICLE_SUFFIXES = {".md", ".txt"}
CHUNK_SIZE = 1000


@dataclasses.dataclass
class FileOutcome:
    path: str
    outcome: str
    message: str = ""
    url: str = ""

    def __str__(self) -> str:
        detail = f": {self.message}" if self.message else ""
        return f"{self.outcome:<9} {self.path}{detail}"


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
        if outcome.outcome in {"refused", "conflict"}:
            self.problems.append(outcome)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def summary(self) -> str:
        counts = ", ".join(f"{self.counts[name]} {name}" for name in OUTCOMES)
        total = sum(self.counts.values())
        note = ""
        if self.dry_run:
            note = " (dry run: nothing was written)"
        elif self.rolled_back:
            note = " (strict: the batch was rolled back, nothing was written)"
        return f"{total} files: {counts}{note}"


class ImportPathError(ValueError):
    """A path given to the import that is neither an article file nor a folder."""


def find_article_files(paths: Iterable[str | os.PathLike]) -> Iterator[str]:
    """Every article file under `paths`, in a stable order, found lazily.

    A file named directly is read whatever its name; in folders, `.md` and
    `.txt` files are, except hidden ones and READMEs.
    """
    for path in paths:
        path = Path(path)
        if path.is_file():
            yield str(path)
        elif path.is_dir():
            yield from _walk(path)
        else:
            raise ImportPathError(f"{path}: no such file or folder")


def count_article_files(paths: Iterable[str | os.PathLike]) -> int:
    """How many files `find_article_files` finds: a walk of the folders, no reads."""
    return sum(1 for _ in find_article_files(paths))


def _walk(folder: Path) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            stem, suffix = os.path.splitext(name)
            if (
                suffix.lower() in ARTICLE_SUFFIXES
                and not name.startswith(".")
                and stem.lower() != "readme"
            ):
                yield os.path.join(root, name)


def import_files(
    paths: Iterable[str | os.PathLike],
    *,
    dry_run: bool = False,
    strict: bool = False,
    force: bool = False,
    on_outcome: Callable[[FileOutcome], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
    workers: int | None = None,
    keep_outcomes: bool = False,
    relative_to: str | os.PathLike | None = None,
    user=None,
    comment: str = "",
) -> ImportReport:
    """Import every article file under `paths`; see the module docstring.

    `keep_outcomes` keeps every file's outcome in the report, not only the
    problems. With `relative_to`, files are named (in outcomes, messages and
    `Article.source_path`) by their path under that folder: an upload's own
    names, not where the server staged them. Every article the batch creates
    or updates keeps a revision in its history, by `user` (None: the command
    line), with `comment`.
    """
    workers = default_workers() if workers is None else workers
    batch = _Batch(force=force, on_outcome=on_outcome, relative_to=relative_to)
    batch.history = None if dry_run else {"user": user, "comment": comment}
    batch.report.dry_run = dry_run
    batch.report.keep_outcomes = keep_outcomes
    files = find_article_files(list(paths))
    whole_batch = transaction.atomic() if dry_run or strict else nullcontext()
    with whole_batch:
        for results in read_in_order(chunks(files, chunk_size), workers):
            batch.import_chunk(results)
        if batch.report.counts["created"] or batch.report.counts["updated"]:
            if resolve_related_links():
                content_changed()
        if dry_run or (strict and batch.report.failed):
            batch.report.rolled_back = not dry_run
            transaction.set_rollback(True)
    return batch.report


def chunks(items: Iterable, size: int) -> Iterator[tuple]:
    """`items` in tuples of `size` (the last one shorter), taken lazily."""
    items = iter(items)
    while chunk := tuple(islice(items, size)):
        yield chunk


def resolve_related_links() -> int:
    """Point every unresolved link at the article now at its URL. One query."""
    unresolved = RelatedLink.objects.filter(
        target__isnull=True, target_url__in=Article.objects.values("url")
    )
    return unresolved.update(
        target=Subquery(
            Article.objects.filter(url=OuterRef("target_url")).values("id")[:1]
        )
    )


class _Batch:
    """One import run: the URLs it has claimed, its subjects, its report."""

    def __init__(self, *, force: bool, on_outcome: Callable | None, relative_to=None):
        self.force = force
        self.relative_to = relative_to
        self.on_outcome = on_outcome
        self.report = ImportReport()
        self.claimed: dict[int, str] = {}
        self.subjects: dict[str, Subject] = {}
        self.now = timezone.now()
        self.history: dict | None = None

    def record(self, outcome: FileOutcome) -> None:
        self.report.add(outcome)
        if self.on_outcome:
            self.on_outcome(outcome)

    def name(self, path: str) -> str:
        """How reports name the file at `path`."""
        if self.relative_to is None:
            return path
        return os.path.relpath(path, self.relative_to)

    def import_chunk(self, results: list[ReadResult]) -> None:
        records = {}
        for path, record, problem in results:
            path = self.name(path)
            if record is None:
                self.record(FileOutcome(path, "refused", problem))
            elif self.claim(path, record):
                records[path] = record
        try:
            with transaction.atomic():
                outcomes = self.write(records)
        except DatabaseError:
            # Something changed under us (another import, an editor): go file
            # by file so that only the file the database refuses is refused.
            outcomes = [
                self.write_one(path, record) for path, record in records.items()
            ]
        for outcome in outcomes:
            self.record(outcome)

    def claim(self, path: str, record: ArticleRecord) -> bool:
        """Claim the URL for this file, unless another file of the batch did."""
        # Keyed by the URL's hash, not the URL: a 100k batch's URLs weigh 15 MB.
        earlier = self.claimed.setdefault(hash(record.url), path)
        if earlier == path or _url_in(self.path_of(earlier)) != record.url:
            return True
        message = f"its url {record.url} is already claimed by {earlier} in this batch"
        self.record(FileOutcome(path, "refused", message, record.url))
        return False

    def path_of(self, name: str) -> str:
        """The file a report's name stands for."""
        if self.relative_to is None:
            return name
        return os.path.join(self.relative_to, name)

    def write_one(self, path: str, record: ArticleRecord) -> FileOutcome:
        try:
            with transaction.atomic():
                return self.write({path: record})[0]
        except DatabaseError as error:
            return FileOutcome(
                path, "refused", f"the database refused it: {error}", record.url
            )

    def write(self, records: dict[str, ArticleRecord]) -> list[FileOutcome]:
        """Write a chunk of valid records; a few queries whatever its size."""
        existing = Article.objects.in_bulk(
            [r.url for r in records.values()], field_name="url"
        )
        existing.update(
            find_moves(
                (r for r in records.values() if r.url not in existing), self.is_claimed
            )
        )
        digests = {path: fingerprint(record) for path, record in records.items()}
        current = CurrentState.of(
            existing[r.url]
            for path, r in records.items()
            if r.url in existing
            and (
                existing[r.url].import_fingerprint != digests[path]
                or existing[r.url].url != r.url
            )
        )
        taken_over = redirected_elsewhere(
            r.url for r in records.values() if r.url not in existing
        )
        plan = ChunkPlan(force=self.force)
        outcomes = []
        for path, record in records.items():
            article = existing.get(record.url)
            outcome, message = plan.add(path, record, digests[path], article, current)
            if outcome == "created" and record.url in taken_over:
                message = (
                    f"its URL redirected to {taken_over[record.url]}, an article "
                    "that moved from it; the URL is this article's now"
                )
            outcomes.append(FileOutcome(path, outcome, message, record.url))
        self.ensure_subjects(plan.records_to_write())
        written = plan.apply(self.subjects, self.now, current)
        if written:
            content_changed()
            if self.history is not None:
                keep_history(written, **self.history)
        return outcomes

    def is_claimed(self, url: str) -> bool:
        """Whether a file of the batch claimed `url` (a rare false yes is safe)."""
        return hash(url) in self.claimed

    def ensure_subjects(self, records: list[ArticleRecord]) -> None:
        """Load or create the subjects of these records. Three queries at most."""
        spellings: dict[str, set[str]] = {}
        for record in records:
            if record.subject_slug not in self.subjects:
                spellings.setdefault(record.subject_slug, set()).add(record.subject)
        if not spellings:
            return
        found = Subject.objects.in_bulk(list(spellings), field_name="slug")
        missing = [
            Subject(slug=slug, name=preferred_spelling(names))
            for slug, names in spellings.items()
            if slug not in found
        ]
        Subject.objects.bulk_create(missing)
        found.update(
            Subject.objects.in_bulk([s.slug for s in missing], field_name="slug")
        )
        self.subjects.update(found)


def _url_in(path: str) -> str | None:
    """The URL in an earlier file of the batch, read again (only for a likely twin)."""
    try:
        return read_article_file(path).url
    except FormatError:
        return None


def redirected_elsewhere(urls: Iterable[str]) -> dict[str, str]:
    """Of these URLs, those that redirect to an article that moved away, with
    where they lead. One query."""
    return dict(
        Redirect.objects.filter(old_url__in=list(urls)).values_list(
            "old_url", "article__url"
        )
    )


def preferred_spelling(names: Iterable[str]) -> str:
    """Of a subject's spellings, the one with most capitals: "Computer Science"."""
    return max(sorted(names), key=lambda name: sum(c.isupper() for c in name))
