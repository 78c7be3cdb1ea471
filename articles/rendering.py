"""An answer's Markdown as safe HTML, with its math and code kept as written.

`render_answer(text)` works in four steps:

1. Lift out what Markdown must not read: fenced code blocks and math spans, as
   `answer_text.find_code_blocks` and `find_math` find them (fences at any
   indentation: the corpus puts most inside list items, where Python-Markdown's
   fenced_code does not see them). Each becomes a placeholder, private-use
   characters around the hex of its source, which Markdown and bleach pass
   through untouched.
2. Markdown, configured by `settings.MARKDOWNIFY["default"]` (django-markdownify's
   settings, so `|markdownify` and this agree).
3. bleach, with the same settings: listed tags and attributes only, http(s) and
   mailto URLs only.
4. A filter on bleach's token stream, after sanitizing, puts the placeholders
   back as `<span class="math math-inline">` / `<div class="math math-display">`
   holding the TeX as text, and `<pre tabindex="0"><code class="language-x">`;
   demotes headings so the highest is `<h3>` (the page has the `<h1>` and the
   answer's `<h2>`); wraps tables in a focusable scrolling region; makes every
   `<pre>` focusable. It adds tokens and the serializer escapes all text, so
   nothing in an answer can turn into markup.

Pages never run it: an answer is rendered when its article is written (an
import's parsing workers, `Article.save`, a restore) and its HTML stored on the
row with whether it needs KaTeX (`rendered_answer`), stamped with
RENDERER_VERSION. **Bump RENDERER_VERSION whenever a change here, in
`answer_text` or in `settings.MARKDOWNIFY` changes the HTML of any answer**:
the next `manage.py migrate` then queues the worker's job that renders every
row stamped with an older version again (`manage.py render_answers` does it
in the foreground); until then those pages show the HTML they had.
"""

from __future__ import annotations

import re
import threading
from functools import partial
from typing import NamedTuple

import bleach
import markdown
from bleach.css_sanitizer import ALLOWED_CSS_PROPERTIES, CSSSanitizer
from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from articles.fileformat.answer_text import (
    CodeBlock,
    MathSpan,
    find_code_blocks,
    find_math,
)

_HTML = "http://www.w3.org/1999/xhtml"
# Placeholder: START kind hex(source) SEP hex(content) [SEP hex(language)] END,
# kind i(nline math), d(isplay math) or c(ode block). Private-use code points,
# taken out of answers first, so every placeholder is ours.
_START, _SEP, _END = "\ue000", "\ue001", "\ue002"
_PLACEHOLDER = re.compile("\ue000([icd])([0-9a-f\ue001]*)\ue002")
_MARKERS = re.compile("[\ue000-\ue002]")

_URL_IGNORED = re.compile("[\t\n\r]")
_URL_TRIMMED = "".join(map(chr, range(0x21)))
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")

_HEADINGS = frozenset(f"h{level}" for level in range(1, 7))
# Where a <div> or <pre> may stand; inside <p> the paragraph is split instead.
_FLOW_PARENTS = frozenset({"li", "blockquote", "td", "th"})
_local = threading.local()

# The version of what `render_answer` makes; stored with each answer's HTML.
# Bump it when the HTML of any answer would change (see the module docstring).
RENDERER_VERSION = 1


class RenderedAnswer(NamedTuple):
    """An answer as an article row stores it: its HTML, whether it needs
    KaTeX, and the renderer's version that made them."""

    html: str
    has_math: bool
    version: int = RENDERER_VERSION


def rendered_answer(markdown_text: str | None) -> RenderedAnswer:
    """The answer's HTML and math flag, to store on its row (one
    `render_answer`, a few milliseconds)."""
    return RenderedAnswer(str(render_answer(markdown_text)), has_math(markdown_text))


def render_answer(markdown_text: str | None) -> SafeString:
    """Safe HTML for an answer's Markdown.

    Costs one Markdown conversion and one html5lib parse and serialization: a
    median of about 3 ms, p95 5 ms, on the real sample (bench/render_sample.py).
    The Markdown instance and bleach Cleaner are built once per thread, which
    saves about 0.2 ms a call. Python-Markdown itself is quadratic in backslash
    escapes: an answer of 200,000 characters of `\\(` takes seconds.
    """
    if not markdown_text:
        return mark_safe("")
    pipeline = _pipeline()
    pipeline.markdown.reset()
    html = pipeline.markdown.convert(_protect(_MARKERS.sub("\ufffd", markdown_text)))
    return mark_safe(pipeline.cleaner.clean(html))


def has_math(markdown_text: str | None) -> bool:
    """Whether the answer has a math span outside code (a page needs KaTeX)."""
    return bool(markdown_text) and bool(find_math(markdown_text))


def _protect(text: str) -> str:
    """The answer with code blocks and math replaced by placeholders."""
    pieces = []
    position = 0
    lifted = [
        (block.start, block.end, _code_placeholder(text, block))
        for block in find_code_blocks(text)
    ]
    lifted += [
        (span.start, span.end, _math_placeholder(text, span))
        for span in find_math(text)
    ]
    for start, end, placeholder in sorted(lifted):
        pieces += [text[position:start], placeholder]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _code_placeholder(text: str, block: CodeBlock) -> str:
    source = text[block.start : block.end]
    return _placeholder("c", source, block.code, block.language)


def _math_placeholder(text: str, span: MathSpan) -> str:
    kind = "d" if span.display else "i"
    return _placeholder(kind, text[span.start : span.end], span.tex)


def _placeholder(kind: str, *fields: str) -> str:
    return _START + kind + _SEP.join(field.encode().hex() for field in fields) + _END


def _fields(match: re.Match[str]) -> list[str]:
    return [bytes.fromhex(field).decode() for field in match[2].split(_SEP)]


class _AnswerFilter(Filter):
    """bleach filter run after its sanitizer: what it adds is the site's markup.

    Holds the whole token list (to find the highest heading first): memory in
    proportion to the answer, which is at most 200,000 characters.
    """

    def __init__(self, source, protocols: frozenset[str]):
        super().__init__(source)
        self.protocols = protocols

    def __iter__(self):
        tokens = list(self.source)
        self.shift = _heading_shift(tokens)
        self.open: list[str] = []
        self.out: list[dict] = []
        self.tables = 0
        for token in tokens:
            kind = token["type"]
            if kind in ("StartTag", "EmptyTag"):
                self._start_tag(token)
            elif kind == "EndTag":
                self._end_tag(token)
            elif kind == "Characters" and _START in token["data"]:
                self._characters(token["data"])
            else:
                self.out.append(token)
        return iter(_without_empty_paragraphs(self.out))

    def _start_tag(self, token: dict) -> None:
        name = token["name"]
        attributes = token.setdefault("data", {})
        for key, value in list(attributes.items()):
            if _START in value:
                self._restore_attribute(attributes, key, value)
        if name in _HEADINGS:
            token["name"] = self._demoted(name)
        elif name == "table":
            self.tables += 1
            self.out.append(_start("div", _table_region(self.tables)))
        elif name == "pre":
            attributes[(None, "tabindex")] = "0"
        if token["type"] == "StartTag":
            self.open.append(name)
        self.out.append(token)

    def _end_tag(self, token: dict) -> None:
        name = token["name"]
        if self.open:
            self.open.pop()
        if name in _HEADINGS:
            token["name"] = self._demoted(name)
        self.out.append(token)
        if name == "table":
            self.out.append(_end("div"))

    def _restore_attribute(self, attributes: dict, key: tuple, value: str) -> None:
        """Math or code in an attribute (a link's URL, a title) as its source.

        bleach checked the URL with the placeholder in it, so it is checked again.
        """
        value = _PLACEHOLDER.sub(lambda match: _fields(match)[0], value)
        if key[1] == "href" and _scheme(value) not in {None, *self.protocols}:
            del attributes[key]
        else:
            attributes[key] = value

    def _demoted(self, name: str) -> str:
        return f"h{min(6, int(name[1]) + self.shift)}"

    def _characters(self, data: str) -> None:
        position = 0
        for match in _PLACEHOLDER.finditer(data):
            if match.start() > position:
                self.out.append(_text(data[position : match.start()]))
            self._placeholder(match)
            position = match.end()
        if position < len(data):
            self.out.append(_text(data[position:]))

    def _placeholder(self, match: re.Match[str]) -> None:
        kind, (source, content, *language) = match[1], _fields(match)
        if "code" in self.open or "pre" in self.open:
            # Markdown made it code (an indented block): code shows the source.
            self.out.append(_text(source))
        elif kind == "i":
            self.out += _element("span", {"class": "math math-inline"}, content)
        elif kind == "d":
            block = _element("div", {"class": "math math-display"}, content)
            inline = _element("span", {"class": "math math-display"}, content)
            self._block(block, inline)
        else:
            code_class = {"class": f"language-{language[0]}"} if language[0] else {}
            code = _element("code", code_class, content)
            self._block([_start("pre", {"tabindex": "0"}), *code, _end("pre")], code)

    def _block(self, tokens: list[dict], inline: list[dict]) -> None:
        """Block content where it may stand: in flow, or by splitting a <p>."""
        parent = self.open[-1] if self.open else None
        if parent is None or parent in _FLOW_PARENTS:
            self.out += tokens
        elif parent == "p":
            self.out += [_end("p"), *tokens, _start("p")]
        else:
            # Inside a heading, link or emphasis only phrasing content is valid.
            self.out += inline


def _heading_shift(tokens: list[dict]) -> int:
    levels = [
        int(token["name"][1])
        for token in tokens
        if token["type"] == "StartTag" and token["name"] in _HEADINGS
    ]
    return 3 - min(levels) if levels else 0


def _without_empty_paragraphs(tokens: list[dict]) -> list[dict]:
    """Drops the `<p></p>` (or `<p> </p>`) left where a paragraph was split."""
    kept: list[dict] = []
    opened_at = None
    for token in tokens:
        kind = token["type"]
        if kind == "StartTag" and token["name"] == "p":
            opened_at = len(kept)
        elif kind == "EndTag" and token["name"] == "p" and opened_at is not None:
            if all(_is_space(t) for t in kept[opened_at + 1 :]):
                del kept[opened_at:]
                opened_at = None
                continue
        elif not _is_space(token):
            opened_at = None
        kept.append(token)
    return kept


def _is_space(token: dict) -> bool:
    kind = token["type"]
    return kind == "SpaceCharacters" or (
        kind == "Characters" and not token["data"].strip()
    )


def _scheme(url: str) -> str | None:
    """A URL's scheme as a browser reads it: tabs and newlines are dropped,
    and controls and spaces at either end."""
    url = _URL_IGNORED.sub("", url).strip(_URL_TRIMMED)
    match = _URL_SCHEME.match(url)
    return match[1].lower() if match else None


def _table_region(number: int) -> dict[str, str]:
    # A focusable, named region so a wide table scrolls by keyboard (axe's
    # scrollable-region-focusable); numbered so each landmark's name is unique.
    return {
        "class": "table-scroll",
        "tabindex": "0",
        "role": "region",
        "aria-label": f"Table {number}",
    }


def _element(name: str, attributes: dict[str, str], text: str) -> list[dict]:
    return [_start(name, attributes), _text(text), _end(name)]


def _start(name: str, attributes: dict[str, str] | None = None) -> dict:
    data = {(None, key): value for key, value in (attributes or {}).items()}
    return {"type": "StartTag", "name": name, "namespace": _HTML, "data": data}


def _end(name: str) -> dict:
    return {"type": "EndTag", "name": name, "namespace": _HTML}


def _text(data: str) -> dict:
    return {"type": "Characters", "data": data}


class _Pipeline(NamedTuple):
    markdown: markdown.Markdown
    cleaner: bleach.Cleaner


def _pipeline() -> _Pipeline:
    """This thread's Markdown and Cleaner: neither may be shared between threads."""
    pipeline = getattr(_local, "pipeline", None)
    if pipeline is None:
        pipeline = _local.pipeline = _build_pipeline(settings.MARKDOWNIFY["default"])
    return pipeline


def _build_pipeline(config: dict) -> _Pipeline:
    """Markdown and bleach as django-markdownify's filter sets them up from `config`.

    Its BLEACH switch is not honoured: an answer is always sanitized.
    """
    md = markdown.Markdown(
        extensions=config.get("MARKDOWN_EXTENSIONS", []),
        extension_configs=config.get("MARKDOWN_EXTENSION_CONFIGS", {}),
    )
    protocols = config.get("WHITELIST_PROTOCOLS", bleach.sanitizer.ALLOWED_PROTOCOLS)
    filters = []
    linkify = config.get("LINKIFY_TEXT", {"PARSE_URLS": True})
    if linkify.get("PARSE_URLS"):
        filters.append(
            partial(
                LinkifyFilter,
                callbacks=linkify.get("CALLBACKS", []),
                skip_tags=linkify.get("SKIP_TAGS", []),
                parse_email=linkify.get("PARSE_EMAIL", False),
            )
        )
    cleaner = bleach.Cleaner(
        tags=config.get("WHITELIST_TAGS", bleach.sanitizer.ALLOWED_TAGS),
        attributes=config.get("WHITELIST_ATTRS", bleach.sanitizer.ALLOWED_ATTRIBUTES),
        css_sanitizer=CSSSanitizer(
            allowed_css_properties=config.get(
                "WHITELIST_STYLES", ALLOWED_CSS_PROPERTIES
            )
        ),
        protocols=protocols,
        strip=config.get("STRIP", True),
        filters=[*filters, partial(_AnswerFilter, protocols=frozenset(protocols))],
    )
    return _Pipeline(md, cleaner)
