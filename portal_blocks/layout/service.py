"""Creating layouts, placing blocks (settings validated by the block type) and routing paths."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.blocks import registry
from portal_blocks.models import Layout, Placement, Route


def ensure_layout(session: Session, name: str, *, title: str, regions: list[str]) -> Layout:
    layout = session.scalar(select(Layout).where(Layout.name == name))
    if layout is None:
        layout = Layout(name=name, title=title, regions=list(regions))
        session.add(layout)
        session.flush()
    return layout


def place_block(
    session: Session,
    layout: Layout,
    region: str,
    block_type: str,
    settings: dict[str, Any] | None = None,
    *,
    position: int,
) -> Placement:
    """Settings are validated and stored in full (defaults included), as JSON."""
    if region not in layout.regions:
        raise ValueError(f"layout {layout.name!r} has no region {region!r}")
    definition = registry.get(block_type)
    stored = definition.dump(definition.validate(settings or {}))
    placement = Placement(
        layout_id=layout.id,
        region=region,
        position=position,
        block_type=block_type,
        settings=stored,
    )
    session.add(placement)
    session.flush()
    return placement


def ensure_route(
    session: Session, pattern: str, layout: Layout, article_id: int | None = None
) -> Route:
    route = session.scalar(select(Route).where(Route.pattern == pattern))
    if route is None:
        route = Route(pattern=pattern, layout_id=layout.id, article_id=article_id)
        session.add(route)
        session.flush()
    return route
