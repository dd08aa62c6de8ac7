"""Readers' statements (``db.read_rows``) run on the app context's own connection while our
session holds nothing in the context, and in the session's transaction once it does: a request
that only reads makes no session, and one that writes reads its own writes."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from cache_support import PAGE_QUERY
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG
from flask import Flask, g
from sqlalchemy import event

from portal_blocks.content.source import SqlAlchemyArticleSource
from portal_blocks.db import READER_CONNECTION, PortalSession, db
from portal_blocks.models import Article


@pytest.fixture
def begun() -> Iterator[list[object]]:
    """The transactions our sessions begin."""
    seen: list[object] = []

    def record(session: Any, transaction: Any, connection: Any) -> None:
        seen.append(session)

    event.listen(PortalSession, "after_begin", record)
    yield seen
    event.remove(PortalSession, "after_begin", record)


@pytest.fixture
def checkouts(app: Flask) -> Iterator[list[object]]:
    """The connections taken from the pool."""
    taken: list[object] = []

    def record(*_args: Any) -> None:
        taken.append(_args[0])

    pool = db.engine.pool
    event.listen(pool, "checkout", record)
    yield taken
    event.remove(pool, "checkout", record)


def _edit_title(title: str) -> None:
    article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    article.title = title
    db.session.commit()


def test_the_first_read_after_an_edit_makes_no_session(
    app: Flask, begun: list[object], checkouts: list[object]
) -> None:
    client = app.test_client()
    _edit_title("Giá trị sản xuất công nghiệp, bản sửa")
    begun.clear()
    checkouts.clear()
    checked_in = db.engine.pool.checkedin()
    # From a thread of its own, the request has an app context of its own, as every request
    # has in production (on this thread it would share the test's, and its session).
    with ThreadPoolExecutor(1) as thread:
        response = thread.submit(
            client.post,
            "/graphql",
            json={"query": PAGE_QUERY, "variables": {"path": REFERENCE_LEGACY_PATH}},
        ).result()
    body = response.get_json()
    titles = [
        b["article"]["title"]
        for r in body["data"]["page"]["regions"]
        for b in r["blocks"]
        if "article" in b
    ]
    assert titles == ["Giá trị sản xuất công nghiệp, bản sửa"]
    assert begun == []  # the article was read, on no session's transaction
    assert len(checkouts) == 1
    assert db.engine.pool.checkedin() == checked_in  # and its connection went back


def test_reads_of_one_context_share_its_connection(app: Flask, checkouts: list[object]) -> None:
    with app.app_context():
        source = SqlAlchemyArticleSource(db.session_proxy)
        first = source.by_slug(REFERENCE_SLUG)
        again = source.by_slug(REFERENCE_SLUG)
        reader = g.get(READER_CONNECTION)
        assert first is not None and again == first
        assert reader is not None and not reader.closed
    assert len(checkouts) == 1
    assert reader.closed  # given back when the context ended


def test_a_context_whose_session_writes_reads_its_own_writes(app: Flask) -> None:
    with app.app_context():
        source = SqlAlchemyArticleSource(db.session_proxy)
        assert source.by_slug(REFERENCE_SLUG) is not None  # read on the context's connection
        article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
        article.title = "Chưa lưu"
        db.session.flush()
        record = source.by_slug(REFERENCE_SLUG)
        assert record is not None and record.title == "Chưa lưu"
        db.session.rollback()


def test_another_session_reads_in_its_own_transaction(app: Flask) -> None:
    with app.app_context(), PortalSession(db, bind=db.engine) as session:
        article = session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
        article.title = "Của phiên khác"
        session.flush()
        record = SqlAlchemyArticleSource(session).by_slug(REFERENCE_SLUG)
        assert record is not None and record.title == "Của phiên khác"
        assert g.get(READER_CONNECTION) is None
        session.rollback()
