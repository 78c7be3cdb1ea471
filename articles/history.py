"""Article history: revisions kept by django-reversion, and what changed between two.

The admin keeps a revision of every article it saves (`ArticleAdmin` is a
reversion `VersionAdmin`); imports and bulk actions write theirs in bulk
(`articles.importing.revisions`). Here: an article's versions, and what an
editor would see change from one to another.
"""

from __future__ import annotations

import dataclasses
import difflib
import json

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import capfirst
from reversion.models import Version

from .models import RENDERED_FIELDS, Article, RelatedLink


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
    "version",
    # The answer rendered: the answer's change is the one to report.
    *RENDERED_FIELDS,
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
