"""A page once assembled: its regions in order, each block's view, and what the page read.

What every presentation of a page (GraphQL, fragments, the theme, the print view) is given, and
what :mod:`portal_blocks.assembly.shared_views` keeps for the requests asking for it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from portal_blocks.blocks.registry import BlockType, registry, shortest_max_age
from portal_blocks.blocks.view import BlockView, PageFacts
from portal_blocks.cache_tags import page_tags, slug_tag
from portal_blocks.caching.page_data import list_tags
from portal_blocks.content.records import ArticleRecord
from portal_blocks.layout.snapshots import LayoutSnapshot

#: Keys of what :attr:`PageView.presented` keeps of the view itself.
_TAGS = "tags"
_MAX_AGE = "max_age"


@dataclass(frozen=True, slots=True)
class RegionView:
    name: str
    blocks: tuple[BlockView, ...]


@dataclass(frozen=True, slots=True)
class PageView:
    """A page as every presentation of it (GraphQL, HTML) sees it."""

    path: str
    layout: LayoutSnapshot
    #: The region names of the layout revision shown, in order.
    region_names: tuple[str, ...]
    article: ArticleRecord | None
    regions: tuple[RegionView, ...]
    facts: PageFacts
    #: An editor's preview: drafts shown, never shared through a cache.
    preview: bool = False
    #: What is worked out of this view and kept with it, by what it is (its GraphQL objects,
    #: its tags, its lifetime): a view shared by requests (``assembly.shared_views``) is
    #: presented and read once, not once per request.
    presented: dict[object, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def locale(self) -> str:
        return self.facts.locale

    def region(self, name: str) -> RegionView | None:
        return next((r for r in self.regions if r.name == name), None)

    def blocks(self) -> Iterator[BlockView]:
        for region in self.regions:
            yield from region.blocks

    def tags(self) -> frozenset[str]:
        """What the page read: its route, layout and article, and the articles of its lists."""
        found: frozenset[str] | None = self.presented.get(_TAGS)
        if found is None:
            found = self.presented[_TAGS] = self._tags()
        return found

    def _tags(self) -> frozenset[str]:
        article = self.article
        tags = page_tags(self.layout.id, article.id if article is not None else None)
        if article is not None:
            tags |= {slug_tag(article.slug)}
        # Its lists, which may come from the page-data cache without the source seeing them.
        return tags | list_tags(self.facts.lists.values()) if self.facts.lists else tags

    def max_age(self) -> int | None:
        """The shortest cache lifetime among its blocks' types."""
        if _MAX_AGE not in self.presented:
            self.presented[_MAX_AGE] = shortest_max_age(block_types_of(self.blocks()))
        found: int | None = self.presented[_MAX_AGE]
        return found


def block_types_of(blocks: Iterator[BlockView] | tuple[BlockView, ...]) -> list[BlockType]:
    return [registry.get(b.block_type) for b in blocks]
