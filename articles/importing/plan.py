"""One chunk of an import: what each file's outcome asks written, in bulk.

`ChunkPlan.add` has a file's outcome decided (`outcomes.decide`) from the
article at its URL (or the article it moves, see `find_moves`) and keeps what
that outcome writes; `ChunkPlan.apply` writes the chunk's new and changed
articles, their links, the redirects of the articles that moved, and a revision
of each in their history. A few queries a chunk whatever its size: the
importer's hot path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django.db.models import QuerySet

from articles.fileformat.article_record import ArticleRecord
from articles.fileformat.fingerprints import fingerprint, same_file
from articles.history import BOOKKEEPING
from articles.models import Article, Outcome, Redirect, RelatedLink, Status, Subject
from articles.search.index import indexing_in_bulk

from .answers import NOT_RENDERED, answer_columns, rendered_for
from .bulk_writes import (
    delete_rows,
    insert_rows,
    insert_rows_returning_ids,
    update_rows,
)
from .outcomes import FileOutcome, decide
from .revisions import Written, write_revisions_of
from .rows import article_values, link_values, record_from_article


@dataclasses.dataclass
class CurrentState:
    """What the database holds for articles whose files changed: their links,
    and whether editors changed each since its last import."""

    links: dict[int, list[RelatedLink]]
    edited_since_import: set[int]
    fingerprints: dict[int, str]  # of each article, were it exported now

    @classmethod
    def of(cls, articles: Iterable[Article]) -> CurrentState:
        """One query, for the links."""
        articles = list(articles)
        links: dict[int, list[RelatedLink]] = {}
        if articles:
            ordered = RelatedLink.objects.filter(article__in=articles).order_by(
                "position"
            )
            for link in ordered:
                links.setdefault(link.article_id, []).append(link)
        fingerprints, edited = {}, set()
        for article in articles:
            now = record_from_article(article, links.get(article.pk, []))
            fingerprints[article.pk] = fingerprint(now)
            if not same_file(article.import_fingerprint, now, fingerprints[article.pk]):
                edited.add(article.pk)
        return cls(links, edited, fingerprints)

    def edited(self, article: Article, digest: str) -> bool:
        """Whether editors changed the article since its last import, into
        anything but what the file of fingerprint `digest` says."""
        return (
            article.pk in self.edited_since_import
            and self.fingerprints[article.pk] != digest
        )


def find_moves(
    records: Iterable[ArticleRecord], claimed, articles: QuerySet[Article]
) -> dict[str, Article]:
    """The articles these files move to a new URL, by the new URL. One query
    (none when no file has an id).

    A file moves an article when no article has its URL and exactly one
    article of the same subject has its id (ids repeat only across subjects),
    at a URL no file of the batch has claimed: the slug, so the file name,
    changed. `claimed` answers whether a URL was claimed; `articles` is the
    queryset to look in (the importer's, locked). A file without an id moves
    nothing: it is created at its URL.
    """
    records = [record for record in records if record.id is not None]
    if not records:
        return {}
    candidates: dict[tuple[str, int], list[Article]] = {}
    for article in articles.filter(
        source_id__in={record.id for record in records}
    ).select_related("subject"):
        candidates.setdefault((article.subject.slug, article.source_id), []).append(
            article
        )
    moves = {}
    for record in records:
        found = candidates.get((record.subject_slug, record.id), [])
        if len(found) == 1 and not claimed(found[0].url):
            moves[record.url] = found[0]
    return moves


class ChunkPlan:
    """What one chunk will write, decided before any of it is."""

    def __init__(
        self,
        *,
        force: bool,
        new_status: str = Status.PUBLISHED,
        answers: dict | None = None,
        render: bool = True,
    ):
        """`answers`: each file's answer as the parsing workers rendered it, by
        path (None: they did not); those left are rendered here, or with
        `render` false (a dry run) stored as not rendered."""
        self.force = force
        self.new_status = new_status
        self.answers = answers or {}
        self.render = render
        self.to_create: list[tuple[str, ArticleRecord, str]] = []
        self.to_update: list[tuple[str, ArticleRecord, str, Article]] = []

    def add(
        self,
        path: str,
        record: ArticleRecord,
        digest: str,
        article: Article | None,
        current: CurrentState,
        *,
        redirected_to: str | None = None,
    ) -> FileOutcome:
        """The file's outcome (see `outcomes.decide`), kept to be written if it
        creates or updates an article."""
        outcome = decide(
            path,
            record,
            digest,
            article,
            edited=article is not None and current.edited(article, digest),
            force=self.force,
            redirected_to=redirected_to,
        )
        if outcome.outcome == Outcome.CREATED:
            self.to_create.append((path, record, digest))
        elif outcome.outcome == Outcome.UPDATED:
            self.to_update.append((path, record, digest, article))
        return outcome

    def records_to_write(self) -> list[ArticleRecord]:
        return [r for _, r, _ in self.to_create] + [r for _, r, _, _ in self.to_update]

    def apply(
        self, subjects: dict[str, Subject], now, current: CurrentState
    ) -> list[Written]:
        """Write the chunk: the written articles as their rows now are, with
        their links and a note of what the import did ("created from …",
        "updated from …: changed …"), for their revisions."""
        rows = [
            {
                **_row_values(path, record, digest, subjects, now),
                **self._answer_columns(path, record),
                "created_at": now,
                "status": self.new_status,
            }
            for path, record, digest in self.to_create
        ]
        ids = insert_new(rows)
        written = {}
        for row, (path, record, _) in zip(rows, self.to_create, strict=True):
            row.update(
                id=ids[record.url],
                publish_at=None,
                unpublish_at=None,
                version=Article.version.field.db_default,
            )
            written[record.url] = Written(row, [], f"created from {path}")
        updated, moves = [], []
        for path, record, digest, article in self.to_update:
            # Every column the file gives; never the status, which is the editors'.
            values = _row_values(path, record, digest, subjects, now)
            values.update(self._answer_columns(path, record))
            old_links = current.links.get(article.pk, [])
            note = _changes_note(path, article, values, old_links, record)
            if article.url != record.url:
                moves.append((article.url, article.pk))
            # A version more, from the one read locked: forms opened before
            # this import may not overwrite it.
            values["version"] = article.version + 1
            updated.append({"id": article.pk, **values})
            row = {**values, "id": article.pk, "status": article.status}
            # Nor its schedule: the revision keeps them as they are.
            row.update(publish_at=article.publish_at, unpublish_at=article.unpublish_at)
            row["created_at"] = article.created_at
            written[record.url] = Written(row, [], note)
        update_rows(Article, updated)
        delete_rows(RelatedLink, "article", [row["id"] for row in updated])
        # Targets are left unset here; the importer points them at the end.
        links = []
        for record in self.records_to_write():
            article = written[record.url]
            for ref in record.related:
                link = {"article_id": article.row["id"], "target_id": None}
                article.links.append({**link, **link_values(ref)})
                links.append(article.links[-1])
        link_ids = insert_rows_returning_ids(RelatedLink, links)
        for link, pk in zip(links, link_ids, strict=True):
            link["id"] = pk
        Redirect.save_moves(moves, now_at=list(written))
        return list(written.values())

    def _answer_columns(self, path: str, record: ArticleRecord) -> dict:
        if not self.render:
            return answer_columns(NOT_RENDERED)
        return answer_columns(rendered_for(record, self.answers.get(path)))


def insert_new(rows: list[dict]) -> dict[str, int]:
    """Insert new articles, indexed for search in one go; their ids by URL.

    One executemany and a SELECT of the ids: for rows this wide, SQLite takes
    longer over multi-row INSERTs that return ids than over both of these."""
    if not rows:
        return {}
    with indexing_in_bulk() as index:
        insert_rows(Article, rows)
        urls = [row["url"] for row in rows]
        ids = dict(Article.objects.filter(url__in=urls).values_list("url", "id"))
        index(list(ids.values()))
    return ids


def _changes_note(path, article, values, old_links, record) -> str:
    """Which of the article's fields the file changes, in plain words."""
    changed = [
        str(Article._meta.get_field(name).verbose_name)
        for name, value in values.items()
        if name not in BOOKKEEPING and getattr(article, name) != value
    ]
    old = [(link.position, link.target_url) for link in old_links]
    if old != [(ref.position, ref.url) for ref in record.related]:
        changed.append("related links")
    what = ", ".join(changed) if changed else "nothing readers see"
    return f"updated from {path}: changed {what}"


def _row_values(path, record, digest, subjects, now) -> dict:
    values = article_values(record)
    values["subject_id"] = subjects[record.subject_slug].pk
    values["import_fingerprint"] = digest
    values["source_path"] = path[-1000:]
    values["imported_at"] = now
    values["updated_at"] = now
    return values


def keep_history(written: list[Written], *, user, comment: str) -> None:
    """A revision for each written article, commented with what happened to it."""
    prefix = f"{comment}: " if comment else "Import: "
    for article in written:
        article.comment = prefix + article.comment
    write_revisions_of(written, user=user)
