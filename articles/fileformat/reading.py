"""Reading article files: YAML front matter between `---` lines, then a body.

`parse_article(data)` turns a file's bytes into an `ArticleRecord`, or raises
`FormatError` with the line the problem is on. Writing the record back in the
seed style lives in `writing`. No Django here: the format can be
read, tested and reused on its own.

Nothing in a file is lost: fields no one listed are kept in `extra` (and
`seo_extra`, and each related reference's `extra`), and the order of the keys
is kept in `key_order`, so a record writes back to the same data.
"""

from __future__ import annotations

import collections.abc
import datetime
import math
import re
from typing import Any

import yaml

from .answer_text import decode_answer
from .article_record import (
    KNOWN_FIELDS,
    REQUIRED_FIELDS,
    SEO_FIELDS,
    TEXT_FIELDS,
    ArticleRecord,
    RelatedRef,
    given_text,
)
from .limits import MAX_CHARS, MAX_DEPTH, MAX_FILE_BYTES, RELATED_KEYS, URL_PATTERN


class FormatError(ValueError):
    """A file that is not a valid article, with the line at fault if known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"line {self.line}: {self.message}"


class _StrictLoader(yaml.CSafeLoader):
    """PyYAML's safe C loader, refusing a key given twice in one mapping."""

    def construct_mapping(self, node, deep=False):
        """SafeConstructor's mapping, built in one pass that refuses a repeated key."""
        self.flatten_mapping(node)  # merge keys (<<) first, as PyYAML does
        mapping = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, collections.abc.Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, "a list or mapping cannot be a key", key_node.start_mark
                )
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _with_its_line(build):
    """A PyYAML value builder that reports a bad value (a date 2024-02-30, a
    number 0x_) as a ConstructorError at its node, instead of a bare ValueError."""

    def construct(loader, node):
        try:
            return build(loader, node)
        except (ValueError, TypeError, OverflowError) as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid value {node.value!r}: {error}", node.start_mark
            ) from None

    return construct


for _kind in ("timestamp", "int", "float"):
    _tag = f"tag:yaml.org,2002:{_kind}"
    _StrictLoader.add_constructor(
        _tag, _with_its_line(_StrictLoader.yaml_constructors[_tag])
    )


def parse_article(data: bytes) -> ArticleRecord:
    """The record a file's bytes describe; raises FormatError if it is not one."""
    front, body, front_start = split_front_matter(decode_text(data))
    _refuse_deep_flow_nesting(front)
    try:
        fields = yaml.load(front, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + front_start if mark else None
        problem = error.problem or str(error)
        key = _key_on_line(front, mark.line) if mark else None
        if key and problem.startswith("invalid value"):
            raise FormatError(f"field '{key}': {problem}", line) from None
        raise FormatError(f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as error:
        raise FormatError(f"invalid YAML: {error}") from None
    except (ValueError, TypeError, OverflowError) as error:
        # PyYAML's value builders raise these: a date 2024-02-30, a number 0x_.
        raise FormatError(f"invalid value: {error}") from None
    except RecursionError:
        raise FormatError(f"values nested more than {MAX_DEPTH} deep") from None
    if not isinstance(fields, dict):
        raise FormatError("the front matter is not a mapping of fields", front_start)
    try:
        return _record_from_fields(fields, body)
    except FormatError as error:
        if error.line is None and getattr(error, "key", None):
            error.line = _line_of_key(front, error.key, front_start)
        raise


_URL_LINE = re.compile(
    r"""^url:[ \t]*(?:'([^'\n]*)'|"([^"\\\n]*)"|(/[^\n#]*?))[ \t]*$""", re.M
)


def peek_url(data: bytes) -> str | None:
    """The url a file's front matter gives on a line of its own (`url: /learn/…`,
    plain or quoted, as every real file writes it), found without parsing the
    YAML; None if the file does not write it so. Costs a small fraction of
    `parse_article`: the importer reads every file's URL first to find the
    URLs two files claim."""
    try:
        front, _, _ = split_front_matter(decode_text(data))
    except FormatError:
        return None
    found = _URL_LINE.findall(front)
    if len(found) != 1:
        return None
    return next((part for part in found[0] if part), None)


def decode_text(data: bytes) -> str:
    """The file's text: UTF-8 (a byte order mark is dropped), newlines as LF."""
    if len(data) > MAX_FILE_BYTES:
        raise FormatError(
            f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FormatError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})",
            line,
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_front_matter(text: str) -> tuple[str, str, int]:
    """(front matter, body, line number of the front matter's first line).

    The front matter runs from a first line `---` to the next line that is
    exactly `---`; `---` inside a value is indented, and the body may hold more.
    """
    lines = text.split("\n", 1)
    if lines[0].rstrip() != "---":
        raise FormatError("the file does not start with a '---' line", 1)
    rest = lines[1] if len(lines) > 1 else ""
    start, end = _closing_line(rest)
    body = rest[end:]
    return rest[:start], body[1:] if body.startswith("\n") else body, 2


def _closing_line(text: str) -> tuple[int, int]:
    """Where the first line that is exactly `---` (trailing blanks allowed) is."""
    position = 0 if text.startswith("---") else text.find("\n---")
    while position != -1:
        start = position if text.startswith("---", position) else position + 1
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        if text[start + 3 : end].strip(" \t") == "":
            return start, end
        position = text.find("\n---", end)
    raise FormatError("the front matter is never closed by a '---' line")


def _refuse_deep_flow_nesting(front: str) -> None:
    """Refuse `[[[[...` nested past MAX_DEPTH before the C loader sees it: at
    some tens of thousands of levels it crashes the process."""
    if front.count("[") + front.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for bracket in re.finditer(r"[\[\]{}]", front):
        depth = depth + 1 if bracket[0] in "[{" else max(depth - 1, 0)
        if depth > MAX_DEPTH:
            line = front.count("\n", 0, bracket.start()) + 2
            raise FormatError(f"values nested more than {MAX_DEPTH} deep", line)


def _key_on_line(front: str, index: int) -> str | None:
    lines = front.split("\n")
    line = lines[index] if 0 <= index < len(lines) else ""
    match = re.match(r"\s*([A-Za-z_][\w.-]*)\s*:", line)
    return match[1] if match else None


def _line_of_key(front: str, key: str, front_start: int) -> int | None:
    top_key = re.escape(key.split(".", 1)[0])
    match = re.search(rf"^(?:{top_key}|'{top_key}'|\"{top_key}\")\s*:", front, re.M)
    return front[: match.start()].count("\n") + front_start if match else None


def _field_error(name: str, message: str) -> FormatError:
    error = FormatError(f"field '{name}': {message}")
    error.key = name
    return error


def _record_from_fields(fields: dict, body: str) -> ArticleRecord:
    for key in fields:
        if not isinstance(key, str):
            raise FormatError(f"field names must be text, not {key!r}")
    for key in REQUIRED_FIELDS:
        if fields.get(key) is None:
            raise _field_error(key, "is required")
    values: dict[str, Any] = {"key_order": list(fields), "body": body}
    for key, attribute in TEXT_FIELDS.items():
        values[attribute] = given_text(_text(fields, key), key, fields)
    values["answer"] = decode_answer(values["answer"])
    values["id"] = _integer(fields, "id")
    values["date"] = _date(fields, "date")
    values["score"] = _number(fields, "score")
    values["no_index"] = _boolean(fields, "no_index")
    if "no_index" in fields and values["no_index"] is None:
        values["no_index"] = False
    values.update(_seo(fields))
    values["related"] = [
        _related(fields, key, position)
        for position, key in enumerate(RELATED_KEYS, 1)
        if fields.get(key) is not None
    ]
    values["extra"] = {
        key: value
        for key, value in fields.items()
        if key not in KNOWN_FIELDS or (key in RELATED_KEYS and value is None)
    }
    _refuse_deep_or_shared_values(values["extra"])
    _check_url(values["url"], "url")
    for key in ("title", "question", "answer", "subject"):
        if not fields[key].strip():
            raise _field_error(key, "is empty")
    return ArticleRecord(**values)


def _text(fields: dict, key: str, name: str | None = None) -> str | None:
    """The text at `key`; `name` is the field's name in messages and MAX_CHARS."""
    value = fields.get(key)
    if value is None:
        return None
    name = name or key
    if not isinstance(value, str):
        raise _field_error(name, f"must be text, not {_describe(value)}")
    limit = MAX_CHARS[name.split(".", 1)[1] if name.startswith("related") else name]
    if len(value) > limit:
        raise _field_error(
            name, f"is {len(value):,} characters; the limit is {limit:,}"
        )
    return value


def _integer(fields: dict, key: str, name: str | None = None) -> int | None:
    name = name or key
    value = fields.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise _field_error(name, f"must be a whole number, not {_describe(value)}")
    if value is not None and not -(2**63) <= value < 2**63:
        raise _field_error(name, f"must fit in 64 bits, not {value}")
    return value


def _date(fields: dict, key: str) -> datetime.date | None:
    value = fields.get(key)
    if value is None:
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise _field_error(
            key, f"must be a date like 2024-12-07, not {_describe(value)}"
        )
    return value


def _number(fields: dict, key: str) -> float | None:
    value = fields.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _field_error(key, f"must be a number, not {_describe(value)}")
    if not math.isfinite(value):
        raise _field_error(key, f"must be a finite number, not {value}")
    return float(value)


def _boolean(fields: dict, key: str) -> bool | None:
    value = fields.get(key)
    if value is not None and not isinstance(value, bool):
        raise _field_error(key, f"must be true or false, not {_describe(value)}")
    return value


def _seo(fields: dict) -> dict[str, Any]:
    seo = fields.get("seo")
    if seo is None:
        return {}
    if not isinstance(seo, dict):
        raise _field_error("seo", f"must be a mapping of fields, not {_describe(seo)}")
    values: dict[str, Any] = {"seo_key_order": [str(key) for key in seo]}
    for key, attribute in SEO_FIELDS.items():
        values[attribute] = given_text(_text(seo, key, f"seo.{key}"), key, seo)
    values["seo_extra"] = {k: v for k, v in seo.items() if k not in SEO_FIELDS}
    _refuse_deep_or_shared_values(values["seo_extra"], "seo.")
    return values


def _related(fields: dict, key: str, position: int) -> RelatedRef:
    ref = fields[key]
    if not isinstance(ref, dict):
        raise _field_error(key, f"must be a mapping of fields, not {_describe(ref)}")
    url = _text(ref, "url", f"{key}.url")
    if url is None:
        raise _field_error(f"{key}.url", "is required")
    _check_url(url, f"{key}.url")
    extra = {k: v for k, v in ref.items() if k not in {"id", "title", "subject", "url"}}
    _refuse_deep_or_shared_values(extra, f"{key}.")
    return RelatedRef(
        position=position,
        url=url,
        id=_integer(ref, "id", f"{key}.id"),
        title=given_text(_text(ref, "title", f"{key}.title"), "title", ref),
        subject=given_text(_text(ref, "subject", f"{key}.subject"), "subject", ref),
        key_order=[str(k) for k in ref],
        extra=extra,
    )


def _check_url(url: str, name: str) -> None:
    if not URL_PATTERN.match(url):
        raise _field_error(
            name,
            f"{url!r} is not of the form /learn/<subject>/questions/<slug> "
            "(lower-case letters, digits and hyphens)",
        )


def _refuse_deep_or_shared_values(fields: dict, prefix: str = "") -> None:
    """Refuse, in fields no one listed, values nested past MAX_DEPTH and YAML
    aliases that repeat a list or mapping (the billion-laughs bomb)."""
    seen: set[int] = set()
    for key, value in fields.items():
        stack = [(value, 1)]
        while stack:
            item, depth = stack.pop()
            if not isinstance(item, dict | list):
                continue
            if depth > MAX_DEPTH:
                raise _field_error(
                    f"{prefix}{key}", f"is nested more than {MAX_DEPTH} deep"
                )
            if id(item) in seen:
                raise _field_error(
                    f"{prefix}{key}",
                    "repeats a list or mapping by a YAML alias; write it out",
                )
            seen.add(id(item))
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def _describe(value: Any) -> str:
    kinds = {dict: "a mapping", list: "a list", bool: "true/false", str: "text"}
    kind = kinds.get(type(value), type(value).__name__)
    shown = repr(value)
    return f"{kind} {shown[:60]}" if not isinstance(value, dict | list) else kind
