"""Revisions written in bulk, for imports and the admin's bulk actions.

Imports and bulk actions write rows by the thousand without `Model.save()`, so
`write_revisions` writes their revisions in bulk: the same `Revision` and
`Version` rows reversion writes, one revision an article, holding the article
and its related links as they are now, so an editor can compare and restore
them like any other (`articles.history`).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from reversion.models import Revision, Version

from articles.models import RENDERED_FIELDS, Article, RelatedLink

from .bulk_writes import insert_rows, insert_rows_returning_ids

CHUNK_SIZE = 1000
# Left out of revisions, as reversion's registration of Article leaves them.
NOT_IN_REVISIONS = frozenset(RENDERED_FIELDS)


@dataclasses.dataclass
class Written:
    """An article a chunk wrote, as the chunk holds it: its row (field attname ->
    value, as `.values()` reads it), its links' rows (ids included), what
    happened to it."""

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
    """Keep a revision of each article a chunk wrote, from the rows it holds
    (its links' rows with their ids): nothing is read back, only inserts.
    Returns the number of revisions written."""
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
    in_revisions = ["id", *(attname for _, attname in _serialized_fields(Article))]
    articles = {
        row["id"]: row
        for row in Article.objects.filter(pk__in=ids).values(*in_revisions)
    }
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
    user_id = user.pk if user is not None else None
    revisions = insert_rows_returning_ids(
        Revision,
        [{"date_created": now, "user": user_id, "comment": w.comment} for w in written],
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


def _version_row(revision: int, model, row: dict, types) -> dict:
    """The Version row reversion would write for the object in `row` (its
    `.values()`): data as `serializers.serialize("json", [obj])` writes it."""
    fields = {name: row[attname] for name, attname in _serialized_fields(model)}
    data = [{"model": model._meta.label_lower, "pk": row["id"], "fields": fields}]
    return {
        "revision": revision,
        "object_id": str(row["id"]),
        "content_type": types[model].pk,
        "db": "default",
        "format": "json",
        "serialized_data": json.dumps(data, cls=DjangoJSONEncoder),
        "object_repr": OBJECT_REPR[model](row),
    }


@functools.cache
def _serialized_fields(model) -> tuple[tuple[str, str], ...]:
    """(name, attname) of the fields Django's serializer writes, in its order."""
    return tuple(
        (field.name, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in NOT_IN_REVISIONS
    )
