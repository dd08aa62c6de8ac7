"""Typed GraphQL settings of block types, generated from their marshmallow schemas.

The schema is the one source of a block type's settings: this module only reads it, so a
setting's name, type, nullability and description are never written down twice.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import strawberry
from marshmallow import Schema, fields, missing
from strawberry.scalars import JSON

from portal_blocks.blocks.view import BlockView


@strawberry.interface(description="Typed settings of a block, as an editor configured them.")
class BlockSettings:
    as_json: JSON = strawberry.field(
        description="The same settings as one JSON object, keyed as in the settings JSON Schema."
    )


#: The metadata key of a ``fields.Nested`` (or of the ``fields.List`` holding one) that names
#: its GraphQL type; without it the name is the settings type's followed by the nested schema's
#: class name less "Schema" (``LinkSchema`` in ``FooSettings``: ``FooSettingsLink``).
GRAPHQL_NAME = "graphql_name"

#: Turns a validated setting (its Python value) into the value its GraphQL field takes.
Convert = Callable[[Any], Any]
#: Turns validated settings (or one nested object of them) into the keyword arguments of
#: their GraphQL type.
ObjectValues = Callable[[Mapping[str, Any]], dict[str, Any]]


def _same(value: Any) -> Any:
    return value


def _each(convert: Convert) -> Convert:
    def convert_list(items: Any) -> Any:
        return None if items is None else [convert(item) for item in items]

    return convert_list


class _Nested:
    """The nested settings types built for one settings type, by GraphQL name: the same nested
    schema under one name is one type, two schemas under one name are refused here rather than
    by strawberry's less telling clash when the schema is built."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.made: dict[str, tuple[type[Schema], Any, Convert]] = {}

    def type_of(self, field: fields.Nested, named: str | None) -> tuple[Any, Convert]:
        nested = field.schema
        name = field.metadata.get(GRAPHQL_NAME) or named
        name = name or self.owner + type(nested).__name__.removesuffix("Schema")
        known = self.made.get(name)
        if known is not None:
            if known[0] is not type(nested):
                raise TypeError(f"two nested settings schemas are both named {name!r}")
            return known[1], known[2]
        description = (inspect.getdoc(type(nested)) or "").split("\n\n")[0] or None
        namespace, values = _object_namespace(nested, self)
        cls = type(name, (), namespace)
        built = strawberry.type(cls, name=name, description=description)

        def convert(value: Any) -> Any:
            return None if value is None else built(**values(value))

        self.made[name] = (type(nested), built, convert)
        return built, convert


def _python_type(
    field: fields.Field[Any], nested: _Nested, named: str | None = None
) -> tuple[Any, Convert]:
    """The Python type strawberry maps a settings field to, and how a value becomes it."""
    if isinstance(field, fields.Nested):
        object_type, convert = nested.type_of(field, named)
        if not field.many:
            return object_type, convert
        return list[object_type], _each(convert)  # type: ignore[valid-type]  # built at run time
    if isinstance(field, fields.Enum):
        return field.enum, _same
    if isinstance(field, fields.List):
        inner, convert_item = _python_type(field.inner, nested, field.metadata.get(GRAPHQL_NAME))
        listed = list[inner]  # type: ignore[valid-type]  # a type built at run time
        return listed, _same if convert_item is _same else _each(convert_item)
    for field_cls, python_type in (
        (fields.Boolean, bool),
        (fields.Integer, int),
        (fields.Float, float),
        (fields.String, str),
    ):
        if isinstance(field, field_cls):
            return python_type, _same
    raise TypeError(f"no GraphQL mapping for settings field {field!r}")


def _object_namespace(schema: Schema, nested: _Nested) -> tuple[dict[str, Any], ObjectValues]:
    """The class namespace of a settings object's GraphQL type (top level or nested), and how
    its validated values become the type's arguments. A field that may be absent from them
    (neither required nor defaulted) is nullable, as one that allows null is."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    converts: dict[str, Convert] = {}
    for attr, field in schema.fields.items():
        python_type, convert = _python_type(field, nested)
        may_be_absent = not field.required and field.load_default is missing
        annotations[attr] = python_type | None if field.allow_none or may_be_absent else python_type
        namespace[attr] = strawberry.field(
            name=field.data_key, description=field.metadata.get("description")
        )
        converts[attr] = convert
    namespace["__annotations__"] = annotations
    namespace["__module__"] = __name__

    def values(data: Mapping[str, Any]) -> dict[str, Any]:
        return {attr: convert(data.get(attr)) for attr, convert in converts.items()}

    return namespace, values


#: How each settings type built here gets its arguments from validated settings.
_VALUES: dict[type[BlockSettings], ObjectValues] = {}


def settings_type(name: str, schema: Schema, description: str) -> type[BlockSettings]:
    """Build the typed GraphQL settings object of a block type from its marshmallow schema.

    ``fields.Nested`` (alone or in a ``fields.List``) becomes a GraphQL object type of its own,
    named by :data:`GRAPHQL_NAME` or after ``name`` and the nested schema."""
    namespace, values = _object_namespace(schema, _Nested(name))
    cls = type(name, (BlockSettings,), namespace)
    built: type[BlockSettings] = strawberry.type(cls, name=name, description=description)
    _VALUES[built] = values
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
        values = _VALUES.get(graphql_type)
        arguments = values(view.settings) if values is not None else view.settings
        found = graphql_type(as_json=schema.dump(view.settings), **arguments)
        _OBJECTS[key] = found
    return found
