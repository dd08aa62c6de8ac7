"""The response stores on their own: tags, the refill race, and processes on one host
hearing of each other's writes through the invalidation log."""

from __future__ import annotations

import os
import uuid

import pytest
from cache_support import redis_client_or_skip

from portal_blocks.caching.hints import CacheHints
from portal_blocks.caching.invalidation_log import InvalidationLog
from portal_blocks.caching.responses import (
    CachedResponse,
    MemoryResponseStore,
    RedisResponseStore,
    etag_for,
)


def entry(body: bytes) -> CachedResponse:
    return CachedResponse(body, etag_for(body), 60, False)


@pytest.fixture(params=["memory", "redis"])
def store(request, tmp_path):
    if request.param == "memory":
        return MemoryResponseStore(100, 60, InvalidationLog(tmp_path / "log"))
    client = redis_client_or_skip()
    return RedisResponseStore(client, f"portal_blocks:test:{uuid.uuid4().hex}:", 60)


def test_invalidation_drops_only_tagged_entries(store):
    store.put("a", entry(b"A"), frozenset({"article:1", "layout:1"}), store.begin())
    store.put("b", entry(b"B"), frozenset({"article:2", "layout:1"}), store.begin())
    store.invalidate(frozenset({"article:1"}))
    assert store.get("a") is None
    assert store.get("b").body == b"B"
    store.invalidate(frozenset({"layout:1"}))
    assert store.get("b") is None


def test_everything_tag_drops_all(store):
    store.put("a", entry(b"A"), frozenset({"article:1"}), store.begin())
    store.invalidate(frozenset({"*"}))
    assert store.get("a") is None


def test_a_response_computed_before_an_invalidation_is_not_stored(store):
    token = store.begin()
    store.invalidate(frozenset({"article:9"}))
    assert store.put("a", entry(b"stale"), frozenset({"article:1"}), token) is False
    assert store.get("a") is None


def test_processes_on_one_host_share_invalidations(tmp_path):
    path = tmp_path / "response-cache.log"
    writer = MemoryResponseStore(100, 60, InvalidationLog(path))
    reader = MemoryResponseStore(100, 60, InvalidationLog(path))
    reader.put("a", entry(b"A"), frozenset({"article:1"}), reader.begin())
    reader.put("b", entry(b"B"), frozenset({"article:2"}), reader.begin())
    writer.invalidate(frozenset({"article:1"}))
    assert reader.get("a") is None
    assert reader.get("b").body == b"B"


def test_a_replaced_log_drops_everything_once(tmp_path):
    path = tmp_path / "response-cache.log"
    reader = MemoryResponseStore(100, 60, InvalidationLog(path))
    reader.put("a", entry(b"A"), frozenset({"article:1"}), reader.begin())
    rotated = tmp_path / "new.log"
    rotated.write_bytes(b"")
    os.replace(rotated, path)  # as a writer does when the log grows past its limit
    assert reader.get("a") is None


def test_memory_store_is_bounded():
    store = MemoryResponseStore(2, 60)
    for key in "abc":
        store.put(key, entry(key.encode()), frozenset(), store.begin())
    assert len(store) == 2
    assert store.get("a") is None and store.get("c") is not None


class _Info:
    """The two attributes of strawberry's Info that CacheHints reads."""

    def __init__(self, key: str, operation: str) -> None:
        from graphql import OperationType

        self.path = type("Path", (), {"key": key})()
        self.operation = type("Op", (), {"operation": OperationType(operation)})()


def test_hints_need_every_root_field_and_no_mutation():
    hints = CacheHints()
    hints.depend_on(_Info("page", "query"), {"layout:1"})
    assert hints.cacheable({"page": {}})
    assert not hints.cacheable({"page": {}, "undeclared": 1})
    mutation = CacheHints()
    mutation.depend_on(_Info("placeBlock", "mutation"))
    assert not mutation.cacheable({"placeBlock": {}})
    hints.forbid_sharing()
    assert not hints.cacheable({"page": {}})
