"""The article lists a page's blocks show, asked of the source all at once.

A list block (other news, a category listing, featured news) does not query on its own: it
states the :class:`ArticleQuery` it shows, page assembly gathers the queries of every block on
the page and asks the source for all of them in one call (:func:`fetch_lists`), and each block
is then built from its answer. However many list blocks a page holds, its lists cost one round
trip to the store.

Listing is a capability of its own (:class:`ArticleLists`), apart from
:class:`~portal_blocks.content.source.ArticleSource`: a host's source that cannot list gives
empty lists (logged once per source type), and its category pages are not found, while its
article pages keep working.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from portal_blocks.content.records import ArticleRecord

log = logging.getLogger(__name__)

#: The most articles one list may ask for (a block's count setting stays below it).
LIST_MAX = 50
#: The most chosen articles one list may name.
CHOSEN_MAX = 20


@dataclass(frozen=True, slots=True)
class Category:
    """A category as pages name it: its address form and its name as written."""

    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """One list of published articles, newest first. Equal queries are asked once per page.

    With ``slugs``, the list is those articles in that order (those readers may see; no
    paging); otherwise the newest ``limit`` of ``category`` (every category when None), older
    than the cursor ``after`` gave, without the article ``exclude`` (a page's own).
    """

    limit: int
    category: str | None = None
    slugs: tuple[str, ...] | None = None
    exclude: str | None = None
    #: A cursor an earlier answer's :attr:`ArticleList.end_cursor` gave (opaque: the source's).
    after: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleList:
    records: tuple[ArticleRecord, ...] = ()
    #: Whether articles follow the last one (a listing's "Trang sau").
    has_next: bool = False
    #: What :attr:`ArticleQuery.after` takes to go on after the last record; None: nothing.
    end_cursor: str | None = None


EMPTY = ArticleList()


class InvalidCursor(ValueError):
    """A cursor the source never gave out (a reader's edited or truncated link)."""


@runtime_checkable
class ArticleLists(Protocol):
    """What a source answers to list articles; each call one round trip at most.

    ``lists`` answers every query, in order, in one call (one statement for our table) and
    raises :class:`InvalidCursor` for an ``after`` it did not give out. ``category`` finds a
    category by its slug among the published articles, or None.
    """

    def lists(self, queries: Sequence[ArticleQuery]) -> list[ArticleList]: ...

    def category(self, slug: str) -> Category | None: ...


_warned: set[type] = set()


def _cannot_list(source: object) -> bool:
    if isinstance(source, ArticleLists):
        return False
    if type(source) not in _warned:
        _warned.add(type(source))
        log.warning(
            "%s does not list articles (no lists()/category()): list blocks show nothing "
            "and category pages are not found",
            type(source).__name__,
        )
    return True


def source_lists(source: object, queries: Sequence[ArticleQuery]) -> list[ArticleList]:
    """The source's answers, or empty lists from a source that cannot list."""
    if not queries or _cannot_list(source):
        return [EMPTY] * len(queries)
    assert isinstance(source, ArticleLists)
    return source.lists(queries)


def source_category(source: object, slug: str) -> Category | None:
    if _cannot_list(source):
        return None
    assert isinstance(source, ArticleLists)
    return source.category(slug)


def fetch_lists(
    source: object, queries: Sequence[ArticleQuery]
) -> Mapping[ArticleQuery, ArticleList]:
    """Every distinct query's answer, in one call to the source."""
    distinct = list(dict.fromkeys(queries))
    return dict(zip(distinct, source_lists(source, distinct), strict=True))
