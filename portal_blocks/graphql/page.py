"""Page, Region and Layout GraphQL types."""

from __future__ import annotations

import strawberry

from portal_blocks.blocks.base import Block
from portal_blocks.graphql.article import ArticleType


@strawberry.type(name="Region", description="A named area of a layout holding blocks in order.")
class RegionType:
    name: str
    blocks: list[Block]

    @strawberry.field(description="The region's blocks rendered as one HTML fragment.")
    def html(self) -> str:
        from portal_blocks.render.blocks import render_region

        return render_region(self)


@strawberry.type(name="Layout", description="A named arrangement of regions for a kind of page.")
class LayoutType:
    id: strawberry.ID
    name: str
    title: str
    regions: list[str]
    version: int


@strawberry.type(name="Page", description="A portal page: its layout, its article, its regions.")
class PageType:
    path: str
    layout: LayoutType
    article: ArticleType | None
    regions: list[RegionType]
    #: An editor's preview: never shared through a cache, whatever it shows.
    preview: strawberry.Private[bool] = False

    @strawberry.field(
        description="One region by name, or null if the layout has none of that name."
    )
    def region(self, name: str) -> RegionType | None:
        return next((r for r in self.regions if r.name == name), None)
