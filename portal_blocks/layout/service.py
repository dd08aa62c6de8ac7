"""Creating layouts, placing blocks (settings validated by the block type) and routing paths."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from portal_blocks.blocks.registry import BlockRegistry, UnknownBlockType, registry
from portal_blocks.layout.references import check_references
from portal_blocks.models import Layout, Placement, Route
from portal_blocks.problems import refuse
from portal_blocks.text.slug import route_key


def ensure_layout(session: Session, name: str, *, title: str, regions: list[str]) -> Layout:
    layout = session.scalar(select(Layout).where(Layout.name == name))
    if layout is None:
        layout = Layout(name=name, title=title, regions=list(regions))
        session.add(layout)
        session.flush()
    return layout


def stored_settings(
    session: Session, block_type: str, settings: Any, *, block_types: BlockRegistry = registry
) -> dict[str, Any]:
    """Settings validated by the block type and in their stored form, defaults included.

    Refusals name their field under ``settings`` (e.g. ``settings.fontSizeMax``), and so do
    slugs naming no article or category (:mod:`~portal_blocks.layout.references`). A type
    missing from ``block_types`` (an editor's app: the types it serves) is refused.
    """
    try:
        definition = block_types.get(block_type)
    except UnknownBlockType as exc:
        raise refuse("blockType", "UNKNOWN_BLOCK_TYPE", str(exc)) from None
    validated = definition.validate(settings if settings is not None else {})
    check_references(session, definition.schema, validated)
    return definition.dump(validated)


def new_placement(
    session: Session,
    layout: Layout,
    region: str,
    block_type: str,
    settings: Any,
    *,
    position: int,
    block_types: BlockRegistry = registry,
) -> Placement:
    """A block with validated settings, added to the session; the caller orders and audits."""
    placement = Placement(
        layout_id=layout.id,
        region=region,
        position=position,
        block_type=block_type,
        settings=stored_settings(session, block_type, settings, block_types=block_types),
    )
    session.add(placement)
    return placement


def place_block(
    session: Session,
    layout: Layout,
    region: str,
    block_type: str,
    settings: dict[str, Any] | None = None,
    *,
    position: int,
) -> Placement:
    """For loaders and tests: straight into the draft, with no version check and no history."""
    if region not in layout.regions:
        raise ValueError(f"layout {layout.name!r} has no region {region!r}")
    placement = new_placement(session, layout, region, block_type, settings, position=position)
    session.flush()
    return placement


def ensure_route(
    session: Session,
    pattern: str,
    layout: Layout,
    article_id: int | None = None,
    *,
    host: str | None = None,
) -> Route:
    """The route of ``pattern`` on ``host`` (None: the unbound one), made if there is none."""
    route = session.scalar(select(Route).where(*route_at(pattern, host)))
    if route is None:
        route = Route(pattern=pattern, host=host, layout_id=layout.id, article_id=article_id)
        session.add(route)
        session.flush()
    return route


def route_at(pattern: str, host: str | None) -> tuple[ColumnElement[bool], ...]:
    """Where the one route of ``pattern`` on ``host`` is (its key is unique per host, and
    among the unbound routes)."""
    bound = Route.host.is_(None) if host is None else Route.host == host
    return (Route.path_key == route_key(pattern), bound)
