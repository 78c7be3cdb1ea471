"""The answer's paragraph breaks: the two characters backslash-n in a file.

Article files write every line break of the answer's Markdown as the two
characters `\\n`. Turning them blindly into newlines breaks LaTeX inside math,
where `\\neq`, `\\nabla`, `\\nu` or `\\notin` are commands. So inside a math
span a backslash-n that starts a known LaTeX command is kept; everywhere else it
is a line break.

`decode_answer` and `encode_answer` are inverses for any answer written in the
file format (one with no real line breaks in it), which is what keeps an import
followed by an export lossless. No Django here.
"""

from __future__ import annotations

import re

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
