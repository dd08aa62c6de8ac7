"""The protocol through which blocks get articles, and its default SQLAlchemy implementation.

A host CMS that keeps its own articles implements :class:`ArticleSource` over its own store
and passes a factory to the extension::

    PortalBlocks(app, source_factory=lambda _session: MyCmsSource())

The factory is called once per request with our SQLAlchemy session (the default source reads
our ``article`` table through it; a host source usually ignores it and uses its own). Nothing
is copied into our tables: layouts, placements and routes are ours, articles are the host's.
``examples/host_app.py`` is a complete example.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.content.records import ArticleRecord
from portal_blocks.models import Article, ArticleStatus


@runtime_checkable
class ArticleSource(Protocol):
    """What a content source must answer.

    Each call should cost one round trip to the store at most: a page's SQL budget counts it
    as one statement, and a route resolves its article with exactly one call.

    The records returned must hold NFC text, sanitised ``body_html`` (it is rendered as is),
    and timezone-aware ``published_at``. Ids are strings, whatever the store uses.
    ``include_drafts`` is true only for an authenticated editor's preview; otherwise return
    published articles only, and ``None`` / no entry for anything else.
    """

    def by_slug(self, slug: str, *, include_drafts: bool = False) -> ArticleRecord | None:
        """The article a ``/.../<slug>`` route names, or ``None``."""
        ...

    def by_ids(
        self, ids: Iterable[str], *, include_drafts: bool = False
    ) -> dict[str, ArticleRecord]:
        """The articles among ``ids`` that exist (and are visible), keyed by id, in bulk."""
        ...


def record_from_model(article: Article) -> ArticleRecord:
    return ArticleRecord(
        id=str(article.id),
        slug=article.slug,
        title=article.title,
        lead=article.lead,
        body_html=article.body_html,
        published_at=article.published_at,
        status=article.status.value,
        image_url=article.image_url,
        image_caption=article.image_caption,
        image_alt=article.image_alt,
        author=article.author,
        source=article.source,
        category=article.category,
        legacy_path=article.legacy_path,
        version=article.version,
    )


class SqlAlchemyArticleSource:
    """Articles from our own ``article`` table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _visible(self, include_drafts: bool):  # noqa: ANN202 - a SQL expression
        """Deleted articles are gone for everyone; drafts only show in an editor's preview."""
        live = Article.deleted_at.is_(None)
        return live if include_drafts else live & (Article.status == ArticleStatus.PUBLISHED)

    def by_slug(self, slug: str, *, include_drafts: bool = False) -> ArticleRecord | None:
        if "\x00" in slug:  # PostgreSQL text cannot hold NUL, so no slug has one
            return None
        article = self.session.scalar(
            select(Article).where(Article.slug == slug, self._visible(include_drafts))
        )
        return record_from_model(article) if article else None

    def by_ids(
        self, ids: Iterable[str], *, include_drafts: bool = False
    ) -> dict[str, ArticleRecord]:
        numeric = [int(i) for i in ids if str(i).isdigit()]
        if not numeric:
            return {}
        rows = self.session.scalars(
            select(Article).where(Article.id.in_(numeric), self._visible(include_drafts))
        )
        return {str(a.id): record_from_model(a) for a in rows}
