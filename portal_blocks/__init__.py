"""portal-blocks: page blocks (portlets) for publishing portals, over GraphQL and HTML."""

from portal_blocks.app import create_app
from portal_blocks.caching.invalidation import invalidate_articles
from portal_blocks.extension import PortalBlocks

__all__ = ["PortalBlocks", "create_app", "invalidate_articles"]
