"""Editing a layout's draft: regions, block placements and routes.

Every function here runs inside :func:`portal_blocks.edits.apply_edit`, so a refusal or an
error leaves nothing behind. Each edit first locks the layout row (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite serialises writers anyway), then re-reads what it changes and compares the
version the editor saw. Two editors racing on one layout therefore queue on the lock, and the
second finds the version moved on and gets a CONFLICT: no edit is silently lost, and positions
in a region stay dense (0..n-1) because only one edit renumbers a layout at a time.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from portal_blocks import audit
from portal_blocks.blocks.registry import BlockRegistry, registry
from portal_blocks.db import utcnow
from portal_blocks.edits import check_version
from portal_blocks.layout.service import new_placement, route_at, stored_settings
from portal_blocks.layout.snapshots import PlacedBlock
from portal_blocks.models import Article, Layout, Placement, Route
from portal_blocks.problems import FieldProblem, Refused, refuse
from portal_blocks.text.hosts import named_host
from portal_blocks.text.ranges import is_row_id

LAYOUT_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REGION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
MAX_NAME = 100
MAX_REGIONS = 50
MAX_PATTERN = 500


def layout_state(layout: Layout) -> dict[str, Any]:
    return {
        "name": layout.name,
        "title": layout.title,
        "regions": list(layout.regions),
        "version": layout.version,
    }


def placement_state(placement: Placement) -> dict[str, Any]:
    return PlacedBlock.from_row(placement).snapshot()


def lock_layout(
    session: Session, *, name: str | None = None, layout_id: int | None = None
) -> Layout:
    """The layout row, locked for the rest of the transaction and read fresh."""
    criterion = Layout.name == name if name is not None else Layout.id == layout_id
    layout = session.scalar(
        select(Layout).where(criterion).with_for_update().execution_options(populate_existing=True)
    )
    if layout is None:
        which = f"named '{name}'" if name is not None else f"with id {layout_id}"
        raise refuse("layout", "NOT_FOUND", f"No layout {which}.")
    return layout


def draft_placements(session: Session, layout_id: int) -> list[Placement]:
    return list(
        session.scalars(
            select(Placement)
            .where(Placement.layout_id == layout_id)
            .order_by(Placement.region, Placement.position, Placement.id)
            .execution_options(populate_existing=True)
        )
    )


def touch(layout: Layout) -> None:
    """Every draft edit moves the layout's version on, so publishing names the draft it saw."""
    layout.updated_at = utcnow()


def _in_region(placements: list[Placement], region: str) -> list[Placement]:
    return [p for p in placements if p.region == region]


def _renumber(ordered: list[Placement]) -> None:
    for index, placement in enumerate(ordered):
        if placement.position != index:
            placement.position = index


def _check_regions(regions: list[str]) -> list[str]:
    if not regions:
        raise refuse("regions", "REQUIRED", "A layout needs at least one region.")
    if len(regions) > MAX_REGIONS:
        raise refuse("regions", "INVALID_LENGTH", f"At most {MAX_REGIONS} regions.")
    problems = [
        FieldProblem(
            f"regions.{i}",
            "INVALID_FORMAT",
            "Region names are letters, digits, '-' and '_', at most 100 characters.",
        )
        for i, name in enumerate(regions)
        if not REGION_NAME.match(name) or len(name) > MAX_NAME
    ]
    if problems:
        raise Refused(problems)
    if len(set(regions)) != len(regions):
        raise refuse("regions", "DUPLICATE", "Each region name may appear once.")
    return list(regions)


def create_layout(
    session: Session, actor: str, *, name: str, title: str, regions: list[str]
) -> Layout:
    if not LAYOUT_NAME.match(name) or len(name) > MAX_NAME:
        raise refuse(
            "name", "INVALID_FORMAT", "Lowercase letters and digits in words joined by '-'."
        )
    regions = _check_regions(regions)
    if session.scalar(select(Layout.id).where(Layout.name == name)) is not None:
        raise refuse("name", "TAKEN", f"A layout named '{name}' exists already.")
    layout = Layout(name=name, title=title.strip(), regions=regions)
    session.add(layout)
    audit.record(session, actor=actor, action="create", row=layout, state=layout_state)
    return layout


def set_regions(
    session: Session, actor: str, *, name: str, version: int, regions: list[str]
) -> Layout:
    """Add, remove and reorder regions in one go; a region still holding blocks stays."""
    layout = lock_layout(session, name=name)
    check_version("version", version, layout.version)
    regions = _check_regions(regions)
    before = layout_state(layout)
    occupied = {p.region for p in draft_placements(session, layout.id)}
    still_used = sorted(occupied - set(regions))
    if still_used:
        raise refuse(
            "regions",
            "REGION_NOT_EMPTY",
            f"Move or remove the blocks of {', '.join(still_used)} before removing it.",
        )
    layout.regions = regions
    touch(layout)
    audit.record(
        session, actor=actor, action="set_regions", row=layout, before=before, state=layout_state
    )
    return layout


def _check_position(position: int | None, size: int) -> int:
    if position is None:
        return size
    if not 0 <= position <= size:
        raise refuse("position", "OUT_OF_RANGE", f"Position must be between 0 and {size}.")
    return position


def _check_region(layout: Layout, region: str) -> None:
    if region not in layout.regions:
        raise refuse(
            "region", "UNKNOWN_REGION", f"Layout '{layout.name}' has no region '{region}'."
        )


def place_block(
    session: Session,
    actor: str,
    *,
    layout_name: str,
    version: int,
    region: str,
    block_type: str,
    settings: Any = None,
    position: int | None = None,
    block_types: BlockRegistry = registry,
) -> Placement:
    """``version`` is the layout's; ``position`` None appends to the region; ``block_types``
    are those the editor's app serves."""
    layout = lock_layout(session, name=layout_name)
    check_version("version", version, layout.version)
    _check_region(layout, region)
    siblings = _in_region(draft_placements(session, layout.id), region)
    position = _check_position(position, len(siblings))
    placement = new_placement(
        session, layout, region, block_type, settings, position=position, block_types=block_types
    )
    siblings.insert(position, placement)
    _renumber(siblings)
    touch(layout)
    _record_block(session, actor, "place", layout, placement, before=None)
    return placement


def _lock_placement(
    session: Session, placement_id: int
) -> tuple[Layout, list[Placement], Placement]:
    if not is_row_id(placement_id):  # no such row; PostgreSQL would refuse the comparison
        raise refuse("id", "NOT_FOUND", f"No block with id {placement_id}.")
    layout_id = session.scalar(select(Placement.layout_id).where(Placement.id == placement_id))
    if layout_id is None:
        raise refuse("id", "NOT_FOUND", f"No block with id {placement_id}.")
    layout = lock_layout(session, layout_id=layout_id)
    placements = draft_placements(session, layout.id)
    placement = next((p for p in placements if p.id == placement_id), None)
    if placement is None:  # removed while we waited for the lock
        raise refuse("id", "NOT_FOUND", f"No block with id {placement_id}.")
    return layout, placements, placement


def move_block(
    session: Session, actor: str, *, placement_id: int, version: int, region: str, position: int
) -> Placement:
    """Within its region or into another; both regions stay numbered 0..n-1."""
    layout, placements, placement = _lock_placement(session, placement_id)
    check_version("version", version, placement.version)
    _check_region(layout, region)
    before = placement_state(placement)
    source = _in_region(placements, placement.region)
    source.remove(placement)
    target = source if region == placement.region else _in_region(placements, region)
    position = _check_position(position, len(target))
    target.insert(position, placement)
    placement.region = region
    _renumber(source)
    _renumber(target)
    touch(layout)
    _record_block(session, actor, "move", layout, placement, before=before)
    return placement


def configure_block(
    session: Session,
    actor: str,
    *,
    placement_id: int,
    version: int,
    settings: Any,
    block_types: BlockRegistry = registry,
) -> Placement:
    """``settings`` replaces the block's settings whole; what it leaves out takes the default.
    Settings equal to the stored ones change nothing: no new versions, no history entry."""
    layout, _placements, placement = _lock_placement(session, placement_id)
    check_version("version", version, placement.version)
    stored = stored_settings(session, placement.block_type, settings, block_types=block_types)
    if stored == placement.settings:
        return placement
    before = placement_state(placement)
    placement.settings = stored
    touch(layout)
    _record_block(session, actor, "configure", layout, placement, before=before)
    return placement


def _record_block(
    session: Session, actor: str, action: str, layout: Layout, placement: Placement, *, before: Any
) -> None:
    """A block's change belongs to its layout's history, with the block as it now is."""
    audit.record(
        session,
        actor=actor,
        action=action,
        row=placement,
        subject=layout,
        before=before,
        state=placement_state,
    )


def remove_block(session: Session, actor: str, *, placement_id: int, version: int) -> Layout:
    layout, placements, placement = _lock_placement(session, placement_id)
    check_version("version", version, placement.version)
    before = placement_state(placement)
    siblings = _in_region(placements, placement.region)
    siblings.remove(placement)
    session.delete(placement)
    _renumber(siblings)
    touch(layout)
    audit.record(
        session, actor=actor, action="remove", row=placement, subject=layout, before=before
    )
    return layout


#: A variable part of a pattern: ``<name>`` or ``<converter:name>``, no converter arguments.
PATTERN_PART = re.compile(r"<(?:(?P<converter>[^<>:]*):)?(?P<name>[^<>]*)>")
#: werkzeug's converters that take no arguments and match whatever they are given.
PATTERN_CONVERTERS = frozenset({"default", "string", "path", "int", "float", "uuid"})
#: The converters of those parts.
SLUG_CONVERTERS = frozenset({None, "default", "string", "path"})
#: The parts a page reads what it shows from: both are slugs, which are text.
TEXT_PARTS = {"slug": "<slug> names an article", "category": "<category> names a category"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _pattern_parts_problem(pattern: str) -> str | None:
    """Why the pattern's ``<...>`` parts are not ones every request can be matched against.

    Every pattern is compiled into the one map each page request matches against, so a pattern
    that compiles but fails when matched (converter arguments such as ``string(minlength=5,
    maxlength=2)`` or ``float(min="a")`` raise inside werkzeug) would break every page, not
    only its own. Converter arguments are therefore refused, and so is anything werkzeug only
    reports as a Python error while compiling (a name given twice is a ``SyntaxError``).
    """
    seen: set[str] = set()
    for part in PATTERN_PART.finditer(pattern):
        converter, name = part.group("converter"), part.group("name")
        if not _NAME.match(name):
            return f"'{part.group(0)}': a part's name is a Python identifier."
        if converter is not None and converter not in PATTERN_CONVERTERS:
            allowed = ", ".join(sorted(PATTERN_CONVERTERS))
            return f"'{part.group(0)}': converters are {allowed}, without arguments."
        if name in TEXT_PARTS and converter not in SLUG_CONVERTERS:
            return f"'{part.group(0)}': {TEXT_PARTS[name]}, so it takes a text converter."
        if name in seen:
            return f"'{part.group(0)}': each name may appear once in a pattern."
        seen.add(name)
    return None


def _check_pattern(pattern: str) -> str:
    pattern = pattern.strip()
    if not pattern.startswith("/") or len(pattern) > MAX_PATTERN:
        raise refuse("pattern", "INVALID_FORMAT", "A path pattern starts with '/' (500 at most).")
    problem = _pattern_parts_problem(pattern)
    if problem is not None:
        raise refuse("pattern", "INVALID_FORMAT", f"Not a valid path pattern: {problem}")
    try:
        adapter = Map([Rule(pattern, endpoint="check")]).bind("portal.invalid")
        # Matching compiles the rule's regular expression, which building the map does not.
        adapter.match(pattern, method="GET")
    except HTTPException:
        pass  # the pattern does not match its own text (e.g. /<int:n>): it still compiled
    except (ValueError, LookupError, SyntaxError, TypeError, re.error) as exc:
        raise refuse("pattern", "INVALID_FORMAT", f"Not a valid path pattern: {exc}") from None
    return pattern


def _check_host(host: str | None) -> str | None:
    """The host as requests are matched against it (lowercased, no port): bound to a form no
    request's host takes, a route would never answer."""
    if host is None or not host.strip():
        return None
    normalised = named_host(host)
    if normalised is None:
        raise refuse(
            "host",
            "INVALID_FORMAT",
            "A host name or an IP address (e.g. sokhdt.example.vn), without a scheme or a path.",
        )
    return normalised


def route_path(
    session: Session,
    actor: str,
    *,
    pattern: str,
    layout_name: str,
    article_slug: str | None = None,
    host: str | None = None,
) -> Route:
    """Send a path (werkzeug rule syntax, e.g. ``/tin-tuc/<slug>``) to a layout; re-routes an
    existing pattern. ``article_slug`` binds one article to a fixed path; ``host`` binds the
    route to one host (a department sub-site's), where it answers before the unbound routes
    and nowhere else (None: every host)."""
    pattern = _check_pattern(pattern)
    host = _check_host(host)
    layout = session.scalar(select(Layout).where(Layout.name == layout_name))
    if layout is None:
        raise refuse("layout", "NOT_FOUND", f"No layout named '{layout_name}'.")
    article_id = None
    if article_slug is not None:
        article_id = session.scalar(
            select(Article.id).where(Article.slug == article_slug, Article.deleted_at.is_(None))
        )
        if article_id is None:
            raise refuse("article", "NOT_FOUND", f"No article with slug '{article_slug}'.")
    # The pattern's route on that host (or the unbound one): the same pattern on another host
    # is another route, left as it is.
    route = session.scalar(select(Route).where(*route_at(pattern, host)).with_for_update())
    before = _route_state(route) if route else None
    if route is None:
        route = Route(pattern=pattern, host=host, layout_id=layout.id, article_id=article_id)
        session.add(route)
    else:
        route.layout_id, route.article_id = layout.id, article_id
    audit.record(
        session,
        actor=actor,
        action="route",
        row=route,
        subject=layout,
        before=before,
        state=_route_state,
    )
    return route


def _route_state(route: Route) -> dict[str, Any]:
    return {
        "pattern": route.pattern,
        "host": route.host,
        "layoutId": route.layout_id,
        "articleId": route.article_id,
    }
