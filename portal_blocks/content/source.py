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

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from portal_blocks.content.page_lists import category_by_slug, read_lists
from portal_blocks.content.queries import ArticleList, ArticleQuery, Category
from portal_blocks.content.records import RECORD_COLUMNS, ArticleRecord, record_from_model
from portal_blocks.content.visibility import VISIBLE_TO_READERS, visible_to
from portal_blocks.db import read_rows
from portal_blocks.models import Article
from portal_blocks.text.nul import storable_text
from portal_blocks.text.ranges import row_id


@runtime_checkable
class ArticleSource(Protocol):
    """What a content source must answer.

    Each call should cost one round trip to the store at most: a page's SQL budget counts it
    as one statement, and a route resolves its article with exactly one call.

    The records returned must hold NFC text, sanitised ``body_html`` (it is rendered as is),
    and timezone-aware ``published_at``. Ids are strings, whatever the store uses.
    ``include_drafts`` is true only for an authenticated editor's preview; otherwise return
    published articles only, and ``None`` / no entry for anything else.

    Caching: pages that show a source's articles are kept in the shared caches only when the
    source sets ``announces_changes = True``, promising that every change to its articles is
    announced with :func:`portal_blocks.invalidate_articles` once committed. Without it each
    request asks the source again (the route and layout are still cached).
    """

    def by_slug(self, slug: str, *, include_drafts: bool = False) -> ArticleRecord | None:
        """The article a ``/.../<slug>`` route names, or ``None``."""
        ...

    def by_ids(
        self, ids: Iterable[str], *, include_drafts: bool = False
    ) -> dict[str, ArticleRecord]:
        """The articles among ``ids`` that exist (and are visible), keyed by id, in bulk."""
        ...

    def related(self, article: ArticleRecord, *, limit: int) -> list[ArticleRecord]:
        """Other published articles of ``article``'s category, most recent first."""
        ...


# Built once, as plain table statements: building a statement per call, or loading ORM
# objects only to copy them into records, costs more than running the statement.
_TABLE = Article.__table__
# Drafts only show in an editor's preview (content.visibility says what readers see).
_BY_SLUG_WITH_DRAFTS = select(*RECORD_COLUMNS).where(
    _TABLE.c.slug == bindparam("slug"), visible_to(include_drafts=True)
)
_PUBLISHED_BY_SLUG = select(*RECORD_COLUMNS).where(
    _TABLE.c.slug == bindparam("slug"), visible_to(include_drafts=False)
)


def announces_changes(source: object) -> bool:
    """Whether caches may keep this source's articles (see :class:`ArticleSource`)."""
    return bool(getattr(source, "announces_changes", False))


class SqlAlchemyArticleSource:
    """Articles from our own ``article`` table."""

    #: Every commit to the table, through any session, invalidates (caching.invalidation).
    announces_changes = True

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_slug(self, slug: str, *, include_drafts: bool = False) -> ArticleRecord | None:
        if not storable_text(slug):  # no slug holds what PostgreSQL cannot store (NUL)
            return None
        statement = _BY_SLUG_WITH_DRAFTS if include_drafts else _PUBLISHED_BY_SLUG
        row = read_rows(self.session, statement, {"slug": slug}).first()
        return record_from_model(row) if row is not None else None

    def by_ids(
        self, ids: Iterable[str], *, include_drafts: bool = False
    ) -> dict[str, ArticleRecord]:
        # An id that cannot be one of our rows' is none of them: sent to PostgreSQL, an id past
        # the column's range aborts the transaction instead of matching nothing.
        numeric = [n for n in map(row_id, ids) if n is not None]
        if not numeric:
            return {}
        statement = select(*RECORD_COLUMNS).where(
            _TABLE.c.id.in_(numeric), visible_to(include_drafts=include_drafts)
        )
        return {str(row.id): record_from_model(row) for row in read_rows(self.session, statement)}

    def related(self, article: ArticleRecord, *, limit: int) -> list[ArticleRecord]:
        if article.category is None or limit < 1:
            return []
        stmt = select(*RECORD_COLUMNS).where(
            VISIBLE_TO_READERS, _TABLE.c.category == article.category
        )
        own_id = row_id(article.id)
        if own_id is not None:
            stmt = stmt.where(_TABLE.c.id != own_id)
        rows = read_rows(
            self.session,
            stmt.order_by(_TABLE.c.published_at.desc(), _TABLE.c.id.desc()).limit(limit),
        )
        return [record_from_model(row) for row in rows]

    # ArticleLists (portal_blocks.content.queries): list blocks and category pages.

    def lists(self, queries: Sequence[ArticleQuery]) -> list[ArticleList]:
        return read_lists(self.session, queries)

    def category(self, slug: str) -> Category | None:
        return category_by_slug(self.session, slug)
