"""Block_BanTin_ViewData: the article itself: image and caption, body paragraphs, author."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from marshmallow import validate

from portal_blocks.blocks.registry import BlockType
from portal_blocks.blocks.settings import SettingsSchema, StrictBoolean, StrictInteger
from portal_blocks.blocks.view import (
    RELATED_MAX,
    BlockCannotShow,
    BlockView,
    PageFacts,
    view_fields,
)
from portal_blocks.content.records import ArticleRecord
from portal_blocks.graphql import resolvers
from portal_blocks.graphql.article import ArticleType
from portal_blocks.graphql.block_settings import settings_object, settings_type
from portal_blocks.graphql.blocks import Block, block_fields
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.errors import InvalidArgument
from portal_blocks.layout.snapshots import PlacedBlock
from portal_blocks.text.html import paragraphs

NAME = "Block_BanTin_ViewData"


def _flag(default: bool, description: str) -> StrictBoolean:
    return StrictBoolean(load_default=default, metadata={"description": description})


class ViewDataSettingsSchema(SettingsSchema):
    show_title = _flag(False, "Show the title (off when the toolbar shows it).")
    show_lead = _flag(False, "Show the lead (off when the toolbar shows it).")
    show_image = _flag(True, "Show the lead image.")
    show_caption = _flag(True, "Show the image caption.")
    show_author = _flag(True, "Show the author under the body.")
    show_source = _flag(False, "Show the source under the body.")
    show_category = _flag(False, "Show the category above the body.")
    show_related = _flag(False, "Show other news of the same category under the body.")
    related_count = StrictInteger(
        load_default=5,
        validate=validate.Range(min=1, max=RELATED_MAX),
        metadata={"description": "How many other news to show under the body."},
    )


_SCHEMA = ViewDataSettingsSchema()
ViewDataSettings = settings_type(
    "ViewDataSettings", _SCHEMA, "Editor settings of Block_BanTin_ViewData."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewDataView(BlockView):
    article: ArticleRecord
    title: str | None
    lead: str | None
    image_url: str | None
    image_alt: str | None
    image_caption: str | None
    body_html: str
    author: str | None
    source: str | None
    category: str | None
    #: The reader's text size within the page's bounds; None for the theme's size.
    text_size: int | None
    #: What the block lists under "Tin khác": nothing unless the editor enabled it.
    related: tuple[ArticleRecord, ...]


@strawberry.type(name=NAME, description="The article's content: image, caption, body, author.")
class ViewDataBlock(Block):
    settings: ViewDataSettings  # type: ignore[valid-type]  # a class built at import: a variable
    article: ArticleType
    title: str | None
    lead: str | None
    image_url: str | None
    image_alt: str | None
    image_caption: str | None
    body_html: str = strawberry.field(description="The body as sanitised HTML.")
    author: str | None
    source: str | None
    category: str | None
    text_size: int | None = strawberry.field(
        description="The reader's text size in percent, within the toolbar's bounds; null for "
        "the theme's size."
    )

    @resolvers.field(description="The body's paragraphs as plain text, in order.")
    def paragraphs(self) -> list[str]:
        return paragraphs(self.body_html)

    @resolvers.field(
        description="Other published news of the article's category, most recent first "
        f"(the block's relatedCount unless `first` is given; at most {RELATED_MAX}). "
        "Every block of a page shares one query."
    )
    def related_articles(self, info: Info, first: int | None = None) -> list[ArticleType]:
        if first is not None and first < 1:
            raise InvalidArgument("first must be at least 1.", argument="first")
        view = self._view
        count = view.settings["related_count"] if first is None else min(first, RELATED_MAX)
        related = info.context.related_news(view.page).records()
        return [ArticleType.from_record(r) for r in related[:count]]

    @classmethod
    def from_view(cls, view: ViewDataView) -> ViewDataBlock:
        return cls(
            **block_fields(view, settings_object(ViewDataSettings, _SCHEMA, view)),
            article=ArticleType.from_record(view.article),
            title=view.title,
            lead=view.lead,
            image_url=view.image_url,
            image_alt=view.image_alt,
            image_caption=view.image_caption,
            body_html=view.body_html,
            author=view.author,
            source=view.source,
            category=view.category,
            text_size=view.text_size,
        )


def build(placement: PlacedBlock, page: PageFacts, settings: dict[str, Any]) -> ViewDataView:
    record = page.article
    if record is None:
        raise BlockCannotShow(f"{NAME} needs an article, and the page at '{page.path}' binds none.")
    show_image = settings["show_image"]
    related = (
        page.related.records()[: settings["related_count"]] if settings["show_related"] else []
    )
    return ViewDataView(
        **view_fields(placement, page, settings),
        article=record,
        title=record.title if settings["show_title"] else None,
        lead=record.lead if settings["show_lead"] else None,
        image_url=record.image_url if show_image else None,
        image_alt=(record.image_alt or record.image_caption) if show_image else None,
        image_caption=record.image_caption if show_image and settings["show_caption"] else None,
        body_html=record.body_html,
        author=record.author if settings["show_author"] else None,
        source=record.source if settings["show_source"] else None,
        category=record.category if settings["show_category"] else None,
        text_size=page.text_size,
        related=tuple(related),
    )


BLOCK = BlockType(
    name=NAME,
    description="Nội dung bản tin: an article's image and caption, body and author.",
    schema=_SCHEMA,
    graphql_type=ViewDataBlock,
    template="portal_blocks/blocks/viewdata.html",
    build=build,
    assets_css=("portal_blocks.css",),
)
