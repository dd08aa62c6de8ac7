"""A process-local tier in front of the Redis stores, kept current by Redis pub/sub.

With Redis alone every cache read is a round trip (about 0.1-0.2 ms on one host, more across a
network): a warm hit costs about twice a static route. With ``PORTAL_BLOCKS_REDIS_NEAR_CACHE``
each process also keeps what it reads from Redis, and drops it when a commit anywhere publishes
the tags it touched. The price: a commit in another process reaches this one when its message
arrives (about a millisecond), not at the instant it returns. A commit in this process drops its
own entries at once, as without the tier.

While the subscription is down (Redis restarting, a network cut) the tier is not read at all,
and it is emptied whenever the subscription starts again, so a message missed meanwhile cannot
leave an entry behind. An entry read from Redis is kept only if no message arrived between the
read and the keeping (the memory store's generation), so a message cannot overtake it either.

A commit this process could not announce (Redis unreachable from here while others still hear
the channel) is announced as "drop everything" once this process is subscribed again; a store
that had to empty itself in Redis for missed commits announces the same (see
:class:`~portal_blocks.caching.stores.RedisStore`), so no process keeps a copy of what it
dropped. Losing the subscription is logged once, not at every attempt to subscribe again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from redis.exceptions import RedisError

from portal_blocks.cache_tags import ALL
from portal_blocks.caching.stores import MemoryStore, RedisStore

log = logging.getLogger(__name__)

T = TypeVar("T")

Listener = Callable[[frozenset[str]], None]

#: Seconds between attempts to subscribe again after the subscription broke.
RETRY_SECONDS = 0.5


class InvalidationChannel:
    """One subscription per process, shared by the near tiers of an app; also the invalidation
    target that publishes this process's commits (once, however many tiers there are)."""

    def __init__(self, client: Any, channel: str) -> None:
        self.client = client
        self.channel = channel
        self._listeners: list[Listener] = []
        self._healthy = threading.Event()
        self._stop = threading.Event()
        self._pid: int | None = None
        self._lock = threading.Lock()
        #: A commit of this process was not published: publish "everything" once subscribed.
        self._missed = False
        #: The subscription was lost and its loss logged; reset once subscribed again.
        self._lost = False

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    @property
    def healthy(self) -> bool:
        """Subscribed: messages reach the tiers, so they may be read."""
        self._ensure_listening()
        return self._healthy.is_set()

    def invalidate(self, tags: frozenset[str]) -> None:
        missed = self._missed
        if missed:
            tags = frozenset({ALL})
        try:
            self.client.publish(self.channel, json.dumps(sorted(tags)))
            if missed:
                self._missed = False
        except RedisError as exc:
            if not self._missed:
                log.info(
                    "near cache: could not publish a commit (%s); other processes are told to "
                    "drop everything once this one is subscribed again",
                    exc,
                )
            self._missed = True

    def wait_until_listening(self, timeout: float) -> bool:
        self._ensure_listening()
        return self._healthy.wait(timeout)

    def close(self) -> None:
        self._stop.set()
        self._healthy.clear()

    def _ensure_listening(self) -> None:
        """The thread is started in the process that reads (a gunicorn worker, after fork)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._healthy.clear()
            threading.Thread(
                target=self._listen, name="portal-blocks-near-cache", daemon=True
            ).start()

    def _tell(self, tags: frozenset[str]) -> None:
        for listener in self._listeners:
            listener(tags)

    def _listen(self) -> None:
        while not self._stop.is_set():
            pubsub = self.client.pubsub()
            try:
                pubsub.subscribe(self.channel)
                while not self._stop.is_set():
                    if self._missed and self._healthy.is_set():
                        self.invalidate(frozenset({ALL}))  # tried again each second
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self._tell(frozenset({ALL}))  # whatever was missed before now
                        self._healthy.set()
                        if self._lost:
                            self._lost = False
                            log.warning("near cache: subscribed again")
                    elif message["type"] == "message":
                        self._tell(_tags(message["data"]))
            except RedisError as exc:
                if self._lost:
                    log.debug("near cache: still not subscribed (%s)", exc)
                else:
                    self._lost = True
                    log.warning(
                        "near cache: subscription lost (%s); reading Redis directly until it "
                        "is back",
                        exc,
                    )
            finally:
                self._healthy.clear()
                self._tell(frozenset({ALL}))
                with contextlib.suppress(RedisError):
                    pubsub.close()
            self._stop.wait(RETRY_SECONDS)


def _tags(data: bytes | str) -> frozenset[str]:
    try:
        tags = json.loads(data)
    except ValueError:
        return frozenset({ALL})
    return frozenset(tags) if isinstance(tags, list) else frozenset({ALL})


class NearStore(Generic[T]):
    """A :class:`MemoryStore` in front of a :class:`RedisStore` (see the module's text)."""

    def __init__(
        self, near: MemoryStore[T], shared: RedisStore[T], channel: InvalidationChannel
    ) -> None:
        self.near = near
        self.shared = shared
        self.channel = channel
        channel.add_listener(near.invalidate)
        shared.caught_up = self._tell_everyone

    def _tell_everyone(self) -> None:
        """Redis was emptied for commits it missed: every process drops its copies too."""
        self.channel.invalidate(frozenset({ALL}))

    def lookup(self, key: str) -> tuple[T | None, object]:
        if not self.channel.healthy:
            return self.shared.lookup(key)
        entry, near_token = self.near.lookup(key)
        if entry is not None:
            return entry, None
        entry, tags, shared_token = self.shared.lookup_tagged(key)
        if entry is not None:
            self.near.put(key, entry, tags, near_token)
        return entry, (near_token, shared_token)

    def put(self, key: str, entry: T, tags: frozenset[str], token: object) -> bool:
        if not isinstance(token, tuple):  # looked up while unsubscribed: Redis only
            return self.shared.put(key, entry, tags, token)
        near_token, shared_token = token
        stored = self.shared.put(key, entry, tags, shared_token)
        if stored and self.channel.healthy:
            self.near.put(key, entry, tags, near_token)
        return stored

    def invalidate(self, tags: frozenset[str]) -> None:
        """Redis's entries for every process; this process's own tier at once. (Other
        processes' tiers hear of it from the channel, which publishes the commit.)"""
        self.shared.invalidate(tags)
        self.near.invalidate(tags)
