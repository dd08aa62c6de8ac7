"""The Article GraphQL type, built from an :class:`ArticleRecord` of any content source."""

from __future__ import annotations

from datetime import datetime

import strawberry

from portal_blocks.content.records import ArticleRecord
from portal_blocks.graphql import resolvers
from portal_blocks.render.urls import article_url
from portal_blocks.text.html import paragraphs


@strawberry.type(description="An article's lead image.")
class Image:
    url: str | None
    caption: str | None
    alt: str | None


@strawberry.type(name="Article", description="A news bulletin (bản tin).")
class ArticleType:
    id: strawberry.ID
    slug: str
    title: str
    lead: str = strawberry.field(description="The lead paragraph (sapo).")
    body_html: str = strawberry.field(description="The body as sanitised HTML.")
    author: str | None
    source: str | None
    category: str | None
    category_path: list[str] | None = strawberry.field(
        description="The category and its parents, root first (the last is category), as the "
        "article's legacy address named them; null when not known."
    )
    published_at: datetime | None
    status: str
    legacy_path: str | None
    url: str = strawberry.field(description="The article's canonical path on the portal.")
    image: Image | None
    version: int

    @resolvers.field(description="The body's paragraphs as plain text, in order.")
    def paragraphs(self) -> list[str]:
        return paragraphs(self.body_html)

    @classmethod
    def from_record(cls, record: ArticleRecord) -> ArticleType:
        image = None
        if record.image_url or record.image_caption:
            image = Image(url=record.image_url, caption=record.image_caption, alt=record.image_alt)
        return cls(
            id=strawberry.ID(record.id),
            slug=record.slug,
            title=record.title,
            lead=record.lead,
            body_html=record.body_html,
            author=record.author,
            source=record.source,
            category=record.category,
            category_path=list(record.category_path) if record.category_path else None,
            published_at=record.published_at,
            status=record.status,
            legacy_path=record.legacy_path,
            url=article_url(record.slug),
            image=image,
            version=record.version,
        )
