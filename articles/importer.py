"""Article files into the database: validate, upsert, report.

`import_files(paths)` reads every article file under the given files and
folders and decides, file by file, one outcome:

- created:   no article had its URL; one now does;
- updated:   the file changed since it was last imported, and the article with it;
- unchanged: the file says what it said at the last import (an editor's later
             changes stay as they are);
- conflict:  the file changed, but so did the article, in the admin, since the
             last import: the edit is kept, and `force=True` overwrites it;
- refused:   the file is not a valid article (the message says why and where),
             or another file of the batch already claimed its URL. Nothing of
             it is written.

Re-running an import is always safe. Files are handled in chunks, each in one
transaction, with a handful of queries per chunk whatever its size. With
`dry_run` everything runs inside a transaction that is rolled back; with
`strict` the whole batch is one transaction, rolled back if any file failed.
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

from .bulk_insert import insert_rows
from .file_reading import ReadResult, default_workers, read_article_file, read_in_order
from .frontmatter import ArticleRecord, FormatError
from .models import Article, RelatedLink, Subject
from .page_cache import content_changed
from .records import article_values, fingerprint, link_values, record_from_article
from .search_index import indexing_in_bulk

OUTCOMES = ("created", "updated", "unchanged", "conflict", "refused")
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
    problems: list[FileOutcome] = dataclasses.field(default_factory=list)
    dry_run: bool = False
    rolled_back: bool = False

    def add(self, outcome: FileOutcome) -> None:
        self.counts[outcome.outcome] += 1
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
) -> ImportReport:
    """Import every article file under `paths`; see the module docstring."""
    workers = default_workers() if workers is None else workers
    batch = _Batch(force=force, on_outcome=on_outcome)
    batch.report.dry_run = dry_run
    files = find_article_files(list(paths))
    whole_batch = transaction.atomic() if dry_run or strict else nullcontext()
    with whole_batch:
        for results in read_in_order(_chunks(files, chunk_size), workers):
            batch.import_chunk(results)
        if batch.report.counts["created"] or batch.report.counts["updated"]:
            if resolve_related_links():
                content_changed()
        if dry_run or (strict and batch.report.failed):
            batch.report.rolled_back = not dry_run
            transaction.set_rollback(True)
    return batch.report


def _chunks(items: Iterator[str], size: int) -> Iterator[tuple[str, ...]]:
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

    def __init__(self, *, force: bool, on_outcome: Callable | None):
        self.force = force
        self.on_outcome = on_outcome
        self.report = ImportReport()
        self.claimed: dict[int, str] = {}
        self.subjects: dict[str, Subject] = {}
        self.now = timezone.now()

    def record(self, outcome: FileOutcome) -> None:
        self.report.add(outcome)
        if self.on_outcome:
            self.on_outcome(outcome)

    def import_chunk(self, results: list[ReadResult]) -> None:
        records = {}
        for path, record, problem in results:
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
        if earlier == path or _url_in(earlier) != record.url:
            return True
        message = f"its url {record.url} is already claimed by {earlier} in this batch"
        self.record(FileOutcome(path, "refused", message, record.url))
        return False

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
        digests = {path: fingerprint(record) for path, record in records.items()}
        current = current_fingerprints(
            existing[r.url]
            for path, r in records.items()
            if r.url in existing and existing[r.url].import_fingerprint != digests[path]
        )
        plan = _Plan(force=self.force)
        for path, record in records.items():
            article = existing.get(record.url)
            plan.add(path, record, digests[path], article, current.get(record.url))
        self.ensure_subjects(plan.records_to_write())
        plan.apply(self.subjects, self.now)
        if plan.records_to_write():
            content_changed()
        return plan.outcomes

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


def preferred_spelling(names: Iterable[str]) -> str:
    """Of a subject's spellings, the one with most capitals: "Computer Science"."""
    return max(sorted(names), key=lambda name: sum(c.isupper() for c in name))


def current_fingerprints(articles: Iterable[Article]) -> dict[str, str]:
    """The fingerprint of each article as it is now, by URL. One query for the links."""
    articles = list(articles)
    links: dict[int, list[RelatedLink]] = {}
    if articles:
        for link in RelatedLink.objects.filter(article__in=articles).order_by(
            "position"
        ):
            links.setdefault(link.article_id, []).append(link)
    return {
        article.url: fingerprint(
            record_from_article(article, links.get(article.pk, []))
        )
        for article in articles
    }


class _Plan:
    """What one chunk will write, decided before any of it is."""

    def __init__(self, *, force: bool):
        self.force = force
        self.outcomes: list[FileOutcome] = []
        self.to_create: list[tuple[str, ArticleRecord, str]] = []
        self.to_update: list[tuple[str, ArticleRecord, str, Article]] = []

    def add(self, path, record, digest, article, current_digest) -> None:
        """Decide the file's outcome. `current_digest` is the article's own, if it
        was worth computing (the file changed since the last import)."""
        if article is None:
            self.to_create.append((path, record, digest))
            outcome = "created"
        elif article.import_fingerprint == digest:
            outcome = "unchanged"
        elif self._edited(article, digest, current_digest) and not self.force:
            message = (
                "the file changed, and so did the article in the admin since the "
                "last import: the edit was kept (use --force to overwrite it)"
            )
            self.outcomes.append(FileOutcome(path, "conflict", message, record.url))
            return
        else:
            self.to_update.append((path, record, digest, article))
            outcome = "updated"
        self.outcomes.append(FileOutcome(path, outcome, url=record.url))

    @staticmethod
    def _edited(article: Article, digest: str, current_digest: str | None) -> bool:
        # Edited since the import, and not into what the file now says.
        return current_digest is not None and current_digest not in {
            article.import_fingerprint,
            digest,
        }

    def records_to_write(self) -> list[ArticleRecord]:
        return [r for _, r, _ in self.to_create] + [r for _, r, _, _ in self.to_update]

    def apply(self, subjects: dict[str, Subject], now) -> None:
        rows = [
            {**_row_values(path, record, digest, subjects, now), "created_at": now}
            for path, record, digest in self.to_create
        ]
        ids = self.insert_new(rows)
        updated = []
        for path, record, digest, article in self.to_update:
            values = _row_values(path, record, digest, subjects, now)
            values["subject_id"] = values.pop("subject")
            for name, value in values.items():
                setattr(article, name, value)
            updated.append(article)
            ids[record.url] = article.pk
        if updated:
            Article.objects.bulk_update(updated, UPDATED_FIELDS)
            RelatedLink.objects.filter(article__in=updated).delete()
        # Targets are left unset here; resolve_related_links points them at the end.
        links = [
            {"article": ids[record.url], "target": None, **link_values(ref)}
            for record in self.records_to_write()
            for ref in record.related
        ]
        insert_rows(RelatedLink, links)

    @staticmethod
    def insert_new(rows: list[dict]) -> dict[str, int]:
        """Insert new articles, indexed for search in one go; their ids by URL."""
        if not rows:
            return {}
        with indexing_in_bulk() as index:
            insert_rows(Article, rows)
            urls = [row["url"] for row in rows]
            ids = dict(Article.objects.filter(url__in=urls).values_list("url", "id"))
            index(list(ids.values()))
        return ids


def _row_values(path, record, digest, subjects, now) -> dict:
    values = article_values(record)
    values["subject"] = subjects[record.subject_slug].pk
    values["import_fingerprint"] = digest
    values["source_path"] = path[-1000:]
    values["imported_at"] = now
    values["updated_at"] = now
    return values


UPDATED_FIELDS = [
    field.name
    for field in Article._meta.concrete_fields
    if field.name not in {"id", "created_at"}
]
