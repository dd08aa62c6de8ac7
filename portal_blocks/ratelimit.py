"""Rate limits on changes and on failed token checks, shared by every app process.

Counts live in the `limits` storage named by ``PORTAL_BLOCKS_RATE_LIMIT_STORAGE`` (memory by
default; ``redis://...`` so that several processes share one count). `limits` is the engine
under Flask-Limiter; it is used directly because GraphQL sends queries and mutations to one
route, so a route decorator cannot tell them apart, and because an embedded extension must not
read or set the host's own ``RATE_LIMIT_*`` config.

A shared storage that stops answering must not stop editors or readers: while it is
unreachable each process counts in its own memory (so the limits hold per process, not per
fleet, for that while), and goes back to the shared counts once it answers again. The same
rule for any shared backend, :class:`Outage`, is also what the caches' Redis client goes
through (:mod:`portal_blocks.caching.stores`); it lives here because this module sits below
both in the layers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry

from portal_blocks.config import PREFIX

log = logging.getLogger(__name__)

R = TypeVar("R")

#: Seconds a process leaves an unreachable backend alone before one request tries it again.
PAUSE_SECONDS = 1.0


def quick_redis_options() -> dict[str, Any]:
    """Options for every Redis client of the app: Redis answers in well under a millisecond
    when it is up, so a connection that takes longer than these is treated as down. No
    retries: each would make a request wait again (a pooled connection Redis closed is
    noticed and reopened when it is taken from the pool, without one), and a pub/sub
    connection that reconnected by itself would hide from its listener that messages were
    lost in between (:mod:`portal_blocks.caching.near`)."""
    return {
        "socket_connect_timeout": 0.3,
        "socket_timeout": 1.0,
        "retry": Retry(NoBackoff(), 0),
        # A pub/sub connection otherwise never notices a peer that vanished without a word.
        "health_check_interval": 10,
    }


def describe_url(url: str) -> str:
    """A storage URL for the logs, without its password."""
    parts = urlsplit(url)
    where = parts.hostname or parts.path
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{where}{port}{parts.path if parts.hostname else ''}"


class Outage:
    """Whether a shared backend (the rate-limit storage, the caches' Redis) is worth asking.

    While it is down, asking it on every request would cost each request a connection attempt
    (up to the connect timeout against a host that does not answer) and a line in the log. So
    after a failure callers leave it alone for ``pause`` seconds; then the first caller to ask
    tries it (the others keep skipping it) and either it answers and every caller uses it
    again, or the pause starts over. Each change is logged once: a warning when the backend
    is lost, another when it is back.
    """

    def __init__(self, name: str, meanwhile: str, pause: float = PAUSE_SECONDS) -> None:
        #: What is down, and what the app does instead, for the log.
        self.name = name
        self.meanwhile = meanwhile
        self.pause = pause
        self._retry_at: float | None = None  # None: reachable as far as anyone knows
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self._retry_at is not None

    def should_try(self) -> bool:
        """True unless the backend failed less than ``pause`` seconds ago. After the pause,
        True for one caller, who then reports :meth:`failed` or :meth:`answered`."""
        if self._retry_at is None:
            return True
        with self._lock:
            now = time.monotonic()
            if self._retry_at is None:
                return True
            if now < self._retry_at:
                return False
            self._retry_at = now + self.pause  # the others wait for this caller's outcome
            return True

    def failed(self, error: BaseException) -> None:
        with self._lock:
            lost = self._retry_at is None
            self._retry_at = time.monotonic() + self.pause
        if lost:
            log.warning(
                "%s unreachable (%s); %s until it answers", self.name, error, self.meanwhile
            )
        else:
            log.debug("%s still unreachable (%s)", self.name, error)

    def answered(self) -> None:
        if self._retry_at is None:
            return
        with self._lock:
            back = self._retry_at is not None
            self._retry_at = None
        if back:
            log.warning("%s reachable again; back to normal", self.name)


@dataclass
class RateLimits:
    limiter: MovingWindowRateLimiter
    mutations: RateLimitItem
    auth_failures: RateLimitItem
    #: Counts in this process's memory, used while the shared storage is unreachable; None
    #: when the counts live in memory anyway.
    fallback: MovingWindowRateLimiter | None = None
    outage: Outage | None = None

    @classmethod
    def from_config(cls, config: Any) -> RateLimits:
        uri = config[PREFIX + "RATE_LIMIT_STORAGE"] or config[PREFIX + "REDIS_URL"] or "memory://"
        mutations = parse(config[PREFIX + "RATE_LIMIT_MUTATIONS"])
        auth_failures = parse(config[PREFIX + "RATE_LIMIT_AUTH_FAILURES"])
        if uri.startswith("memory://"):
            return cls(MovingWindowRateLimiter(MemoryStorage()), mutations, auth_failures)
        # Sentinel and cluster clients take other options; they keep the library's defaults.
        plain_redis = uri.startswith(("redis://", "rediss://", "redis+unix://"))
        options = quick_redis_options() if plain_redis else {}
        storage = storage_from_string(uri, wrap_exceptions=True, **options)
        return cls(
            limiter=MovingWindowRateLimiter(storage),
            mutations=mutations,
            auth_failures=auth_failures,
            fallback=MovingWindowRateLimiter(MemoryStorage()),
            outage=Outage(
                f"rate-limit storage {describe_url(uri)}", "counting in each process's memory"
            ),
        )

    def _run(self, action: Callable[[MovingWindowRateLimiter], R]) -> R:
        """``action`` on the shared counts, or on this process's while they are unreachable."""
        if self.fallback is None or self.outage is None:
            return action(self.limiter)
        if not self.outage.should_try():
            return action(self.fallback)
        try:
            result = action(self.limiter)
        except StorageError as exc:
            self.outage.failed(exc.storage_error)
            return action(self.fallback)
        self.outage.answered()
        return result

    def take_mutation(self, who: str) -> bool:
        return self._run(lambda limiter: limiter.hit(self.mutations, "mutation", who))

    def take_auth_failure(self, address: str) -> bool:
        """Counts a failed token check; False once the address is past its limit."""
        return self._run(lambda limiter: limiter.hit(self.auth_failures, "auth-failure", address))

    def retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        reset_at, _remaining = self._run(
            lambda limiter: limiter.get_window_stats(item, *identifiers)
        )
        return max(1, int(reset_at - time.time()))

    def shared_reachable(self) -> bool | None:
        """Whether the shared counts answer (asked at most once per pause); None when the
        counts are kept in process memory by configuration."""
        if self.outage is None:
            return None
        if self.outage.should_try():
            storage: Storage = self.limiter.storage
            if storage.check():
                self.outage.answered()
            else:
                self.outage.failed(ConnectionError("no answer to a health check"))
        return not self.outage.down


def mutation_author(identity_name: str | None, address: str | None) -> str:
    """Whose count a mutation takes from: the editor's, else the client address's."""
    return f"editor:{identity_name}" if identity_name else f"address:{address or 'unknown'}"
