"""The block registry: a block type is registered once, with everything that defines it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from marshmallow import Schema

from portal_blocks.blocks.settings import (
    graphql_settings_type,
    json_schema,
    settings_object,
    validate_settings,
)

if TYPE_CHECKING:
    from portal_blocks.blocks.base import Block, PageView, PlacedBlock

#: Builds the block's GraphQL object from its placement, the page and the loaded settings.
BlockBuilder = Callable[["PlacedBlock", "PageView", dict[str, Any], Any], "Block"]


class UnknownBlockType(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Unknown block type '{name}'.")
        self.name = name


@dataclass(frozen=True)
class BlockType:
    """Everything that defines a block type. Its GraphQL type name is its name."""

    name: str
    description: str
    schema: Schema
    settings_type: type
    graphql_type: type
    template: str
    build: BlockBuilder
    assets_css: tuple[str, ...] = ()
    assets_js: tuple[str, ...] = ()
    cache_max_age: int = 300

    def validate(self, raw: Any) -> dict[str, Any]:
        """Validated, defaulted settings as Python values; raises ``SettingsInvalid``."""
        return validate_settings(self.schema, raw)

    def dump(self, settings: dict[str, Any]) -> dict[str, Any]:
        """Settings as JSON (camelCase keys), the form they are stored and published in."""
        return self.schema.dump(settings)

    @property
    def defaults(self) -> dict[str, Any]:
        return self.dump(self.validate({}))

    def json_schema(self) -> dict[str, Any]:
        return json_schema(self.name, self.schema, self.description)

    def instantiate(self, placement: PlacedBlock, page: PageView) -> Block:
        """Validated settings and their GraphQL object are remembered by the stored JSON: a
        page of many blocks must not re-run marshmallow for each block on every request."""
        settings, typed = _loaded_settings(self, placement.settings_key)
        return self.build(placement, page, settings, typed)


@lru_cache(maxsize=1024)
def _loaded_settings(block_type: BlockType, stored_json: str) -> tuple[dict[str, Any], Any]:
    settings = block_type.validate(json.loads(stored_json))
    return settings, settings_object(block_type.settings_type, block_type.schema, settings)


class BlockRegistry:
    def __init__(self) -> None:
        self._types: dict[str, BlockType] = {}

    def register(self, block_type: BlockType) -> BlockType:
        if block_type.name in self._types:
            raise ValueError(f"block type {block_type.name!r} is already registered")
        self._types[block_type.name] = block_type
        return block_type

    def get(self, name: str) -> BlockType:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownBlockType(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[BlockType]:
        return iter(sorted(self._types.values(), key=lambda t: t.name))


def settings_type_for(name: str, schema: type[Schema], description: str) -> type:
    return graphql_settings_type(name, schema(), description)


registry = BlockRegistry()
