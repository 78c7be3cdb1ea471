"""Reading and parsing a batch's files, on every core, in the batch's order.

Parsing YAML and rendering answers are most of an import's work and need no
database, so chunks of files are parsed in worker processes while the
importer writes the chunk before; each worker renders the answers the
importer's `render` asks for (`AnswerRenderer`: those of files no article was
imported from). A batch that fits in one chunk is parsed in this process. No
Django here: the workers need only the file format and the `render` they are
given.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

from articles.fileformat.article_record import ArticleRecord
from articles.fileformat.fingerprints import fingerprint
from articles.fileformat.limits import MAX_FILE_BYTES
from articles.fileformat.reading import FormatError, parse_article, peek_url

ARTICLE_SUFFIXES = {".md", ".txt"}


class ReadResult(NamedTuple):
    """A file read: its record, the record's fingerprint and its answer rendered
    (None: not asked for), or why it was refused."""

    path: str
    record: ArticleRecord | None
    digest: str = ""
    problem: str = ""
    answer: Any = None


# A record and its fingerprint -> its answer rendered, or None to leave it.
Render = Callable[[ArticleRecord, str], Any]


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


def urls_claimed_twice(paths: Iterable[str], workers: int = 1) -> dict[str, list[str]]:
    """The URLs that two or more of these files give, each with those files, in
    order. Reads every file once more, on up to `workers` processes, but parses
    none (`peek_url`); keeps the URLs by hash, as a 100k batch's URLs weigh
    15 MB, and reads a file again only when its hash was seen before."""
    first: dict[int, str] = {}
    twins: dict[str, list[str]] = {}
    for chunk, urls in _peeked(paths, workers):
        for path, url in zip(chunk, urls, strict=True):
            if url is None:
                continue
            earlier = first.setdefault(hash(url), path)
            if earlier != path and (url in twins or _peek(earlier) == url):
                twins.setdefault(url, [earlier]).append(path)
    return twins


PEEK_CHUNK = 2000


def _peeked(
    paths: Iterable[str], workers: int
) -> Iterator[tuple[tuple[str, ...], list[str | None]]]:
    """Chunks of `paths` with the URL each file gives, in order."""
    paths = iter(paths)
    chunks = iter(lambda: tuple(itertools.islice(paths, PEEK_CHUNK)), ())
    first = next(chunks, ())
    if workers <= 1 or len(first) < PEEK_CHUNK:  # one chunk: no processes
        yield from (
            (chunk, _peek_all(chunk))
            for chunk in itertools.chain([first], chunks)
            if chunk
        )
        return
    with _parsing_pool(workers) as pool:
        pending: deque = deque()
        for chunk in itertools.chain([first], chunks):
            pending.append((chunk, pool.submit(_peek_all, chunk)))
            if len(pending) > 2 * workers:
                chunk, urls = pending.popleft()
                yield chunk, urls.result()
        while pending:
            chunk, urls = pending.popleft()
            yield chunk, urls.result()


def _peek_all(paths: tuple[str, ...]) -> list[str | None]:
    return [_peek(path) for path in paths]


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


def read_files(paths: Iterable[str], render: Render | None = None) -> list[ReadResult]:
    """Each file's record with its fingerprint and, if `render` gives one, its
    answer rendered: worked out here, in the parsing process, so that the
    process writing the rows need not."""
    results = []
    for path in paths:
        try:
            record = read_article_file(path)
        except FormatError as error:
            results.append(ReadResult(path, None, problem=str(error)))
        else:
            digest = fingerprint(record)
            answer = render(record, digest) if render else None
            results.append(ReadResult(path, record, digest, answer=answer))
    return results


def read_in_order(
    chunks: Iterator[tuple[str, ...]], workers: int, render: Render | None = None
) -> Iterator[list[ReadResult]]:
    """Each chunk's results, in order, parsed (and answers rendered, see
    `read_files`) up to `workers` chunks ahead."""
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if second is None or workers <= 1:
        for chunk in (first, second):
            if chunk is not None:
                yield read_files(chunk, render)
        yield from (read_files(chunk, render) for chunk in chunks)
        return
    with _parsing_pool(workers, render) as pool:
        pending = deque(
            pool.submit(_read_in_worker, chunk) for chunk in (first, second)
        )
        for chunk in chunks:
            pending.append(pool.submit(_read_in_worker, chunk))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


# The parsing process's `render`, given once when it starts (a forked process
# inherits it, however large what it holds), not with every chunk.
_worker_render: Render | None = None


def _read_in_worker(paths: tuple[str, ...]) -> list[ReadResult]:
    return read_files(paths, _worker_render)


def _parsing_pool(workers: int, render: Render | None = None) -> ProcessPoolExecutor:
    """Processes to read files in, forked (they need no set-up), ending with
    this one, each rendering with `render`."""
    context = multiprocessing.get_context("fork") if os.name == "posix" else None
    return ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(render,),
    )


def _start_worker(render: Render | None) -> None:
    global _worker_render
    _worker_render = render
    _end_with_parent()


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
