"""What editors see: the draft of a layout, its revisions, history entries and payloads."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session
from strawberry.scalars import JSON

from portal_blocks.graphql.article import ArticleType
from portal_blocks.graphql.errors import UserError
from portal_blocks.layout.editing import draft_placements
from portal_blocks.models import AuditEntry, Layout, LayoutRevision, Placement, Route
from portal_blocks.problems import FieldProblem


def user_errors(problems: list[FieldProblem]) -> list[UserError]:
    return [UserError(field=p.field, code=p.code, message=p.message) for p in problems]


@strawberry.type(description="A block in a layout's draft, with the version to edit it from.")
class DraftPlacement:
    id: strawberry.ID
    region: str
    position: int
    block_type: str
    settings: JSON
    version: int

    @classmethod
    def from_row(cls, row: Placement) -> DraftPlacement:
        return cls(
            id=strawberry.ID(str(row.id)),
            region=row.region,
            position=row.position,
            block_type=row.block_type,
            settings=JSON(dict(row.settings)),
            version=row.version,
        )


@strawberry.type(description="A published state of a layout.")
class LayoutRevisionInfo:
    number: int
    published_by: str
    published_at: datetime
    reverted_from: int | None = strawberry.field(
        description="The revision this one restored, if it was a revert."
    )


@strawberry.type(description="A layout as editors change it: regions and blocks of the draft.")
class DraftLayout:
    id: strawberry.ID
    name: str
    title: str
    regions: list[str]
    version: int = strawberry.field(
        description="Changes with every edit of the layout or its blocks; publishing names it."
    )
    published_revision: int | None = strawberry.field(
        description="Number of the revision readers see; null if never published."
    )
    placements: list[DraftPlacement]
    revisions: list[LayoutRevisionInfo] = strawberry.field(description="Newest first.")


def load_draft_layout(
    session: Session, *, name: str | None = None, layout_id: int | None = None
) -> DraftLayout | None:
    criterion = Layout.name == name if name is not None else Layout.id == layout_id
    layout = session.scalar(select(Layout).where(criterion))
    if layout is None:
        return None
    revisions = list(
        session.scalars(
            select(LayoutRevision)
            .where(LayoutRevision.layout_id == layout.id)
            .order_by(LayoutRevision.number.desc())
        )
    )
    published = next((r.number for r in revisions if r.id == layout.published_revision_id), None)
    return DraftLayout(
        id=strawberry.ID(str(layout.id)),
        name=layout.name,
        title=layout.title,
        regions=list(layout.regions),
        version=layout.version,
        published_revision=published,
        placements=[DraftPlacement.from_row(p) for p in draft_placements(session, layout.id)],
        revisions=[
            LayoutRevisionInfo(
                number=r.number,
                published_by=r.published_by,
                published_at=r.published_at,
                reverted_from=r.reverted_from,
            )
            for r in revisions
        ],
    )


@strawberry.type(description="A path pattern and the layout (and article) it shows.")
class RouteInfo:
    id: strawberry.ID
    pattern: str
    host: str | None = strawberry.field(
        description="The host the route answers on alone; null: every host."
    )
    layout_id: strawberry.ID
    article_id: strawberry.ID | None

    @classmethod
    def from_row(cls, row: Route) -> RouteInfo:
        return cls(
            id=strawberry.ID(str(row.id)),
            pattern=row.pattern,
            host=row.host,
            layout_id=strawberry.ID(str(row.layout_id)),
            article_id=strawberry.ID(str(row.article_id)) if row.article_id else None,
        )


@strawberry.type(description="One recorded change: who, when, what, and the state around it.")
class HistoryEntry:
    id: strawberry.ID
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: JSON | None
    after: JSON | None

    @classmethod
    def from_row(cls, row: AuditEntry) -> HistoryEntry:
        return cls(
            id=strawberry.ID(str(row.id)),
            at=row.at,
            actor=row.actor,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            before=row.before,
            after=row.after,
        )


@strawberry.type(description="Result of a layout edit.")
class LayoutPayload:
    layout: DraftLayout | None
    errors: list[UserError]


@strawberry.type(description="Result of a block edit: the block and its layout's new draft.")
class PlacementPayload:
    placement: DraftPlacement | None
    layout: DraftLayout | None
    errors: list[UserError]


@strawberry.type(description="Result of routing a path.")
class RoutePayload:
    route: RouteInfo | None
    errors: list[UserError]


@strawberry.type(description="Result of an article edit.")
class ArticlePayload:
    article: ArticleType | None
    errors: list[UserError]
