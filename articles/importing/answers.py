"""Answers rendered for an import, in its parsing workers, only where needed.

An imported article's row stores its answer rendered (`Article.answer_html`),
a few milliseconds an answer: more than parsing its file. The workers
(`files.py`) render in parallel, but only the answers of files that no
article was imported from as they are (`AnswerRenderer`, from the articles'
fingerprints when the import starts): a file the import will find unchanged
costs no rendering, so a re-import stays as cheap as before. A file written
whose answer the workers left (rare: an article deleted or imported since
the import started) is rendered by the writer (`rendered_for`).
"""

from __future__ import annotations

from typing import Any

from articles.fileformat.article_record import ArticleRecord
from articles.models import Article
from articles.rendering import RenderedAnswer, rendered_answer

# A dry run writes nothing that lasts: its rows go without HTML.
NOT_RENDERED = RenderedAnswer("", False, 0)


class AnswerRenderer:
    """`render` for the parsing workers: an answer rendered, unless its file's
    fingerprint is one an article holds (the import will find it unchanged).

    Holds every article's fingerprint, about 70 bytes an article, read in one
    query; forked workers share it."""

    def __init__(self, known_fingerprints: frozenset[str]):
        self.known = known_fingerprints

    @classmethod
    def for_import(cls) -> AnswerRenderer:
        """From the fingerprints the database holds now. One query."""
        fingerprints = Article.objects.exclude(import_fingerprint="").values_list(
            "import_fingerprint", flat=True
        )
        return cls(frozenset(fingerprints))

    def __call__(self, record: ArticleRecord, digest: str) -> RenderedAnswer | None:
        if digest in self.known:
            return None
        return rendered_answer(record.answer)


def rendered_for(record: ArticleRecord, rendered: RenderedAnswer | None) -> Any:
    """The answer to store for `record`: as the workers rendered it, or
    rendered now if they did not."""
    return rendered if rendered is not None else rendered_answer(record.answer)


def answer_columns(rendered: RenderedAnswer) -> dict[str, Any]:
    """An article's columns for its rendered answer."""
    return {
        "answer_html": rendered.html,
        "answer_has_math": rendered.has_math,
        "answer_html_version": rendered.version,
    }
