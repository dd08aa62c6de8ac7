"""Publishing a layout's draft as a revision readers see, and going back to an earlier one."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal_blocks import audit
from portal_blocks.edits import check_version
from portal_blocks.layout.editing import draft_placements, layout_state, lock_layout
from portal_blocks.layout.snapshots import PlacedBlock
from portal_blocks.models import Layout, LayoutRevision, Placement
from portal_blocks.problems import refuse


def publish(
    session: Session, layout: Layout, actor: str, *, reverted_from: int | None = None
) -> LayoutRevision:
    """Freeze the draft as the next revision and point readers at it. No checks: callers lock."""
    number = (
        session.scalar(
            select(func.max(LayoutRevision.number)).where(LayoutRevision.layout_id == layout.id)
        )
        or 0
    ) + 1
    previous = layout.published_revision_id
    revision = LayoutRevision(
        layout_id=layout.id,
        number=number,
        regions=list(layout.regions),
        placements=[
            PlacedBlock.from_row(p).snapshot() for p in draft_placements(session, layout.id)
        ],
        published_by=actor,
        reverted_from=reverted_from,
    )
    session.add(revision)
    session.flush()
    layout.published_revision_id = revision.id
    audit.record(
        session,
        actor=actor,
        action="revert" if reverted_from else "publish",
        row=layout,
        before={"revisionId": previous},
        state=lambda published: {
            "revision": number,
            "revertedFrom": reverted_from,
            **layout_state(published),
        },
    )
    return revision


def publish_layout(session: Session, actor: str, *, name: str, version: int) -> LayoutRevision:
    """``version`` is the draft the editor reviewed; a newer draft is not published unseen."""
    layout = lock_layout(session, name=name)
    check_version("version", version, layout.version)
    return publish(session, layout, actor)


def revert_layout(
    session: Session, actor: str, *, name: str, version: int, revision: int
) -> LayoutRevision:
    """Make revision ``revision`` the draft again and publish it as a new revision.

    Blocks that still exist keep their ids; blocks removed since are placed anew.
    """
    layout = lock_layout(session, name=name)
    check_version("version", version, layout.version)
    target = session.scalar(
        select(LayoutRevision).where(
            LayoutRevision.layout_id == layout.id, LayoutRevision.number == revision
        )
    )
    if target is None:
        raise refuse("revision", "NOT_FOUND", f"Layout '{name}' has no revision {revision}.")
    current = {p.id: p for p in draft_placements(session, layout.id)}
    keep: set[int] = set()
    for entry in map(PlacedBlock.from_snapshot, target.placements):
        row = current.get(entry.id)
        if row is None:
            session.add(
                Placement(
                    layout_id=layout.id,
                    region=entry.region,
                    position=entry.position,
                    block_type=entry.block_type,
                    settings=dict(entry.settings),
                )
            )
            continue
        keep.add(row.id)
        for attr in ("region", "position", "block_type"):
            if getattr(row, attr) != getattr(entry, attr):
                setattr(row, attr, getattr(entry, attr))
        if dict(row.settings) != entry.settings:
            row.settings = dict(entry.settings)
    for placement_id, row in current.items():
        if placement_id not in keep:
            session.delete(row)
    if list(layout.regions) != list(target.regions):
        layout.regions = list(target.regions)
    session.flush()
    return publish(session, layout, actor, reverted_from=revision)
