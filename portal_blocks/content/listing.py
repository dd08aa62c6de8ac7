"""Readers' article lists: newest first, a page at a time, optionally by category or search.

Pages are cut by keyset, not offset (:mod:`portal_blocks.content.cursors`): deep pages cost
what the first one costs, and rows published meanwhile neither repeat nor vanish across pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, literal, not_, select
from sqlalchemy.orm import Session

from portal_blocks.content import search as article_search
from portal_blocks.content.cursors import Cursor, InvalidListing, older_than
from portal_blocks.content.records import RECORD_COLUMNS, ArticleRecord, record_from_model
from portal_blocks.content.search import MAX_QUERY_LENGTH, SearchQuery
from portal_blocks.content.visibility import VISIBLE_TO_READERS
from portal_blocks.models import Article

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


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


NEWEST_FIRST = (Article.published_at.desc(), Article.id.desc())
_TABLE = Article.__table__
#: Built once, as a plain table statement: the front page only needs records.
_NEWEST = (
    select(*RECORD_COLUMNS)
    .where(VISIBLE_TO_READERS)
    .order_by(_TABLE.c.published_at.desc(), _TABLE.c.id.desc())
    .limit(bindparam("limit"))
)


def newest_published(session: Session, limit: int) -> list[ArticleRecord]:
    """The ``limit`` newest articles readers may see, for a front page: the same articles, in
    the same order, as the first page of :func:`list_articles` without filters."""
    if limit < 1:
        return []
    return [record_from_model(row) for row in session.execute(_NEWEST, {"limit": limit})]


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
    cursor = Cursor.decode(after) if after is not None else None
    query = SearchQuery.parse(search) if search else None
    conditions = [VISIBLE_TO_READERS]
    if category is not None:
        conditions.append(Article.category == category)
    if query is None:
        stmt = select(Article, literal(0).label("rank")).where(*conditions)
        if cursor is not None:
            stmt = stmt.where(older_than(cursor))
        rows = session.execute(stmt.order_by(*NEWEST_FIRST).limit(size + 1)).all()
    else:
        rows = _ranked(session, conditions, query, cursor, size + 1)
    items = [
        ListedArticle(article, _cursor_of(article, row_rank)) for article, row_rank in rows[:size]
    ]
    return ArticlePage(items=items, has_next_page=len(rows) > size)


def _cursor_of(article: Article, rank: Any) -> Cursor:
    """Listed articles are dated (``VISIBLE_TO_READERS`` requires it): the date sorts them."""
    if article.published_at is None:
        raise ValueError(f"article {article.id} is listed without a publish date")
    return Cursor(int(rank), article.published_at, article.id)


def _ranked(
    session: Session,
    conditions: list[ColumnElement[bool]],
    query: SearchQuery,
    cursor: Cursor | None,
    limit: int,
) -> list[Any]:
    """Matches in two tiers, exact diacritics (rank 0) before folded only (rank 1).

    Each tier is read newest first, cut at the rows the page still needs; the folded tier only
    when the exact one does not fill the page. A tier first reads the newest
    :data:`~portal_blocks.content.search.WINDOW` candidates directly (enough when matches are
    common), and only if those fall short asks the search index for all its matches.
    """
    dialect = session.get_bind().dialect.name
    rows: list[Any] = []
    for rank in (0, 1):
        if cursor is not None and rank < cursor.rank:
            continue  # that tier was read to its end on earlier pages
        need = limit - len(rows)
        if need <= 0:
            break
        keyset = [older_than(cursor)] if cursor is not None and rank == cursor.rank else []

        def tier(*, indexed: bool, rank: int = rank) -> list[ColumnElement[bool]]:
            exact = query.exact_match(indexed=indexed)
            return [query.matches(indexed=indexed), exact if rank == 0 else not_(exact)]

        newest = (
            select(Article.id)
            .where(*conditions, *keyset)
            .order_by(*NEWEST_FIRST)
            .limit(article_search.WINDOW)
            .subquery()
        )
        found = session.execute(
            select(Article, literal(rank).label("rank"))
            .join(newest, Article.id == newest.c.id)
            .where(*tier(indexed=False))
            .order_by(*NEWEST_FIRST)
            .limit(need)
        ).all()
        if len(found) < need:
            found = session.execute(
                select(Article, literal(rank).label("rank"))
                .where(
                    *conditions,
                    *keyset,
                    query.candidates(dialect, exact=rank == 0),
                    *tier(indexed=True),
                )
                .order_by(*NEWEST_FIRST)
                .limit(need)
            ).all()
        rows += found
    return rows
