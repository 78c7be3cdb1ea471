"""The build: every page of the site rendered and written to OUT_DIR, with
the collected static files, only where a file's content changed.

Pages are rendered in chunks; on a site of a few thousand pages or more the
chunks go to worker processes (forked, each with its own database
connection), which write their files and hand back the digests for the
manifest. The parent lists the pages, copies the static files and keeps the
manifest: what was written, what was already there, what to remove.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

from articles.sitemaps import SITEMAPS, needs_index

from . import output
from .addresses import NOT_FOUND, Page, site_pages, static_links
from .rendering import render_page

CHUNK = 500
# Below this many pages, starting processes costs more than it saves.
PARALLEL_FROM = 2000


@dataclasses.dataclass
class BuildReport:
    """What a build did, in files: written (new or changed), unchanged, and
    removed (no longer part of the site)."""

    out_dir: Path
    written: list[str] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return (
            f"{len(self.written)} files written to {self.out_dir}, "
            f"{self.unchanged} unchanged, {self.removed} removed"
        )


@dataclasses.dataclass(frozen=True)
class _Job:
    """What every chunk needs, set before the worker processes fork."""

    out_dir: Path
    base_url: str
    search_url: str
    known: dict[str, str]


_job: _Job | None = None


def build_site(
    out_dir: Path | str,
    *,
    base_url: str,
    search_url: str = "",
    workers: int | None = None,
) -> BuildReport:
    """Write the site to `out_dir` as it is served at `base_url`; the search
    form pointed at `search_url` or taken out (addresses.py). Raises
    output.OutputError when OUT_DIR cannot take it. A query per page (two for
    the page cache's content version), a few more to list them."""
    out_dir = Path(out_dir)
    output.open_folder(out_dir)
    with output.locked(out_dir):
        return _build(out_dir, base_url, search_url, workers)


def _build(out_dir: Path, base_url: str, search_url: str, workers: int | None):
    global _job
    known = output.open_folder(out_dir)
    report = BuildReport(out_dir)
    files: dict[str, str] = {}
    for name, content in _static_files():
        _record(
            report,
            files,
            known,
            name,
            output.put(out_dir, name, content, known.get(name)),
        )
    pages = [*site_pages(), *_sitemap_sections()]
    _job = _Job(out_dir, base_url.rstrip("/"), search_url, known)
    try:
        for name, written in _render_all(pages, _workers(workers, len(pages))):
            _record(report, files, known, name, written)
    finally:
        _job = None
    report.removed = output.remove_stale(out_dir, set(known) - set(files))
    output.save_manifest(out_dir, files)
    return report


def _record(report, files, known, name: str, written: str | None) -> None:
    if written is None:
        files[name] = known[name]
        report.unchanged += 1
    else:
        files[name] = written
        report.written.append(name)


def _static_files() -> Iterator[tuple[str, bytes]]:
    """The collected static files (hashed names, compressed copies), under
    STATIC_URL as the pages link them."""
    root = Path(settings.STATIC_ROOT)
    if not (root / "staticfiles.json").is_file():
        raise output.OutputError(
            f"{root} holds no collected static files: run manage.py collectstatic"
        )
    prefix = settings.STATIC_URL.strip("/")
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            path = Path(folder) / name
            yield f"{prefix}/{path.relative_to(root).as_posix()}", path.read_bytes()


def _sitemap_sections() -> list[Page]:
    """The sections a sitemap index lists, each page of each, when the site
    needs an index (over 50,000 URLs). A query per section."""
    if not needs_index():
        return []
    pages = []
    for section, sitemap in SITEMAPS.items():
        path = f"/sitemap-{section}.xml"
        pages.append(Page(path))
        for number in range(2, sitemap().paginator.num_pages + 1):
            pages.append(Page(path, f"p={number}"))
    return pages


def _workers(asked: int | None, pages: int) -> int:
    if asked is not None:
        return max(asked, 1)
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if in_memory or connection.in_atomic_block or pages < PARALLEL_FROM:
        # Children would not see a database in this process's memory, nor
        # what a transaction open here has not committed.
        return 1
    return min(os.cpu_count() or 1, 4)


def _render_all(pages: list[Page], workers: int) -> Iterator[tuple[str, str | None]]:
    chunks = [pages[start : start + CHUNK] for start in range(0, len(pages), CHUNK)]
    if workers == 1:
        for chunk in chunks:
            yield from _build_chunk(chunk)
        return
    # Forked children must not share the parent's database connection.
    connections.close_all()
    pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"))
    with pool:
        for done in pool.map(_build_chunk, chunks):
            yield from done


def _build_chunk(chunk: list[Page]) -> list[tuple[str, str | None]]:
    """Render and write a chunk's pages: each file's new digest, or None
    where it was unchanged. A page gone since it was listed (unpublished
    meanwhile) is left out."""
    job = _job
    done = []
    for page in chunk:
        rendered = render_page(job.base_url, page.path, page.query)
        if rendered.status == 404 and page != NOT_FOUND:
            continue
        body = static_links(page, rendered.content.decode(), job.search_url)
        name = page.file
        done.append(
            (name, output.put(job.out_dir, name, body.encode(), job.known.get(name)))
        )
    return done
