"""The response cache: finished GraphQL responses by request key, dropped by tag.

Two stores with one interface. :class:`MemoryResponseStore` lives in the process (the default;
processes on one host hear of each other's writes through
:mod:`portal_blocks.caching.invalidation_log`).
:class:`RedisResponseStore` is shared by every process on every host.

Both guard against the refill race: :meth:`begin` is taken before a miss executes, and
:meth:`put` refuses the entry if anything was invalidated in between, so a response computed
from data that changed meanwhile is never stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import RedisError

from portal_blocks.caching.hints import ALL
from portal_blocks.caching.invalidation_log import InvalidationLog

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CachedResponse:
    body: bytes
    etag: str
    max_age: int
    private: bool

    def encode(self) -> bytes:
        return f"{self.etag}\n{self.max_age}\n{int(self.private)}\n".encode() + self.body

    @classmethod
    def decode(cls, raw: bytes) -> CachedResponse:
        etag, max_age, private, body = raw.split(b"\n", 3)
        return cls(body, etag.decode(), int(max_age), private == b"1")


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def response_key(
    document_hash: str,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    locale: str,
    viewer: Mapping[str, Any],
) -> str:
    """Everything a cached response may differ by. Requests that may see drafts (previews,
    an ``Authorization`` header) never reach the cache, so the data version is implicit:
    invalidation removes entries instead of keys moving on."""
    material = json.dumps(
        [document_hash, variables or {}, operation_name, locale, viewer],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.blake2b(material.encode(), digest_size=20).hexdigest()


def url_key(query_string: str, locale: str, viewer: Mapping[str, Any]) -> str:
    """A GET's key: its query string as sent (the same request always sends the same bytes;
    two spellings of one request only make two entries)."""
    preferences = json.dumps(viewer, sort_keys=True, default=str) if viewer else ""
    material = f"GET\0{locale}\0{preferences}\0{query_string}"
    return hashlib.blake2b(material.encode(), digest_size=20).hexdigest()


class ResponseStore(Protocol):
    def begin(self) -> object: ...

    def get(self, key: str) -> CachedResponse | None: ...

    def put(self, key: str, entry: CachedResponse, tags: frozenset[str], token: object) -> bool: ...

    def invalidate(self, tags: frozenset[str]) -> None: ...


class MemoryResponseStore:
    """Bounded (oldest entry evicted first) and expiring after ``ttl`` seconds."""

    def __init__(self, maxsize: int, ttl: int, log: InvalidationLog | None = None) -> None:
        self.maxsize = maxsize
        self.ttl = ttl
        self.log = log
        self._entries: dict[str, tuple[CachedResponse, float, frozenset[str]]] = {}
        self._by_tag: dict[str, set[str]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def _poll(self) -> None:
        if self.log is not None:
            self.log.poll(self._drop_tags)

    def begin(self) -> object:
        self._poll()
        return self._generation

    def get(self, key: str) -> CachedResponse | None:
        self._poll()
        found = self._entries.get(key)
        if found is None:
            return None
        if found[1] < time.monotonic():
            with self._lock:
                self._remove(key)
            return None
        return found[0]

    def put(self, key: str, entry: CachedResponse, tags: frozenset[str], token: object) -> bool:
        self._poll()
        with self._lock:
            if token != self._generation:
                return False
            self._remove(key)
            while len(self._entries) >= self.maxsize:
                self._remove(next(iter(self._entries)))
            self._entries[key] = (entry, time.monotonic() + self.ttl, tags)
            for tag in tags:
                self._by_tag.setdefault(tag, set()).add(key)
        return True

    def _remove(self, key: str) -> None:
        found = self._entries.pop(key, None)
        if found is None:
            return
        for tag in found[2]:
            keys = self._by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_tag[tag]

    def _drop_tags(self, tags: frozenset[str]) -> None:
        with self._lock:
            self._generation += 1
            if ALL in tags:
                self._entries.clear()
                self._by_tag.clear()
                return
            for tag in tags:
                for key in list(self._by_tag.get(tag, ())):
                    self._remove(key)

    def invalidate(self, tags: frozenset[str]) -> None:
        self._drop_tags(tags)
        if self.log is not None:
            self.log.publish(tags)

    def __len__(self) -> int:
        return len(self._entries)


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


class RedisResponseStore:
    """Entries, tag sets and a generation counter under one key prefix; put and invalidate
    are Lua scripts, so each is atomic against the other."""

    def __init__(self, client: Any, prefix: str, ttl: int) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self._generation_key = prefix + "gen"
        self._put = client.register_script(_PUT)
        self._invalidate = client.register_script(_INVALIDATE)

    def _tag_key(self, tag: str) -> str:
        return f"{self.prefix}tag:{tag}"

    def begin(self) -> object:
        try:
            raw = self.client.get(self._generation_key)
        except RedisError as exc:
            log.warning("response cache: Redis unavailable (%s); not caching", exc)
            return _UNAVAILABLE
        return raw.decode() if raw is not None else "0"

    def get(self, key: str) -> CachedResponse | None:
        try:
            raw = self.client.get(self.prefix + "r:" + key)
        except RedisError as exc:
            log.warning("response cache: Redis unavailable (%s); answering uncached", exc)
            return None
        return CachedResponse.decode(raw) if raw is not None else None

    def put(self, key: str, entry: CachedResponse, tags: frozenset[str], token: object) -> bool:
        if token is _UNAVAILABLE:
            return False
        keys = [self._generation_key, self.prefix + "r:" + key]
        keys += [self._tag_key(t) for t in sorted(tags | {ALL})]
        try:
            return bool(self._put(keys=keys, args=[str(token), entry.encode(), self.ttl]))
        except RedisError as exc:
            log.warning("response cache: Redis unavailable (%s); not caching", exc)
            return False

    def invalidate(self, tags: frozenset[str]) -> None:
        """A failure here is logged as an error: entries it should have dropped may be served
        until they expire (``PORTAL_BLOCKS_RESPONSE_CACHE_TTL``)."""
        targets = {ALL} if ALL in tags else tags
        try:
            self._invalidate(keys=[self._generation_key, *(self._tag_key(t) for t in targets)])
        except RedisError:
            log.exception("response cache: could not invalidate %s in Redis", sorted(targets))
