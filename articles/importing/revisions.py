"""Revisions written in bulk, for imports and the admin's bulk actions.

Imports and bulk actions write rows by the thousand without `Model.save()`, so
`write_revisions` writes their revisions in bulk: the same `Revision` and
`Version` rows reversion writes, one revision an article, holding the article
and its related links as they are now, so an editor can compare and restore
them like any other (`articles.history`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from reversion.models import Revision, Version

from articles.models import Article, RelatedLink

from .bulk_writes import insert_rows

CHUNK_SIZE = 1000


@dataclasses.dataclass
class Written:
    """An article a chunk wrote, as the chunk holds it: its row (field attname ->
    value, as `.values()` reads it), its links' rows, what happened to it."""

    row: dict[str, Any]
    links: list[dict[str, Any]]
    comment: str


def write_revisions(changes: Iterable[tuple[int, str]], *, user=None) -> int:
    """Keep a revision of each article named in `changes` ((article id, comment)),
    as the database holds it now, by `user` (None: the command line).

    Five queries a thousand articles, plus the inserts: no query an article.
    Returns the number of revisions written.
    """
    changes = list(changes)
    now = timezone.now()
    for start in range(0, len(changes), CHUNK_SIZE):
        _write_chunk(_read(changes[start : start + CHUNK_SIZE]), user, now)
    return len(changes)


def write_revisions_of(written: list[Written], *, user=None) -> int:
    """Keep a revision of each article a chunk wrote, from the rows it holds: one
    query for its links' ids, then the inserts; nothing else is read back.
    Returns the number of revisions written."""
    ids = [article.row["id"] for article in written]
    link_ids = {
        (article_id, position): pk
        for pk, article_id, position in RelatedLink.objects.filter(
            article__in=ids
        ).values_list("pk", "article_id", "position")
    }
    for article in written:
        for link in article.links:
            link["id"] = link_ids[(link["article_id"], link["position"])]
    now = timezone.now()
    for start in range(0, len(written), CHUNK_SIZE):
        _write_chunk(written[start : start + CHUNK_SIZE], user, now)
    return len(written)


def _read(changes: list[tuple[int, str]]) -> list[Written]:
    """The articles named in `changes`, with their links, as the database holds
    them. Two queries."""
    ids = [article_id for article_id, _ in changes]
    # Rows as dicts, not model instances: building 6,000 instances a chunk
    # would cost more than the rest of the import's writing.
    articles = {row["id"]: row for row in Article.objects.filter(pk__in=ids).values()}
    links: dict[int, list[dict]] = {}
    for row in (
        RelatedLink.objects.filter(article__in=ids).order_by("position").values()
    ):
        links.setdefault(row["article_id"], []).append(row)
    return [
        Written(articles[article_id], links.get(article_id, []), comment)
        for article_id, comment in changes
    ]


def _write_chunk(written: list[Written], user, now) -> None:
    revisions = Revision.objects.bulk_create(
        [Revision(date_created=now, user=user, comment=w.comment) for w in written]
    )
    types = ContentType.objects.get_for_models(Article, RelatedLink)
    version_rows = []
    for revision, article in zip(revisions, written, strict=True):
        version_rows.append(_version_row(revision, Article, article.row, types))
        for link in article.links:
            version_rows.append(_version_row(revision, RelatedLink, link, types))
    insert_rows(Version, version_rows)


# What str() of each model gives, from a row: a Version's object_repr.
OBJECT_REPR = {
    Article: lambda row: row["title"],
    RelatedLink: lambda row: f"{row['position']}. {row['target_url']}",
}


def _version_row(revision, model, row: dict, types) -> dict:
    """The Version row reversion would write for the object in `row` (its
    `.values()`): data as `serializers.serialize("json", [obj])` writes it."""
    fields = {
        field.name: row[field.attname]
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    data = [{"model": model._meta.label_lower, "pk": row["id"], "fields": fields}]
    return {
        "revision": revision.pk,
        "object_id": str(row["id"]),
        "content_type": types[model].pk,
        "db": "default",
        "format": "json",
        "serialized_data": json.dumps(data, cls=DjangoJSONEncoder),
        "object_repr": OBJECT_REPR[model](row),
    }
