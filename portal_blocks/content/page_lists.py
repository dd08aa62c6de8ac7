"""The lists of a page from our ``article`` table: every list in one statement.

Each list is one branch of a ``UNION ALL``, newest first and cut at its own limit, so each branch
reads its own index (``ix_article_category_slug_published`` for a category,
``ix_article_published`` for every category, the slug's unique index for chosen articles) and
the page pays one round trip however many list blocks it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import CompoundSelect, Select, bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from portal_blocks.content.cursors import Cursor, InvalidListing, keyset_before
from portal_blocks.content.queries import ArticleList, ArticleQuery, Category, InvalidCursor
from portal_blocks.content.records import RECORD_COLUMNS, ArticleRecord, record_from_model
from portal_blocks.content.visibility import NOT_DELETED, VISIBLE_TO_READERS
from portal_blocks.db import read_rows
from portal_blocks.models import Article
from portal_blocks.text.nul import storable_text
from portal_blocks.text.ranges import row_id

_TABLE = Article.__table__
_NEWEST_FIRST = (_TABLE.c.published_at.desc(), _TABLE.c.id.desc())
_CATEGORY = (
    select(_TABLE.c.category)
    .where(_TABLE.c.category_slug == bindparam("slug"), VISIBLE_TO_READERS)
    .order_by(*_NEWEST_FIRST)
    .limit(1)
)


def _cursor(after: str | None) -> Cursor | None:
    if after is None:
        return None
    try:
        return Cursor.decode(after)
    except InvalidListing as exc:
        raise InvalidCursor(str(exc)) from None


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which conditions a list's branch has: the statement is built once per page's shapes
    (building a select of every record column costs more than running it) and run with the
    lists' own values as parameters."""

    slugs: bool
    category: bool
    exclude: bool
    after: bool


def _shape_and_values(index: int, query: ArticleQuery) -> tuple[_Shape, dict[str, Any]]:
    values: dict[str, Any] = {f"limit_{index}": query.limit + 1}  # one more: a next page?
    if query.slugs is not None:
        values[f"slugs_{index}"] = [s for s in query.slugs if storable_text(s)]
        values[f"limit_{index}"] = len(query.slugs)
    if query.category is not None:
        values[f"category_{index}"] = query.category
    own_id = row_id(query.exclude) if query.exclude is not None else None
    if own_id is not None:
        values[f"exclude_{index}"] = own_id
    cursor = _cursor(query.after)
    if cursor is not None:
        values[f"after_at_{index}"] = cursor.published_at
        values[f"after_id_{index}"] = cursor.id
    shape = _Shape(
        slugs=query.slugs is not None,
        category=query.category is not None,
        exclude=own_id is not None,
        after=cursor is not None,
    )
    return shape, values


def _branch(index: int, shape: _Shape) -> Select[Any]:
    conditions = [VISIBLE_TO_READERS]
    if shape.slugs:
        conditions.append(_TABLE.c.slug.in_(bindparam(f"slugs_{index}", expanding=True)))
    if shape.category:
        conditions.append(_TABLE.c.category_slug == bindparam(f"category_{index}"))
    if shape.exclude:
        conditions.append(_TABLE.c.id != bindparam(f"exclude_{index}"))
    if shape.after:
        published_at = bindparam(f"after_at_{index}", type_=_TABLE.c.published_at.type)
        conditions.append(keyset_before(published_at, bindparam(f"after_id_{index}")))
    return (
        select(literal(index).label("list_index"), *RECORD_COLUMNS)
        .where(*conditions)
        .order_by(*_NEWEST_FIRST)
        .limit(bindparam(f"limit_{index}"))
    )


@lru_cache(maxsize=256)
def _statement(shapes: tuple[_Shape, ...]) -> Select[Any] | CompoundSelect[Any]:
    if len(shapes) == 1:  # the common page: one list, read as it is
        return _branch(0, shapes[0])
    # A branch with ORDER BY and LIMIT must be a subquery inside a compound select on SQLite.
    return union_all(*(select(_branch(i, shape).subquery()) for i, shape in enumerate(shapes)))


def read_lists(session: Session, queries: Sequence[ArticleQuery]) -> list[ArticleList]:
    """Every query's list, in order, in one statement (none for no query)."""
    if not queries:
        return []
    shapes: list[_Shape] = []
    values: dict[str, Any] = {}
    for index, query in enumerate(queries):
        shape, own = _shape_and_values(index, query)
        shapes.append(shape)
        values.update(own)
    found: list[list[ArticleRecord]] = [[] for _ in queries]
    for row in read_rows(session, _statement(tuple(shapes)), values):
        found[row.list_index].append(record_from_model(row))
    return [_answer(query, records) for query, records in zip(queries, found, strict=True)]


def _answer(query: ArticleQuery, records: list[ArticleRecord]) -> ArticleList:
    if query.slugs is not None:
        by_slug = {r.slug: r for r in records}
        chosen = tuple(by_slug[s] for s in dict.fromkeys(query.slugs) if s in by_slug)
        return ArticleList(chosen[: query.limit])
    shown = tuple(records[: query.limit])
    has_next = len(records) > query.limit
    end_cursor = None
    if has_next and shown:
        last = shown[-1]
        assert last.published_at is not None  # listed rows are dated (VISIBLE_TO_READERS)
        end_cursor = Cursor(0, last.published_at, int(last.id)).encode()
    return ArticleList(shown, has_next=has_next, end_cursor=end_cursor)


def category_by_slug(session: Session, slug: str) -> Category | None:
    """The category readers can see articles of under ``slug`` (its name as the newest of
    them writes it), or None."""
    if not storable_text(slug):
        return None
    name = read_rows(session, _CATEGORY, {"slug": slug}).scalar()
    return Category(slug, name) if name is not None else None


def existing_slugs(session: Session, slugs: Iterable[str]) -> set[str]:
    """Which of ``slugs`` name an article that is not deleted (a draft counts: an editor may
    feature it before it is published; readers only see it once it is)."""
    wanted = [s for s in set(slugs) if storable_text(s)]
    if not wanted:
        return set()
    found = session.scalars(select(_TABLE.c.slug).where(_TABLE.c.slug.in_(wanted), NOT_DELETED))
    return set(found)


def existing_categories(session: Session, slugs: Iterable[str]) -> set[str]:
    """Which of the category ``slugs`` some article that is not deleted belongs to."""
    wanted = [s for s in set(slugs) if storable_text(s)]
    if not wanted:
        return set()
    found = session.scalars(
        select(_TABLE.c.category_slug)
        .where(_TABLE.c.category_slug.in_(wanted), NOT_DELETED)
        .distinct()
    )
    return {s for s in found if s is not None}
