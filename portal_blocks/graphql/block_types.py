"""Block types as editor UIs discover them: description, settings JSON Schema, defaults."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from portal_blocks.blocks.registry import BlockType
from portal_blocks.graphql.errors import UserError


@strawberry.type(name="BlockType", description="A registered block type.")
class BlockTypeInfo:
    name: str
    description: str
    settings_schema: JSON = strawberry.field(description="JSON Schema (2020-12) of its settings.")
    defaults: JSON = strawberry.field(description="The settings a new block of this type gets.")

    @classmethod
    def from_block_type(cls, block_type: BlockType) -> BlockTypeInfo:
        return cls(
            name=block_type.name,
            description=block_type.description,
            settings_schema=JSON(block_type.json_schema()),
            defaults=JSON(block_type.defaults),
        )


@strawberry.type(description="The outcome of checking block settings without saving them.")
class SettingsValidation:
    valid: bool
    settings: JSON | None = strawberry.field(
        description="The full settings with defaults filled in, when valid."
    )
    errors: list[UserError]
