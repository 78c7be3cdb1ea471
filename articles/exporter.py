"""The database out to article files, in the seed format.

`export_articles()` writes every article to OUT_DIR/<subject>/<slug>.md and
returns what it did (`ExportReport`). Nothing under OUT_DIR is ever followed
through a symbolic link. OUT_DIR itself is opened once, following it if it is
a link (the operator named it, as `cd` would); every path inside is then
reached from that open folder with O_NOFOLLOW, so a link put there, even one
swapped in during the export, is refused instead of written through. A file
is written as a new temporary file beside it and moved over it with
`os.replace`, which replaces the folder's entry and never writes into what the
old entry pointed at. A file that already holds the right bytes is left alone,
its mtime too. With `prune`, the files of articles deleted since go too, and
only those (`OutFolder.prune`). This needs POSIX (`dir_fd`, O_NOFOLLOW,
O_DIRECTORY).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import re
import secrets
import stat
from collections import Counter
from collections.abc import Iterator

from articles.fileformat.limits import MAX_FILE_BYTES, SLUG_PATTERN
from articles.fileformat.reading import FormatError, parse_article
from articles.fileformat.writing import dump_article
from articles.importing.rows import record_from_article

from .models import Article

EXPORT_CHUNK = 2000
NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
OUTCOMES = (NEW, CHANGED, UNCHANGED)
SUBJECT_FOLDER = re.compile(SLUG_PATTERN)
ARTICLE_FILE = re.compile(rf"(?P<slug>{SLUG_PATTERN})\.md")
FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


class ExportError(ValueError):
    """The export cannot start: OUT_DIR is not a folder, or is not empty."""


class RefusedPath(Exception):
    """A path under OUT_DIR the export will not write through or remove."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path} {reason}")
        self.path = path
        self.reason = reason


@dataclasses.dataclass
class ExportReport:
    """What an export did: files by outcome, files pruned, paths refused."""

    out_dir: str
    outcomes: Counter[str] = dataclasses.field(default_factory=Counter)
    removed: int | None = None  # None: not asked to prune
    skipped: int = 0  # articles not exported because their path was refused
    refused: dict[str, str] = dataclasses.field(default_factory=dict)  # path: why

    @property
    def exported(self) -> int:
        return sum(self.outcomes[name] for name in OUTCOMES)

    def summary(self) -> str:
        counts = ", ".join(f"{self.outcomes[name]} {name}" for name in OUTCOMES)
        written = _count(self.exported, "article")
        line = f"{written} written to {self.out_dir} ({counts})"
        if self.skipped:
            line += f"; {_count(self.skipped, 'article')} skipped (refused paths)"
        if self.removed is not None:
            line += f"; {_count(self.removed, 'file')} of deleted articles removed"
        return line


def export_articles(
    out_dir: str | os.PathLike, *, overwrite: bool = False, prune: bool = False
) -> ExportReport:
    """Write every article under `out_dir`; with `prune`, remove the files of
    articles that no longer exist. `prune` writes into a folder that is not
    empty, as `overwrite` does. A refused path is reported and its article
    skipped; the rest is exported.

    Two queries a chunk of articles; reads every file it would write, to leave
    the unchanged ones alone; with `prune`, lists every subject folder.
    """
    report = ExportReport(os.fspath(out_dir))
    with OutFolder(report.out_dir) as folder:
        if not (overwrite or prune) and os.listdir(folder.fd):
            raise ExportError(
                f"{report.out_dir} is not empty (use --overwrite to write into it)"
            )
        exported = _write_articles(folder, report)
        if prune:
            report.removed = folder.prune(exported, report.refused)
    return report


def _write_articles(folder: OutFolder, report: ExportReport) -> set[str]:
    """Write each article's file, counting outcomes and refusals in `report`;
    returns every article's path under OUT_DIR, written or not."""
    exported = set()
    # Not the answer rendered: the files hold its Markdown only.
    articles = Article.objects.with_links().defer("answer_html").order_by("pk")
    for article in articles.iterator(chunk_size=EXPORT_CHUNK):
        record = record_from_article(article, article.related_links.all())
        name = f"{record.slug}.md"
        exported.add(f"{record.subject_slug}/{name}")
        data = dump_article(record).encode("utf-8")
        try:
            report.outcomes[folder.write(record.subject_slug, name, data)] += 1
        except RefusedPath as refusal:
            report.skipped += 1
            report.refused[refusal.path] = refusal.reason
    return exported


class OutFolder:
    """OUT_DIR, open; its subject folders and files reached from it, never
    through a link. A context manager: it closes the folders it opened."""

    def __init__(self, out_dir: str):
        self.name = out_dir
        self.fd = _open_out_dir(out_dir)
        self.subjects: dict[str, int] = {}

    def __enter__(self) -> OutFolder:
        return self

    def __exit__(self, *exc_info) -> None:
        for fd in [*self.subjects.values(), self.fd]:
            os.close(fd)

    def write(self, subject: str, name: str, data: bytes) -> str:
        """Make `subject`/`name` hold `data`: NEW, CHANGED or UNCHANGED (nothing
        written). Reads the current file first. Raises RefusedPath."""
        folder = self.subject(subject, create=True)
        path = os.path.join(self.name, subject, name)
        current = _read_file(folder, name, path, limit=len(data) + 1)
        if current == data:
            return UNCHANGED
        try:
            _replace_file(folder, name, data)
        except OSError as error:
            raise RefusedPath(path, f"cannot be written ({error.strerror})") from None
        return NEW if current is None else CHANGED

    def subject(self, slug: str, *, create: bool = False) -> int:
        """The subject folder `slug`, opened once (and made if `create`).
        Raises RefusedPath for a link or anything else that is not a folder."""
        if slug not in self.subjects:
            path = os.path.join(self.name, slug)
            try:
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(slug, dir_fd=self.fd)
                self.subjects[slug] = os.open(slug, FOLDER_FLAGS, dir_fd=self.fd)
            except OSError as error:
                raise RefusedPath(path, _reason(error, slug, self.fd)) from None
        return self.subjects[slug]

    def prune(self, exported: set[str], refused: dict[str, str]) -> int:
        """Remove the files of deleted articles: files in a subject folder that
        read as the article their path names, and are not in `exported`; then
        the subject folders that leaves empty. Returns how many files; a file
        it could not remove goes in `refused`. Links are neither followed nor
        removed. Lists every subject folder and reads each candidate file."""
        removed = 0
        for entry in _entries(self.fd):
            if SUBJECT_FOLDER.fullmatch(entry.name) and entry.is_dir(
                follow_symlinks=False
            ):
                removed += self._prune_subject(entry.name, exported, refused)
        return removed

    def _prune_subject(self, slug: str, exported: set[str], refused: dict) -> int:
        try:
            folder = self.subject(slug)
        except RefusedPath:
            return 0  # swapped for a link since it was listed: left alone
        removed = 0
        for name in self._deleted_articles(slug, folder, exported):
            path = os.path.join(self.name, slug, name)
            try:
                os.unlink(name, dir_fd=folder)
                removed += 1
            except OSError as error:
                refused[path] = f"cannot be removed ({error.strerror})"
        if removed and not os.listdir(folder):
            with contextlib.suppress(OSError):  # something arrived: keep it
                os.rmdir(slug, dir_fd=self.fd)
        return removed

    def _deleted_articles(
        self, slug: str, folder: int, exported: set[str]
    ) -> Iterator[str]:
        """The names of the files in `folder` that hold articles not exported."""
        for entry in _entries(folder):
            match = ARTICLE_FILE.fullmatch(entry.name)
            if (
                match
                and f"{slug}/{entry.name}" not in exported
                and entry.is_file(follow_symlinks=False)
                and _holds_article(folder, entry.name, slug, match["slug"])
            ):
                yield entry.name


def _open_out_dir(out_dir: str) -> int:
    """Open OUT_DIR, made if missing; a link there is followed."""
    try:
        os.makedirs(out_dir, exist_ok=True)
        return os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    except (FileExistsError, NotADirectoryError):
        raise ExportError(f"{out_dir} exists and is not a folder") from None
    except OSError as error:
        raise ExportError(f"{out_dir} cannot be opened ({error.strerror})") from None


def _entries(folder: int) -> list[os.DirEntry]:
    """The entries of an open folder, listed before anything is changed in it."""
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda entry: entry.name)


def _read_file(folder: int, name: str, path: str, *, limit: int) -> bytes | None:
    """The first `limit` bytes of the file `name` in `folder`; None if there is
    none. Raises RefusedPath for a link or anything else that is not a file
    (O_NONBLOCK so that a named pipe is refused rather than waited on)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(name, flags, dir_fd=folder)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise RefusedPath(path, _reason(error, name, folder)) from None
    with open(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RefusedPath(path, "is not a file")
        return file.read(limit)


def _replace_file(folder: int, name: str, data: bytes) -> None:
    """Write `data` to a new temporary file in `folder`, then move it over
    `name`: the entry is replaced, so even a link swapped in since the file was
    read is replaced, not written through."""
    temporary = f".{name}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    fd = os.open(temporary, flags, 0o666, dir_fd=folder)
    try:
        with open(fd, "wb") as file:
            file.write(data)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=folder)
        raise


def _holds_article(folder: int, name: str, subject: str, slug: str) -> bool:
    """Whether the file `name` reads as the article at /learn/<subject>/questions/
    <slug>: only such a file is taken for an export's. Reads and parses it."""
    try:
        data = _read_file(folder, name, name, limit=MAX_FILE_BYTES + 1)
        record = parse_article(data or b"")
    except (RefusedPath, FormatError, OSError):
        return False
    return (record.subject_slug, record.slug) == (subject, slug)


def _reason(error: OSError, name: str, folder: int) -> str:
    """Why `name` in `folder` could not be opened, as a report says it."""
    with contextlib.suppress(OSError):
        if stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode):
            return "is a symbolic link (not followed)"
    if error.errno == errno.ENOTDIR:
        return "is not a folder"
    return f"cannot be opened ({error.strerror})"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
