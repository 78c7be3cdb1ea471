"""Uploaded article files and zip archives, staged safely for an import.

`stage_uploads(uploads)` copies each uploaded article file, and unpacks each
`.zip` (into a folder of the zip's name), into a fresh folder under
`settings.IMPORT_STAGING_DIR`. Only `.md` and `.txt` files are staged; anything
else is listed as left out. An upload is refused whole, nothing of it kept,
with a message naming the file and entry, when a zip:

- names an entry by an absolute path, a drive letter, a backslash or `..`;
- holds a symbolic link, or an encrypted entry;
- has more than IMPORT_MAX_ENTRIES entries;
- would unpack to more than IMPORT_MAX_UNPACKED_BYTES, by the sizes its
  entries declare or by the bytes they really unpack to: these are counted
  while unpacking, so a header that lies gains nothing;
- has an entry larger than an article may be that unpacks to more than
  IMPORT_MAX_COMPRESSION_RATIO times its packed size (a zip bomb);
- is not a zip at all, or is damaged;

or when the upload holds no article file at all, or when it would take the
staged files of every upload past IMPORT_STAGING_QUOTA_BYTES (counted, as the
per-upload limit is, while unpacking).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import secrets
import shutil
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from stat import S_ISLNK

from django.conf import settings
from django.core.files import File

from articles.fileformat.limits import MAX_FILE_BYTES

from .files import ARTICLE_SUFFIXES, count_article_files

CHUNK_BYTES = 64 * 1024
MiB = 1024 * 1024
LEFT_OUT_SHOWN = 50
_TOKEN = re.compile(r"[0-9a-f]{32}")


class UploadRefused(ValueError):
    """The upload cannot be imported; the message says why, in plain words."""


@dataclasses.dataclass
class StagedUpload:
    token: str
    folder: Path
    names: list[str]
    left_out: list[str]

    def left_out_note(self) -> str:
        """The files left out, in a sentence; empty if none were."""
        if not self.left_out:
            return ""
        return (
            f"{len(self.left_out):,} file(s) left out, not being .md or .txt "
            f"article files: {names_listed(self.left_out, LEFT_OUT_SHOWN)}."
        )


def names_listed(names: list[str], at_most: int) -> str:
    """`a, b and 12 more`: the first `at_most` names, and how many others."""
    more = len(names) - at_most
    return ", ".join(names[:at_most]) + (f" and {more:,} more" if more > 0 else "")


def in_megabytes(size: int) -> str:
    """`512 MB`, `172.3 MB`, in MB of 2**20 bytes as the settings count them;
    under one, in bytes."""
    if size < MiB:
        return f"{size:,} bytes"
    if size % MiB == 0:
        return f"{size // MiB:,} MB"
    return f"{size / MiB:,.1f} MB"


def staging_folder(token: str) -> Path:
    """The folder of the staged upload `token`."""
    if not _TOKEN.fullmatch(token):
        raise ValueError(f"not a staging token: {token!r}")
    return Path(settings.IMPORT_STAGING_DIR) / token


def staged_bytes() -> int:
    """What the files of every staged upload take, in bytes. Walks the staging
    folder, a stat a file: half a second for 100,000 files."""
    total = 0
    for folder, _, names in os.walk(settings.IMPORT_STAGING_DIR):
        for name in names:
            with contextlib.suppress(FileNotFoundError):  # discarded meanwhile
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


def remove_staged(token: str) -> None:
    """Delete a staged upload's files, if they are still there."""
    if token:
        shutil.rmtree(staging_folder(token), ignore_errors=True)


def stage_uploads(uploads: Iterable[File]) -> StagedUpload:
    """Stage `uploads` (Django files: loose article files and zips) in a fresh
    folder. Reads every byte once and writes the article files, after a walk
    of the staging folder (`staged_bytes`); raises UploadRefused, leaving
    nothing behind, if the upload cannot be imported."""
    already_staged = staged_bytes()
    token = secrets.token_hex(16)
    folder = staging_folder(token)
    folder.mkdir(parents=True)
    try:
        staging = _Staging(folder, already_staged)
        for upload in uploads:
            staging.add(upload)
        if not count_article_files([folder]):
            names = ", ".join(staging.names) or "the upload"
            raise UploadRefused(
                f"There is nothing to import in {names}: no .md or .txt article "
                "file (hidden files and READMEs are skipped)."
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return StagedUpload(token, folder, staging.names, staging.left_out)


def is_article_name(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in ARTICLE_SUFFIXES


class _Staging:
    """One upload being staged, and what it has used of its limits."""

    def __init__(self, folder: Path, already_staged: int):
        self.folder = folder
        self.already_staged = already_staged
        self.names: list[str] = []
        self.left_out: list[str] = []
        self.entries = 0
        self.unpacked = 0
        self.max_entries = settings.IMPORT_MAX_ENTRIES
        self.max_unpacked = settings.IMPORT_MAX_UNPACKED_BYTES
        self.max_ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
        self.quota = settings.IMPORT_STAGING_QUOTA_BYTES

    def add(self, upload: File) -> None:
        name = PurePosixPath(str(upload.name).replace("\\", "/")).name
        if name in {"", ".", ".."}:
            raise UploadRefused(f"An uploaded file has no usable name: {upload.name!r}")
        if name in self.names:
            raise UploadRefused(f"Two uploaded files are named {name}.")
        self.names.append(name)
        if name.lower().endswith(".zip"):
            self.unpack(upload, name)
        elif is_article_name(name):
            with open(self.folder / name, "xb") as out:
                for chunk in upload.chunks():
                    self.count_bytes(len(chunk), name)
                    out.write(chunk)
        else:
            self.left_out.append(name)

    def count_bytes(self, size: int, where: str) -> None:
        self.unpacked += size
        if self.unpacked > self.max_unpacked:
            raise UploadRefused(
                f"{where}: the upload unpacks to more than {self.max_unpacked:,} "
                "bytes, the limit."
            )
        self.check_quota(0)

    def check_quota(self, more: int) -> None:
        """Refuse the upload if `more` bytes of it would pass the staging quota."""
        if self.already_staged + self.unpacked + more > self.quota:
            raise UploadRefused(
                "The uploads awaiting confirmation take "
                f"{in_megabytes(self.already_staged)} of the staging quota of "
                f"{in_megabytes(self.quota)}, and this upload would take them "
                "past it. Confirm or discard those dry runs, then upload again."
            )

    def unpack(self, upload: File, name: str) -> None:
        try:
            upload.seek(0)
            archive = zipfile.ZipFile(upload)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
            raise UploadRefused(
                f"{name} is not a zip archive, or it is damaged."
            ) from None
        with archive:
            entries = archive.infolist()
            self.entries += len(entries)
            if self.entries > self.max_entries:
                raise UploadRefused(
                    f"{name} has {len(entries):,} entries; an upload may hold "
                    f"{self.max_entries:,} at most."
                )
            for info in entries:
                self.check_entry(name, info)
            declared = sum(info.file_size for info in entries)
            if self.unpacked + declared > self.max_unpacked:
                raise UploadRefused(
                    f"{name} would unpack to {declared:,} bytes; an upload may "
                    f"unpack to {self.max_unpacked:,} at most."
                )
            self.check_quota(declared)
            for info in entries:
                if info.is_dir():
                    continue
                if is_article_name(info.filename):
                    self.extract(archive, info, name)
                else:
                    self.left_out.append(f"{name}/{info.filename}")

    def check_entry(self, name: str, info: zipfile.ZipInfo) -> None:
        """Refuse the zip if this entry could write outside its folder or is a bomb."""
        entry = info.filename
        where = f"{name}: the entry “{entry}”"
        problem = _path_problem(entry)
        if problem:
            raise UploadRefused(f"{where} {problem}; the zip was refused.")
        if S_ISLNK(info.external_attr >> 16):
            raise UploadRefused(f"{where} is a symbolic link; the zip was refused.")
        if info.flag_bits & 0x1:
            raise UploadRefused(f"{where} is encrypted; the zip was refused.")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_FILE_BYTES and ratio > self.max_ratio:
            raise UploadRefused(
                f"{where} would unpack to {info.file_size:,} bytes from "
                f"{info.compress_size:,}: over {self.max_ratio} times its packed "
                "size, as a zip bomb does; the zip was refused."
            )

    def extract(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str):
        """Unpack one entry, counting the bytes it really gives."""
        where = f"{name}: the entry “{info.filename}”"
        target = self.folder.joinpath(name, *_parts(info.filename))
        if not target.resolve().is_relative_to(self.folder.resolve()):
            raise UploadRefused(f"{where} would be written outside the upload.")
        written = 0
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(target, "xb") as out:
                while chunk := source.read(CHUNK_BYTES):
                    written += len(chunk)
                    if written > info.file_size:
                        raise UploadRefused(
                            f"{where} unpacks to more than the {info.file_size:,} "
                            "bytes it declares; the zip was refused."
                        )
                    self.count_bytes(len(chunk), name)
                    out.write(chunk)
        except FileExistsError:
            raise UploadRefused(f"{where} is in the zip twice.") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as e:
            raise UploadRefused(
                f"{where} is damaged ({e}); the zip was refused."
            ) from None
        except OSError as error:
            raise UploadRefused(
                f"{where} cannot be unpacked: {error.strerror}."
            ) from None


def _parts(entry: str) -> list[str]:
    return [part for part in entry.split("/") if part not in {"", "."}]


def _path_problem(entry: str) -> str:
    """Why an entry's name is unsafe to unpack, or "" if it is safe."""
    if entry.startswith("/"):
        return "is an absolute path"
    if re.match(r"[A-Za-z]:", entry):
        return "names a drive"
    if "\\" in entry:
        return "has a backslash in its path"
    if ".." in entry.split("/"):
        return "climbs out of its folder with “..”"
    if "\x00" in entry:
        return "has a null character in its name"
    return ""
