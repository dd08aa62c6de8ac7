"""Purging edge caches (Varnish with xkey, one or more instances) of what a commit changed.

Every cacheable response carries the keys it is filed under (:func:`cache_tags.edge_headers`).
When a commit invalidates tags, the process that committed queues a purge of exactly those keys
at each configured edge (``PORTAL_BLOCKS_EDGE_PURGE_URLS``): ``PURGE /`` with the keys in the
``xkey-purge`` header, as ``varnish/default.vcl`` takes it. The editor's commit does not wait:
a thread sends the purges, retries an edge that does not answer (after 0.2 s, 1 s, 5 s), and logs
one that stays unreachable. Other processes hear of the commit through the caches' own channel
and purge nothing, so each change is purged once.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from portal_blocks.cache_tags import purge_keys
from portal_blocks.caching.invalidation import unregister

log = logging.getLogger(__name__)

#: Waits before each retry of an edge that did not answer.
RETRY_DELAYS = (0.2, 1.0, 5.0)
PURGE_HEADER = "xkey-purge"
#: The most keys one purge names (a header line stays well under Varnish's limits).
KEYS_PER_PURGE = 200


@dataclass
class PurgeCounts:
    """Purges sent and answered, and those given up on (for tests and monitoring)."""

    sent: int = 0
    failed: int = 0


class EdgePurger:
    """An invalidation target (``caching.invalidation.register``) that purges edges.

    Its sending thread holds the queue, not the purger: when the app that owns a purger goes
    away (or :meth:`close` is called) the thread ends, instead of purging, for as long as the
    process lives, edges that only a discarded app was configured for.
    """

    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float = 2.0,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self.urls = tuple(urls)
        self.retry_delays = tuple(retry_delays)
        self.timeout = timeout
        self.counts = PurgeCounts()
        self._queue: queue.Queue[list[str] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        weakref.finalize(self, self._queue.put, None)

    @property
    def sent(self) -> int:
        return self.counts.sent

    @property
    def failed(self) -> int:
        return self.counts.failed

    def invalidate(self, tags: frozenset[str]) -> None:
        if self._closed:
            return
        keys = purge_keys(tags)
        for start in range(0, len(keys), KEYS_PER_PURGE):
            self._queue.put(keys[start : start + KEYS_PER_PURGE])
        self._ensure_worker()

    def close(self) -> None:
        """Stop purging: no longer an invalidation target, and the thread ends once it has
        sent what is queued."""
        unregister(self)
        with self._lock:
            self._closed = True
            self._queue.put(None)

    def _ensure_worker(self) -> None:
        """Started on first use, in the process that uses it (not before a fork)."""
        with self._lock:
            if self._closed:
                return
            if self._thread is None or not self._thread.is_alive():
                sender = _Sender(self.urls, self.timeout, self.retry_delays, self.counts)
                self._thread = threading.Thread(
                    target=sender.run,
                    args=(self._queue,),
                    name="portal-blocks-edge-purge",
                    daemon=True,
                )
                self._thread.start()

    def wait_until_sent(self, timeout: float = 10.0) -> bool:
        """Whether every queued purge was sent (or given up on) within ``timeout``."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks


@dataclass(frozen=True)
class _Sender:
    """What the sending thread needs, and nothing that keeps the purger alive."""

    urls: tuple[str, ...]
    timeout: float
    retry_delays: tuple[float, ...]
    counts: PurgeCounts

    def run(self, keys_queue: queue.Queue[list[str] | None]) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while True:
                keys = keys_queue.get()
                try:
                    if keys is None:  # closed, or its purger was collected
                        return
                    for url in self.urls:
                        self._purge(client, url, keys)
                finally:
                    keys_queue.task_done()

    def _purge(self, client: httpx.Client, url: str, keys: list[str]) -> None:
        header = " ".join(keys)
        for attempt, delay in enumerate((0.0, *self.retry_delays)):
            if delay:
                time.sleep(delay)
            try:
                response = client.request("PURGE", url, headers={PURGE_HEADER: header})
            except httpx.TransportError as exc:
                problem = type(exc).__name__
            else:
                if response.status_code < 400:
                    self.counts.sent += 1
                    return
                problem = f"HTTP {response.status_code}"
            if attempt == len(self.retry_delays):
                self.counts.failed += 1
                log.warning("edge %s not purged of %s: %s", url, header[:200], problem)
