"""Article files into the database: read, decide, write, report.

`import_files(paths)` reads every article file under the given files and
folders (`files.py`), has each file's outcome decided (`outcomes.py`: created,
updated, unchanged, conflict or refused), and writes what was decided
(`plan.py`), a chunk at a time.

Every article created or updated keeps a revision in its history (see
`revisions.py`). Re-running an import is always safe. Files are handled in
chunks, each in one short transaction that decides its files' outcomes on
locked rows and writes them, with a handful of queries per chunk whatever its
size. With `dry_run` each chunk's transaction is rolled back; with `strict` the
whole batch is one transaction, rolled back if any file failed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from itertools import islice

from django.db import DatabaseError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from articles.fileformat.article_record import ArticleRecord
from articles.fileformat.fingerprints import same_file
from articles.models import (
    RENDERED_FIELDS,
    Article,
    Redirect,
    RelatedLink,
    Status,
    Subject,
)
from articles.page_cache import articles_changed, links_resolved
from articles.rendering import RenderedAnswer

from . import outcomes
from .answers import AnswerRenderer
from .bulk_writes import larger_page_cache
from .files import (
    ReadResult,
    default_workers,
    find_article_files,
    read_in_order,
    urls_claimed_twice,
)
from .outcomes import FileOutcome, ImportReport, UrlClaims, report_name
from .plan import ChunkPlan, CurrentState, find_moves, keep_history

CHUNK_SIZE = 1000


def import_files(
    paths: Iterable[str | os.PathLike],
    *,
    dry_run: bool = False,
    strict: bool = False,
    force: bool = False,
    on_outcome: Callable[[FileOutcome], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
    workers: int | None = None,
    keep_outcomes: bool = False,
    relative_to: str | os.PathLike | None = None,
    user=None,
    comment: str = "",
    new_status: str = Status.PUBLISHED,
) -> ImportReport:
    """Import every article file under `paths`; see the module docstring.

    `keep_outcomes` keeps every file's outcome in the report, not only the
    problems; `on_progress` is told, after each chunk, how many files are done.
    With `relative_to`, files are named (in outcomes, messages and
    `Article.source_path`) by their path under that folder: an upload's own
    names, not where the server staged them. Every article the batch creates
    or updates keeps a revision in its history, by `user` (None: the command
    line), with `comment`. New articles are `new_status` (drafts, for an
    upload confirmed by someone who may not publish); an update keeps each
    article's status.
    """
    paths = list(paths)
    workers = default_workers() if workers is None else workers
    batch = _Batch(force=force, on_outcome=on_outcome, relative_to=relative_to)
    batch.new_status = new_status
    batch.claims.twins = {
        url: [report_name(path, relative_to) for path in paths_of_url]
        for url, paths_of_url in urls_claimed_twice(
            find_article_files(paths), workers
        ).items()
    }
    batch.history = None if dry_run else {"user": user, "comment": comment}
    batch.dry_run = dry_run
    batch.report.dry_run = dry_run
    batch.report.keep_outcomes = keep_outcomes
    files = find_article_files(paths)
    # A dry run rolls each chunk back on its own, so that it holds locks no
    # longer than an import's chunk does; strict holds them for the batch.
    whole_batch = transaction.atomic() if strict and not dry_run else nullcontext()
    with larger_page_cache(), whole_batch:
        done = 0
        # A dry run's rows are rolled back: no answer is rendered for them.
        render = None if dry_run else AnswerRenderer.for_import()
        for results in read_in_order(chunks(files, chunk_size), workers, render):
            batch.import_chunk(results, dry_run=dry_run)
            done += len(results)
            if on_progress:
                on_progress(done)  # between chunks: outside their transactions
        if batch.report.wrote_articles and not dry_run:
            links_resolved(resolve_related_links())
        if strict and batch.report.failed and not dry_run:
            batch.report.rolled_back = True
            transaction.set_rollback(True)
    return batch.report


def chunks(items: Iterable, size: int) -> Iterator[tuple]:
    """`items` in tuples of `size` (the last one shorter), taken lazily."""
    items = iter(items)
    while chunk := tuple(islice(items, size)):
        yield chunk


def resolve_related_links() -> list[int]:
    """Point every unresolved link at the article now at its URL; the ids of
    the articles whose links it pointed. Two queries."""
    unresolved = RelatedLink.objects.filter(
        target__isnull=True, target_url__in=Article.objects.values("url")
    )
    sources = list(unresolved.values_list("article_id", flat=True).distinct())
    if sources:
        unresolved.update(
            target=Subquery(
                Article.objects.filter(url=OuterRef("target_url")).values("id")[:1]
            )
        )
    return sources


class _Batch:
    """One import run: the URLs it has claimed, its subjects, its report."""

    def __init__(self, *, force: bool, on_outcome: Callable | None, relative_to=None):
        self.force = force
        self.relative_to = relative_to
        self.on_outcome = on_outcome
        self.report = ImportReport()
        self.claims = UrlClaims(self.path_of)
        self.subjects: dict[str, Subject] = {}
        self.now = timezone.now()
        self.history: dict | None = None
        self.new_status = Status.PUBLISHED
        self.dry_run = False

    def report_outcome(self, outcome: FileOutcome) -> None:
        self.report.add(outcome)
        if self.on_outcome:
            self.on_outcome(outcome)

    def path_of(self, name: str) -> str:
        """The file a report's name stands for."""
        if self.relative_to is None:
            return name
        return os.path.join(self.relative_to, name)

    def import_chunk(self, results: list[ReadResult], *, dry_run: bool) -> None:
        """Decide and write a chunk of read files, in a transaction of its own
        (rolled back for a dry run)."""
        with transaction.atomic():
            self.write_chunk(results)
            if dry_run:
                transaction.set_rollback(True)
                self.subjects.clear()  # the subjects it made are gone again

    def write_chunk(self, results: list[ReadResult]) -> None:
        records, digests, answers = {}, {}, {}
        for path, record, digest, problem, answer in results:
            path = report_name(path, self.relative_to)
            refusal = (
                outcomes.unreadable(path, problem)
                if record is None
                else self.claims.claim(path, record)
            )
            if refusal:
                self.report_outcome(refusal)
            else:
                records[path], digests[path] = record, digest
                answers[path] = answer
        try:
            with transaction.atomic():
                written = self.write(records, digests, answers)
        except DatabaseError:
            # Something changed under us (another import, an editor): go file
            # by file so that only the file the database refuses is refused.
            written = [
                self.write_one(path, record, digests[path], answers[path])
                for path, record in records.items()
            ]
        for outcome in written:
            self.report_outcome(outcome)

    def write_one(
        self, path: str, record: ArticleRecord, digest: str, answer
    ) -> FileOutcome:
        try:
            with transaction.atomic():
                return self.write({path: record}, {path: digest}, {path: answer})[0]
        except DatabaseError as error:
            return outcomes.refused_by_database(path, record, error)

    def write(
        self,
        records: dict[str, ArticleRecord],
        digests: dict[str, str],
        answers: dict[str, RenderedAnswer | None],
    ) -> list[FileOutcome]:
        """Decide and write a chunk of valid records, by path, with their
        fingerprints and answers as the workers rendered them (None: not), in
        the caller's transaction; a few queries whatever its size.

        The chunk's articles are read locked (SELECT ... FOR UPDATE on
        PostgreSQL; on SQLite the transaction holds the write lock from its
        start): an editor's save either commits first, and is seen here as an
        edit (a conflict, the edit kept), or waits for the chunk to commit.
        """
        existing = locked_articles().in_bulk(
            [r.url for r in records.values()], field_name="url"
        )
        existing.update(
            find_moves(
                (r for r in records.values() if r.url not in existing),
                self.claims.__contains__,
                locked_articles(),
            )
        )
        current = CurrentState.of(
            existing[r.url]
            for path, r in records.items()
            if r.url in existing
            and (
                not same_file(existing[r.url].import_fingerprint, r, digests[path])
                or existing[r.url].url != r.url
            )
        )
        taken_over = redirected_elsewhere(
            r.url for r in records.values() if r.url not in existing
        )
        plan = ChunkPlan(
            force=self.force,
            new_status=self.new_status,
            answers=answers,
            render=not self.dry_run,
        )
        decided = [
            plan.add(
                path,
                record,
                digests[path],
                existing.get(record.url),
                current,
                redirected_to=taken_over.get(record.url),
            )
            for path, record in records.items()
        ]
        self.ensure_subjects(plan.records_to_write())
        written = plan.apply(self.subjects, self.now, current)
        if written:
            updated = [article.pk for *_, article in plan.to_update]
            created = {row["id"] for row in (each.row for each in written)}
            articles_changed(updated, new_ids=created.difference(updated))
            if self.history is not None:
                keep_history(written, **self.history)
        return decided

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


def locked_articles():
    """Articles, to be read locked until the transaction ends (only their rows),
    without their answers' HTML, which the import never reads."""
    return Article.objects.select_for_update(of=("self",)).defer(*RENDERED_FIELDS)


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
