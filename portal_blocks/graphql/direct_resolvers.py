"""Resolvers called without strawberry's per-call wrapping, where that wrapping does nothing.

For a field with a resolver, strawberry's ``GraphQLField.resolve`` (built by its schema
converter's ``from_resolver``) does on every call: build the resolver's ``Info``, convert each
argument (``get_arguments``: input objects into their classes, enums, ``GlobalID``s, lists
copied), let field extensions reshape the arguments and wrap the call (``functools.reduce``
over ``partial``s, even when there are none), then call the resolver through
``StrawberryField.get_result`` and ``StrawberryResolver.__call__``.

For a field with no field extension (permission classes are one), under a schema with no
exception handler, whose resolver is synchronous and whose arguments are all of the built-in
scalar types, every one of those steps but two returns what it was given: such an argument's
conversion is the value graphql-core coerced, unchanged. What is left is building the ``Info``
and naming the arguments as the resolver does. :func:`call_directly` replaces such a field's
resolve with exactly that, worked out once per field when the schema is built; every other
field keeps strawberry's. On a response-cache miss of a page query (its ``page(path:)``
field) this is about a twentieth of the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLField, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema
from strawberry import ID
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.field import StrawberryField

#: Argument types whose conversion by strawberry is the value as graphql-core coerced it.
PLAIN_SCALARS: tuple[object, ...] = (str, int, float, bool, ID)


def call_directly(schema: GraphQLSchema, config: StrawberryConfig) -> int:
    """Give each field of ``schema`` that qualifies (see the module) its direct resolve;
    returns how many fields it gave one. Run once, on a schema built with no exception
    handlers."""
    replaced = 0
    for named_type in schema.type_map.values():
        if not isinstance(named_type, GraphQLObjectType) or named_type.name.startswith("__"):
            continue
        for graphql_field in named_type.fields.values():
            direct = direct_resolve(graphql_field, config)
            if direct is not None:
                graphql_field.resolve = direct
                replaced += 1
    return replaced


def direct_resolve(
    graphql_field: GraphQLField, config: StrawberryConfig
) -> Callable[..., Any] | None:
    """The direct resolve of ``graphql_field``, or None where strawberry's wrapping may do
    something (or the field is no strawberry resolver's)."""
    definition = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or graphql_field.subscribe is not None:
        return None
    resolver = definition.base_resolver
    if resolver is None or definition.extensions or resolver.is_async:
        return None
    if not all(_plain(argument.type) for argument in definition.arguments):
        return None
    renamed = tuple(
        (config.name_converter.from_argument(argument), argument.python_name)
        for argument in definition.arguments
    )
    call = resolver.wrapped_func
    if not callable(call):  # strawberry raises its own error for this: left to it
        return None
    info_class = config.info_class
    passes_self = resolver.self_parameter is not None
    # The source under the names a resolver may ask it by; ``info`` under its own name.
    source_names = tuple(
        p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None
    )
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None

    def resolve(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        kwargs = {python: arguments[name] for name, python in renamed if name in arguments}
        for name in source_names:
            kwargs[name] = source
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=definition)
        return call(source, **kwargs) if passes_self else call(**kwargs)

    return resolve


def _plain(type_: object) -> bool:
    """A built-in scalar, or an optional one (``StrawberryMaybe`` wraps its value: not)."""
    if isinstance(type_, StrawberryMaybe):
        return False
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    return any(type_ is scalar for scalar in PLAIN_SCALARS)
