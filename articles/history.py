"""Article history: revisions kept by django-reversion, and what changed between two.

The admin keeps a revision of every article it saves (`ArticleAdmin` is a
reversion `VersionAdmin`). Imports and bulk actions write rows by the thousand
without `Model.save()`, so `record_revisions` writes their revisions in bulk:
the same `Revision` and `Version` rows reversion writes, one revision an
article, holding the article and its related links as they are now, so an
editor can compare and restore them like any other.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from reversion.models import Revision, Version

from .bulk_insert import insert_rows
from .models import Article, RelatedLink

CHUNK_SIZE = 1000


def record_revisions(changes: Iterable[tuple[int, str]], *, user=None) -> int:
    """Keep a revision of each article named in `changes` ((article id, comment)),
    as the database holds it now, by `user` (None: the command line).

    Five queries a thousand articles, plus the inserts: no query an article.
    Returns the number of revisions written.
    """
    changes = list(changes)
    now = timezone.now()
    for start in range(0, len(changes), CHUNK_SIZE):
        _record_chunk(changes[start : start + CHUNK_SIZE], user, now)
    return len(changes)


def _record_chunk(changes: list[tuple[int, str]], user, now) -> None:
    revisions = Revision.objects.bulk_create(
        [Revision(date_created=now, user=user, comment=text) for _, text in changes]
    )
    ids = [article_id for article_id, _ in changes]
    # Rows as dicts, not model instances: building 6,000 instances a chunk
    # would cost more than the rest of the import's writing.
    articles = {row["id"]: row for row in Article.objects.filter(pk__in=ids).values()}
    links: dict[int, list[dict]] = {}
    for row in (
        RelatedLink.objects.filter(article__in=ids).order_by("position").values()
    ):
        links.setdefault(row["article_id"], []).append(row)
    types = ContentType.objects.get_for_models(Article, RelatedLink)
    version_rows = []
    for revision, article_id in zip(revisions, ids, strict=True):
        version_rows.append(
            _version_row(revision, Article, articles[article_id], types)
        )
        for link in links.get(article_id, []):
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


def article_versions(article_id: int):
    """The article's versions, newest first, with who made each. One query."""
    return (
        Version.objects.get_for_object_reference(Article, article_id)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


@dataclasses.dataclass
class FieldChange:
    label: str
    before: str
    after: str

    @property
    def diff(self) -> list[tuple[str, str]]:
        """The change line by line: ("-", line), ("+", line) or (" ", line)."""
        lines = difflib.ndiff(self.before.splitlines(), self.after.splitlines())
        return [(line[0], line[2:]) for line in lines if line[:1] in "-+ "]


# Bookkeeping an editor does not write (the URL follows from subject and slug):
# never reported as a change, in a comparison or in an import's revision note.
BOOKKEEPING = {
    "id",
    "url",
    "created_at",
    "updated_at",
    "imported_at",
    "source_path",
    "import_fingerprint",
    "key_order",
    "seo_key_order",
}


def changes_between(older: Version, newer: Version) -> list[FieldChange]:
    """What an editor would see change from `older` to `newer`, field by field,
    then the related links as a list. Two queries (the versions' links)."""
    before, after = older.field_dict, newer.field_dict
    changes = []
    for field in Article._meta.concrete_fields:
        if field.name in BOOKKEEPING:
            continue
        old, new = before.get(field.attname), after.get(field.attname)
        if old != new:
            if field.is_relation:
                old, new = _named(field, old), _named(field, new)
            label = capfirst(field.verbose_name)
            changes.append(FieldChange(label, _text(old), _text(new)))
    old_links, new_links = related_links_in(older), related_links_in(newer)
    if old_links != new_links:
        changes.append(
            FieldChange("Related links", "\n".join(old_links), "\n".join(new_links))
        )
    return changes


def related_links_in(version: Version) -> list[str]:
    """The article's related links as the version's revision kept them, one line
    each: "2. /learn/…". One query."""
    link_type = ContentType.objects.get_for_model(RelatedLink)
    versions = version.revision.version_set.filter(content_type=link_type)
    lines = []
    for link_version in versions:
        fields = link_version.field_dict
        if str(fields.get("article_id")) == version.object_id:
            lines.append((fields["position"], fields["target_url"]))
    return [f"{position}. {url}" for position, url in sorted(lines)]


def _named(field: models.ForeignKey, pk) -> str:
    """What a foreign key's value stands for, such as a subject's name. One query."""
    found = field.related_model.objects.filter(pk=pk).first()
    return str(found) if found else f"(deleted, id {pk})"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
