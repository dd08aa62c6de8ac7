"""The built-in block types: each one module (settings schema, view, GraphQL type, build) plus
one template. Nothing in the core imports them; the app registers them at creation."""

from __future__ import annotations

from portal_blocks.block_types import danhsach, lienket, noibat, tinkhac, toolbar, viewdata
from portal_blocks.blocks.registry import BlockRegistry, BlockType

BUILTIN: tuple[BlockType, ...] = (
    toolbar.BLOCK,
    viewdata.BLOCK,
    tinkhac.BLOCK,
    danhsach.BLOCK,
    noibat.BLOCK,
    lienket.BLOCK,
)


def register_builtin(registry: BlockRegistry) -> None:
    """Register the built-in block types (again: a no-op)."""
    for block_type in BUILTIN:
        registry.add(block_type)
