"""Readers' article lists: newest first, a page at a time, optionally by category or search.

Pages are cut by keyset, not offset: the cursor holds the last row's sort key (search rank,
publish date, id), and the next page starts strictly after it. Deep pages cost what the first
one costs, and rows published meanwhile neither repeat nor vanish across pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from portal_blocks.content.search import MAX_QUERY_LENGTH, SearchQuery, published
from portal_blocks.models import Article

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class InvalidListing(ValueError):
    """A listing argument a client sent is unusable; ``argument`` names it."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


@dataclass(frozen=True)
class Cursor:
    """The sort key of one row: rank (0 exact, 1 folded; 0 without search), date, id."""

    rank: int
    published_at: datetime
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.rank, self.published_at.isoformat(), self.id])
        return base64.urlsafe_b64encode(raw.encode()).decode()

    @classmethod
    def decode(cls, value: str) -> Cursor:
        try:
            rank, published_at, id_ = json.loads(base64.urlsafe_b64decode(value.encode()))
            cursor = cls(int(rank), datetime.fromisoformat(published_at), int(id_))
        except (ValueError, TypeError, binascii.Error, UnicodeError):
            raise InvalidListing("after", "Not a cursor this list gave out.") from None
        if cursor.published_at.tzinfo is None:
            raise InvalidListing("after", "Not a cursor this list gave out.")
        return cursor


@dataclass(frozen=True)
class ListedArticle:
    article: Article
    cursor: Cursor


@dataclass(frozen=True)
class ArticlePage:
    items: list[ListedArticle]
    has_next_page: bool


def page_size(first: int | None) -> int:
    """``first`` defaults to 20 and is capped at 100; below 1 is refused."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 1:
        raise InvalidListing("first", "first must be at least 1.")
    return min(first, MAX_PAGE_SIZE)


def list_articles(
    session: Session,
    *,
    first: int | None = None,
    after: str | None = None,
    category: str | None = None,
    search: str | None = None,
) -> ArticlePage:
    """Published articles; with ``search``, exact-diacritic matches first, then folded ones."""
    size = page_size(first)
    if search is not None and len(search) > MAX_QUERY_LENGTH:
        raise InvalidListing("search", f"search is limited to {MAX_QUERY_LENGTH} characters.")
    query = SearchQuery.parse(search) if search else None
    rank = query.rank() if query else None
    stmt = select(Article, rank.label("rank") if rank is not None else literal(0)).where(
        published()
    )
    if category is not None:
        stmt = stmt.where(Article.category == category)
    if query is not None:
        stmt = stmt.where(query.matches(session.get_bind().dialect.name))
    if after is not None:
        cursor = Cursor.decode(after)
        older = tuple_(Article.published_at, Article.id) < tuple_(
            literal(cursor.published_at, Article.published_at.type), literal(cursor.id)
        )
        stmt = stmt.where(
            older if rank is None else or_(rank > cursor.rank, and_(rank == cursor.rank, older))
        )
    newest_first = (Article.published_at.desc(), Article.id.desc())
    stmt = stmt.order_by(*newest_first if rank is None else (rank, *newest_first))
    rows = session.execute(stmt.limit(size + 1)).all()
    items = [
        ListedArticle(article, Cursor(int(row_rank), article.published_at, article.id))
        for article, row_rank in rows[:size]
    ]
    return ArticlePage(items=items, has_next_page=len(rows) > size)
