"""Block types. Each is one module plus one template, registered here in one line each."""

from portal_blocks.blocks import toolbar, viewdata
from portal_blocks.blocks.base import Block, BlockSettings, PageView
from portal_blocks.blocks.registry import BlockType, UnknownBlockType, registry

registry.register(toolbar.BLOCK)
registry.register(viewdata.BLOCK)

__all__ = ["Block", "BlockSettings", "BlockType", "PageView", "UnknownBlockType", "registry"]
