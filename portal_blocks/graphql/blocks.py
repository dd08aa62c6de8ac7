"""The GraphQL ``Block`` interface every block type implements, over the block's plain view.

A concrete block type (a leaf in :mod:`portal_blocks.block_types`) subclasses :class:`Block`
and builds itself from its view with ``from_view``; ``html`` and ``assets`` come from here.
"""

from __future__ import annotations

from typing import Any

import strawberry

from portal_blocks.blocks.registry import registry
from portal_blocks.blocks.view import BlockView
from portal_blocks.graphql import resolvers
from portal_blocks.graphql.block_settings import BlockSettings
from portal_blocks.render.blocks import block_assets, render_block


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

    _view: strawberry.Private[BlockView]

    @resolvers.field(description="The block rendered as an accessible HTML fragment.")
    def html(self) -> str:
        return render_block(self._view)

    @resolvers.field(description="The CSS and JS files the block needs, to add to the page once.")
    def assets(self) -> BlockAssets:
        css, js = block_assets((self._view,))
        return BlockAssets(css=css, js=js)


def graphql_block(view: BlockView) -> Block:
    """The GraphQL object of a block view, by its registered type."""
    built: Block = registry.get(view.block_type).graphql_type.from_view(view)
    return built


def block_fields(view: BlockView, settings: BlockSettings) -> dict[str, Any]:
    """The :class:`Block` fields every block type's GraphQL object takes from its view."""
    return {
        "id": strawberry.ID(str(view.id)),
        "block_type": view.block_type,
        "region": view.region,
        "position": view.position,
        "settings": settings,
        "_view": view,
    }
