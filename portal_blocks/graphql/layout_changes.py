"""What publishing a layout's draft would change for readers, for an editor to review."""

from __future__ import annotations

import enum

import strawberry

from portal_blocks.layout.changes import BlockChange, LayoutChanges


@strawberry.enum(name="BlockChangeKind", description="How a block differs from what readers see.")
class BlockChangeKind(enum.Enum):
    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"
    CONFIGURED = "configured"


@strawberry.type(description="One block that publishing the draft changes for readers.")
class LayoutBlockChange:
    kind: BlockChangeKind
    block_id: strawberry.ID
    block_type: str
    region: str = strawberry.field(description="Where the block is in the draft (or was).")
    position: int
    from_region: str | None = strawberry.field(description="Where a moved block was.")
    from_position: int | None
    settings: list[str] = strawberry.field(description="The settings a configured block changed.")

    @classmethod
    def of(cls, change: BlockChange) -> LayoutBlockChange:
        return cls(
            kind=BlockChangeKind(change.kind),
            block_id=strawberry.ID(str(change.block_id)),
            block_type=change.block_type,
            region=change.region,
            position=change.position,
            from_region=change.from_region,
            from_position=change.from_position,
            settings=list(change.settings),
        )


@strawberry.type(
    name="LayoutChanges",
    description="The draft against the revision readers see: publish `version` to apply it.",
)
class LayoutChangesType:
    version: int = strawberry.field(description="The draft version these changes are of.")
    published_revision: int | None
    regions_added: list[str]
    regions_removed: list[str]
    blocks: list[LayoutBlockChange]

    @classmethod
    def of(cls, changes: LayoutChanges) -> LayoutChangesType:
        return cls(
            version=changes.version,
            published_revision=changes.published_revision,
            regions_added=list(changes.regions_added),
            regions_removed=list(changes.regions_removed),
            blocks=[LayoutBlockChange.of(c) for c in changes.blocks],
        )
