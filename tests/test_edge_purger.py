"""The edge purger's life: it purges while its app lives, and stops when the app goes away.

Varnish itself is in ``test_edge_varnish.py``; here the edge is a loopback port nothing listens
on, or a served app that records the purges it receives.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator

import pytest
from flask import Flask, request
from serving import free_ports, served

from portal_blocks.caching import invalidation
from portal_blocks.caching.edge import PURGE_HEADER, EdgePurger


@pytest.fixture
def received() -> list[str]:
    """The keys of every purge the recording edge got, in order."""
    return []


@pytest.fixture
def edge_url(received: list[str]) -> Iterator[str]:
    edge = Flask("edge")

    @edge.route("/", methods=["PURGE"])
    def purge() -> str:
        received.append(request.headers[PURGE_HEADER])
        return ""

    with served(edge) as url:
        yield url + "/"


def _purge_threads() -> int:
    return sum(t.name == "portal-blocks-edge-purge" for t in threading.enumerate())


def test_a_commit_purges_exactly_its_keys_at_the_edge(edge_url: str, received: list[str]) -> None:
    purger = EdgePurger([edge_url], retry_delays=())
    invalidation.register(purger)
    try:
        invalidation.invalidate({"article:7", "layout:2"})
        assert purger.wait_until_sent(5)
        assert received == ["article:7 layout:2"]
        assert (purger.sent, purger.failed) == (1, 0)
    finally:
        purger.close()


def test_an_unreachable_edge_is_retried_then_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="portal_blocks.caching.edge")
    (port,) = free_ports(1)
    purger = EdgePurger([f"http://127.0.0.1:{port}/"], retry_delays=(0.01, 0.01))
    try:
        purger.invalidate(frozenset({"article:1"}))
        assert purger.wait_until_sent(5)
        assert (purger.sent, purger.failed) == (0, 1)
        lines = [r.getMessage() for r in caplog.records if r.name == "portal_blocks.caching.edge"]
        assert lines == [f"edge http://127.0.0.1:{port}/ not purged of article:1: ConnectError"]
    finally:
        purger.close()


def test_a_closed_purger_purges_nothing_more_and_its_thread_ends(
    edge_url: str, received: list[str]
) -> None:
    purger = EdgePurger([edge_url], retry_delays=())
    invalidation.register(purger)
    purger.invalidate(frozenset({"article:1"}))
    assert purger.wait_until_sent(5)
    thread = purger._thread
    assert thread is not None and thread.is_alive()
    purger.close()
    thread.join(5)
    assert not thread.is_alive()
    invalidation.invalidate({"article:2"})  # a later commit in the process
    assert purger.wait_until_sent(5)
    assert received == ["article:1"]


def test_a_discarded_purger_stops_purging_edges_only_its_app_knew(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A test app (or a host's short-lived app) configured with an edge that has since gone:
    once the app is gone, later commits in the process must not keep purging that edge and
    logging that it is unreachable."""
    caplog.set_level(logging.WARNING, logger="portal_blocks.caching.edge")
    (port,) = free_ports(1)
    before = _purge_threads()
    purger = EdgePurger([f"http://127.0.0.1:{port}/"], retry_delays=())
    invalidation.register(purger)
    purger.invalidate(frozenset({"article:1"}))
    assert purger.wait_until_sent(5)
    thread = purger._thread
    assert thread is not None
    caplog.clear()
    del purger
    gc.collect()
    thread.join(5)
    assert not thread.is_alive(), "the sending thread kept its purger alive"
    invalidation.invalidate({"article:2"})
    assert _purge_threads() == before
    assert not [r for r in caplog.records if r.name == "portal_blocks.caching.edge"]
