"""An existing portal that mounts portal-blocks: its own routes, database and article table.

Run it (SQLite files in ./instance, the blocks under /blocks)::

    .venv/bin/flask --app examples.host_app init-demo
    .venv/bin/flask --app examples.host_app run

(``flask`` finds the ``create_app`` factory below.)
then open http://127.0.0.1:5000/news/sample-news (the host's page, with the blocks rendered in
process) and http://127.0.0.1:5000/blocks/fragments/page?path=/news/sample-news (the same
blocks as an HTML fragment). The host keeps its SQLAlchemy instance, its config and its error
handlers; articles come from its ``news_item`` table, and nothing is copied into ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import click
from flask import Flask, abort, render_template_string, request
from flask_sqlalchemy import SQLAlchemy
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Mapped, mapped_column

from portal_blocks import PortalBlocks
from portal_blocks.content.records import ArticleRecord
from portal_blocks.db import db as blocks_db
from portal_blocks.demo import ensure_default_layout
from portal_blocks.layout.service import ensure_route
from portal_blocks.migrate import upgrade_database
from portal_blocks.models import Layout
from portal_blocks.render.fragments import FragmentNotFound

host_db = SQLAlchemy()
HOST_ARTICLE_ROUTE = "/news/<slug>"


class NewsItem(host_db.Model):
    """The host CMS's own article table, in its own shape."""

    __tablename__ = "news_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(unique=True)
    headline: Mapped[str]
    summary: Mapped[str] = mapped_column(default="")
    content_html: Mapped[str] = mapped_column(default="")
    writer: Mapped[str | None]
    is_live: Mapped[bool] = mapped_column(default=True)
    posted_at: Mapped[datetime | None]


class NewsItemSource:
    """The host's side of :class:`portal_blocks.content.source.ArticleSource`."""

    def _query(self, include_drafts: bool):  # noqa: ANN202 - a SQL statement
        query = select(NewsItem)
        return query if include_drafts else query.where(NewsItem.is_live.is_(True))

    def by_slug(self, slug: str, *, include_drafts: bool = False) -> ArticleRecord | None:
        item = host_db.session.scalar(self._query(include_drafts).where(NewsItem.slug == slug))
        return record(item) if item else None

    def by_ids(
        self, ids: Iterable[str], *, include_drafts: bool = False
    ) -> dict[str, ArticleRecord]:
        numeric = [int(i) for i in ids if str(i).isdigit()]
        items = host_db.session.scalars(self._query(include_drafts).where(NewsItem.id.in_(numeric)))
        return {str(item.id): record(item) for item in items}

    def related(self, article: ArticleRecord, *, limit: int) -> list[ArticleRecord]:
        """Other live items, newest first (this host has no categories)."""
        items = host_db.session.scalars(
            self._query(include_drafts=False)
            .where(NewsItem.slug != article.slug)
            .order_by(NewsItem.posted_at.desc(), NewsItem.id.desc())
            .limit(limit)
        )
        return [record(item) for item in items]


def record(item: NewsItem) -> ArticleRecord:
    posted = item.posted_at
    if posted is not None and posted.tzinfo is None:
        posted = posted.replace(tzinfo=UTC)  # the host stores naive UTC
    return ArticleRecord(
        id=str(item.id),
        slug=item.slug,
        title=item.headline,
        lead=item.summary,
        body_html=item.content_html,  # the host's body must already be sanitised HTML
        published_at=posted,
        status="published" if item.is_live else "draft",
        author=item.writer,
    )


PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>{{ title }}</title>
{% for url in fragment.css %}<link rel="stylesheet" href="{{ url }}">{% endfor %}
{% for url in fragment.js %}<script src="{{ url }}" defer></script>{% endfor %}
</head><body><header class="host-header">Host portal</header>
<main>{{ html }}</main></body></html>"""


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(
        SQLALCHEMY_DATABASE_URI="sqlite:///host.db",
        # Its own file: the standalone demo keeps portal_blocks.db in the same instance folder.
        PORTAL_BLOCKS_DATABASE_URL="sqlite:///host_portal_blocks.db",
        PORTAL_BLOCKS_URL_PREFIX="/blocks",
        PORTAL_BLOCKS_ARTICLE_PATH="/news/<slug>",  # where this host shows an article
        PORTAL_BLOCKS_GRAPHIQL=False,
    )
    app.config.update(config or {})
    host_db.init_app(app)
    blocks = PortalBlocks(app, source_factory=lambda _session: NewsItemSource())

    @app.errorhandler(404)
    def host_not_found(_error: Exception) -> tuple[str, int]:
        return "Host portal: page not found", 404

    @app.get("/")
    def home() -> str:
        items = host_db.session.scalars(select(NewsItem).order_by(NewsItem.id))
        return "".join(f"<p><a href='/news/{i.slug}'>{i.headline}</a></p>" for i in items)

    @app.get("/news/<slug>")
    def news(slug: str) -> str:
        try:
            fragment = blocks.fragment(f"/news/{slug}", region="main", request=request)
        except FragmentNotFound:
            abort(404)
        title = host_db.session.scalar(select(NewsItem.headline).where(NewsItem.slug == slug))
        return render_template_string(
            PAGE, title=title, fragment=fragment, html=Markup(fragment.html)
        )

    @app.cli.command("init-demo")
    def init_demo() -> None:
        """Create the host's table with one article and set up the blocks' layout and route."""
        host_db.create_all()
        if host_db.session.get(NewsItem, 1) is None:
            host_db.session.add(sample_news_item())
            host_db.session.commit()
        set_up_blocks()
        click.echo("Host demo ready: /news/sample-news")

    return app


def set_up_blocks() -> Layout:
    """Our database at head, the news-detail layout, and the host's article route bound to it."""
    upgrade_database()
    layout = ensure_default_layout(blocks_db.session)
    ensure_route(blocks_db.session, HOST_ARTICLE_ROUTE, layout)
    blocks_db.session.commit()
    return layout


def sample_news_item() -> NewsItem:
    return NewsItem(
        id=1,
        slug="sample-news",
        headline="Khai trương cổng thông tin mới",
        summary="Cổng thông tin điện tử của tỉnh chính thức hoạt động.",
        content_html="<p>Đoạn thứ nhất của bản tin.</p><p>Đoạn thứ hai.</p>",
        writer="Ban biên tập",
        posted_at=datetime(2021, 11, 10, 1, 0),
    )
