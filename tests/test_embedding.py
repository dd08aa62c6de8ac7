"""The blocks mounted into a host app that has its own routes, database and article table."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from conftest import REPO, clear_tables, count_statements
from flask import Flask
from flask_migrate import Migrate
from sqlalchemy import func, inspect, select

from portal_blocks import invalidate_articles
from portal_blocks.caching.front import HIT, MISS, STORED
from portal_blocks.content.source import ArticleSource
from portal_blocks.db import db
from portal_blocks.models import Article, Placement

sys.path.insert(0, str(REPO))
from examples import host_app

NEWS_PATH = "/news/sample-news"


def viewdata_id() -> int:
    return db.session.scalar(
        select(Placement.id).where(Placement.block_type == "Block_BanTin_ViewData")
    )


@pytest.fixture
def host(database_url: str, tmp_path) -> Iterator[Flask]:
    """The example host: its database is a SQLite file, ours is the test database."""
    app = host_app.create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'host.db'}",
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
        }
    )
    with app.app_context():
        host_app.upgrade_database()
        clear_tables()
        host_app.host_db.create_all()
        host_app.host_db.session.add(host_app.sample_news_item())
        host_app.host_db.session.commit()
        host_app.set_up_blocks()
        yield app
        db.session.remove()
        db.engine.dispose()
        host_app.host_db.session.remove()
        host_app.host_db.engine.dispose()


def test_host_keeps_its_config_database_and_extensions(host, tmp_path):
    assert host.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'host.db'}"
    assert host.config["SQLALCHEMY_BINDS"] == {}
    assert host.extensions["sqlalchemy"] is host_app.host_db
    assert host_app.host_db.engine.url != db.engine.url
    assert inspect(host_app.host_db.engine).get_table_names() == ["news_item"]
    assert "article" in inspect(db.engine).get_table_names()
    assert "migrate" not in host.extensions


def test_host_routes_and_error_handlers_still_work(host):
    client = host.test_client()
    home = client.get("/")
    assert home.status_code == 200
    assert "Khai trương cổng thông tin mới" in home.get_data(as_text=True)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert missing.get_data(as_text=True) == "Host portal: page not found"
    # Outside our prefix nothing of ours is mounted.
    assert client.get("/graphql").get_data(as_text=True) == "Host portal: page not found"


def test_blocks_are_mounted_under_the_prefix(host):
    client = host.test_client()
    result = client.post(
        "/blocks/graphql",
        json={
            "query": "query($p: String!) { page(path: $p) { article { title author } } }",
            "variables": {"p": NEWS_PATH},
        },
    ).get_json()
    article = result["data"]["page"]["article"]
    assert article == {"title": "Khai trương cổng thông tin mới", "author": "Ban biên tập"}
    fragment = client.get("/blocks/fragments/page", query_string={"path": NEWS_PATH})
    assert fragment.status_code == 200
    assert "Đoạn thứ hai." in fragment.get_data(as_text=True)
    assert client.get("/blocks/_blocks/static/toolbar.js").status_code == 200
    # Our own error handler answers for our endpoints only.
    missing = client.get("/blocks/fragments/page", query_string={"path": "/news/nothing"})
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "NOT_FOUND"


def test_host_page_renders_the_blocks_in_process(host):
    page = host.test_client().get(NEWS_PATH)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<header class="host-header">' in html
    assert '<h1 class="pb-toolbar__title">Khai trương cổng thông tin mới</h1>' in html
    assert '<script src="/blocks/_blocks/static/toolbar.js" defer>' in html
    assert 'data-graphql-url="/blocks/graphql"' in html
    assert "/blocks/print?path=%2Fnews%2Fsample-news" in html


def test_host_articles_render_with_no_copy_into_our_table(host):
    assert isinstance(host_app.NewsItemSource(), ArticleSource)
    client = host.test_client()
    block = f"/blocks/fragments/block/{viewdata_id()}"
    first = client.get(block, query_string={"path": NEWS_PATH})
    assert "Đoạn thứ nhất của bản tin." in first.get_data(as_text=True)
    item = host_app.host_db.session.get(host_app.NewsItem, 1)
    item.content_html = "<p>Nội dung do CMS của cổng sửa.</p>"
    host_app.host_db.session.commit()
    second = client.get(block, query_string={"path": NEWS_PATH})
    assert "Nội dung do CMS của cổng sửa." in second.get_data(as_text=True)
    assert second.headers["ETag"] != first.headers["ETag"]
    assert db.session.scalar(select(func.count()).select_from(Article)) == 0


PAGE_TITLE = """query($path: String!) { page(path: $path) { article { title } } }"""


def host_title(client) -> tuple[str, str]:
    response = client.post(
        "/blocks/graphql", json={"query": PAGE_TITLE, "variables": {"path": NEWS_PATH}}
    )
    return response.get_json()["data"]["page"]["article"]["title"], response.headers["Cache-Status"]


def retitle_host_item(title: str) -> None:
    item = host_app.host_db.session.get(host_app.NewsItem, 1)
    item.headline = title
    host_app.host_db.session.commit()


def test_a_source_that_does_not_announce_changes_is_never_cached(host):
    """We cannot see the host's writes: its articles are asked for on every request."""
    client = host.test_client()
    assert host_title(client) == ("Khai trương cổng thông tin mới", MISS)
    retitle_host_item("Tiêu đề do CMS sửa")
    with count_statements() as ours:
        assert host_title(client) == ("Tiêu đề do CMS sửa", MISS)
    assert ours == []  # the route and layout still come from the page-data cache


def test_a_source_that_announces_changes_is_cached_until_it_does(host, monkeypatch):
    monkeypatch.setattr(host_app.NewsItemSource, "announces_changes", True, raising=False)
    client = host.test_client()
    assert host_title(client) == ("Khai trương cổng thông tin mới", STORED)
    retitle_host_item("Tiêu đề do CMS sửa")
    assert host_title(client) == ("Khai trương cổng thông tin mới", HIT)  # not announced yet
    invalidate_articles(["1"])
    assert host_title(client) == ("Tiêu đề do CMS sửa", STORED)


def test_articles_point_at_the_hosts_own_article_urls(host):
    body = (
        host.test_client()
        .post("/blocks/graphql", json={"query": '{ article(slug: "sample-news") { url } }'})
        .get_json()
    )
    assert body["data"]["article"]["url"] == "/news/sample-news"


def test_an_article_path_without_a_slug_is_refused_at_startup(tmp_path):
    with pytest.raises(ValueError, match="ARTICLE_PATH must hold <slug> once"):
        host_app.create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'host.db'}",
                "PORTAL_BLOCKS_ARTICLE_PATH": "/news/latest",
            }
        )


def test_host_drafts_stay_hidden(host):
    item = host_app.host_db.session.get(host_app.NewsItem, 1)
    item.is_live = False
    host_app.host_db.session.commit()
    assert host.test_client().get(NEWS_PATH).status_code == 404


def test_host_flask_migrate_stays_the_hosts(tmp_path, database_url):
    app = Flask("host_with_migrate")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'h.db'}",
        PORTAL_BLOCKS_DATABASE_URL=database_url,
    )
    from flask_sqlalchemy import SQLAlchemy

    from portal_blocks import PortalBlocks

    own_db = SQLAlchemy()
    own_db.init_app(app)
    Migrate(app, own_db, directory=str(tmp_path / "migrations"))
    PortalBlocks(app)
    assert app.extensions["migrate"].db is own_db
    assert app.extensions["sqlalchemy"] is own_db


def test_host_cli_upgrades_our_database_only(host):
    result = host.test_cli_runner().invoke(args=["blocks", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "portal-blocks database at head" in result.output
    assert "portal_blocks_alembic_version" in inspect(db.engine).get_table_names()
    assert "alembic_version" not in inspect(host_app.host_db.engine).get_table_names()


def test_the_example_host_keeps_its_blocks_apart_from_the_standalone_demo():
    """Both keep relative SQLite files in the same instance folder: with one file name, the
    demo's edits showed in the host (and the other way round)."""
    from portal_blocks import create_app

    example = host_app.create_app()
    demo = create_app()
    with example.app_context():
        example_url = db.engine.url
    with demo.app_context():
        demo_url = db.engine.url
    assert example_url.get_backend_name() == demo_url.get_backend_name() == "sqlite"
    assert example_url.database != demo_url.database
