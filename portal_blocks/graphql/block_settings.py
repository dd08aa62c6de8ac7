"""Typed GraphQL settings of block types, generated from their marshmallow schemas.

The schema is the one source of a block type's settings: this module only reads it, so a
setting's name, type, nullability and description are never written down twice.
"""

from __future__ import annotations

from typing import Any

import strawberry
from marshmallow import Schema, fields
from strawberry.scalars import JSON

from portal_blocks.blocks.view import BlockView


@strawberry.interface(description="Typed settings of a block, as an editor configured them.")
class BlockSettings:
    as_json: JSON = strawberry.field(
        description="The same settings as one JSON object, keyed as in the settings JSON Schema."
    )


def _python_type(field: fields.Field[Any]) -> Any:
    if isinstance(field, fields.Enum):
        return field.enum
    if isinstance(field, fields.List):
        return list[_python_type(field.inner)]  # type: ignore[misc]  # a type built at run time
    for field_cls, python_type in (
        (fields.Boolean, bool),
        (fields.Integer, int),
        (fields.Float, float),
        (fields.String, str),
    ):
        if isinstance(field, field_cls):
            return python_type
    raise TypeError(f"no GraphQL mapping for settings field {field!r}")


def settings_type(name: str, schema: Schema, description: str) -> type[BlockSettings]:
    """Build the typed GraphQL settings object of a block type from its marshmallow schema."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for attr, field in schema.fields.items():
        python_type = _python_type(field)
        annotations[attr] = python_type | None if field.allow_none else python_type
        namespace[attr] = strawberry.field(
            name=field.data_key, description=field.metadata.get("description")
        )
    namespace["__annotations__"] = annotations
    namespace["__module__"] = __name__
    cls = type(name, (BlockSettings,), namespace)
    built: type[BlockSettings] = strawberry.type(cls, name=name, description=description)
    return built


#: Settings objects by (type, stored JSON); emptied when full (a portal has few distinct ones).
_OBJECTS: dict[tuple[type[BlockSettings], str], Any] = {}
_OBJECTS_MAX = 1024


def settings_object(graphql_type: type[BlockSettings], schema: Schema, view: BlockView) -> Any:
    """The block's settings as its GraphQL object, remembered by their stored JSON: a page of
    many blocks must not dump and rebuild them for each block on every request."""
    key = (graphql_type, view.settings_key)
    found = _OBJECTS.get(key)
    if found is None:
        if len(_OBJECTS) >= _OBJECTS_MAX:
            _OBJECTS.clear()
        found = graphql_type(as_json=schema.dump(view.settings), **view.settings)
        _OBJECTS[key] = found
    return found
