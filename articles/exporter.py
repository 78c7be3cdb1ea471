"""The database out to article files, in the seed format."""

from __future__ import annotations

import os
from pathlib import Path

from articles.fileformat.writing import dump_article
from articles.importing.rows import record_from_article

from .models import Article

EXPORT_CHUNK = 2000


class ExportError(ValueError):
    pass


def export_articles(out_dir: str | os.PathLike, *, overwrite: bool = False) -> int:
    """Write every article under `out_dir`; returns how many. Two queries a chunk."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise ExportError(f"{out} is not empty (use --overwrite to write into it)")
    articles = Article.objects.with_links().order_by("pk")
    written = 0
    for article in articles.iterator(chunk_size=EXPORT_CHUNK):
        record = record_from_article(article, article.related_links.all())
        path = out / record.subject_slug / f"{record.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_article(record), encoding="utf-8")
        written += 1
    return written
