"""Which pages this machine was asked for lately, and which of them it kept in
the cache: so that a page asked for the first time costs no trip to the cache.

Most article pages are asked once in an hour (a reader from a search engine, a
crawler's sweep). Asking the cache for each of them, to learn that it holds
nothing, was the dearest part of such a page: the round trip to Redis blocks
the worker, on a machine whose cores the workers share with Redis, and cost
as much as rendering the page (measured in bench/page_benchmark.py: a third
of the cold pages' rate).

The record is a file of `PAGE_CACHE_ASKED_SLOTS` slots of four bytes, mapped
into the memory of every process of the site on this machine (`mmap`, shared),
so its workers share it and it outlives a restart. A page's key picks its slot
(CRC-32 of the key, the same in every process). A slot holds when its page
was last asked for, and whether it was then kept; an entry older than
`PAGE_CACHE_SECONDS` counts as never asked, as the cache's own copy is gone by
then. So the record's size is fixed, whatever a client sweeps.

What it can get wrong is always safe, never stale: two pages sharing a slot,
a write of one process lost to another's, a copy another machine kept, a copy
the cache evicted. The worst a wrong slot costs is a render the cache could
have spared, or a page kept at its first request; a page is only ever served
from the cache after its versions are checked (keeping.py).
"""

from __future__ import annotations

import enum
import hashlib
import logging
import mmap
import os
import tempfile
import threading
import time
import zlib

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)

# Seconds are counted from here, so that they fit in 31 bits until 2088.
_EPOCH = 1_577_836_800  # 2020-01-01 UTC
_SLOT_BYTES = 4


class Asked(enum.Enum):
    NEVER = "never"  # not lately: the cache is not asked
    ONCE = "once"  # asked, rendered, not kept: kept at the next request
    KEPT = "kept"  # kept in the cache: worth asking it


class AskedPages:
    """The record of one file (see the module's docstring). Thread- and
    process-safe: each slot is read and written in one aligned store."""

    def __init__(self, path: str, slots: int):
        self.size = max(slots, 1)
        self._slots = memoryview(_shared_map(path, self.size * _SLOT_BYTES)).cast("I")

    def slot(self, key: str) -> int:
        return zlib.crc32(key.encode()) % self.size

    def asked(self, slot: int) -> Asked:
        value = self._slots[slot]
        if not value or _now() - (value >> 1) >= settings.PAGE_CACHE_SECONDS:
            return Asked.NEVER
        return Asked.KEPT if value & 1 else Asked.ONCE

    def note(self, slot: int, *, kept: bool) -> None:
        """The page of `slot` was asked for now, and kept in the cache or not."""
        self._slots[slot] = (_now() << 1) | kept

    def forget(self) -> None:
        """Every page as never asked (the cache was emptied, or a test starts)."""
        self._slots.cast("B")[:] = bytes(self.size * _SLOT_BYTES)


def _now() -> int:
    return int(time.time()) - _EPOCH


def _shared_map(path: str, size: int) -> mmap.mmap:
    """`size` bytes of the file at `path`, shared with every process that maps
    it; made (zeroed) if missing, grown if smaller. Where the file cannot be
    made, or is not this user's own (a symlink, another user's file in a
    shared temporary folder), this process's own memory, with a warning: the
    site works, each process keeps its own record."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as error:
        return _own_memory(size, path, str(error))
    try:
        status = os.fstat(descriptor)
        if status.st_uid != os.geteuid():
            return _own_memory(size, path, "the file is another user's")
        # Only ever grown: a process still running with a larger record (a
        # restart with fewer slots) would die of SIGBUS past a shrunk end.
        if status.st_size < size:
            os.ftruncate(descriptor, size)
        return mmap.mmap(descriptor, size)
    finally:
        os.close(descriptor)


def _own_memory(size: int, path: str, why: str) -> mmap.mmap:
    logger.warning("page cache: no shared record of asked pages at %s (%s)", path, why)
    return mmap.mmap(-1, size)


def default_path() -> str:
    """A file in the system's temporary folder, named after the cache it
    describes: two sites (or two caches) on one machine never share one."""
    cache = settings.CACHES["default"]
    named = f"{cache.get('LOCATION', '')}|{cache.get('KEY_PREFIX', '')}"
    digest = hashlib.blake2b(named.encode(), digest_size=8).hexdigest()
    return os.path.join(tempfile.gettempdir(), f"quicktakes-asked-pages-{digest}")


_lock = threading.Lock()
_record: AskedPages | None = None


def record_of_asked_pages() -> AskedPages:
    """This process's view of the machine's record, opened at its first use."""
    record = _record
    if record is None:
        record = _open()
    return record


def _open() -> AskedPages:
    global _record
    with _lock:
        if _record is None:
            path = settings.PAGE_CACHE_ASKED_FILE or default_path()
            _record = AskedPages(path, settings.PAGE_CACHE_ASKED_SLOTS)
        return _record


def forget_asked_pages() -> None:
    """Every page of this machine as never asked (the page cache emptied)."""
    record_of_asked_pages().forget()


def forget_opened() -> None:
    """Open the record again at its next use: its settings changed."""
    global _record
    with _lock:
        _record = None


@receiver(setting_changed)
def _record_changed(setting: str, **_signal) -> None:
    if setting in {"PAGE_CACHE_ASKED_FILE", "PAGE_CACHE_ASKED_SLOTS", "CACHES"}:
        forget_opened()
