"""Writing an ArticleRecord back as an article file, in the seeds' own style.

The style is the seeds': long texts as folded scalars (`>-`, one line, indented
four spaces), short ones plain, the answer's line breaks as `\\n`, keys in the
order the file had them (new keys where the seeds put them), then the body.
A value that cannot be written in that style safely (a leading space, a control
character, text YAML would read as a number) is double-quoted instead, so what
is written always reads back as the same data. No Django here.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Any

import yaml

from .answer_text import encode_answer
from .article_record import (
    SEO_FIELDS,
    TEXT_FIELDS,
    ArticleRecord,
    RelatedRef,
    is_given,
)
from .limits import RELATED_KEYS

# Where the seeds put each key; a key the file did not have goes after the
# nearest key before it in this order.
CANONICAL_ORDER = (
    "_schema",
    "id",
    "date",
    "title",
    "article_title",
    "date_format",
    "post_on_text",
    "seo",
    "author",
    "question",
    "no_index",
    "answer",
    "subject",
    "file_name",
    "url",
    "score",
    *RELATED_KEYS,
)
SEO_ORDER = tuple(SEO_FIELDS)
RELATED_ORDER = ("id", "title", "subject", "url")
# The keys the seeds write as folded scalars, in each mapping.
FOLDED_TOP = frozenset({"title", "article_title", "question", "answer"})
FOLDED_SEO = frozenset({"page_description", "page_keywords"})
FOLDED_RELATED = frozenset({"title"})

_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_/(][A-Za-z0-9 _/().,|'&+!?%@=;~*-]*")
# Characters YAML reads as line breaks or will not take raw.
_FOLDABLE_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]"
)
_RESOLVER = yaml.resolver.Resolver()


def dump_article(record: ArticleRecord) -> str:
    """The file text for `record`; `parse_article` reads it back as equal data."""
    values = _top_level_values(record)
    top = _Mapping(
        values, record.key_order, CANONICAL_ORDER, FOLDED_TOP, indent=0, fold_indent=4
    )
    lines = ["---", *_mapping_lines(top)]
    return "\n".join(lines) + "\n---\n" + record.body


def settle_key_order(record: ArticleRecord) -> ArticleRecord:
    """`record` with each key order naming exactly the keys it will write, in the
    order it will write them: so a record made in the admin, whose key order is
    empty, equals the one its exported file reads back as."""
    values = _top_level_values(record)
    record.key_order = ordered_keys(record.key_order, values, CANONICAL_ORDER)
    if "seo" in values:
        record.seo_key_order = values["seo"].keys
    for ref in record.related:
        ref.key_order = values[RELATED_KEYS[ref.position - 1]].keys
    return record


def ordered_keys(file_order: list, values: dict, canonical: tuple) -> list:
    """The keys of `values`: in the file's order, new ones where the seeds put them."""
    keys = [key for key in file_order if key in values]
    for key in canonical:
        if key in values and key not in keys:
            earlier = canonical[: canonical.index(key)]
            before = [i for i, k in enumerate(keys) if k in earlier]
            keys.insert(before[-1] + 1 if before else 0, key)
    keys.extend(key for key in values if key not in keys)
    return keys


def _top_level_values(record: ArticleRecord) -> dict:
    values: dict[str, Any] = dict(record.extra)
    for key, attribute in TEXT_FIELDS.items():
        value = getattr(record, attribute)
        if is_given(value, key, record.key_order):
            values[key] = value
    values["answer"] = encode_answer(record.answer)
    for key in ("id", "date", "score", "no_index"):
        if is_given(getattr(record, key), key, record.key_order):
            values[key] = getattr(record, key)
    seo = _seo_values(record)
    if seo or "seo" in record.key_order:
        values["seo"] = _Mapping(
            seo, record.seo_key_order, SEO_ORDER, FOLDED_SEO, indent=2, fold_indent=4
        )
    for ref in record.related:
        values[RELATED_KEYS[ref.position - 1]] = _related_mapping(ref)
    return values


def _seo_values(record: ArticleRecord) -> dict:
    values = dict(record.seo_extra)
    for key, attribute in SEO_FIELDS.items():
        value = getattr(record, attribute)
        if is_given(value, key, record.seo_key_order):
            values[key] = value
    return values


def _related_mapping(ref: RelatedRef) -> _Mapping:
    values = dict(ref.extra)
    for key in RELATED_ORDER:
        value = getattr(ref, key)
        if is_given(value, key, ref.key_order):
            values[key] = value
    return _Mapping(
        values, ref.key_order, RELATED_ORDER, FOLDED_RELATED, indent=4, fold_indent=8
    )


class _Mapping:
    """A mapping to write: its values, key order, folded keys and indentation."""

    def __init__(self, values, file_order, canonical, folded, *, indent, fold_indent):
        self.values = values
        self.keys = ordered_keys(file_order, values, canonical)
        self.folded = folded
        self.indent = indent
        self.fold_indent = fold_indent


def _mapping_lines(mapping: _Mapping) -> list[str]:
    lines = []
    for key in mapping.keys:
        lines.extend(_entry(key, mapping.values[key], mapping))
    return lines


def _entry(key: Any, value: Any, parent: _Mapping) -> list[str]:
    pad = " " * parent.indent
    if isinstance(value, _Mapping):
        if not value.keys:
            return [f"{pad}{key}: {{}}"]
        return [f"{pad}{key}:", *_mapping_lines(value)]
    if not isinstance(key, str) or not _is_plain_key(key):
        return _yaml_lines({key: value}, pad)
    if isinstance(value, str):
        if key in parent.folded and _foldable(value):
            return [f"{pad}{key}: >-", " " * parent.fold_indent + value]
        return [f"{pad}{key}: {_scalar_text(value)}"]
    if isinstance(value, bool) or value is None:
        return [f"{pad}{key}: {_scalar_text(value)}"]
    if isinstance(value, int | float | datetime.date) and not isinstance(
        value, datetime.datetime
    ):
        return [f"{pad}{key}: {_scalar_text(value)}"]
    return _yaml_lines({key: value}, pad)


def _is_plain_key(key: str) -> bool:
    # "yes", "on" or "null" unquoted would read back as true or None.
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) is not None and _reads_as_text(
        key
    )


def _reads_as_text(value: str) -> bool:
    return (
        _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
        == "tag:yaml.org,2002:str"
    )


def _foldable(value: str) -> bool:
    return (
        value != ""
        and "\n" not in value
        and value == value.strip(" \t")
        and not _FOLDABLE_UNSAFE.search(value)
    )


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return {"inf": ".inf", "-inf": "-.inf"}.get(repr(value), ".nan")
        text = repr(value)
        # YAML 1.1 reads "1e+16" as text: its floats need a dot.
        return text if "." in text else text.replace("e", ".0e")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if _plain_safe(value):
        return value
    return _yaml_text(value, style='"')


def _plain_safe(value: str) -> bool:
    return (
        _PLAIN_SAFE.fullmatch(value) is not None
        and value == value.rstrip()
        and not _FOLDABLE_UNSAFE.search(value)
        and _reads_as_text(value)
    )


def _yaml_text(value: Any, style: str | None = None) -> str:
    return yaml_dump(value, style=style).removesuffix("\n...\n").rstrip("\n")


def yaml_dump(value: Any, *, style: str | None = None) -> str:
    """PyYAML's safe dump, unwrapped, keeping any text exactly as it is."""
    options = {"default_style": style, "width": 2**30, "sort_keys": False}
    text = yaml.dump(value, Dumper=yaml.CSafeDumper, allow_unicode=True, **options)
    if _FOLDABLE_UNSAFE.search(text):
        # Written raw, U+0085 and its kind would read back as line breaks.
        text = yaml.dump(value, Dumper=yaml.CSafeDumper, allow_unicode=False, **options)
    return text


def _yaml_lines(mapping: dict, pad: str) -> list[str]:
    return [pad + line for line in _yaml_text(mapping).split("\n")]
