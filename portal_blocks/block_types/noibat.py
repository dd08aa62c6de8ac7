"""Block_BanTin_NoiBat ("Tin nổi bật"): featured news chosen by the editor.

The editor names articles by slug, in the order they show; with none named, the block shows
the newest of a category (or of every category). A chosen article that is later unpublished
or deleted disappears from the block (the list only holds what readers may see); an unknown
slug is refused when the settings are saved (:mod:`portal_blocks.layout.references`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry

from portal_blocks.block_types.news_items import (
    NewsItem,
    NewsItemView,
    NewsListSettingsSchema,
    count_field,
    graphql_items,
    heading,
    news_items,
)
from portal_blocks.blocks.registry import BlockType
from portal_blocks.blocks.settings import ArticleSlugs, CategorySlug, StrictBoolean
from portal_blocks.blocks.view import BlockView, PageFacts, view_fields
from portal_blocks.content.queries import CHOSEN_MAX, ArticleQuery
from portal_blocks.graphql import resolvers
from portal_blocks.graphql.block_settings import settings_object, settings_type
from portal_blocks.graphql.blocks import Block, block_fields
from portal_blocks.layout.snapshots import PlacedBlock

NAME = "Block_BanTin_NoiBat"
#: The heading's msgid when the editor gives none ("Tin nổi bật").
DEFAULT_TITLE = "Featured news"
COUNT_MAX = 20


class NoiBatSettingsSchema(NewsListSettingsSchema):
    articles = ArticleSlugs(
        max_length=CHOSEN_MAX,
        metadata={"description": "The featured articles' slugs, in the order they show."},
    )
    category = CategorySlug(
        metadata={
            "description": "With no article chosen: the newest of this category (a slug); "
            "null: of every category."
        }
    )
    count = count_field(
        default=4, most=COUNT_MAX, description="With no article chosen: how many to show."
    )
    show_image = StrictBoolean(
        load_default=True, metadata={"description": "Show each item's image."}
    )
    show_lead = StrictBoolean(
        load_default=True, metadata={"description": "Show the lead of the first item."}
    )


_SCHEMA = NoiBatSettingsSchema()
NoiBatSettings = settings_type("NoiBatSettings", _SCHEMA, f"Editor settings of {NAME}.")


@dataclass(frozen=True, slots=True, kw_only=True)
class NoiBatView(BlockView):
    title: str
    #: The first item shows large, with its image and lead; the rest as a list.
    lead_item: NewsItemView | None
    items: tuple[NewsItemView, ...]


def _query(settings: dict[str, Any]) -> ArticleQuery:
    chosen = tuple(settings["articles"])
    if chosen:
        return ArticleQuery(limit=len(chosen), slugs=chosen)
    return ArticleQuery(limit=settings["count"], category=settings["category"])


def queries(_page: PageFacts, settings: dict[str, Any]) -> tuple[ArticleQuery, ...]:
    return (_query(settings),)


def build(placement: PlacedBlock, page: PageFacts, settings: dict[str, Any]) -> NoiBatView:
    records = page.articles(_query(settings)).records
    # Leads show on the first item only: featured news is a headline and a few titles.
    first = news_items(records[:1], settings, page)
    rest = news_items(records[1:], {**settings, "show_lead": False}, page)
    return NoiBatView(
        **view_fields(placement, page, settings),
        title=heading(settings, DEFAULT_TITLE, page),
        lead_item=first[0] if first else None,
        items=rest,
    )


@strawberry.type(name=NAME, description="Featured news chosen by the editor (Tin nổi bật).")
class NoiBatBlock(Block):
    settings: NoiBatSettings  # type: ignore[valid-type]  # a class built at import: a variable
    title: str

    @resolvers.field(description="Every featured article in order, the first one the headline.")
    def items(self) -> list[NewsItem]:
        # Built when asked for: a page query that does not select them builds none.
        view: NoiBatView = self._view  # type: ignore[assignment]
        shown = ((view.lead_item,) if view.lead_item is not None else ()) + view.items
        return graphql_items(shown)

    @classmethod
    def from_view(cls, view: NoiBatView) -> NoiBatBlock:
        return cls(
            **block_fields(view, settings_object(NoiBatSettings, _SCHEMA, view)),
            title=view.title,
        )


BLOCK = BlockType(
    name=NAME,
    description="Tin nổi bật: featured news chosen by the editor, or a category's newest.",
    schema=_SCHEMA,
    graphql_type=NoiBatBlock,
    template="portal_blocks/blocks/noibat.html",
    build=build,
    queries=queries,
    assets_css=("portal_blocks.css",),
)
