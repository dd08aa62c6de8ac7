"""How processes on one host, with no Redis, learn of each other's writes.

An append-only log file beside the app's instance folder: a process that commits a change
appends one line of tags; the in-memory stores of a process share a cursor on the file, which
each checks before it answers (one ``stat`` call, no SQL); the first to find new lines reads
them once and drops exactly the entries they name from every store following the cursor. A
line the process wrote itself it steps over unread (its stores dropped those entries before
the line was written). Lines are short and appended with ``O_APPEND``, so concurrent
writers do not interleave. When the file grows past a limit a writer replaces it; cursors
notice the new inode and drop everything once. Several hosts need Redis
(``PORTAL_BLOCKS_REDIS_URL``).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol

from portal_blocks.cache_tags import ALL

MAX_BYTES = 1 << 20

#: The request this thread serves (an object of its own, set by the WSGI layer in front of the
#: app, ``caching.warm_hits``), or None outside one. A cursor that polled for a request does
#: not poll again for it: a miss looks up several stores (the response, the page's data, its
#: lists), and each would ``stat`` the file again.
REQUEST_SCOPE: ContextVar[object | None] = ContextVar("portal_blocks_request", default=None)


class Follower(Protocol):
    """A store a cursor drops entries from."""

    def invalidate(self, tags: frozenset[str]) -> None: ...


class InvalidationLog:
    """The writing end: registered once per app as an invalidation target, so a commit is
    one line however many stores read the log."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        #: (inode, start, end) of the last line this log wrote: its app's stores, registered
        #: before it, already dropped what it names, so their cursors step over it unread.
        self._own: tuple[int, int, int] | None = None

    def invalidate(self, tags: frozenset[str]) -> None:
        line = (json.dumps(sorted(tags), separators=(",", ":")) + "\n").encode()
        if self._size() > MAX_BYTES:
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(b"")
            os.replace(tmp, self.path)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(fd, line)
            # With O_APPEND the position is the end of this line, whoever appended before it.
            end = os.lseek(fd, 0, os.SEEK_CUR)
            inode = os.fstat(fd).st_ino
        finally:
            os.close(fd)
        self._own = (inode, end - written, end) if written == len(line) else None

    def own_line(self) -> tuple[int, int, int] | None:
        return self._own

    def _size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def cursor(self) -> LogCursor:
        """A reading position from now on, for stores registered as invalidation targets
        before this log: what was written before is already applied, and so is each line
        this log writes later. The stores of one process share one (``MemoryTier``)."""
        return LogCursor(self.path, own_line=self.own_line)


class LogCursor:
    """A reading position in the log, and the stores it applies each new line to.

    Shared by the stores of a process, a line is read once (one ``open`` and one read, not
    one per store) and applied to every store before the position moves past it, under a
    lock: a request polling while another request applies a line waits for it, rather than
    seeing the position already past the line and answering from an entry the line drops,
    whichever store it asks. Polls that find nothing new (the common case: one ``stat``)
    take no lock."""

    def __init__(
        self, path: Path, own_line: Callable[[], tuple[int, int, int] | None] | None = None
    ) -> None:
        self.path = path
        stat = path.stat()
        self._inode = stat.st_ino
        self._offset = stat.st_size
        self._lock = threading.Lock()
        #: The last line this process's own log wrote (already applied to the stores).
        self._own_line = own_line
        self._followers: list[Follower] = []
        #: The request (``REQUEST_SCOPE``) the last poll was for.
        self._polled_for: object | None = None

    def follow(self, store: Follower) -> None:
        """Apply each new line to ``store`` too (its ``invalidate``, looked up when applied)."""
        self._followers.append(store)

    def _apply(self, tags: frozenset[str]) -> None:
        for store in self._followers:
            store.invalidate(tags)

    def poll(self) -> None:
        """Apply what any process (this one included) appended since the last poll, once per
        request: what another process commits while a request runs, the next request sees
        (an entry this one stores meanwhile carries the tags that line drops)."""
        scope = REQUEST_SCOPE.get()
        if scope is not None and scope is self._polled_for:
            return
        self._polled_for = scope
        if self._unchanged(self._stat()):
            return
        with self._lock:
            stat = self._stat()  # again: another thread may have applied it meanwhile
            if self._unchanged(stat):
                return
            if stat.st_ino != self._inode or stat.st_size < self._offset:
                self._apply(frozenset({ALL}))
                self._inode, self._offset = stat.st_ino, 0
            own = self._own_line() if self._own_line is not None else None
            if own is not None and own[0] == self._inode and own[1] == self._offset:
                self._offset = own[2]  # this process's commit, applied before it was written
                if self._unchanged(stat):
                    return
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
            complete = chunk.rfind(b"\n") + 1
            tags: set[str] = set()
            for line in chunk[:complete].splitlines():
                try:
                    tags.update(json.loads(line))
                except ValueError:
                    tags.add(ALL)
            if tags:
                self._apply(frozenset(tags))
            self._offset += complete

    def _stat(self) -> os.stat_result:
        try:
            return os.stat(self.path)
        except FileNotFoundError:
            self.path.touch(exist_ok=True)
            return os.stat(self.path)

    def _unchanged(self, stat: os.stat_result) -> bool:
        return stat.st_ino == self._inode and stat.st_size == self._offset
