"""Block_BanTin_TinKhac ("Tin khác"): other news of the page article's category.

Under an article: the newest other articles of its category (or of the category the editor
chose), the article itself left out. On a category page it lists that category. It asks page
assembly for its list (:attr:`BlockType.queries`) and never queries on its own.
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
from portal_blocks.blocks.settings import CategorySlug
from portal_blocks.blocks.view import BlockView, PageFacts, view_fields
from portal_blocks.content.queries import EMPTY, ArticleQuery, Category
from portal_blocks.graphql import resolvers
from portal_blocks.graphql.block_settings import settings_object, settings_type
from portal_blocks.graphql.blocks import Block, block_fields
from portal_blocks.layout.snapshots import PlacedBlock

NAME = "Block_BanTin_TinKhac"
#: The heading's msgid when the editor gives none ("Tin khác").
DEFAULT_TITLE = "Other news"
COUNT_MAX = 20


class TinKhacSettingsSchema(NewsListSettingsSchema):
    category = CategorySlug(
        metadata={
            "description": "A category's slug (e.g. kinh-te); null: the page article's category "
            "(or the category page's)."
        }
    )
    count = count_field(default=5, most=COUNT_MAX, description="How many other news to show.")


_SCHEMA = TinKhacSettingsSchema()
TinKhacSettings = settings_type("TinKhacSettings", _SCHEMA, f"Editor settings of {NAME}.")


@dataclass(frozen=True, slots=True, kw_only=True)
class TinKhacView(BlockView):
    title: str
    category: Category | None
    items: tuple[NewsItemView, ...]


def _query(page: PageFacts, settings: dict[str, Any]) -> ArticleQuery | None:
    article = page.article
    category = settings["category"]
    if category is None:
        own = article.category_slug if article is not None else None
        category = own or (page.category.slug if page.category is not None else None)
    if category is None:
        return None  # a page with no category to take others from: nothing to show
    return ArticleQuery(
        limit=settings["count"],
        category=category,
        exclude=article.id if article is not None else None,
    )


def queries(page: PageFacts, settings: dict[str, Any]) -> tuple[ArticleQuery, ...]:
    query = _query(page, settings)
    return (query,) if query is not None else ()


def build(placement: PlacedBlock, page: PageFacts, settings: dict[str, Any]) -> TinKhacView:
    query = _query(page, settings)
    answer = page.articles(query) if query is not None else EMPTY
    return TinKhacView(
        **view_fields(placement, page, settings),
        title=heading(settings, DEFAULT_TITLE, page),
        category=category_of(query.category if query else None, answer, page),
        items=news_items(answer.records, settings, page),
    )


@strawberry.type(name=NAME, description="Other news of the article's category (Tin khác).")
class TinKhacBlock(Block):
    settings: TinKhacSettings  # type: ignore[valid-type]  # a class built at import: a variable
    title: str = strawberry.field(description="The heading, as the editor set it or the default.")
    category: CategoryType | None = strawberry.field(
        description="The category listed; null when the page has none to take news from."
    )

    @resolvers.field(description="Newest first, the article left out.")
    def items(self) -> list[NewsItem]:
        # Built when asked for: a page query that does not select them builds none.
        view: TinKhacView = self._view  # type: ignore[assignment]
        return graphql_items(view.items)

    @classmethod
    def from_view(cls, view: TinKhacView) -> TinKhacBlock:
        return cls(
            **block_fields(view, settings_object(TinKhacSettings, _SCHEMA, view)),
            title=view.title,
            category=CategoryType.of(view.category),
        )


BLOCK = BlockType(
    name=NAME,
    description="Tin khác: other news of the page article's category, newest first.",
    schema=_SCHEMA,
    graphql_type=TinKhacBlock,
    template="portal_blocks/blocks/tinkhac.html",
    build=build,
    queries=queries,
    assets_css=("portal_blocks.css",),
)
