"""The output folder of a build: each file written only when its content
changed, atomically, and the files of pages no longer on the site removed.

A manifest, `.static-site.json` in OUT_DIR, keeps the digest of every file
the last build wrote, so a build that changes nothing reads no file back and
writes none. A file is written beside its place under a temporary name and
renamed into it: a host serving OUT_DIR meanwhile serves the old file or the
new one, never half of one. Only files the manifest lists are ever removed;
anything else in OUT_DIR is left alone. A lock file, `.static-site.lock`,
keeps two builds of one folder from running at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from pathlib import Path

MANIFEST = ".static-site.json"
LOCK = ".static-site.lock"


class OutputError(Exception):
    """OUT_DIR cannot take the build; the message names it and says why."""


def digest(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=16).hexdigest()


def open_folder(out_dir: Path) -> dict[str, str]:
    """Make sure `out_dir` is a folder the build may write (making it if
    missing), and return its manifest: file -> digest. Raises OutputError."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} is a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{out_dir} cannot be made: {error.strerror}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(f"{out_dir} is not writable")
    manifest = out_dir / MANIFEST
    if not manifest.exists():
        return {}
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputError(
            f"{manifest} is not a build manifest: remove it to build afresh"
        ) from None
    return dict(files)


@contextlib.contextmanager
def locked(out_dir: Path):
    """Hold the folder's lock: a second build of the same folder (two workers
    each taking a rebuild) waits for the first to finish."""
    with open(out_dir / LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def put(out_dir: Path, name: str, content: bytes, known: str | None) -> str | None:
    """Write `content` to `out_dir/name` unless the last build wrote the same
    (`known`, its digest in the manifest) and the file is still there.
    Returns the new digest if the file was written, None if not."""
    new = digest(content)
    target = out_dir / name
    if new == known and target.is_file():
        return None
    write_atomically(target, content)
    return new


def write_atomically(target: Path, content: bytes) -> None:
    """Write a temporary file beside `target`, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_stale(out_dir: Path, stale: set[str]) -> int:
    """Remove the files the manifest listed that are no longer part of the
    site, then the folders that leaves empty. Returns how many were removed."""
    removed = 0
    for name in sorted(stale):
        target = out_dir / name
        if target.is_file() and not target.is_symlink():
            target.unlink()
            removed += 1
        folder = target.parent
        while folder != out_dir and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return removed


def save_manifest(out_dir: Path, files: dict[str, str]) -> None:
    content = json.dumps({"version": 1, "files": files}, sort_keys=True)
    write_atomically(out_dir / MANIFEST, content.encode())
