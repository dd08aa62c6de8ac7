"""The GraphQL interfaces every block type implements, and what a block is rendered against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.scalars import JSON

from portal_blocks.content.records import ArticleRecord
from portal_blocks.content.source import ArticleSource
from portal_blocks.models import Layout, Placement


@dataclass
class PageView:
    """Everything a page's blocks are built from, resolved once per request.

    Blocks read from it instead of querying on their own, which keeps the SQL count of a page
    constant however many blocks its layout holds.
    """

    path: str
    layout: Layout
    placements: list[Placement]
    article: ArticleRecord | None
    locale: str
    timezone: str
    preview: bool = False
    viewer: dict[str, Any] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)
    #: Where blocks fetch articles beyond the page's own (e.g. related news), once per page.
    source: ArticleSource | None = None


@strawberry.interface(description="Typed settings of a block, as an editor configured them.")
class BlockSettings:
    as_json: JSON = strawberry.field(
        description="The same settings as one JSON object, keyed as in the settings JSON Schema."
    )


@strawberry.interface(description="A block (portlet) placed in a region of a page layout.")
class Block:
    id: strawberry.ID = strawberry.field(description="Stable id of the block's placement.")
    block_type: str = strawberry.field(
        description="The block type, equal to its GraphQL type name."
    )
    region: str
    position: int = strawberry.field(description="0-based order of the block within its region.")
    settings: BlockSettings

    _placement: strawberry.Private[Placement]
    _page: strawberry.Private[PageView]

    @strawberry.field(description="The block rendered as an accessible HTML fragment.")
    def html(self) -> str:
        from portal_blocks.render.blocks import render_block

        return render_block(self)
