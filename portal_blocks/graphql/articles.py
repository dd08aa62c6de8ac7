"""``articles(first, after, category, search)``: the readers' article list as a connection.

Its answers go to the response cache, tagged with ARTICLES_TAG, the articles they show and,
for a search, SEARCH_TAG: a repeated anonymous list or search is answered without running it
again, until a write changes what it holds or shows.
"""

from __future__ import annotations

import strawberry

from portal_blocks.cache_tags import ARTICLES_TAG, SEARCH_TAG, article_tag
from portal_blocks.content.cursors import InvalidListing
from portal_blocks.content.listing import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    list_articles,
    page_size,
)
from portal_blocks.content.queries import ArticleQuery, InvalidCursor, source_lists
from portal_blocks.content.records import record_from_model
from portal_blocks.content.remote.dialects import offset_cursor, offset_of
from portal_blocks.content.remote.source import RemoteSource
from portal_blocks.graphql import resolvers
from portal_blocks.graphql.article import ArticleType
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.errors import InvalidArgument, NotSupported
from portal_blocks.text.slug import category_slug


@strawberry.type(description="Where a page of a list ends, and whether more follows.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to get the next page; null on an empty page."
    )


@strawberry.type(description="One article of a list, with the cursor just after it.")
class ArticleEdge:
    cursor: str
    node: ArticleType


@strawberry.type(description="A page of articles.")
class ArticleConnection:
    edges: list[ArticleEdge]
    page_info: PageInfo

    @resolvers.field(description="The edges' articles, for clients that need no cursors.")
    def nodes(self) -> list[ArticleType]:
        return [edge.node for edge in self.edges]


@strawberry.type
class ArticleQueries:
    @resolvers.field(
        description="Published articles, newest first (publish date, then id). With `search`, "
        "every word must occur in the title, lead or body, diacritics optional ('dong' finds "
        "'Đồng'); matches with the exact diacritics come first. "
        f"`first` defaults to {DEFAULT_PAGE_SIZE} and is capped at {MAX_PAGE_SIZE}."
    )
    def articles(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        category: str | None = None,
        search: str | None = None,
    ) -> ArticleConnection:
        remote = _remote(info)
        if remote is not None:
            return _remote_articles(
                info, remote, first=first, after=after, category=category, search=search
            )
        try:
            page = list_articles(
                info.context.session, first=first, after=after, category=category, search=search
            )
        except InvalidListing as exc:
            raise InvalidArgument(str(exc), argument=exc.argument) from None
        # Which articles the list holds changes with writes that invalidate ARTICLES_TAG, what
        # it shows of each with that article's own tag, a search's matches with any article's
        # text (SEARCH_TAG); nothing else changes it (no scheduled publishing): it is cached.
        shown = (article_tag(item.article.id) for item in page.items)
        searched = (SEARCH_TAG,) if search is not None else ()
        info.context.cache.depend_on(info, (ARTICLES_TAG, *searched, *shown))
        edges = [
            ArticleEdge(
                cursor=item.cursor.encode(),
                node=ArticleType.from_record(record_from_model(item.article)),
            )
            for item in page.items
        ]
        return ArticleConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


def _remote(info: Info) -> RemoteSource | None:
    source = info.context.source
    inner = getattr(source, "inner", source)
    return inner if isinstance(inner, RemoteSource) else None


def _remote_articles(
    info: Info,
    remote: RemoteSource,
    *,
    first: int | None,
    after: str | None,
    category: str | None,
    search: str | None,
) -> ArticleConnection:
    """The list from a CMS's GraphQL API, through the page lists' one request (the source
    tags the answer); its cursors are offsets. Searching a CMS is not done for it."""
    if search is not None:
        raise NotSupported(
            "Search reads this portal's own articles; here they come from a CMS.",
            argument="search",
        )
    try:
        size = page_size(first)
        start = offset_of(after)
    except (InvalidListing, InvalidCursor) as exc:
        raise InvalidArgument(str(exc), argument="first" if after is None else "after") from None
    query = ArticleQuery(limit=size, category=category_slug(category), after=after)
    [answer] = source_lists(info.context.source, [query])
    info.context.cache.depend_on(info, (ARTICLES_TAG,))
    edges = [
        ArticleEdge(cursor=offset_cursor(start + i + 1), node=ArticleType.from_record(record))
        for i, record in enumerate(answer.records)
    ]
    return ArticleConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=answer.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
    )
