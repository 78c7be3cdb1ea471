"""Reading and parsing a batch's files, on every core, in the batch's order.

Parsing YAML is most of an import's work and needs no database, so chunks of
files are parsed in worker processes while the importer writes the chunk
before. A batch that fits in one chunk is parsed in this process. No Django
here: the workers need only the file format.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from articles.fileformat.article_record import ArticleRecord
from articles.fileformat.limits import MAX_FILE_BYTES
from articles.fileformat.reading import FormatError, parse_article, peek_url

ARTICLE_SUFFIXES = {".md", ".txt"}
# (path, the record, or None and why the file was refused)
ReadResult = tuple[str, ArticleRecord | None, str]


class ImportPathError(ValueError):
    """A path given to the import that is neither an article file nor a folder."""


def find_article_files(paths: Iterable[str | os.PathLike]) -> Iterator[str]:
    """Every article file under `paths`, in a stable order, found lazily.

    A file named directly is read whatever its name; in folders, `.md` and
    `.txt` files are, except hidden ones and READMEs.
    """
    for path in paths:
        path = Path(path)
        if path.is_file():
            yield str(path)
        elif path.is_dir():
            yield from _walk(path)
        else:
            raise ImportPathError(f"{path}: no such file or folder")


def count_article_files(paths: Iterable[str | os.PathLike]) -> int:
    """How many files `find_article_files` finds: a walk of the folders, no reads."""
    return sum(1 for _ in find_article_files(paths))


def _walk(folder: Path) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            stem, suffix = os.path.splitext(name)
            if (
                suffix.lower() in ARTICLE_SUFFIXES
                and not name.startswith(".")
                and stem.lower() != "readme"
            ):
                yield os.path.join(root, name)


def urls_claimed_twice(paths: Iterable[str]) -> dict[str, list[str]]:
    """The URLs that two or more of these files give, each with those files, in
    order. Reads every file once more but parses none (`peek_url`); keeps the
    URLs by hash, as a 100k batch's URLs weigh 15 MB, and reads a file again
    only when its hash was seen before."""
    first: dict[int, str] = {}
    twins: dict[str, list[str]] = {}
    for path in paths:
        url = _peek(path)
        if url is None:
            continue
        earlier = first.setdefault(hash(url), path)
        if earlier != path and (url in twins or _peek(earlier) == url):
            twins.setdefault(url, [earlier]).append(path)
    return twins


def _peek(path: str) -> str | None:
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            return None
        with open(path, "rb") as file:
            return peek_url(file.read())
    except OSError:
        return None


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def read_article_file(path: str) -> ArticleRecord:
    """The record in the file at `path`; raises FormatError if there is none."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise FormatError(
                f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"
            )
        with open(path, "rb") as file:
            return parse_article(file.read())
    except OSError as error:
        raise FormatError(f"cannot be read: {error.strerror}") from None


def read_files(paths: Iterable[str]) -> list[ReadResult]:
    results = []
    for path in paths:
        try:
            results.append((path, read_article_file(path), ""))
        except FormatError as error:
            results.append((path, None, str(error)))
    return results


def read_in_order(
    chunks: Iterator[tuple[str, ...]], workers: int
) -> Iterator[list[ReadResult]]:
    """Each chunk's results, in order, parsed up to `workers` chunks ahead."""
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if second is None or workers <= 1:
        for chunk in (first, second):
            if chunk is not None:
                yield read_files(chunk)
        yield from (read_files(chunk) for chunk in chunks)
        return
    context = multiprocessing.get_context("fork") if os.name == "posix" else None
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_end_with_parent
    ) as pool:
        pending = deque(pool.submit(read_files, chunk) for chunk in (first, second))
        for chunk in chunks:
            pending.append(pool.submit(read_files, chunk))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _end_with_parent() -> None:
    """Make a parsing process end when the process that started it does, even
    one killed outright (a worker's OOM kill): otherwise it waits for work
    forever. Linux only (prctl's PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() == 1:  # the parent was gone already
        os._exit(0)
