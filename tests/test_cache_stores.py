"""The tagged stores on their own: tags, the refill race, and processes on one host hearing of
each other's writes through the invalidation log."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from cache_support import redis_client_or_skip
from conftest import REFERENCE_LEGACY_PATH

from portal_blocks.caching import invalidation_log
from portal_blocks.caching.hints import CacheHints
from portal_blocks.caching.invalidation_log import InvalidationLog
from portal_blocks.caching.responses import CachedResponse, etag_for
from portal_blocks.caching.setup import MemoryTier
from portal_blocks.caching.stores import MemoryStore, RedisStore


def entry(body: bytes) -> CachedResponse:
    return CachedResponse(body, etag_for(body), 60, False)


def get(store, key: str) -> CachedResponse | None:
    return store.lookup(key)[0]


def token(store) -> object:
    """What a refill starts from: the token a miss returns."""
    return store.lookup("a key never stored")[1]


@pytest.fixture(params=["memory", "redis"])
def store(request, tmp_path):
    if request.param == "memory":
        return MemoryStore(100, 60, InvalidationLog(tmp_path / "log").cursor())
    client = redis_client_or_skip()
    return RedisStore(
        client,
        f"portal_blocks:test:{uuid.uuid4().hex}:",
        60,
        encode=CachedResponse.encode,
        decode=CachedResponse.decode,
    )


def test_invalidation_drops_only_tagged_entries(store):
    store.put("a", entry(b"A"), frozenset({"article:1", "layout:1"}), token(store))
    store.put("b", entry(b"B"), frozenset({"article:2", "layout:1"}), token(store))
    store.invalidate(frozenset({"article:1"}))
    assert get(store, "a") is None
    assert get(store, "b").body == b"B"
    store.invalidate(frozenset({"layout:1"}))
    assert get(store, "b") is None


def test_everything_tag_drops_all(store):
    store.put("a", entry(b"A"), frozenset({"article:1"}), token(store))
    store.invalidate(frozenset({"*"}))
    assert get(store, "a") is None


def test_a_response_computed_before_an_invalidation_is_not_stored(store):
    before = token(store)
    store.invalidate(frozenset({"article:9"}))
    assert store.put("a", entry(b"stale"), frozenset({"article:1"}), before) is False
    assert get(store, "a") is None


def test_processes_on_one_host_share_invalidations(tmp_path):
    path = tmp_path / "response-cache.log"
    writer = InvalidationLog(path)  # another process's end of the log
    reader = MemoryStore(100, 60, InvalidationLog(path).cursor())
    reader.put("a", entry(b"A"), frozenset({"article:1"}), token(reader))
    reader.put("b", entry(b"B"), frozenset({"article:2"}), token(reader))
    writer.invalidate(frozenset({"article:1"}))
    assert get(reader, "a") is None
    assert get(reader, "b").body == b"B"


def test_an_entry_filled_across_another_process_invalidation_is_never_served(tmp_path):
    """The fill began before another process's commit and ends after it: the entry may be
    stored, but the next read hears of the commit first and drops it."""
    path = tmp_path / "response-cache.log"
    reader = MemoryStore(100, 60, InvalidationLog(path).cursor())
    before = token(reader)
    InvalidationLog(path).invalidate(frozenset({"article:1"}))  # the other process commits
    reader.put("a", entry(b"stale"), frozenset({"article:1"}), before)
    assert get(reader, "a") is None


def test_every_store_of_a_process_reads_each_line_of_the_log(tmp_path):
    """The response and page-data stores keep their own cursors: one line reaches both."""
    log = InvalidationLog(tmp_path / "response-cache.log")
    first, second = MemoryStore(10, 60, log.cursor()), MemoryStore(10, 60, log.cursor())
    for store in (first, second):
        store.put("a", entry(b"A"), frozenset({"layout:1"}), token(store))
    InvalidationLog(log.path).invalidate(frozenset({"layout:1"}))
    assert get(first, "a") is None
    assert get(second, "a") is None
    assert log.path.read_bytes().count(b"\n") == 1


@pytest.fixture
def opened(monkeypatch) -> list[object]:
    """The files the invalidation log's cursors open (to read new lines), from now on."""
    files: list[object] = []
    real_open = open

    def counting_open(*args, **kwargs):
        files.append(args[0])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(invalidation_log, "open", counting_open, raising=False)
    return files


def test_the_stores_of_a_process_read_a_new_line_once(tmp_path, request):
    """A process's stores follow one cursor: another process's line is read from the file
    once, and dropped from every store by whichever is asked first."""
    log = InvalidationLog(tmp_path / "cache.log")
    tier = MemoryTier(ttl=60, session=None, log=log)  # type: ignore[arg-type]  # no SQL here
    stores = [tier.store(name, 10, CachedResponse.encode, CachedResponse.decode) for name in "abc"]
    for store in stores:
        store.put("a", entry(b"A"), frozenset({"layout:1"}), token(store))
    opened = request.getfixturevalue("opened")  # from here on: the puts' polls read nothing
    InvalidationLog(log.path).invalidate(frozenset({"layout:1"}))  # another process's commit
    assert get(stores[0], "a") is None
    assert len(opened) == 1
    assert [get(store, "a") for store in stores[1:]] == [None, None]
    assert len(opened) == 1  # the others found the line applied: a ``stat`` each, no read


def test_a_lookup_while_another_thread_applies_a_line_waits_for_it(tmp_path):
    """Two requests of one process (threaded workers) poll the log as another process's commit
    lands: the one that comes second must not answer from the entry the first is dropping."""
    path = tmp_path / "response-cache.log"
    reader = MemoryStore(100, 60, InvalidationLog(path).cursor())
    reader.put("a", entry(b"before the commit"), frozenset({"article:1"}), token(reader))
    InvalidationLog(path).invalidate(frozenset({"article:1"}))  # the other process commits
    applying, release = threading.Event(), threading.Event()
    invalidate = reader.invalidate

    def slow_invalidate(tags: frozenset[str]) -> None:  # the first request, mid-invalidation
        applying.set()
        release.wait(5)
        invalidate(tags)

    reader.invalidate = slow_invalidate  # type: ignore[method-assign]
    first = threading.Thread(target=reader.lookup, args=("a",))
    first.start()
    assert applying.wait(5)
    reader.invalidate = invalidate  # type: ignore[method-assign]
    answers: list[CachedResponse | None] = []
    second = threading.Thread(target=lambda: answers.append(get(reader, "a")))
    second.start()
    second.join(0.5)  # unblocked, it answers within this; it must wait for the first instead
    release.set()
    first.join(5)
    second.join(5)
    assert answers == [None]


def test_a_processs_own_lines_are_stepped_over_unread(tmp_path, request):
    """This process's stores drop a commit's entries before its log writes the line (they are
    registered first), so their cursors step over it: no file read after each commit of one's
    own. A line another process appended after it is still read."""
    log = InvalidationLog(tmp_path / "response-cache.log")
    store = MemoryStore(10, 60, log.cursor())
    store.put("a", entry(b"A"), frozenset({"article:1"}), token(store))
    store.put("b", entry(b"B"), frozenset({"article:2"}), token(store))
    opened = request.getfixturevalue("opened")
    store.invalidate(frozenset({"article:1"}))  # a commit here: the store first, then the log
    log.invalidate(frozenset({"article:1"}))
    assert get(store, "a") is None and get(store, "b") is not None
    assert opened == []
    log.invalidate(frozenset({"article:1"}))
    InvalidationLog(log.path).invalidate(frozenset({"article:2"}))  # another process's line
    assert get(store, "b") is None
    assert len(opened) == 1


def test_a_replaced_log_drops_everything_once(tmp_path):
    path = tmp_path / "response-cache.log"
    reader = MemoryStore(100, 60, InvalidationLog(path).cursor())
    reader.put("a", entry(b"A"), frozenset({"article:1"}), token(reader))
    rotated = tmp_path / "new.log"
    rotated.write_bytes(b"")
    os.replace(rotated, path)  # as a writer does when the log grows past its limit
    assert get(reader, "a") is None


def test_memory_store_is_bounded():
    store = MemoryStore(2, 60)
    for key in "abc":
        store.put(key, entry(key.encode()), frozenset(), token(store))
    assert len(store) == 2
    assert get(store, "a") is None and get(store, "c") is not None


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


def test_a_memory_store_holds_no_more_bytes_than_its_bound():
    from portal_blocks.caching.stores import MemoryStore

    store: MemoryStore[bytes] = MemoryStore(1000, 60, max_bytes=10_000, size_of=len)
    for i in range(100):
        _found, token = store.lookup(f"k{i}")
        assert store.put(f"k{i}", b"x" * 1000, frozenset({f"t{i % 3}"}), token)
        assert store.bytes <= 10_000
    assert 5 <= len(store) <= 9  # the newest, the oldest evicted
    assert store.lookup("k99")[0] is not None and store.lookup("k0")[0] is None
    _found, token = store.lookup("huge")
    assert not store.put("huge", b"x" * 20_000, frozenset(), token)  # larger than the bound
    store.invalidate(frozenset({"t0", "t1", "t2"}))
    assert len(store) == 0 and store.bytes == 0


def test_a_flood_of_distinct_answers_keeps_the_response_cache_within_its_bytes(app):
    from portal_blocks.state import get_state

    store = get_state(app).front.store
    bound = app.config["PORTAL_BLOCKS_RESPONSE_CACHE_BYTES"]
    if not hasattr(store, "max_bytes"):
        pytest.skip("the response cache of this tier lives in Redis (its maxmemory bounds it)")
    store.max_bytes = 20_000  # the flood below fills it many times over
    try:
        client = app.test_client()
        for i in range(60):
            padding = "#" + "x" * 900 + "\n"
            response = client.post(
                "/graphql", json={"query": padding + f"{{ q{i}: blockTypes {{ name }} }}"}
            )
            assert response.status_code == 200
            assert store.bytes <= 20_000
        assert len(store) < 60
    finally:
        store.max_bytes = bound


def test_a_request_hears_of_other_processes_commits_once(tmp_path):
    """Within one request (``REQUEST_SCOPE``) the log is read at its first lookup only: a
    commit another process makes meanwhile reaches the next request, and outside any
    request every lookup reads the log."""
    path = tmp_path / "response-cache.log"
    reader = MemoryStore(100, 60, InvalidationLog(path).cursor())
    reader.put("a", entry(b"A"), frozenset({"article:1"}), token(reader))
    reader.put("b", entry(b"B"), frozenset({"article:2"}), token(reader))
    scope = invalidation_log.REQUEST_SCOPE.set(object())
    try:
        assert get(reader, "a").body == b"A"  # the request's first lookup reads the log
        InvalidationLog(path).invalidate(frozenset({"article:1"}))  # another process commits
        assert get(reader, "a").body == b"A"  # the same request does not read it again
    finally:
        invalidation_log.REQUEST_SCOPE.reset(scope)
    scope = invalidation_log.REQUEST_SCOPE.set(object())
    try:
        assert get(reader, "a") is None  # the next request does
    finally:
        invalidation_log.REQUEST_SCOPE.reset(scope)
    InvalidationLog(path).invalidate(frozenset({"article:2"}))
    assert get(reader, "b") is None  # outside a request, every lookup reads it


def test_a_miss_stats_the_log_once(app, monkeypatch):
    """A response-cache miss looks up the response, the page's data and its lists: one
    ``stat`` of the log for all (through the WSGI layer that scopes each request)."""
    stats: list[object] = []
    real = invalidation_log.LogCursor._stat

    def counted(self):
        stats.append(self)
        return real(self)

    client = app.test_client()
    query = "query($p: String!) { page(path: $p) { regions { name } } }"
    # The page's data cached by a first miss; the second is a miss of the response cache only.
    for n, counting in enumerate((False, True)):
        if counting:
            monkeypatch.setattr(invalidation_log.LogCursor, "_stat", counted)
        variables = {"p": f"{REFERENCE_LEGACY_PATH}?r={n}"}
        response = client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200 and "errors" not in response.get_json()
    assert len(stats) == 1
