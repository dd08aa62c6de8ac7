"""Block_BanTin_DanhSach ("Tin tức - Sự kiện"): a category's articles, a page at a time.

On a category page (``/chuyen-muc/<category>``) it lists that category, elsewhere the category
the editor chose, or every category. Paging is by cursor: the block's "Trang sau" link is the
page's own address with the page parameter ``after`` (a plain link, no JavaScript), and every
paged listing of the page reads that parameter from page assembly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry

from portal_blocks.block_types.news_items import (
    CategoryType,
    NewsItem,
    NewsItemView,
    NewsListSettingsSchema,
    category_of,
    count_field,
    graphql_items,
    heading,
    news_items,
)
from portal_blocks.blocks.registry import BlockType
from portal_blocks.blocks.settings import CategorySlug, StrictBoolean
from portal_blocks.blocks.view import BlockView, PageFacts, view_fields
from portal_blocks.content.queries import LIST_MAX, ArticleQuery, Category
from portal_blocks.graphql import resolvers
from portal_blocks.graphql.block_settings import settings_object, settings_type
from portal_blocks.graphql.blocks import Block, block_fields
from portal_blocks.layout.snapshots import PlacedBlock
from portal_blocks.render.urls import category_url, page_url

NAME = "Block_BanTin_DanhSach"
#: The heading's msgid when the editor gives none and no category names it.
DEFAULT_TITLE = "News and events"


class DanhSachSettingsSchema(NewsListSettingsSchema):
    category = CategorySlug(
        metadata={
            "description": "A category's slug (e.g. kinh-te); null: the category page's, or "
            "every category on other pages."
        }
    )
    count = count_field(default=10, most=LIST_MAX, description="How many articles per page.")
    paged = StrictBoolean(
        load_default=True,
        metadata={
            "description": "Page through the list with a 'Trang sau' link (the page's `after` "
            "parameter); off: the newest only, with a link to the category page."
        },
    )


_SCHEMA = DanhSachSettingsSchema()
DanhSachSettings = settings_type("DanhSachSettings", _SCHEMA, f"Editor settings of {NAME}.")


@dataclass(frozen=True, slots=True, kw_only=True)
class DanhSachView(BlockView):
    title: str
    category: Category | None
    items: tuple[NewsItemView, ...]
    has_next_page: bool
    end_cursor: str | None
    #: The link to the next page ("Trang sau"); None on the last page or when not paged.
    next_page_url: str | None
    #: The link back to the first page, on any later page.
    first_page_url: str | None
    #: The category page, when the block lists one category and is not that page.
    more_url: str | None
    #: Whether the block lists the category its page is about: its heading is the page's.
    is_page_heading: bool


def _query(page: PageFacts, settings: dict[str, Any]) -> ArticleQuery:
    category = settings["category"]
    if category is None and page.category is not None:
        category = page.category.slug
    return ArticleQuery(
        limit=settings["count"],
        category=category,
        after=page.after if settings["paged"] else None,
    )


def queries(page: PageFacts, settings: dict[str, Any]) -> tuple[ArticleQuery, ...]:
    return (_query(page, settings),)


def build(placement: PlacedBlock, page: PageFacts, settings: dict[str, Any]) -> DanhSachView:
    query = _query(page, settings)
    answer = page.articles(query)
    category = category_of(query.category, answer, page)
    paged = settings["paged"]
    on_its_page = page.category is not None and page.category.slug == query.category
    return DanhSachView(
        **view_fields(placement, page, settings),
        title=str(settings["title"]).strip()
        or (category.name if category is not None else heading(settings, DEFAULT_TITLE, page)),
        category=category,
        items=news_items(answer.records, settings, page),
        has_next_page=answer.has_next,
        end_cursor=answer.end_cursor,
        next_page_url=(
            page_url(page.path, after=answer.end_cursor)
            if paged and answer.has_next and answer.end_cursor
            else None
        ),
        first_page_url=page_url(page.path) if paged and query.after is not None else None,
        more_url=(category_url(query.category) if query.category and not on_its_page else None),
        is_page_heading=on_its_page,
    )


@strawberry.type(description="Where a paged list stands.")
class ListPageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(
        description="The page parameter `after` of the next page (in nextPageUrl)."
    )


@strawberry.type(name=NAME, description="A category listing, paged by cursor (Tin tức - Sự kiện).")
class DanhSachBlock(Block):
    settings: DanhSachSettings  # type: ignore[valid-type]  # a class built at import: a variable
    title: str = strawberry.field(
        description="The heading: the editor's, else the category's name, else the default."
    )
    category: CategoryType | None = strawberry.field(
        description="The category listed; null for every category."
    )

    @resolvers.field(description="The page of articles, newest first.")
    def items(self) -> list[NewsItem]:
        # Built when asked for: a page query that does not select them builds none.
        view: DanhSachView = self._view  # type: ignore[assignment]
        return graphql_items(view.items)

    page_info: ListPageInfo
    next_page_url: str | None = strawberry.field(
        description="The page's address with `after` set for the next page ('Trang sau'); "
        "null on the last page or when the block is not paged."
    )
    first_page_url: str | None = strawberry.field(
        description="The page's address without `after`, on any page after the first."
    )
    more_url: str | None = strawberry.field(
        description="The category page, when the block lists one category elsewhere."
    )

    @classmethod
    def from_view(cls, view: DanhSachView) -> DanhSachBlock:
        return cls(
            **block_fields(view, settings_object(DanhSachSettings, _SCHEMA, view)),
            title=view.title,
            category=CategoryType.of(view.category),
            page_info=ListPageInfo(has_next_page=view.has_next_page, end_cursor=view.end_cursor),
            next_page_url=view.next_page_url,
            first_page_url=view.first_page_url,
            more_url=view.more_url,
        )


BLOCK = BlockType(
    name=NAME,
    description="Tin tức - Sự kiện: a category's articles, newest first, paged by cursor.",
    schema=_SCHEMA,
    graphql_type=DanhSachBlock,
    template="portal_blocks/blocks/danhsach.html",
    build=build,
    queries=queries,
    assets_css=("portal_blocks.css",),
)
