"""Fingerprints of article records: equal records, equal fingerprints.

An import keeps each article's fingerprint, the digest of what its file said,
to tell an unchanged file from a changed one and an editor's edit from an
import's write. Fingerprints are "<version>:<digest>" of the record's
canonical form. Version 1, a bare digest of the record's repr(), changed
whenever ArticleRecord gained a field; articles imported then still hold one,
recognised by `same_file` while the record's fields are still those of
version 1.

No Django: the import's parsing processes fingerprint each record they read,
so the process that writes the rows does not have to.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from dataclasses import fields
from typing import Any

from .article_record import ArticleRecord

FINGERPRINT_VERSION = 2


def fingerprint(record: ArticleRecord) -> str:
    """A digest of everything the record says, from its canonical form."""
    return f"{FINGERPRINT_VERSION}:{_digest(canonical_form(record))}"


def same_file(stored: str, record: ArticleRecord, digest: str) -> bool:
    """Whether `stored`, the fingerprint an import kept, is that of the same file
    as `digest`, the fingerprint of `record`: the same, or an earlier version's
    digest of the same record."""
    if stored == digest:
        return True
    return bool(stored) and ":" not in stored and stored == _digest(repr(record))


def canonical_form(record: ArticleRecord) -> bytes:
    """The record as JSON: its attributes by name, sorted, leaving out those at
    their default (None, empty), so that a new optional attribute changes no
    fingerprint; mappings and lists in the file's order, and what JSON cannot
    tell apart (dates, keys that are not text, sets, bytes) tagged."""
    present = {name: _tagged(value) for name, value in _present(record)}
    if record.related:
        present["related"] = [
            {name: _tagged(value) for name, value in _present(ref)}
            for ref in record.related
        ]
    return json.dumps(present, ensure_ascii=False, separators=(",", ":")).encode()


# Each dataclass's attribute names, sorted, but for the related references,
# which are the caller's: looked up once a class, not once a record.
_SORTED_NAMES: dict[type, tuple[str, ...]] = {}


def _present(instance) -> list[tuple[str, Any]]:
    """A dataclass's attributes that are not at a default (None, [] or {}), as
    (name, value), sorted by name; the related references are the caller's."""
    names = _SORTED_NAMES.get(type(instance))
    if names is None:
        names = tuple(sorted(f.name for f in fields(instance) if f.name != "related"))
        _SORTED_NAMES[type(instance)] = names
    pairs = [(name, getattr(instance, name)) for name in names]
    return [(name, value) for name, value in pairs if value not in (None, [], {})]


def _tagged(value: Any) -> Any:
    """`value` in plain JSON types, every type that JSON would blur tagged: a
    mapping as its pairs in order (its keys may be numbers, dates, anything)."""
    kind = type(value)
    # Most values are text or numbers: those first, without the chain below.
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if isinstance(value, dict):
        return {"~map": [[_tagged(k), _tagged(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_tagged(item) for item in value]
    if isinstance(value, tuple):
        return {"~tuple": [_tagged(item) for item in value]}
    if isinstance(value, set | frozenset):
        items = [_tagged(item) for item in value]
        return {"~set": sorted(items, key=lambda item: json.dumps(item))}
    if isinstance(value, datetime.datetime):
        return {"~datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"~date": value.isoformat()}
    if isinstance(value, bytes):
        return {"~bytes": base64.b64encode(value).decode()}
    return value


def _digest(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.blake2b(data, digest_size=16).hexdigest()
