"""Page, Region and Layout GraphQL types, built from the plain page view."""

from __future__ import annotations

import strawberry

from portal_blocks.assembly.views import PageView, RegionView
from portal_blocks.graphql import resolvers
from portal_blocks.graphql.article import ArticleType
from portal_blocks.graphql.blocks import Block, graphql_block
from portal_blocks.layout.snapshots import LayoutSnapshot
from portal_blocks.render.blocks import render_region


@strawberry.type(name="Region", description="A named area of a layout holding blocks in order.")
class RegionType:
    name: str
    blocks: list[Block]
    _view: strawberry.Private[RegionView]

    @resolvers.field(description="The region's blocks rendered as one HTML fragment.")
    def html(self) -> str:
        return render_region(self._view)

    @classmethod
    def from_view(cls, view: RegionView) -> RegionType:
        return cls(name=view.name, blocks=[graphql_block(b) for b in view.blocks], _view=view)


@strawberry.type(name="Layout", description="A named arrangement of regions for a kind of page.")
class LayoutType:
    id: strawberry.ID
    name: str
    title: str
    regions: list[str]
    version: int

    @classmethod
    def of(cls, layout: LayoutSnapshot, regions: tuple[str, ...]) -> LayoutType:
        return cls(
            id=strawberry.ID(str(layout.id)),
            name=layout.name,
            title=layout.title,
            regions=list(regions),
            version=layout.version,
        )


@strawberry.type(name="Page", description="A portal page: its layout, its article, its regions.")
class PageType:
    path: str
    layout: LayoutType
    article: ArticleType | None
    regions: list[RegionType]
    _view: strawberry.Private[PageView]

    @resolvers.field(description="One region by name, or null if the layout has none of that name.")
    def region(self, name: str) -> RegionType | None:
        return next((r for r in self.regions if r.name == name), None)

    @classmethod
    def from_view(cls, view: PageView) -> PageType:
        return cls(
            path=view.path,
            layout=LayoutType.of(view.layout, view.region_names),
            article=ArticleType.from_record(view.article) if view.article else None,
            regions=[RegionType.from_view(r) for r in view.regions],
            _view=view,
        )


def graphql_page(view: PageView) -> PageType:
    """The GraphQL object of a page view, built once per view and kept with it: a view shared
    by requests (``assembly.shared_views``) shares its GraphQL objects too. They hold no
    request's state: every resolver of theirs reads the view, or its request's context."""
    found: PageType | None = view.presented.get(PageType)
    if found is None:
        found = view.presented.setdefault(PageType, PageType.from_view(view))
    return found
