"""What the news-list block types share: the settings of a list's items, an item's view and
its GraphQL type, and the category a list names.

"Tin khác", a category listing and featured news each show a list of articles; each item
shows its title linked to the article and, as the editor chose, its date, image and lead. The
settings, the view and the GraphQL type of an item are defined once here, and each block type
adds what is its own (which articles, paging, a heading).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import strawberry
from marshmallow import fields, validate

from portal_blocks.blocks.settings import (
    SettingsSchema,
    StrictBoolean,
    StrictInteger,
    valid_date_pattern,
)
from portal_blocks.blocks.view import PageFacts
from portal_blocks.content.queries import ArticleList, Category
from portal_blocks.content.records import ArticleRecord
from portal_blocks.graphql.article import ArticleType
from portal_blocks.i18n import format_date, gettext
from portal_blocks.render.urls import article_url, category_url

TITLE_MAX = 120


def count_field(*, default: int, most: int, description: str) -> StrictInteger:
    return StrictInteger(
        load_default=default,
        validate=validate.Range(min=1, max=most),
        metadata={"description": description},
    )


class NewsListSettingsSchema(SettingsSchema):
    """The settings every news list has; a block type's schema subclasses it."""

    title = fields.String(
        load_default="",
        validate=validate.Length(max=TITLE_MAX),
        metadata={
            "description": "The heading; empty: the block type's own, in the page's language."
        },
    )
    show_date = StrictBoolean(load_default=True, metadata={"description": "Show each item's date."})
    show_image = StrictBoolean(
        load_default=False, metadata={"description": "Show each item's image."}
    )
    show_lead = StrictBoolean(
        load_default=False, metadata={"description": "Show each item's lead."}
    )
    date_format = fields.String(
        load_default="dd/MM/yyyy",
        validate=[validate.Length(min=1, max=64), valid_date_pattern],
        metadata={"description": "CLDR date pattern of the items' dates, e.g. 'dd/MM/yyyy'."},
    )


@dataclass(frozen=True, slots=True)
class NewsItemView:
    """One article in a list, with what the block's settings show of it."""

    article: ArticleRecord
    url: str
    title: str
    published_at: datetime | None
    date_text: str | None
    lead: str | None
    image_url: str | None
    image_alt: str | None


def news_items(
    records: tuple[ArticleRecord, ...], settings: dict[str, Any], page: PageFacts
) -> tuple[NewsItemView, ...]:
    return tuple(_item(record, settings, page) for record in records)


def _item(record: ArticleRecord, settings: dict[str, Any], page: PageFacts) -> NewsItemView:
    published_at = record.published_at
    date_text = None
    if settings["show_date"] and published_at is not None:
        date_text = format_date(
            published_at, settings["date_format"], locale=page.locale, timezone=page.timezone
        )
    show_image = settings["show_image"] and record.image_url is not None
    return NewsItemView(
        article=record,
        url=article_url(record.slug),
        title=record.title,
        published_at=published_at,
        date_text=date_text,
        lead=(record.lead or None) if settings["show_lead"] else None,
        image_url=record.image_url if show_image else None,
        image_alt=(record.image_alt or record.image_caption or "") if show_image else None,
    )


def heading(settings: dict[str, Any], default_msgid: str, page: PageFacts) -> str:
    """The editor's heading, or the block type's own in the page's language."""
    return str(settings["title"]).strip() or gettext(default_msgid, page.locale)


def category_of(slug: str | None, answer: ArticleList, page: PageFacts) -> Category | None:
    """The category a list shows, with its name: the page's (a category page), else as its
    articles name it; None for a list of every category, or one with no article to name it."""
    if slug is None:
        return None
    if page.category is not None and page.category.slug == slug:
        return page.category
    named = next((r.category for r in answer.records if r.category), None)
    return Category(slug, named) if named is not None else None


# GraphQL


@strawberry.type(name="NewsItem", description="An article in a list, as the block shows it.")
class NewsItem:
    article: ArticleType
    url: str = strawberry.field(description="The article's canonical path.")
    title: str
    published_at: datetime | None
    date_text: str | None = strawberry.field(
        description="The publish date in the block's dateFormat; null when dates are not shown."
    )
    lead: str | None = strawberry.field(description="The lead; null when leads are not shown.")
    image_url: str | None = strawberry.field(
        description="The image; null when images are not shown or the article has none."
    )
    image_alt: str | None

    @classmethod
    def from_view(cls, view: NewsItemView) -> NewsItem:
        return cls(
            article=ArticleType.from_record(view.article),
            url=view.url,
            title=view.title,
            published_at=view.published_at,
            date_text=view.date_text,
            lead=view.lead,
            image_url=view.image_url,
            image_alt=view.image_alt,
        )


@strawberry.type(name="Category", description="A category of articles, as pages name it.")
class CategoryType:
    slug: str = strawberry.field(description="Its address form, e.g. kinh-te.")
    name: str = strawberry.field(description="Its name as written, e.g. Kinh tế.")
    url: str = strawberry.field(description="The category page's path (CATEGORY_PATH).")

    @classmethod
    def of(cls, category: Category | None) -> CategoryType | None:
        if category is None:
            return None
        return cls(slug=category.slug, name=category.name, url=category_url(category.slug))


def graphql_items(items: tuple[NewsItemView, ...]) -> list[NewsItem]:
    return [NewsItem.from_view(item) for item in items]
