"""Mutations on layouts, their blocks, their publication and routes (editors and admins)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from sqlalchemy.orm import Session
from strawberry.scalars import JSON

from portal_blocks.graphql import resolvers
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.edit_runner import PayloadKind, by_row_id
from portal_blocks.graphql.editor_types import (
    DraftPlacement,
    LayoutPayload,
    PlacementPayload,
    RouteInfo,
    RoutePayload,
    load_draft_layout,
)
from portal_blocks.layout import editing, publishing
from portal_blocks.models import Layout, LayoutRevision, Placement, Route


def _by_block_id(service: Callable[..., Any]) -> Callable[..., Any]:
    """``service`` taking the block's GraphQL ``id`` (see :func:`by_row_id`)."""
    return by_row_id(service, argument="id", into="placement_id", thing="block")


def _layout_payload(session: Session, layout_id: int) -> LayoutPayload:
    return LayoutPayload(layout=load_draft_layout(session, layout_id=layout_id), errors=[])


def _placement_payload(session: Session, ids: tuple[int, int | None]) -> PlacementPayload:
    """``ids``: the layout's and the block's (None when the block is gone)."""
    layout_id, placement_id = ids
    placement = session.get(Placement, placement_id) if placement_id is not None else None
    return PlacementPayload(
        placement=DraftPlacement.from_row(placement) if placement else None,
        layout=load_draft_layout(session, layout_id=layout_id),
        errors=[],
    )


def _route_payload(session: Session, route_id: int) -> RoutePayload:
    return RoutePayload(route=RouteInfo.from_row(session.get_one(Route, route_id)), errors=[])


def _revision_layout(revision: LayoutRevision) -> int:
    return revision.layout_id


def _removed(layout: Layout) -> tuple[int, None]:
    return layout.id, None


LAYOUT: PayloadKind[int, LayoutPayload] = PayloadKind(
    keep=lambda layout: layout.id,
    loaded=_layout_payload,
    refused=lambda errors: LayoutPayload(layout=None, errors=errors),
)
PLACEMENT: PayloadKind[tuple[int, int | None], PlacementPayload] = PayloadKind(
    keep=lambda placement: (placement.layout_id, placement.id),
    loaded=_placement_payload,
    refused=lambda errors: PlacementPayload(placement=None, layout=None, errors=errors),
)
ROUTE: PayloadKind[int, RoutePayload] = PayloadKind(
    keep=lambda route: route.id,
    loaded=_route_payload,
    refused=lambda errors: RoutePayload(route=None, errors=errors),
)


@strawberry.type
class LayoutMutations:
    @resolvers.mutation(description="Create an empty layout with its regions (a draft).")
    def create_layout(
        self, info: Info, name: str, regions: list[str], title: str = ""
    ) -> LayoutPayload:
        return LAYOUT.run(info, editing.create_layout, name=name, title=title, regions=regions)

    @resolvers.mutation(
        description="Set a layout's regions in order: add, remove (only when empty), reorder."
    )
    def set_regions(
        self, info: Info, layout: str, version: int, regions: list[str]
    ) -> LayoutPayload:
        return LAYOUT.run(info, editing.set_regions, name=layout, version=version, regions=regions)

    @resolvers.mutation(
        description="Place a block of a registered type in a region of a layout's draft. "
        "`version` is the layout's; `position` defaults to the end of the region."
    )
    def place_block(
        self,
        info: Info,
        layout: str,
        version: int,
        region: str,
        block_type: str,
        settings: JSON | None = None,
        position: int | None = None,
    ) -> PlacementPayload:
        return PLACEMENT.run(
            info,
            editing.place_block,
            layout_name=layout,
            version=version,
            region=region,
            block_type=block_type,
            settings=settings,
            position=position,
            block_types=info.context.block_types,
        )

    @resolvers.mutation(
        description="Move a block within its region or into another; `version` is the block's."
    )
    def move_block(
        self, info: Info, id: strawberry.ID, version: int, region: str, position: int
    ) -> PlacementPayload:
        return PLACEMENT.run(
            info,
            _by_block_id(editing.move_block),
            id=id,
            version=version,
            region=region,
            position=position,
        )

    @resolvers.mutation(
        description="Replace a block's settings (validated by its type; omitted keys take "
        "their defaults); `version` is the block's."
    )
    def configure_block(
        self, info: Info, id: strawberry.ID, version: int, settings: JSON
    ) -> PlacementPayload:
        return PLACEMENT.run(
            info,
            _by_block_id(editing.configure_block),
            id=id,
            version=version,
            settings=settings,
            block_types=info.context.block_types,
        )

    @resolvers.mutation(description="Remove a block from the draft; `version` is the block's.")
    def remove_block(self, info: Info, id: strawberry.ID, version: int) -> PlacementPayload:
        return PLACEMENT.run(
            info, _by_block_id(editing.remove_block), keep=_removed, id=id, version=version
        )

    @resolvers.mutation(
        description="Publish the draft readers will see; `version` is the layout version the "
        "editor reviewed."
    )
    def publish_layout(self, info: Info, layout: str, version: int) -> LayoutPayload:
        return LAYOUT.run(
            info, publishing.publish_layout, keep=_revision_layout, name=layout, version=version
        )

    @resolvers.mutation(
        description="Restore an earlier published revision as the draft and publish it as a "
        "new revision."
    )
    def revert_layout(self, info: Info, layout: str, version: int, revision: int) -> LayoutPayload:
        return LAYOUT.run(
            info,
            publishing.revert_layout,
            keep=_revision_layout,
            name=layout,
            version=version,
            revision=revision,
        )

    @resolvers.mutation(
        description="Send a path pattern (e.g. /chuyen-muc/<slug>) to a layout, optionally "
        "bound to one article; re-routes an existing pattern. With host (a department "
        "sub-site's, e.g. sokhdt.example.vn), the route answers on that host only, before the "
        "routes of every host; without it, on every host."
    )
    def route_path(
        self,
        info: Info,
        pattern: str,
        layout: str,
        article_slug: str | None = None,
        host: str | None = None,
    ) -> RoutePayload:
        return ROUTE.run(
            info,
            editing.route_path,
            pattern=pattern,
            layout_name=layout,
            article_slug=article_slug,
            host=host,
        )
