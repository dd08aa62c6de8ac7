"""A commit reaches this process's stores before it is announced to other processes and before
the edges are purged.

Otherwise a reader elsewhere may refill from what still holds the old answer: another process
hearing the near tiers' channel reads Redis before this one deleted the entry there and keeps
it; an edge, purged first, asks the origin and is given the entry this process has not dropped
yet, and keeps that for its max-age.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cache_support import REDIS_URL, redis_client_or_skip
from flask import Flask

from portal_blocks import create_app
from portal_blocks.caching import invalidation
from portal_blocks.caching.edge import EdgePurger
from portal_blocks.caching.invalidation_log import InvalidationLog
from portal_blocks.caching.near import InvalidationChannel
from portal_blocks.state import get_state


class Recorder:
    def __init__(self, name: int, calls: list[int]) -> None:
        self.name, self.calls = name, calls

    def invalidate(self, tags: frozenset[str]) -> None:
        self.calls.append(self.name)


def test_a_commit_reaches_the_targets_in_the_order_they_registered() -> None:
    calls: list[int] = []
    recorders = [Recorder(n, calls) for n in range(30)]
    for recorder in recorders:
        invalidation.register(recorder)
    invalidation.register(recorders[0])  # again: it keeps its place
    try:
        invalidation.invalidate({"article:1"})
    finally:
        for recorder in recorders:
            invalidation.unregister(recorder)
    assert calls == list(range(30))
    invalidation.invalidate({"article:1"})
    assert calls == list(range(30))  # unregistered: reached no more


@pytest.fixture(params=["memory", "redis-near"])
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    config: dict[str, Any] = {
        "PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{Path(tempfile.mkdtemp()) / 'order.db'}",
        "PORTAL_BLOCKS_EDGE_PURGE_URLS": "http://127.0.0.1:9/",  # never reached: not sent
    }
    if request.param == "redis-near":
        redis_client_or_skip()
        config |= {"PORTAL_BLOCKS_REDIS_URL": REDIS_URL, "PORTAL_BLOCKS_REDIS_NEAR_CACHE": True}
    app = create_app(config)
    yield app
    edge = get_state(app).caches.edge
    assert edge is not None
    edge.close()


def test_the_stores_drop_before_other_processes_and_the_edges_hear(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    targets = get_state(app).caches.targets
    for target in targets:
        kind = (
            "announcement"
            if isinstance(target, InvalidationLog | InvalidationChannel)
            else "edge"
            if isinstance(target, EdgePurger)
            else "store"
        )
        monkeypatch.setattr(target, "invalidate", lambda _tags, kind=kind: calls.append(kind))
    invalidation.invalidate({"article:1"})
    stores = calls.count("store")
    assert stores >= 4  # responses, HTML, page data, lists (and viewers)
    assert calls == ["store"] * stores + ["announcement", "edge"]
