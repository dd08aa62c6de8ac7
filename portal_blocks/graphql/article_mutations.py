"""Mutations on articles (editors and admins)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy.orm import Session

from portal_blocks.content import editing
from portal_blocks.content.records import record_from_model
from portal_blocks.graphql import resolvers
from portal_blocks.graphql.article import ArticleType
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.edit_runner import PayloadKind, by_row_id
from portal_blocks.graphql.editor_types import ArticlePayload
from portal_blocks.models import Article


@strawberry.input(description="Article fields; on update, only the fields given change.")
class ArticleInput:
    title: str | None = strawberry.UNSET
    lead: str | None = strawberry.UNSET
    body_html: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="HTML; sanitised on input (see the README for what is kept).",
    )
    image_url: str | None = strawberry.UNSET
    image_caption: str | None = strawberry.UNSET
    image_alt: str | None = strawberry.UNSET
    author: str | None = strawberry.UNSET
    source: str | None = strawberry.UNSET
    category: str | None = strawberry.UNSET
    published_at: datetime | None = strawberry.field(
        default=strawberry.UNSET,
        description="The date shown to readers; set on first publish when left empty.",
    )


def _given(data: ArticleInput) -> dict[str, Any]:
    """Fields the client sent, in the form the article schema loads (dates as ISO text)."""
    given = {}
    for field in dataclasses.fields(data):
        value = getattr(data, field.name)
        if value is strawberry.UNSET:
            continue
        given[field.name] = value.isoformat() if isinstance(value, datetime) else value
    return given


def _article_payload(session: Session, article_id: int) -> ArticlePayload:
    article = session.get(Article, article_id)
    return ArticlePayload(article=ArticleType.from_record(record_from_model(article)), errors=[])


ARTICLE: PayloadKind[int, ArticlePayload] = PayloadKind(
    keep=lambda article: article.id,
    loaded=_article_payload,
    refused=lambda errors: ArticlePayload(article=None, errors=errors),
)


@strawberry.type
class ArticleMutations:
    @resolvers.mutation(
        description="Create a draft article; its slug comes from the title and never changes."
    )
    def create_article(self, info: Info, input: ArticleInput) -> ArticlePayload:
        return ARTICLE.run(info, editing.create_article, data=_given(input))

    @resolvers.mutation(description="Change an article's fields; `version` is the article's.")
    def update_article(
        self, info: Info, slug: str, version: int, input: ArticleInput
    ) -> ArticlePayload:
        return ARTICLE.run(
            info, editing.update_article, slug=slug, version=version, data=_given(input)
        )

    @resolvers.mutation(description="Make an article visible to readers.")
    def publish_article(self, info: Info, slug: str, version: int) -> ArticlePayload:
        return ARTICLE.run(info, editing.publish_article, slug=slug, version=version)

    @resolvers.mutation(description="Take an article back to draft; readers no longer see it.")
    def unpublish_article(self, info: Info, slug: str, version: int) -> ArticlePayload:
        return ARTICLE.run(info, editing.unpublish_article, slug=slug, version=version)

    @resolvers.mutation(
        description="Delete an article (kept for the history; nobody sees it any more)."
    )
    def delete_article(self, info: Info, slug: str, version: int) -> ArticlePayload:
        return ARTICLE.run(info, editing.delete_article, slug=slug, version=version)

    @resolvers.mutation(
        description="Publish again the content of an earlier published version (a `publish` "
        "entry of articleHistory); recorded as a new revision."
    )
    def revert_article(
        self, info: Info, slug: str, version: int, history_entry: strawberry.ID
    ) -> ArticlePayload:
        return ARTICLE.run(
            info,
            by_row_id(
                editing.revert_article,
                argument="history_entry",
                into="entry_id",
                field="historyEntry",
                thing="history entry",
            ),
            slug=slug,
            version=version,
            history_entry=history_entry,
        )
