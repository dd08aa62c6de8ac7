"""The GraphQL interfaces every block type implements, and what a block is rendered against."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.scalars import JSON

from portal_blocks.content.records import ArticleRecord
from portal_blocks.content.source import ArticleSource
from portal_blocks.models import Placement

if TYPE_CHECKING:
    from portal_blocks.layout.routing import LayoutSnapshot


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


@dataclass
class PageView:
    """Everything a page's blocks are built from, resolved once per request.

    Blocks read from it instead of querying on their own, which keeps the SQL count of a page
    constant however many blocks its layout holds.
    """

    path: str
    layout: LayoutSnapshot
    placements: Sequence[PlacedBlock]
    article: ArticleRecord | None
    locale: str
    timezone: str
    preview: bool = False
    viewer: dict[str, Any] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)
    #: The regions shown, in order: the published revision's, or the draft's in a preview.
    regions: Sequence[str] = ()
    #: Where blocks fetch articles beyond the page's own (e.g. related news), once per page.
    source: ArticleSource | None = None


@strawberry.interface(description="Typed settings of a block, as an editor configured them.")
class BlockSettings:
    as_json: JSON = strawberry.field(
        description="The same settings as one JSON object, keyed as in the settings JSON Schema."
    )


@strawberry.type(description="The CSS and JS files a block needs on the page, as URLs.")
class BlockAssets:
    css: list[str]
    js: list[str]


@strawberry.interface(description="A block (portlet) placed in a region of a page layout.")
class Block:
    id: strawberry.ID = strawberry.field(description="Stable id of the block's placement.")
    block_type: str = strawberry.field(
        description="The block type, equal to its GraphQL type name."
    )
    region: str
    position: int = strawberry.field(description="0-based order of the block within its region.")
    settings: BlockSettings

    _placement: strawberry.Private[PlacedBlock]
    _page: strawberry.Private[PageView]

    @strawberry.field(description="The block rendered as an accessible HTML fragment.")
    def html(self) -> str:
        from portal_blocks.render.blocks import render_block

        return render_block(self)

    @strawberry.field(description="The CSS and JS files the block needs, to add to the page once.")
    def assets(self) -> BlockAssets:
        from portal_blocks.blocks.registry import registry
        from portal_blocks.render.urls import static_url

        block_type = registry.get(self.block_type)
        return BlockAssets(
            css=[static_url(name) for name in block_type.assets_css],
            js=[static_url(name) for name in block_type.assets_js],
        )
