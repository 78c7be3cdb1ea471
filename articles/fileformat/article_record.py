"""The typed record of one article file: `ArticleRecord`, with its `RelatedRef`s,
the file's fields each attribute holds, and the one rule for a field that is
empty or missing.

Only `title`, `question`, `answer`, `subject` and `url` are required: a file
without `id` or `date` is still an article (its record holds None for each).

Empty or missing: a record holds None for a key its file does not have and ""
for one the file gives empty (`author:`). A database column holds "" for both;
the key order, which names every key the file had, tells them apart. Reading,
writing and the rows all ask `is_given` and `given_text`.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Collection
from typing import Any

from .limits import RELATED_KEYS, URL_PATTERN

# Top-level fields that hold text, by key, with the record attribute they fill.
TEXT_FIELDS = {
    "_schema": "schema",
    "title": "title",
    "article_title": "article_title",
    "date_format": "date_format",
    "post_on_text": "post_on_text",
    "author": "author",
    "question": "question",
    "answer": "answer",
    "subject": "subject",
    "file_name": "file_name",
    "url": "url",
}
REQUIRED_FIELDS = ("title", "question", "answer", "subject", "url")
SEO_FIELDS = {
    "title": "seo_title",
    "page_description": "seo_description",
    "page_keywords": "seo_keywords",
}
KNOWN_FIELDS = {*TEXT_FIELDS, "id", "date", "seo", "score", "no_index", *RELATED_KEYS}


@dataclasses.dataclass
class RelatedRef:
    """One `related_articleN` entry, as the file gives it."""

    position: int
    url: str
    id: int | None = None
    title: str | None = None
    subject: str | None = None
    key_order: list[str] = dataclasses.field(default_factory=list)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class ArticleRecord:
    """Everything one article file says. `answer` is Markdown with real newlines.

    `id` and `date` come first and have no default, although a file may leave
    them out (None): articles imported before fingerprints were versioned keep
    a digest of the record's repr (`fingerprints.same_file`), so the fields'
    order is fixed.
    """

    id: int | None
    date: datetime.date | None
    title: str
    question: str
    answer: str
    subject: str
    url: str
    schema: str | None = None
    article_title: str | None = None
    date_format: str | None = None
    post_on_text: str | None = None
    author: str | None = None
    file_name: str | None = None
    seo_title: str | None = None
    seo_description: str | None = None
    seo_keywords: str | None = None
    score: float | None = None
    no_index: bool | None = None
    related: list[RelatedRef] = dataclasses.field(default_factory=list)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    seo_extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    key_order: list[str] = dataclasses.field(default_factory=list)
    seo_key_order: list[str] = dataclasses.field(default_factory=list)
    body: str = "\n&nbsp;"

    @property
    def subject_slug(self) -> str:
        return URL_PATTERN.match(self.url)["subject"]

    @property
    def slug(self) -> str:
        return URL_PATTERN.match(self.url)["slug"]


def is_given(value: Any, key: str, key_order: Collection[str]) -> bool:
    """Whether the file gives `key`: a value, or the key written empty."""
    return value is not None or key in key_order


def given_text(value: str | None, key: str, key_order: Collection[str]) -> str | None:
    """A text field as a record holds it, from a value that may be empty or
    missing ("" or None alike): its text, "" when the file gives the key empty,
    None when the file does not give it."""
    if value:
        return value
    return "" if key in key_order else None
