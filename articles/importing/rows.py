"""Between article records and database rows: what an article row holds, and back.

`article_values(record)` gives the column values of an article; `record_from_article`
rebuilds the record from a row and its links, so an export writes what the file
said. Fingerprints of records are the file format's (`fileformat.fingerprints`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from articles.fileformat.article_record import ArticleRecord, RelatedRef, given_text
from articles.fileformat.writing import settle_key_order, yaml_dump

if TYPE_CHECKING:
    from collections.abc import Iterable

    from articles.models import Article, RelatedLink

# Record attributes stored in columns of the same name.
SAME_NAME_FIELDS = (
    "date",
    "title",
    "article_title",
    "date_format",
    "post_on_text",
    "author",
    "question",
    "answer",
    "file_name",
    "schema",
    "seo_title",
    "seo_description",
    "seo_keywords",
    "score",
    "key_order",
    "seo_key_order",
    "body",
)
# Optional text, as (record attribute, key in the file); blank in a column.
OPTIONAL_TEXT = (
    ("schema", "_schema"),
    ("article_title", "article_title"),
    ("date_format", "date_format"),
    ("post_on_text", "post_on_text"),
    ("author", "author"),
    ("file_name", "file_name"),
)
OPTIONAL_SEO_TEXT = (
    ("seo_title", "title"),
    ("seo_description", "page_description"),
    ("seo_keywords", "page_keywords"),
)


def article_values(record: ArticleRecord) -> dict[str, Any]:
    """Column values for the article `record` describes (not its subject or links)."""
    values = {name: getattr(record, name) for name in SAME_NAME_FIELDS}
    for name, _ in OPTIONAL_TEXT + OPTIONAL_SEO_TEXT:
        values[name] = values[name] or ""
    values["source_id"] = record.id
    values["slug"] = record.slug
    values["url"] = record.url
    values["subject_name"] = record.subject
    values["no_index"] = bool(record.no_index)
    values["extra_fields"] = dump_extra(record.extra)
    values["seo_extra_fields"] = dump_extra(record.seo_extra)
    return values


def link_values(ref: RelatedRef) -> dict[str, Any]:
    """Column values for one related link."""
    return {
        "position": ref.position,
        "target_url": ref.url,
        "target_source_id": ref.id,
        "target_title": ref.title or "",
        "target_subject": ref.subject or "",
        "key_order": ref.key_order,
        "extra_fields": dump_extra(ref.extra),
    }


def record_from_article(
    article: Article, links: Iterable[RelatedLink]
) -> ArticleRecord:
    """The record an article row and its links describe. Costs no query."""
    values = {name: getattr(article, name) for name in SAME_NAME_FIELDS}
    for name, key in OPTIONAL_TEXT:
        values[name] = given_text(values[name], key, article.key_order)
    for name, key in OPTIONAL_SEO_TEXT:
        values[name] = given_text(values[name], key, article.seo_key_order)
    no_index = article.no_index or "no_index" in article.key_order
    record = ArticleRecord(
        **values,
        id=article.source_id,
        subject=article.subject_name,
        url=article.url,
        no_index=article.no_index if no_index else None,
        related=[_ref_from_link(link) for link in links],
        extra=load_extra(article.extra_fields),
        seo_extra=load_extra(article.seo_extra_fields),
    )
    return settle_key_order(record)


def _ref_from_link(link: RelatedLink) -> RelatedRef:
    return RelatedRef(
        position=link.position,
        url=link.target_url,
        id=link.target_source_id,
        title=given_text(link.target_title, "title", link.key_order),
        subject=given_text(link.target_subject, "subject", link.key_order),
        key_order=link.key_order,
        extra=load_extra(link.extra_fields),
    )


def dump_extra(fields: dict) -> str:
    if not fields:
        return ""
    return yaml_dump(fields)


def load_extra(text: str) -> dict:
    return yaml.load(text, Loader=yaml.CSafeLoader) if text else {}
