"""Render the answer of every article file in a folder, check it, time it.

Each file is read as the importer reads it (`articles.importing.files`, which parses
with `parse_article` and decodes the answer with `decode_answer`), then its
answer goes through `articles.rendering.render_answer`. Checked per answer:

- every math span of the source (`answer_text.find_math`) is in the output
  intact, as the HTML-escaped TeX inside a `class="math math-…"` element, and no
  `$$`, `\\(` or `\\[` is left outside math and code;
- every Markdown table (a header row followed by a `|---|` delimiter row,
  outside fenced code) became a `<table>`;
- every fenced code block (a fence line and its closing line) became a `<pre>`
  holding its code.

Prints the counts, each failure with its file, and the render time per answer
(median, p95, max), beside django-markdownify's own `markdownify()` filter on the
same answers, which builds its Markdown and bleach Cleaner on every call. Run
from the project root:

    .venv/bin/python bench/render_sample.py FOLDER
"""

from __future__ import annotations

import argparse
import html
import os
import re
import statistics
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quicktakes.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from markdownify.templatetags.markdownify import markdownify  # noqa: E402

from articles.fileformat.answer_text import find_code_blocks, find_math  # noqa: E402
from articles.importing.files import find_article_files, read_article_file  # noqa: E402
from articles.rendering import render_answer  # noqa: E402

# A table's delimiter row: dashes (and colons) between pipes, at least one pipe.
TABLE_DELIMITER = re.compile(
    r"^(?=[^\n]*\|)[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$",
    re.M,
)
FENCE_LINE = re.compile(r"^[ \t]*(```|~~~)", re.M)
# Math and code elements in the output, to look for delimiters left outside them.
MATH_OR_CODE = re.compile(
    r'<(span|div) class="math[^"]*">.*?</\1>|<pre[^>]*>.*?</pre>|<code>.*?</code>',
    re.S,
)


def check(answer: str, output: str) -> tuple[dict[str, int], list[str]]:
    """Counts of what the source holds, and what the output lost of it."""
    spans = find_math(answer)
    blocks = find_code_blocks(answer)
    prose = _without_code_blocks(answer, blocks)
    tables = len(TABLE_DELIMITER.findall(prose))
    display = sum(span.display for span in spans)
    counts = {
        "display math": display,
        "inline math": len(spans) - display,
        "tables": tables,
        "code blocks": len(blocks),
    }
    problems = []
    for span in spans:
        tex = html.escape(span.tex, quote=False)
        if not re.search(rf'class="math math-\w+">{re.escape(tex)}</', output):
            problems.append(f"math not intact: {span.tex[:60]!r}")
    leftover = MATH_OR_CODE.sub("", output)
    for delimiter in ("$$", "\\(", "\\["):
        if delimiter in leftover:
            problems.append(f"{delimiter} left outside math")
    if output.count("<table") < tables:
        problems.append(f"{tables} tables, {output.count('<table')} <table>")
    fence_lines = len(FENCE_LINE.findall(answer))
    if len(blocks) * 2 != fence_lines:
        problems.append(f"{fence_lines} fence lines, {len(blocks)} code blocks")
    for block in blocks:
        if html.escape(block.code, quote=False) + "</code></pre>" not in output:
            problems.append(f"code block not in a <pre>: {block.code[:40]!r}")
    return counts, problems


def _without_code_blocks(text: str, blocks) -> str:
    pieces, position = [], 0
    for block in blocks:
        pieces.append(text[position : block.start])
        position = block.end
    return "".join([*pieces, text[position:]])


def timed(render, answers: list[str]) -> list[float]:
    """Seconds per answer, each the best of three runs (less scheduler noise)."""
    times = []
    for answer in answers:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            render(answer)
            best = min(best, time.perf_counter() - start)
        times.append(best)
    return times


def describe(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"median {statistics.median(ordered) * 1000:.2f} ms, "
        f"p95 {p95 * 1000:.2f} ms, max {ordered[-1] * 1000:.2f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    paths = [Path(path) for path in find_article_files([args.folder])]
    answers = [read_article_file(str(path)).answer for path in paths]
    totals = dict.fromkeys(["display math", "inline math", "tables", "code blocks"], 0)
    failures = 0
    for path, answer in zip(paths, answers, strict=True):
        counts, problems = check(answer, render_answer(answer))
        totals = {key: totals[key] + counts[key] for key in totals}
        for problem in problems:
            failures += 1
            print(f"FAIL {path.relative_to(args.folder)}: {problem}")
    print(f"files: {len(paths)}")
    print(", ".join(f"{key}: {value}" for key, value in totals.items()))
    print(f"failures: {failures}")
    print(f"render_answer: {describe(timed(render_answer, answers))}")
    print(f"markdownify(): {describe(timed(markdownify, answers))}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
