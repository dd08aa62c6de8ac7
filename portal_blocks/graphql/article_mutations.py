"""Mutations on articles (editors and admins)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

import strawberry

from portal_blocks.content import editing
from portal_blocks.content.source import record_from_model
from portal_blocks.edits import EditRefused, apply_edit
from portal_blocks.graphql.article import ArticleType
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.editor_types import ArticlePayload, user_errors
from portal_blocks.graphql.permissions import require_editor
from portal_blocks.ids import numeric_id
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


def _article_edit(info: Info, edit: Callable[[str], int]) -> ArticlePayload:
    actor = require_editor(info).name
    session = info.context.session
    try:
        article_id = apply_edit(session, lambda: edit(actor))
    except EditRefused as exc:
        return ArticlePayload(article=None, errors=user_errors(exc.problems))
    article = session.get(Article, article_id)
    return ArticlePayload(article=ArticleType.from_record(record_from_model(article)), errors=[])


@strawberry.type
class ArticleMutations:
    @strawberry.mutation(
        description="Create a draft article; its slug comes from the title and never changes."
    )
    def create_article(self, info: Info, input: ArticleInput) -> ArticlePayload:
        return _article_edit(
            info,
            lambda actor: editing.create_article(info.context.session, actor, _given(input)).id,
        )

    @strawberry.mutation(description="Change an article's fields; `version` is the article's.")
    def update_article(
        self, info: Info, slug: str, version: int, input: ArticleInput
    ) -> ArticlePayload:
        return _article_edit(
            info,
            lambda actor: (
                editing.update_article(
                    info.context.session, actor, slug=slug, version=version, data=_given(input)
                ).id
            ),
        )

    @strawberry.mutation(description="Make an article visible to readers.")
    def publish_article(self, info: Info, slug: str, version: int) -> ArticlePayload:
        return _article_edit(
            info,
            lambda actor: (
                editing.publish_article(info.context.session, actor, slug=slug, version=version).id
            ),
        )

    @strawberry.mutation(description="Take an article back to draft; readers no longer see it.")
    def unpublish_article(self, info: Info, slug: str, version: int) -> ArticlePayload:
        return _article_edit(
            info,
            lambda actor: (
                editing.unpublish_article(
                    info.context.session, actor, slug=slug, version=version
                ).id
            ),
        )

    @strawberry.mutation(
        description="Delete an article (kept for the history; nobody sees it any more)."
    )
    def delete_article(self, info: Info, slug: str, version: int) -> ArticlePayload:
        return _article_edit(
            info,
            lambda actor: (
                editing.delete_article(info.context.session, actor, slug=slug, version=version).id
            ),
        )

    @strawberry.mutation(
        description="Publish again the content of an earlier published version (a `publish` "
        "entry of articleHistory); recorded as a new revision."
    )
    def revert_article(
        self, info: Info, slug: str, version: int, history_entry: strawberry.ID
    ) -> ArticlePayload:
        entry_id = numeric_id(history_entry) or 0
        return _article_edit(
            info,
            lambda actor: (
                editing.revert_article(
                    info.context.session, actor, slug=slug, version=version, entry_id=entry_id
                ).id
            ),
        )
