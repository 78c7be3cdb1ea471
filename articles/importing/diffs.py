"""What an import changes in an article, as a unified diff.

Both sides are written out as article files the way the exporter writes them:
the article as it is now (its row and its related links, through
`rows.record_from_article`) and the record the imported file holds. So the
diff shows what the data says differently, never how the file happened to be
laid out. Only updated and conflict outcomes have a diff.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable

from articles.fileformat.reading import FormatError
from articles.fileformat.writing import dump_article
from articles.models import Article, Outcome

from .files import read_article_file
from .importer import chunks
from .outcomes import FileOutcome
from .rows import record_from_article

DIFFED_OUTCOMES = {Outcome.UPDATED, Outcome.CONFLICT}
DIFF_CHUNK = 500
MAX_DIFF_CHARS = 100_000


def diffs_for(
    outcomes: Iterable[FileOutcome], folder: str | os.PathLike | None = None
) -> dict[str, str]:
    """The diff of each updated or conflict outcome, by the outcome's path.

    `folder` is what the paths are relative to (None: they are full paths).
    Two queries per DIFF_CHUNK such files, and a read of each file.
    """
    wanted = (o for o in outcomes if o.outcome in DIFFED_OUTCOMES and o.url)
    diffs = {}
    for chunk in chunks(wanted, DIFF_CHUNK):
        articles = Article.objects.with_links().in_bulk(
            [outcome.url for outcome in chunk], field_name="url"
        )
        for outcome in chunk:
            article = articles.get(outcome.url)
            if article is None:
                continue
            path = os.path.join(folder, outcome.path) if folder else outcome.path
            diffs[outcome.path] = article_diff(article, path, outcome.path)
    return diffs


def article_diff(article: Article, path: str, name: str) -> str:
    """The article as it is now against the file at `path`, as a unified diff
    (cut at MAX_DIFF_CHARS). Uses the article's prefetched related links."""
    now = dump_article(record_from_article(article, article.related_links.all()))
    try:
        incoming = dump_article(read_article_file(path))
    except FormatError:
        return ""
    lines = difflib.unified_diff(
        now.splitlines(),
        incoming.splitlines(),
        fromfile=f"{article.url} (the article now)",
        tofile=f"{name} (the file)",
        lineterm="",
    )
    diff = "\n".join(lines)
    if len(diff) > MAX_DIFF_CHARS:
        diff = diff[:MAX_DIFF_CHARS] + f"\n… (cut at {MAX_DIFF_CHARS:,} characters)"
    return diff
