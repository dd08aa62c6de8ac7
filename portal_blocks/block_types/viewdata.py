"""Block_BanTin_ViewData: the article itself: image and caption, body paragraphs, author."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from marshmallow import validate

from portal_blocks.blocks.base import Block, PageView, PlacedBlock
from portal_blocks.blocks.registry import BlockType, settings_type_for
from portal_blocks.blocks.settings import SettingsSchema, StrictBoolean, StrictInteger
from portal_blocks.blocks.toolbar import page_text_size
from portal_blocks.content.records import ArticleRecord
from portal_blocks.graphql.article import ArticleType
from portal_blocks.graphql.errors import InvalidArgument
from portal_blocks.text.html import paragraphs

NAME = "Block_BanTin_ViewData"
#: The most related articles a block shows or a client may ask for.
RELATED_MAX = 20


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


ViewDataSettings = settings_type_for(
    "ViewDataSettings", ViewDataSettingsSchema, "Editor settings of Block_BanTin_ViewData."
)


@strawberry.type(name=NAME, description="The article's content: image, caption, body, author.")
class ViewDataBlock(Block):
    settings: ViewDataSettings  # type: ignore[valid-type]
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

    @strawberry.field(description="The body's paragraphs as plain text, in order.")
    def paragraphs(self) -> list[str]:
        return paragraphs(self.body_html)

    @strawberry.field(
        description="Other published news of the article's category, most recent first "
        f"(the block's relatedCount unless `first` is given; at most {RELATED_MAX}). "
        "Every block of a page shares one query."
    )
    def related_articles(self, first: int | None = None) -> list[ArticleType]:
        if first is not None and first < 1:
            raise InvalidArgument("first must be at least 1.", argument="first")
        count = self.settings.related_count if first is None else min(first, RELATED_MAX)
        return [ArticleType.from_record(r) for r in related_records(self._page)[:count]]

    def related_shown(self) -> list[ArticleType]:
        """What the block's HTML lists under "Tin khác": nothing unless the editor enabled it."""
        if not self.settings.show_related:
            return []
        return self.related_articles(first=self.settings.related_count)


def related_records(page: PageView) -> list[ArticleRecord]:
    """The page article's related news, fetched once per page for every block that asks."""
    if "related_articles" not in page.memo:
        article, source = page.article, page.source
        page.memo["related_articles"] = (
            source.related(article, limit=RELATED_MAX) if article and source else []
        )
    return page.memo["related_articles"]


def build(placement: PlacedBlock, page: PageView, settings: dict[str, Any], typed: Any) -> Block:
    record = page.article
    if record is None:
        raise GraphQLError(
            f"{NAME} needs an article, and the page at '{page.path}' binds none.",
            extensions={"code": "NO_ARTICLE"},
        )
    show_image = settings["show_image"]
    return ViewDataBlock(
        id=strawberry.ID(str(placement.id)),
        block_type=NAME,
        region=placement.region,
        position=placement.position,
        settings=typed,
        article=ArticleType.from_record(record),
        title=record.title if settings["show_title"] else None,
        lead=record.lead if settings["show_lead"] else None,
        image_url=record.image_url if show_image else None,
        image_alt=(record.image_alt or record.image_caption) if show_image else None,
        image_caption=record.image_caption if show_image and settings["show_caption"] else None,
        body_html=record.body_html,
        author=record.author if settings["show_author"] else None,
        source=record.source if settings["show_source"] else None,
        category=record.category if settings["show_category"] else None,
        text_size=page_text_size(page),
        _placement=placement,
        _page=page,
    )


BLOCK = BlockType(
    name=NAME,
    description="An article's image and caption, body and author.",
    schema=ViewDataSettingsSchema(),
    settings_type=ViewDataSettings,
    graphql_type=ViewDataBlock,
    template="portal_blocks/blocks/viewdata.html",
    build=build,
    assets_css=("portal_blocks.css",),
)
