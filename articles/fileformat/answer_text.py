"""The answer's text: its line breaks in a file, and where its math and code are.

Article files write every line break of the answer's Markdown as the two
characters `\\n`. Turning them blindly into newlines breaks LaTeX inside math,
where `\\neq`, `\\nabla`, `\\nu` or `\\notin` are commands. So inside a math
span a backslash-n that starts a known LaTeX command is kept; everywhere else it
is a line break.

`decode_answer` and `encode_answer` are inverses for any answer written in the
file format (one with no real line breaks in it), which is what keeps an import
followed by an export lossless.

`find_math` and `find_code_blocks` say where a reader sees math and code in the
decoded Markdown, for rendering. Math follows pandoc: `$` opens only if not
followed by a space and closes only if not preceded by one nor followed by a
digit, so "costs $5 and $10" stays text. The corpus also writes `$ k $`, padded
on both sides; that is math too unless it reads as prose (a word of three
letters or more and no TeX sign), so "$ 5 and $" stays text. Nothing inside
code is math. No Django here.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

# LaTeX (and KaTeX) commands whose name starts with "n". Inside math, `\n`
# followed by one of these names (and no further letter) is the command.
LATEX_N_COMMANDS = frozenset(
    """
    nabla natural ncong ne nearrow neg negthickspace negthinspace neq newline
    nexists ngeq ngeqq ngeqslant ngtr ni niplus nLeftarrow nLeftrightarrow
    nleftarrow nleftrightarrow nleq nleqq nleqslant nless nmid nobreak
    nobreakspace noexpand nolimits nonumber normalfont normalsize not notag
    notin notni nparallel nprec npreceq nRightarrow nrightarrow nshortmid
    nshortparallel nsim nsubseteq nsubseteqq nsucc nsucceq nsupseteq nsupseteqq
    ntriangleleft ntrianglelefteq ntriangleright ntrianglerighteq nu nVDash
    nVdash nvDash nvdash nwarrow
    """.split()
)

# Math as the corpus writes it: $$...$$, \[...\], \(...\) and $...$.
MATH_SPAN = re.compile(
    r"\$\$.+?\$\$|\\\[.+?\\\]|\\\(.+?\\\)|\$[^$]+?\$",
    re.DOTALL,
)
_ESCAPED_NEWLINE = re.compile(r"\\n([A-Za-z]*)")


def math_spans(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of every math span in `text`, in order."""
    return [match.span() for match in MATH_SPAN.finditer(text)]


def decode_answer(raw: str) -> str:
    """The answer as Markdown with real line breaks, from its form in a file."""
    if "\\n" not in raw:
        return raw
    if "$" not in raw and "\\(" not in raw and "\\[" not in raw:
        return raw.replace("\\n", "\n")
    pieces = []
    position = 0
    for start, end in math_spans(raw):
        pieces.append(_break_lines(raw[position:start], in_math=False))
        pieces.append(_break_lines(raw[start:end], in_math=True))
        position = end
    pieces.append(_break_lines(raw[position:], in_math=False))
    return "".join(pieces)


def encode_answer(markdown: str) -> str:
    """The answer's form in a file: every line break as the two characters `\\n`."""
    return markdown.replace("\r\n", "\n").replace("\n", "\\n")


def _break_lines(text: str, *, in_math: bool) -> str:
    if not in_math:
        return text.replace("\\n", "\n")

    def replace(match: re.Match[str]) -> str:
        if "n" + match.group(1) in LATEX_N_COMMANDS:
            return match.group(0)
        return "\n" + match.group(1)

    return _ESCAPED_NEWLINE.sub(replace, text)


# --- Where a reader sees math and code --------------------------------------
#
# `math_spans` above is the file format's loose notion (any `$...$`), used only
# to decide what a backslash-n means; changing it would change how files that
# were already imported decode. What the site renders as math follows the
# stricter rules below.

_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$", re.M
)
_LANGUAGE = re.compile(r"[\w+#-]+")
# An escaped backslash or dollar, a run of backticks, or a math opener.
_OPENER = re.compile(r"\\[\\$]|`+|\$\$|\\\[|\\\(|\$")
_CLOSERS = {
    opener: re.compile(re.escape(closer))
    for opener, closer in {"$$": "$$", "\\[": "\\]", "\\(": "\\)"}.items()
}
# A dollar not escaped by a backslash.
_DOLLAR = re.compile(r"(?<!\\)\$")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_TEX_SIGN = re.compile(r"[\\^_{}=]")
_WORD = re.compile(r"[A-Za-z]{3,}")


class MathSpan(NamedTuple):
    start: int
    end: int
    tex: str
    display: bool


class CodeBlock(NamedTuple):
    start: int
    end: int
    language: str
    code: str


def find_code_blocks(text: str) -> list[CodeBlock]:
    """Closed ``` or ~~~ fences at any indentation; an unclosed fence is text.

    `start` is where the fence starts (after its indentation), `end` the end of
    the closing line; `code` has the fence's indentation taken off each line.
    """
    blocks = []
    position = 0
    # Where a search for each closing fence first failed: none comes later.
    misses: dict[str, int] = {}
    while match := _FENCE.search(text, position):
        fence = match["fence"]
        closing = rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$"
        end = None
        if misses.get(closing, len(text) + 1) > match.end():
            end = re.compile(closing, re.M).search(text, match.end() + 1)
        if end is None:
            misses.setdefault(closing, match.end())
            position = match.end() + 1
            continue
        indent = len(match["indent"])
        lines = text[match.end() + 1 : end.start()].split("\n")[:-1]
        code = "\n".join(_dedent(line, indent) for line in lines)
        language = _LANGUAGE.match(match["info"].lstrip("{."))
        blocks.append(
            CodeBlock(
                match.start("fence"), end.end(), language[0] if language else "", code
            )
        )
        position = end.end()
    return blocks


def find_math(text: str) -> list[MathSpan]:
    """Math spans outside fenced code and code spans, in order.

    Linear in the text: each failed search for a closing delimiter is
    remembered, so a thousand unclosed openers cost one scan, not a thousand.
    """
    spans = []
    position = 0
    for block in [*find_code_blocks(text), None]:
        stop = block.start if block else len(text)
        spans += _Scan(text, position, stop).math()
        position = block.end if block else stop
    return spans


class _Scan:
    """Math in `text[start:stop]`, a stretch between fenced code blocks."""

    def __init__(self, text: str, start: int, stop: int):
        self.text = text
        self.start = start
        self.stop = stop
        self.breaks = [m.start() for m in _BLANK_LINE.finditer(text, start, stop)]
        # Where a search for each closer, up to each limit, first failed.
        self.misses: dict[tuple[re.Pattern[str], int], int] = {}

    def math(self) -> list[MathSpan]:
        spans = []
        position = self.start
        while match := _OPENER.search(self.text, position, self.stop):
            opener, start, position = match[0], match.start(), match.end()
            if opener.startswith("`"):
                position = self._code_span_end(match) or position
                continue
            if opener == "$":
                close, end = self._dollar_close(start)
            elif opener in _CLOSERS:
                close, end = self._delimited_close(match)
            else:  # an escaped backslash or dollar
                continue
            if close is not None:
                tex = self.text[position:close].strip()
                spans.append(MathSpan(start, end, tex, opener in ("$$", "\\[")))
                position = end
        return spans

    def _code_span_end(self, opening: re.Match[str]) -> int | None:
        closing = re.compile(rf"(?<!`)`{{{len(opening[0])}}}(?!`)")
        found = self._search(closing, opening.end(), inline=True)
        return found.end() if found else None

    def _delimited_close(self, opening: re.Match[str]) -> tuple[int | None, int]:
        """`$$…$$` and `\\[…\\]` may hold blank lines; `\\(…\\)` may not."""
        closer = _CLOSERS[opening[0]]
        found = self._search(closer, opening.end(), inline=opening[0] == "\\(")
        if found is None or not self.text[opening.end() : found.start()].strip():
            return None, 0
        return found.start(), found.end()

    def _dollar_close(self, start: int) -> tuple[int | None, int]:
        """Where the inline math a `$` at `start` opens closes, if it is math."""
        found = self._search(_DOLLAR, start + 1, inline=True)
        if found is None:
            return None, 0
        close = found.start()
        body = self.text[start + 1 : close]
        if (
            not body.strip()
            or "`" in body
            or self.text[close + 1 : close + 2].isdigit()
        ):
            return None, 0
        tight = not body[0].isspace() and not body[-1].isspace()
        padded = body[0] in " \t" and body[-1] in " \t"
        if tight or (padded and (_TEX_SIGN.search(body) or not _WORD.search(body))):
            return close, close + 1
        return None, 0

    def _search(
        self, pattern: re.Pattern[str], position: int, *, inline: bool
    ) -> re.Match[str] | None:
        """`pattern` in the rest of the stretch, or of the paragraph if `inline`."""
        limit = self.stop
        if inline:
            index = bisect.bisect_left(self.breaks, position)
            limit = self.breaks[index] if index < len(self.breaks) else self.stop
        if self.misses.get((pattern, limit), limit + 1) <= position:
            return None
        found = pattern.search(self.text, position, limit)
        if found is None:
            self.misses[(pattern, limit)] = position
        return found


def _dedent(line: str, indent: int) -> str:
    stripped = line.lstrip(" \t")
    return line[min(indent, len(line) - len(stripped)) :]
