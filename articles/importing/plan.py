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

from articles.fileformat.article_record import ArticleRecord
from articles.history import BOOKKEEPING
from articles.models import Article, Outcome, Redirect, RelatedLink, Subject
from articles.search.index import indexing_in_bulk

from .bulk_insert import insert_rows
from .outcomes import FileOutcome, decide
from .revisions import write_revisions
from .rows import article_values, fingerprint, link_values, record_from_article

# An import never sets a status: an updated article keeps the one editors gave
# it, not rewritten with the value read when the chunk began.
UPDATED_FIELDS = [
    field.name
    for field in Article._meta.concrete_fields
    if field.name not in {"id", "created_at", "status"}
]


@dataclasses.dataclass
class CurrentState:
    """What the database holds for articles whose files changed: their links,
    and the fingerprint each would have if exported now."""

    links: dict[int, list[RelatedLink]]
    fingerprints: dict[int, str]

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
        fingerprints = {
            article.pk: fingerprint(
                record_from_article(article, links.get(article.pk, []))
            )
            for article in articles
        }
        return cls(links, fingerprints)


def find_moves(records: Iterable[ArticleRecord], claimed) -> dict[str, Article]:
    """The articles these files move to a new URL, by the new URL. One query
    (none when no file has an id).

    A file moves an article when no article has its URL and exactly one
    article of the same subject has its id (ids repeat only across subjects),
    at a URL no file of the batch has claimed: the slug, so the file name,
    changed. `claimed` answers whether a URL was claimed. A file without an id
    moves nothing: it is created at its URL.
    """
    records = [record for record in records if record.id is not None]
    if not records:
        return {}
    candidates: dict[tuple[str, int], list[Article]] = {}
    for article in Article.objects.filter(
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

    def __init__(self, *, force: bool):
        self.force = force
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
            current_fingerprint=current.fingerprints.get(article.pk)
            if article
            else None,
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

    def apply(self, subjects: dict[str, Subject], now, current: CurrentState) -> dict:
        """Write the chunk. The ids of the written articles, by URL, and for each
        a note of what the import did ("created from …", "changed …")."""
        rows = [
            {**_row_values(path, record, digest, subjects, now), "created_at": now}
            for path, record, digest in self.to_create
        ]
        ids = insert_new(rows)
        notes = {
            record.url: f"created from {path}" for path, record, _ in self.to_create
        }
        updated, moves = [], []
        for path, record, digest, article in self.to_update:
            values = _row_values(path, record, digest, subjects, now)
            old_links = current.links.get(article.pk, [])
            notes[record.url] = _changes_note(path, article, values, old_links, record)
            if article.url != record.url:
                moves.append((article.url, article.pk))
            for name, value in values.items():
                setattr(article, name, value)
            updated.append(article)
            ids[record.url] = article.pk
        if updated:
            Article.objects.bulk_update(updated, UPDATED_FIELDS)
            RelatedLink.objects.filter(article__in=updated).delete()
        # Targets are left unset here; the importer points them at the end.
        links = [
            {"article": ids[record.url], "target": None, **link_values(ref)}
            for record in self.records_to_write()
            for ref in record.related
        ]
        insert_rows(RelatedLink, links)
        Redirect.save_moves(moves, now_at=list(ids))
        return {url: (ids[url], note) for url, note in notes.items()}


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


def keep_history(written: dict, *, user, comment: str) -> None:
    """A revision for each written article, commented with what happened to it."""
    prefix = f"{comment}: " if comment else "Import: "
    write_revisions(((pk, prefix + note) for pk, note in written.values()), user=user)
