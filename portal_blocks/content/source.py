"""The protocol through which blocks get articles, and its default SQLAlchemy implementation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.content.records import ArticleRecord
from portal_blocks.content.search import published
from portal_blocks.models import Article, ArticleStatus


@runtime_checkable
class ArticleSource(Protocol):
    """What a content source must answer. Each call is one round trip at most.

    ``include_drafts`` is true only for an authenticated editor's preview.
    """

    def by_slug(self, slug: str, *, include_drafts: bool = False) -> ArticleRecord | None: ...

    def by_ids(
        self, ids: Iterable[str], *, include_drafts: bool = False
    ) -> dict[str, ArticleRecord]: ...

    def related(self, article: ArticleRecord, *, limit: int) -> list[ArticleRecord]:
        """Other published articles of ``article``'s category, most recent first."""
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
        return True if include_drafts else Article.status == ArticleStatus.PUBLISHED

    def by_slug(self, slug: str, *, include_drafts: bool = False) -> ArticleRecord | None:
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

    def related(self, article: ArticleRecord, *, limit: int) -> list[ArticleRecord]:
        if article.category is None or limit < 1:
            return []
        stmt = select(Article).where(published(), Article.category == article.category)
        if article.id.isdigit():
            stmt = stmt.where(Article.id != int(article.id))
        rows = self.session.scalars(
            stmt.order_by(Article.published_at.desc(), Article.id.desc()).limit(limit)
        )
        return [record_from_model(a) for a in rows]
