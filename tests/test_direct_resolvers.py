"""Fields called without strawberry's wrapping (graphql/direct_resolvers.py) answer exactly as
strawberry's own resolve does, and only fields where that wrapping does nothing get one.

Each document runs on two schemas of the same types: strawberry's as it builds it, and the
same with :func:`call_directly` applied; data and errors (messages, paths) must be equal.
"""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType, GraphQLSchema
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission
from strawberry.types import Info

from portal_blocks.graphql import direct_resolvers
from portal_blocks.graphql.direct_resolvers import call_directly
from portal_blocks.state import get_state


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.input
class Filter:
    word: str


class Refused(BasePermission):
    message = "refused"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return False


class Upper(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs).upper()


@strawberry.type
class Item:
    name: str

    @strawberry.field
    def greeting(self, prefix: str = "Chào") -> str:
        return f"{prefix} {self.name}"

    @strawberry.field
    def parent_name(self, parent: strawberry.Parent[Item]) -> str:
        return parent.name


@strawberry.type
class Query:
    @strawberry.field
    def echo(self, text: str, times: int = 1, loud: bool | None = None) -> str:
        said = text * times
        return said.upper() if loud else said

    @strawberry.field
    def by_id(self, item_id: strawberry.ID, weight: float | None = None) -> str:
        return f"{item_id}:{weight}"

    @strawberry.field
    def field_name(self, info: Info) -> str:
        return f"{info.field_name}@{'.'.join(str(k) for k in info.path.as_list())}"

    @strawberry.field
    def item(self, name: str) -> Item:
        return Item(name=name)

    @strawberry.field
    def fails(self, why: str) -> str:
        raise ValueError(f"failed: {why}")

    @strawberry.field
    def root_is(self, root: Any) -> str:
        return repr(root)

    @strawberry.field(permission_classes=[Refused])
    def guarded(self, text: str) -> str:
        return text

    @strawberry.field(extensions=[Upper()])
    def extended(self, text: str) -> str:
        return text

    @strawberry.field
    def filtered(self, where: Filter) -> str:
        return where.word

    @strawberry.field
    def coloured(self, colour: Colour) -> str:
        return colour.value

    @strawberry.field
    def joined(self, words: list[str]) -> str:
        return "+".join(words)

    @strawberry.field
    async def later(self, text: str) -> str:
        return text

    @strawberry.field
    def maybe(self, text: strawberry.Maybe[str]) -> str:
        return repr(text)


DIRECT = {
    "Query.echo",
    "Query.byId",
    "Query.fieldName",
    "Query.item",
    "Query.fails",
    "Query.rootIs",
    "Item.greeting",
    "Item.parentName",
}


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    plain = strawberry.Schema(query=Query)
    direct = strawberry.Schema(query=Query)
    call_directly(direct._schema, direct.config)
    return plain, direct


def _direct_fields(schema: GraphQLSchema) -> set[str]:
    return {
        f"{name}.{field_name}"
        for name, named in schema.type_map.items()
        if isinstance(named, GraphQLObjectType)
        for field_name, field in named.fields.items()
        if getattr(field.resolve, "__module__", None) == direct_resolvers.__name__
    }


def test_only_fields_whose_wrapping_does_nothing_are_called_directly() -> None:
    plain, direct = _schemas()
    assert _direct_fields(plain._schema) == set()
    assert _direct_fields(direct._schema) == DIRECT


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ('{ echo(text: "xin chào") }', None),
        ('{ echo(text: "a", times: 3, loud: true) }', None),
        ("query Q($t: String!, $n: Int) { echo(text: $t, times: $n) }", {"t": "b", "n": 2}),
        ("query Q($t: String!, $n: Int) { echo(text: $t, times: $n) }", {"t": "b"}),
        ('{ byId(itemId: "7") byWeight: byId(itemId: 8, weight: 1.5) }', None),
        ('{ fieldName aliased: fieldName item(name: "Hương") { fieldName: name } }', None),
        ('{ item(name: "Hương Dịu") { name greeting other: greeting(prefix: "Hi") } }', None),
        ('{ item(name: "x") { parentName } }', None),
        ('{ fails(why: "no") ok: echo(text: "still") }', None),
        ("{ rootIs }", None),
        ('{ guarded(text: "x") }', None),
        ('{ extended(text: "x") }', None),
        ('{ filtered(where: {word: "w"}) coloured(colour: RED) joined(words: ["a", "b"]) }', None),
        ('{ maybe(text: "m") }', None),
    ],
)
def test_answers_as_strawberry_does(document: str, variables: dict[str, Any] | None) -> None:
    plain, direct = _schemas()
    expected = plain.execute_sync(document, variable_values=variables, root_value="root")
    got = direct.execute_sync(document, variable_values=variables, root_value="root")
    assert got.data == expected.data
    assert [(e.message, e.path) for e in got.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]


def test_the_page_field_of_the_portal_schema_is_called_directly(app: Any) -> None:
    """The root field every page query's miss runs."""
    schema = get_state(app).schema
    query = schema._schema.query_type
    assert query is not None
    page = query.fields["page"]
    assert page.resolve.__module__ == direct_resolvers.__name__
