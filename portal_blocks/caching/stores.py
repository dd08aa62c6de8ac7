"""Keyed entries dropped by tag: the one store behind the response cache and the page-data cache.

Two implementations with one interface. :class:`MemoryStore` lives in the process (the default;
processes on one host hear of each other's writes through
:mod:`portal_blocks.caching.invalidation_log`). :class:`RedisStore` is shared by every process on
every host; it keeps entries as bytes, so it takes the codec of what it holds.

Both guard against the refill race: :meth:`lookup` returns, with a miss, a token taken before
the miss reads the database, and :meth:`put` refuses the entry if anything was invalidated in
between, so an entry computed from data that changed meanwhile is never stored. (One call for
both: with Redis it is one round trip.)

Redis being down costs speed only. Every call to it goes through :class:`GuardedRedis`, which
after a failure skips Redis for a moment (:class:`~portal_blocks.ratelimit.Outage`), so a down
Redis adds no connection attempt, and no log line, to each request: reads miss and nothing is
stored. The caches are then off rather than moved into process memory, because entries kept
here would not hear of other processes' commits.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

import redis
from redis.commands.core import Script
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from portal_blocks.cache_tags import ALL
from portal_blocks.caching.invalidation_log import LogCursor
from portal_blocks.ratelimit import Outage

log = logging.getLogger(__name__)

T = TypeVar("T")


class TaggedStore(Protocol[T]):
    def lookup(self, key: str) -> tuple[T | None, object]:
        """The entry (None on a miss) and the token a refill passes to :meth:`put`."""
        ...

    def put(self, key: str, entry: T, tags: frozenset[str], token: object) -> bool: ...

    def invalidate(self, tags: frozenset[str]) -> None: ...


#: What a kept entry costs besides its encoded size (the dict slot, the tuple, the index sets).
_ENTRY_OVERHEAD = 400


class MemoryStore(Generic[T]):
    """Bounded (oldest entry evicted first) and expiring after ``ttl`` seconds.

    Entries are shared by every request of the process as they are: what is stored must not be
    changed afterwards.

    Only :meth:`lookup` reads the log of other processes' writes. An entry stored after another
    process wrote a line this one has not read yet carries that line's tags, so the next
    :meth:`lookup` drops it before anything can read it.
    """

    def __init__(
        self,
        maxsize: int,
        ttl: int,
        cursor: LogCursor | None = None,
        *,
        max_bytes: int | None = None,
        size_of: Callable[[T], int] | None = None,
    ) -> None:
        self.maxsize = maxsize
        self.ttl = ttl
        self.cursor = cursor
        if cursor is not None:
            cursor.follow(self)
        #: The most bytes the entries may hold together (``size_of`` each): a flood of
        #: distinct large answers evicts the oldest instead of growing the process.
        self.max_bytes = max_bytes
        self.size_of = size_of
        self.bytes = 0
        self._entries: dict[str, tuple[T, float, frozenset[str]]] = {}
        self._sizes: dict[str, int] = {}
        self._by_tag: dict[str, set[str]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def _poll(self) -> None:
        if self.cursor is not None:
            self.cursor.poll()

    def lookup(self, key: str) -> tuple[T | None, object]:
        self._poll()
        token = self._generation
        found = self._entries.get(key)
        if found is None:
            return None, token
        if found[1] < time.monotonic():
            with self._lock:
                self._remove(key)
            return None, token
        return found[0], token

    def put(self, key: str, entry: T, tags: frozenset[str], token: object) -> bool:
        # Measured outside the lock: it may cost an encoding (the size it would have in Redis).
        size = self._size(key, entry, tags)
        if self.max_bytes is not None and size > self.max_bytes:
            return False  # larger than the whole store may hold
        with self._lock:
            if token != self._generation:
                return False
            self._remove(key)
            while len(self._entries) >= self.maxsize or (
                self.max_bytes is not None and self.bytes + size > self.max_bytes
            ):
                self._remove(next(iter(self._entries)))
            self._entries[key] = (entry, time.monotonic() + self.ttl, tags)
            self._sizes[key] = size
            self.bytes += size
            for tag in tags:
                self._by_tag.setdefault(tag, set()).add(key)
        return True

    def _size(self, key: str, entry: T, tags: frozenset[str]) -> int:
        if self.size_of is None:
            return 0
        return self.size_of(entry) + len(key) + sum(len(t) for t in tags) + _ENTRY_OVERHEAD

    def _remove(self, key: str) -> None:
        found = self._entries.pop(key, None)
        if found is None:
            return
        self.bytes -= self._sizes.pop(key, 0)
        for tag in found[2]:
            keys = self._by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_tag[tag]

    def invalidate(self, tags: frozenset[str]) -> None:
        """Drops this process's entries; other processes hear of it through the log."""
        with self._lock:
            self._generation += 1
            if ALL in tags:
                self._entries.clear()
                self._sizes.clear()
                self._by_tag.clear()
                self.bytes = 0
                return
            for tag in tags:
                for key in list(self._by_tag.get(tag, ())):
                    self._remove(key)

    def __len__(self) -> int:
        return len(self._entries)


class RedisSkipped(RedisConnectionError):
    """Raised instead of calling Redis during the pause after it failed: callers already treat
    a connection error as "Redis is down", so they need nothing new to handle it."""


class GuardedRedis:
    """A Redis client whose commands are skipped for a moment after one failed to connect.

    Only a lost connection or a timeout counts as Redis being down; any answer, an error reply
    included, shows it is up. Scripts registered here run through the guard too. A pub/sub
    connection is the listener's own (:mod:`portal_blocks.caching.near`), which paces its own
    attempts, so :meth:`pubsub` hands out the plain client's.
    """

    def __init__(self, client: redis.Redis, outage: Outage) -> None:
        self.client = client
        self.outage = outage

    def register_script(self, script: str) -> Script:
        return Script(self, script)  # type: ignore[arg-type]  # duck-typed: evalsha goes through us

    def get_encoder(self) -> Any:
        return self.client.get_encoder()

    def pubsub(self) -> Any:
        opened: Callable[[], Any] = self.client.pubsub  # untyped in redis-py
        return opened()

    def __getattr__(self, name: str) -> Any:
        command = getattr(self.client, name)
        if not callable(command):
            return command
        return functools.partial(self._call, command)

    def _call(self, command: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self.outage.should_try():
            raise RedisSkipped(f"{self.outage.name} skipped: it failed moments ago")
        try:
            result = command(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self.outage.failed(exc)
            raise
        except RedisError:
            self.outage.answered()  # an error reply is an answer
            raise
        self.outage.answered()
        return result


_UNAVAILABLE = object()

_PUT = """
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[2])
  redis.call('EXPIRE', KEYS[i], ARGV[3])
end
return 1
"""

_INVALIDATE = """
redis.call('INCR', KEYS[1])
for i = 2, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for _, key in ipairs(members) do redis.call('DEL', key) end
  redis.call('DEL', KEYS[i])
end
return 1
"""


class RedisStore(Generic[T]):
    """Entries, tag sets and a generation counter under one key prefix; put and invalidate
    are Lua scripts, so each is atomic against the other. Redis being down costs speed only:
    reads miss and nothing is stored. Each entry keeps its tags, for a process-local tier in
    front (:mod:`portal_blocks.caching.near`) to drop it by.

    A commit that could not reach Redis leaves entries there that it should have dropped, and
    Redis may come back with them (a network cut, a restart from its dump). So the first call
    that reaches Redis again drops every entry of the store first, and then calls
    ``caught_up`` (the near tier's channel announces it, so no process keeps a copy either).
    """

    def __init__(
        self,
        client: Any,
        prefix: str,
        ttl: int,
        *,
        encode: Callable[[T], bytes],
        decode: Callable[[bytes], T],
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self.encode = encode
        self.decode = decode
        self._generation_key = prefix + "gen"
        self._put = client.register_script(_PUT)
        self._invalidate = client.register_script(_INVALIDATE)
        #: Commits whose invalidation did not reach Redis since the store was last emptied.
        self._misses = 0
        self._lock = threading.Lock()
        #: Called once the store was emptied for missed commits (the near tier's channel).
        self.caught_up: Callable[[], None] | None = None

    def _tag_key(self, tag: str) -> str:
        return f"{self.prefix}tag:{tag}"

    def lookup(self, key: str) -> tuple[T | None, object]:
        entry, _tags, token = self.lookup_tagged(key)
        return entry, token

    def lookup_tagged(self, key: str) -> tuple[T | None, frozenset[str], object]:
        """The entry with the tags it was stored with, and the refill token."""
        try:
            self._catch_up()
            raw, generation = self.client.mget(self.prefix + "e:" + key, self._generation_key)
        except RedisError as exc:  # logged once per outage by the client's guard
            log.debug("cache %s: Redis unavailable (%s); not caching", self.prefix, exc)
            return None, frozenset(), _UNAVAILABLE
        token = generation.decode() if generation is not None else "0"
        if raw is None:
            return None, frozenset(), token
        tags, encoded = raw.split(b"\n", 1)
        return self.decode(encoded), frozenset(json.loads(tags)), token

    def put(self, key: str, entry: T, tags: frozenset[str], token: object) -> bool:
        if token is _UNAVAILABLE:
            return False
        keys = [self._generation_key, self.prefix + "e:" + key]
        keys += [self._tag_key(t) for t in sorted(tags | {ALL})]
        value = json.dumps(sorted(tags)).encode() + b"\n" + self.encode(entry)
        try:
            self._catch_up()
            return bool(self._put(keys=keys, args=[str(token), value, self.ttl]))
        except RedisError as exc:
            log.debug("cache %s: Redis unavailable (%s); not caching", self.prefix, exc)
            return False

    @property
    def missed(self) -> bool:
        """A commit's invalidation did not reach Redis, and the store was not emptied since."""
        return self._misses > 0

    def invalidate(self, tags: frozenset[str]) -> None:
        """A failure is remembered: the store is emptied once Redis answers again."""
        misses = self._misses
        targets = {ALL} if ALL in tags or misses else tags
        try:
            self._invalidate(keys=[self._generation_key, *(self._tag_key(t) for t in targets)])
        except RedisError as exc:
            self._missed_invalidation(exc)
            return
        self._caught_up(misses)

    def _catch_up(self) -> None:
        """Before anything else reads or fills the store: what a missed commit should have
        dropped must not be served (raises RedisError if Redis still does not answer)."""
        misses = self._misses
        if misses:
            self._invalidate(keys=[self._generation_key, self._tag_key(ALL)])
            self._caught_up(misses)

    def _missed_invalidation(self, error: RedisError) -> None:
        with self._lock:
            first = self._misses == 0
            self._misses += 1
        if first:  # the outage itself is a warning, from the client's guard
            log.info(
                "cache %s: a commit could not drop its entries in Redis (%s); every entry is "
                "dropped once Redis answers",
                self.prefix,
                error,
            )

    def _caught_up(self, misses: int) -> None:
        """The store was emptied after ``misses`` missed commits; one missed meanwhile keeps
        the debt (its commit may have come after the emptying)."""
        if not misses:
            return
        with self._lock:
            if self._misses != misses:
                return
            self._misses = 0
        log.info("cache %s: dropped every entry, for the commits Redis missed", self.prefix)
        if self.caught_up is not None:
            self.caught_up()
