"""The block registry: a block type is registered once, with everything that defines it.

It imports nothing of the web or of GraphQL, so any layer may read it. Registering is explicit
(:meth:`BlockRegistry.add_all`, called by the app at creation for the built-in types and those
installed packages declare, see :mod:`portal_blocks.block_types.loading`): importing a module
registers nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from marshmallow import Schema

from portal_blocks.blocks.settings import json_schema, validate_settings
from portal_blocks.blocks.view import BlockView, PageFacts, TextSizeBounds
from portal_blocks.content.queries import ArticleQuery
from portal_blocks.layout.snapshots import PlacedBlock

#: Builds the block's view from its placement, the page's facts and its validated settings.
BlockBuilder = Callable[[PlacedBlock, PageFacts, dict[str, Any]], BlockView]
#: The text-size bounds a block type's settings set for its whole page (the toolbar's).
TextSizeRule = Callable[[dict[str, Any]], TextSizeBounds]
#: The article lists a block shows, from the page's facts (before any list is fetched) and its
#: validated settings: page assembly fetches every block's lists in one call, then builds.
ListRule = Callable[[PageFacts, dict[str, Any]], Iterable[ArticleQuery]]


class GraphQLBlockType(Protocol):
    """A block type's GraphQL object type: built from the block's view."""

    @classmethod
    def from_view(cls, view: Any) -> Any: ...


class UnknownBlockType(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Unknown block type '{name}'.")
        self.name = name


@dataclass(frozen=True, eq=False)
class BlockType:
    """Everything that defines a block type. Its GraphQL type name is its name.

    A block type from another package names that package in ``template_package``: its
    ``template`` is then looked up in the package's ``templates/`` folder (ours are looked up
    first, so the name should start with the package's own folder, e.g. ``my_pkg/block.html``).
    """

    name: str
    description: str
    schema: Schema
    graphql_type: type[GraphQLBlockType]
    template: str
    build: BlockBuilder
    assets_css: tuple[str, ...] = ()
    assets_js: tuple[str, ...] = ()
    cache_max_age: int = 300
    text_size_bounds: TextSizeRule | None = None
    #: The lists the block shows (see :data:`ListRule`); None: it shows none.
    queries: ListRule | None = None
    #: The import name of the package whose ``templates/`` folder holds ``template``; None:
    #: portal-blocks' own templates.
    template_package: str | None = None

    def validate(self, raw: Any) -> dict[str, Any]:
        """Validated, defaulted settings as Python values; raises ``Refused``."""
        return validate_settings(self.schema, raw)

    def dump(self, settings: dict[str, Any]) -> dict[str, Any]:
        """Settings as JSON (camelCase keys), the form they are stored and published in."""
        dumped: dict[str, Any] = self.schema.dump(settings)  # dump() has no return type
        return dumped

    @property
    def defaults(self) -> dict[str, Any]:
        return self.dump(self.validate({}))

    def json_schema(self) -> dict[str, Any]:
        return json_schema(self.name, self.schema, self.description)

    def settings_of(self, placement: PlacedBlock) -> dict[str, Any]:
        """The placement's validated settings, remembered by their stored JSON: a page of many
        blocks must not re-run marshmallow for each block on every request."""
        return _loaded_settings(self, placement.settings_key)

    def view(self, placement: PlacedBlock, page: PageFacts) -> BlockView:
        return self.build(placement, page, self.settings_of(placement))

    def lists_of(self, placement: PlacedBlock, page: PageFacts) -> Iterable[ArticleQuery]:
        if self.queries is None:
            return ()
        return self.queries(page, self.settings_of(placement))


@lru_cache(maxsize=1024)
def _loaded_settings(block_type: BlockType, stored_json: str) -> dict[str, Any]:
    return block_type.validate(json.loads(stored_json))


def shortest_max_age(block_types: Iterable[BlockType]) -> int | None:
    """How long a response showing these block types may be kept: the shortest of their
    hints, or None when it shows none (then the app's own bound applies)."""
    return min((t.cache_max_age for t in block_types), default=None)


class BlockRegistry:
    def __init__(self, block_types: Iterable[BlockType] = ()) -> None:
        self._types: dict[str, BlockType] = {}
        self.add_all(block_types)

    def add(self, block_type: BlockType) -> BlockType:
        """Register ``block_type``; registering the same definition again changes nothing,
        another definition under a taken name is refused."""
        self.add_all((block_type,))
        return block_type

    def add_all(self, block_types: Iterable[BlockType]) -> None:
        """Register every one of ``block_types``, or (when one is refused) none of them."""
        adding: dict[str, BlockType] = {}
        for block_type in block_types:
            known = adding.get(block_type.name) or self._types.get(block_type.name)
            if known is not None and known is not block_type:
                raise ValueError(f"block type {block_type.name!r} is already registered")
            adding[block_type.name] = block_type
        self._types.update(adding)

    def get(self, name: str) -> BlockType:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownBlockType(name) from None

    def find(self, name: str) -> BlockType | None:
        return self._types.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[BlockType]:
        return iter(sorted(self._types.values(), key=lambda t: t.name))


#: Every block type an app of this process serves, one definition per name (an app serves the
#: ones of its own schema, ``PortalSchema.block_types``). Filled by the apps at creation.
registry = BlockRegistry()
