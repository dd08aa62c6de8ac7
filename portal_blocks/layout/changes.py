"""What publishing a layout's draft changes for readers, as a list an editor can review.

The draft is compared with the revision readers see, block by block (placements keep their
ids across drafts and revisions): blocks added, removed, moved (another region or position),
settings changed (which keys), and regions added or removed. Publishing then names the draft
version that was reviewed, so what is published is exactly what was shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.layout.snapshots import PlacedBlock
from portal_blocks.models import Layout, LayoutRevision, Placement, Route


@dataclass(frozen=True, slots=True)
class BlockChange:
    #: "added", "removed", "moved" or "configured".
    kind: str
    block_id: int
    block_type: str
    region: str
    position: int
    #: Where a moved block was (None for any other change).
    from_region: str | None = None
    from_position: int | None = None
    #: The settings keys a configured block changed, in order.
    settings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LayoutChanges:
    version: int
    published_revision: int | None
    regions_added: tuple[str, ...]
    regions_removed: tuple[str, ...]
    blocks: tuple[BlockChange, ...]
    #: How many blocks the draft holds.
    block_count: int = 0

    @property
    def any(self) -> bool:
        return bool(self.regions_added or self.regions_removed or self.blocks)


def _changed_keys(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    return tuple(k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k))


def compare(
    published: tuple[list[str], list[PlacedBlock]] | None,
    draft_regions: list[str],
    draft: list[PlacedBlock],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[BlockChange, ...]]:
    """Regions added, regions removed and block changes from ``published`` (None: never
    published, so everything is added) to the draft."""
    old_regions, old_blocks = published if published is not None else ([], [])
    before = {b.id: b for b in old_blocks}
    after = {b.id: b for b in draft}
    changes: list[BlockChange] = []
    order = {region: i for i, region in enumerate(draft_regions)}
    for block in sorted(draft, key=lambda b: (order.get(b.region, len(order)), b.position)):
        old = before.get(block.id)
        common = (block.id, block.block_type, block.region, block.position)
        if old is None:
            changes.append(BlockChange("added", *common))
            continue
        if (old.region, old.position) != (block.region, block.position):
            changes.append(
                BlockChange("moved", *common, from_region=old.region, from_position=old.position)
            )
        keys = _changed_keys(old.settings, block.settings)
        if keys:
            changes.append(BlockChange("configured", *common, settings=keys))
    changes += [
        BlockChange("removed", b.id, b.block_type, b.region, b.position)
        for b in old_blocks
        if b.id not in after
    ]
    added = tuple(r for r in draft_regions if r not in old_regions)
    removed = tuple(r for r in old_regions if r not in draft_regions)
    return added, removed, tuple(changes)


def layout_changes(session: Session, layout: Layout) -> LayoutChanges:
    """Two statements: the draft's placements and the published revision."""
    draft = [
        PlacedBlock.from_row(p)
        for p in session.scalars(select(Placement).where(Placement.layout_id == layout.id))
    ]
    revision = (
        session.get(LayoutRevision, layout.published_revision_id)
        if layout.published_revision_id is not None
        else None
    )
    published = (
        (list(revision.regions), [PlacedBlock.from_snapshot(e) for e in revision.placements])
        if revision is not None
        else None
    )
    added, removed, blocks = compare(published, list(layout.regions), draft)
    return LayoutChanges(
        version=layout.version,
        published_revision=revision.number if revision is not None else None,
        regions_added=added,
        regions_removed=removed,
        blocks=blocks,
        block_count=len(draft),
    )


@dataclass(frozen=True, slots=True)
class LayoutSummary:
    """A layout as the editors' list shows it."""

    name: str
    title: str
    routes: tuple[str, ...]
    published: bool
    #: Whether readers would see something else once the draft is published.
    draft_differs: bool
    blocks: int


def layout_summaries(session: Session) -> list[LayoutSummary]:
    """Every layout, by name, with its routes and whether its draft differs from what readers
    see."""
    layouts = session.scalars(select(Layout).order_by(Layout.name)).all()
    routes: dict[int, list[str]] = {}
    for layout_id, pattern, host in session.execute(
        select(Route.layout_id, Route.pattern, Route.host)
        .where(Route.article_id.is_(None))
        .order_by(Route.id)
    ):
        routes.setdefault(layout_id, []).append(f"{host}{pattern}" if host else pattern)
    summaries = []
    for layout in layouts:
        changes = layout_changes(session, layout)
        summaries.append(
            LayoutSummary(
                name=layout.name,
                title=layout.title,
                routes=tuple(routes.get(layout.id, ())),
                published=changes.published_revision is not None,
                draft_differs=changes.any,
                blocks=changes.block_count,
            )
        )
    return summaries
