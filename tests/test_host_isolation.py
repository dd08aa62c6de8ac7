"""Our database handle inside a host app that has its own flask-sqlalchemy database.

SQLAlchemy events can be put on every ``Engine`` or every ``Session`` of the process; ours must
not be, or the host's SQLite connections get our PRAGMAs and the host's commits run our cache
hooks (and, on a table of its own named like one of ours, drop our caches). Here the host's
database and ours are both SQLite files, so our engine-level PRAGMAs would show on the host's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Connection, StaticPool, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portal_blocks import PortalBlocks
from portal_blocks.cache_tags import ALL, ARTICLES_TAG, article_tag, layout_tag
from portal_blocks.caching import invalidation
from portal_blocks.content.articles import upsert_article
from portal_blocks.db import PortalSession, db
from portal_blocks.migrate import upgrade_database
from portal_blocks.models import Layout

#: The host's own SQLite wait (sqlite3's ``timeout``, in seconds), unlike our 5000 ms.
HOST_TIMEOUT_SECONDS = 1.5
OUR_BUSY_TIMEOUT_MS = 5000


class HostBase(DeclarativeBase):
    pass


host_db = SQLAlchemy(model_class=HostBase)


class HostArticle(host_db.Model):
    """The host CMS's own article table: named like ours, in the host's database."""

    __tablename__ = "article"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]


class RecordingTarget:
    """An invalidation target that keeps every set of tags it is sent."""

    def __init__(self) -> None:
        self.calls: list[frozenset[str]] = []

    @property
    def tags(self) -> set[str]:
        return set().union(*self.calls)

    def invalidate(self, tags: frozenset[str]) -> None:
        self.calls.append(tags)


def make_host(tmp_path: Path, blocks_url: str) -> Flask:
    """A host that sets up its own database first, then embeds the blocks."""
    app = Flask("host_portal", instance_path=str(tmp_path / "instance"))
    app.config.update(
        TESTING=True,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.db'}",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": HOST_TIMEOUT_SECONDS}},
        PORTAL_BLOCKS_DATABASE_URL=blocks_url,
    )
    host_db.init_app(app)
    PortalBlocks(app)
    return app


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Flask]:
    app = make_host(tmp_path, f"sqlite:///{tmp_path / 'blocks.db'}")
    with app.app_context():
        upgrade_database()
        host_db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()
        host_db.session.remove()
        host_db.engine.dispose()


@pytest.fixture
def recorder() -> Iterator[RecordingTarget]:
    """Registered for the test; the fixture holds it, since targets are held weakly."""
    target = RecordingTarget()
    invalidation.register(target)
    yield target


def pragmas(connection: Connection) -> tuple[Any, Any]:
    return (
        connection.exec_driver_sql("PRAGMA foreign_keys").scalar(),
        connection.exec_driver_sql("PRAGMA busy_timeout").scalar(),
    )


def our_keys(info: Mapping[Any, Any]) -> list[Any]:
    return [key for key in info if str(key).startswith("portal_blocks")]


def test_host_connections_keep_their_own_pragmas(host: Flask) -> None:
    host_timeout_ms = int(HOST_TIMEOUT_SECONDS * 1000)
    with host_db.engine.connect() as connection:
        assert pragmas(connection) == (0, host_timeout_ms)
    assert pragmas(host_db.session.connection()) == (0, host_timeout_ms)
    with db.engine.connect() as connection:
        assert pragmas(connection) == (1, OUR_BUSY_TIMEOUT_MS)
    assert pragmas(db.session.connection()) == (1, OUR_BUSY_TIMEOUT_MS)


def test_host_commits_run_none_of_our_hooks(host: Flask, recorder: RecordingTarget) -> None:
    session = host_db.session
    assert not isinstance(session(), PortalSession)
    session.add(HostArticle(title="Khai trương cổng thông tin mới"))
    session.flush()
    assert our_keys(session.info) == []
    session.commit()
    # A bulk UPDATE names no rows; of a table called "article", ours would invalidate all.
    session.execute(update(HostArticle).values(title="Cổng thông tin đã sửa"))
    assert our_keys(session.info) == []
    session.commit()
    session.delete(session.scalars(select(HostArticle)).one())
    session.commit()
    assert recorder.calls == []


def test_our_commits_still_invalidate(host: Flask, recorder: RecordingTarget) -> None:
    assert isinstance(db.session(), PortalSession)
    article = upsert_article(
        db.session,
        {
            "slug": "khai-truong-cong-thong-tin",
            "title": "Khai trương cổng thông tin mới",
            "status": "published",
            "published_at": "2024-01-01T08:00:00+00:00",
        },
    )
    db.session.commit()
    assert {article_tag(article.id), ARTICLES_TAG} <= recorder.tags
    layout = Layout(name="host-news", title="Tin của cổng", regions=["main"])
    db.session.add(layout)
    db.session.commit()
    assert layout_tag(layout.id) in recorder.tags
    db.session.execute(update(Layout).values(title="Tin đã sửa"))
    db.session.commit()
    assert recorder.calls[-1] == {ALL}
    # A rolled-back change reaches no one.
    calls = len(recorder.calls)
    layout.title = "Bỏ đi"
    db.session.flush()
    db.session.rollback()
    assert len(recorder.calls) == calls


def test_sqlite_paths_resolve_as_flask_sqlalchemy_resolves_them(tmp_path: Path) -> None:
    relative = make_host(tmp_path, "sqlite:///blocks.db")
    with relative.app_context():
        assert db.engine.url.database == str(Path(relative.instance_path) / "blocks.db")
        assert host_db.engine.url.database == str(tmp_path / "host.db")
        db.engine.dispose()
        host_db.engine.dispose()
    memory = make_host(tmp_path, "sqlite://")
    with memory.app_context():
        assert isinstance(db.engine.pool, StaticPool)
        with db.engine.connect() as connection:
            assert pragmas(connection) == (1, OUR_BUSY_TIMEOUT_MS)
        db.engine.dispose()
        host_db.engine.dispose()
