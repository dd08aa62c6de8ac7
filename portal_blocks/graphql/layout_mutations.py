"""Mutations on layouts, their blocks, their publication and routes (editors and admins)."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.scalars import JSON

from portal_blocks.edits import EditRefused, apply_edit, refuse
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.editor_types import (
    DraftPlacement,
    LayoutPayload,
    PlacementPayload,
    RouteInfo,
    RoutePayload,
    load_draft_layout,
    user_errors,
)
from portal_blocks.graphql.permissions import require_editor
from portal_blocks.ids import numeric_id
from portal_blocks.layout import editing, publishing
from portal_blocks.models import Placement, Route


def _placement_id(raw: strawberry.ID) -> int:
    placement_id = numeric_id(raw)
    if placement_id is None:
        raise refuse("id", "NOT_FOUND", f"No block with id {raw}.")
    return placement_id


def _layout_edit(info: Info, edit: Callable[[str], int]) -> LayoutPayload:
    """``edit`` gets the actor's name and returns the id of the layout it changed."""
    actor = require_editor(info).name
    session = info.context.session
    try:
        layout_id = apply_edit(session, lambda: edit(actor))
    except EditRefused as exc:
        return LayoutPayload(layout=None, errors=user_errors(exc.problems))
    return LayoutPayload(layout=load_draft_layout(session, layout_id=layout_id), errors=[])


def _placement_edit(info: Info, edit: Callable[[str], tuple[int, int | None]]) -> PlacementPayload:
    """``edit`` returns (layout id, placement id or None when the block is gone)."""
    actor = require_editor(info).name
    session = info.context.session
    try:
        layout_id, placement_id = apply_edit(session, lambda: edit(actor))
    except EditRefused as exc:
        return PlacementPayload(placement=None, layout=None, errors=user_errors(exc.problems))
    placement = session.get(Placement, placement_id) if placement_id is not None else None
    return PlacementPayload(
        placement=DraftPlacement.from_row(placement) if placement else None,
        layout=load_draft_layout(session, layout_id=layout_id),
        errors=[],
    )


def _ids(placement: Placement) -> tuple[int, int]:
    return placement.layout_id, placement.id


@strawberry.type
class LayoutMutations:
    @strawberry.mutation(description="Create an empty layout with its regions (a draft).")
    def create_layout(
        self, info: Info, name: str, regions: list[str], title: str = ""
    ) -> LayoutPayload:
        return _layout_edit(
            info,
            lambda actor: (
                editing.create_layout(
                    info.context.session, actor, name=name, title=title, regions=regions
                ).id
            ),
        )

    @strawberry.mutation(
        description="Set a layout's regions in order: add, remove (only when empty), reorder."
    )
    def set_regions(
        self, info: Info, layout: str, version: int, regions: list[str]
    ) -> LayoutPayload:
        return _layout_edit(
            info,
            lambda actor: (
                editing.set_regions(
                    info.context.session, actor, name=layout, version=version, regions=regions
                ).id
            ),
        )

    @strawberry.mutation(
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
        return _placement_edit(
            info,
            lambda actor: _ids(
                editing.place_block(
                    info.context.session,
                    actor,
                    layout_name=layout,
                    version=version,
                    region=region,
                    block_type=block_type,
                    settings=settings,
                    position=position,
                )
            ),
        )

    @strawberry.mutation(
        description="Move a block within its region or into another; `version` is the block's."
    )
    def move_block(
        self, info: Info, id: strawberry.ID, version: int, region: str, position: int
    ) -> PlacementPayload:
        return _placement_edit(
            info,
            lambda actor: _ids(
                editing.move_block(
                    info.context.session,
                    actor,
                    placement_id=_placement_id(id),
                    version=version,
                    region=region,
                    position=position,
                )
            ),
        )

    @strawberry.mutation(
        description="Replace a block's settings (validated by its type; omitted keys take "
        "their defaults); `version` is the block's."
    )
    def configure_block(
        self, info: Info, id: strawberry.ID, version: int, settings: JSON
    ) -> PlacementPayload:
        return _placement_edit(
            info,
            lambda actor: _ids(
                editing.configure_block(
                    info.context.session,
                    actor,
                    placement_id=_placement_id(id),
                    version=version,
                    settings=settings,
                )
            ),
        )

    @strawberry.mutation(description="Remove a block from the draft; `version` is the block's.")
    def remove_block(self, info: Info, id: strawberry.ID, version: int) -> PlacementPayload:
        return _placement_edit(
            info,
            lambda actor: (
                editing.remove_block(
                    info.context.session, actor, placement_id=_placement_id(id), version=version
                ).id,
                None,
            ),
        )

    @strawberry.mutation(
        description="Publish the draft readers will see; `version` is the layout version the "
        "editor reviewed."
    )
    def publish_layout(self, info: Info, layout: str, version: int) -> LayoutPayload:
        return _layout_edit(
            info,
            lambda actor: (
                publishing.publish_layout(
                    info.context.session, actor, name=layout, version=version
                ).layout_id
            ),
        )

    @strawberry.mutation(
        description="Restore an earlier published revision as the draft and publish it as a "
        "new revision."
    )
    def revert_layout(self, info: Info, layout: str, version: int, revision: int) -> LayoutPayload:
        return _layout_edit(
            info,
            lambda actor: (
                publishing.revert_layout(
                    info.context.session, actor, name=layout, version=version, revision=revision
                ).layout_id
            ),
        )

    @strawberry.mutation(
        description="Send a path pattern (e.g. /chuyen-muc/<slug>) to a layout, optionally "
        "bound to one article; re-routes an existing pattern."
    )
    def route_path(
        self, info: Info, pattern: str, layout: str, article_slug: str | None = None
    ) -> RoutePayload:
        actor = require_editor(info).name
        session = info.context.session
        try:
            route_id = apply_edit(
                session,
                lambda: (
                    editing.route_path(
                        session,
                        actor,
                        pattern=pattern,
                        layout_name=layout,
                        article_slug=article_slug,
                    ).id
                ),
            )
        except EditRefused as exc:
            return RoutePayload(route=None, errors=user_errors(exc.problems))
        return RoutePayload(route=RouteInfo.from_row(session.get(Route, route_id)), errors=[])
