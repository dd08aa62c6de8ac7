"""Values a page is built from, detached from any session.

A placement and a layout as readers' pages see them: from a draft's rows or from a published
revision's JSON. They are shared between requests (the page-data cache keeps them), so they are
frozen; routing, editing, publishing and page assembly all speak in them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from portal_blocks.models import Layout, Placement


@dataclass(frozen=True, slots=True)
class PlacedBlock:
    """A placement as a page is built from it: a draft row's values or a published snapshot's."""

    id: int
    region: str
    position: int
    block_type: str
    settings: dict[str, Any]
    version: int = 1
    #: The settings as canonical JSON: the key their validated form is remembered by. Made
    #: once per placement, and a cached page's placements live across requests.
    settings_key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = json.dumps(self.settings, sort_keys=True, default=str)
        object.__setattr__(self, "settings_key", key)

    @classmethod
    def from_row(cls, row: Placement) -> PlacedBlock:
        return cls(
            row.id, row.region, row.position, row.block_type, dict(row.settings), row.version
        )

    @classmethod
    def from_snapshot(cls, entry: dict[str, Any]) -> PlacedBlock:
        return cls(
            entry["id"],
            entry["region"],
            entry["position"],
            entry["blockType"],
            entry["settings"],
            entry.get("version", 1),
        )

    def snapshot(self) -> dict[str, Any]:
        """The JSON form kept in a published layout revision."""
        return {
            "id": self.id,
            "region": self.region,
            "position": self.position,
            "blockType": self.block_type,
            "settings": self.settings,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class LayoutSnapshot:
    """The layout fields a page shows, detached from any session."""

    id: int
    name: str
    title: str
    version: int

    @classmethod
    def of(cls, layout: Layout) -> LayoutSnapshot:
        return cls(layout.id, layout.name, layout.title, layout.version)
