"""Writing articles into our own store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.content.schemas import ArticleSchema
from portal_blocks.models import Article

_schema = ArticleSchema()


def upsert_article(session: Session, data: dict[str, Any]) -> Article:
    """Validate ``data`` and create the article, or update the one with the same slug."""
    loaded = _schema.load(data)
    article = session.scalar(select(Article).where(Article.slug == loaded["slug"]))
    if article is None:
        article = Article(**loaded)
        session.add(article)
    else:
        for key, value in loaded.items():
            if getattr(article, key) != value:
                setattr(article, key, value)
    session.flush()
    return article
