"""Queries for editors: drafts, revisions and history. Anonymous readers are refused."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from portal_blocks import audit
from portal_blocks.content.records import record_from_model
from portal_blocks.graphql import resolvers
from portal_blocks.graphql.article import ArticleType
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.editor_types import DraftLayout, HistoryEntry, load_draft_layout
from portal_blocks.graphql.errors import NotFound
from portal_blocks.graphql.layout_changes import LayoutChangesType
from portal_blocks.graphql.permissions import require_editor
from portal_blocks.layout.changes import layout_changes
from portal_blocks.models import Article, Layout

MAX_HISTORY = 200


def _article(info: Info, slug: str) -> Article:
    article = info.context.session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound(f"No article with slug '{slug}'.", slug=slug)
    return article


@strawberry.type
class EditorQueries:
    @resolvers.field(description="A layout's draft: regions, blocks with versions, revisions.")
    def draft_layout(self, info: Info, name: str) -> DraftLayout:
        require_editor(info)
        layout = load_draft_layout(info.context.session, name=name)
        if layout is None:
            raise NotFound(f"No layout named '{name}'.", name=name)
        return layout

    @resolvers.field(
        description="What publishing a layout's draft would change for readers: blocks added, "
        "removed, moved and configured, regions added and removed."
    )
    def layout_changes(self, info: Info, name: str) -> LayoutChangesType:
        require_editor(info)
        session = info.context.session
        layout = session.scalar(select(Layout).where(Layout.name == name))
        if layout is None:
            raise NotFound(f"No layout named '{name}'.", name=name)
        return LayoutChangesType.of(layout_changes(session, layout))

    @resolvers.field(description="An article in any state (draft or published), with version.")
    def draft_article(self, info: Info, slug: str) -> ArticleType:
        require_editor(info)
        article = _article(info, slug)
        if article.deleted_at is not None:
            raise NotFound(f"No article with slug '{slug}'.", slug=slug)
        return ArticleType.from_record(record_from_model(article))

    @resolvers.field(description="Changes to a layout, its blocks and routes, newest first.")
    def layout_history(self, info: Info, name: str, first: int = 50) -> list[HistoryEntry]:
        require_editor(info)
        session = info.context.session
        layout_id = session.scalar(select(Layout.id).where(Layout.name == name))
        if layout_id is None:
            raise NotFound(f"No layout named '{name}'.", name=name)
        rows = audit.history(session, "layout", layout_id, max(1, min(first, MAX_HISTORY)))
        return [HistoryEntry.from_row(r) for r in rows]

    @resolvers.field(description="Changes to an article (deleted ones too), newest first.")
    def article_history(self, info: Info, slug: str, first: int = 50) -> list[HistoryEntry]:
        require_editor(info)
        article = _article(info, slug)
        rows = audit.history(
            info.context.session, "article", article.id, max(1, min(first, MAX_HISTORY))
        )
        return [HistoryEntry.from_row(r) for r in rows]
