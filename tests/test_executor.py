"""The schema's executor (graphql/executor.py) answers exactly as graphql-core's does.

Each document runs twice, once with :class:`PortalExecutor` and once with strawberry's own
execution context (graphql-core unchanged); data and errors (messages, paths, locations)
must be equal, including where a leaf breaks its type and where directives make the fields
depend on the variables. The page query of the demo portal is compared too.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import gc
import inspect
import warnings
from concurrent.futures import ThreadPoolExecutor
from operator import getitem
from typing import Any, NewType

import pytest
import strawberry
from graphql import DocumentNode, Undefined, execute, parse
from graphql.execution import executor as graphql_executor
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from portal_blocks.graphql import executor as portal_executor
from portal_blocks.graphql.executor import PortalExecutor, has_directives
from portal_blocks.state import get_state


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class Thing(Node):
    name: str
    count: int
    colour: Colour
    tags: list[str]
    maybe: str | None
    maybe_tags: list[str | None] | None

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


@strawberry.type
class Other(Node):
    label: str


def broken_thing() -> Thing:
    """A Thing whose attributes break their declared types."""
    thing = Thing(
        id="b1", name="", count=0, colour=Colour.RED, tags=[], maybe=None, maybe_tags=None
    )
    thing.name = None  # type: ignore[assignment]  # a null where String! is declared
    thing.count = "many"  # type: ignore[assignment]  # not an Int
    thing.colour = "green"  # type: ignore[assignment]  # not a Colour
    thing.tags = ["a", None]  # type: ignore[list-item]  # a null item in [String!]!
    return thing


class BrokenOther(Other):
    """An Other whose label cannot be read."""

    @property  # type: ignore[override]
    def label(self) -> str:
        raise RuntimeError("label unavailable")


THINGS: list[Any] = [
    Thing(id="t1", name="một", count=1, colour=Colour.RED, tags=["x"], maybe=None, maybe_tags=[]),
    Other(id="o1", label="khác"),
    Thing(
        id="t2",
        name="hai",
        count=2,
        colour=Colour.BLUE,
        tags=[],
        maybe="có",
        maybe_tags=["a", None],
    ),
]


#: A scalar that writes whatever it is given as text (as many custom scalars do).
Label = NewType("Label", str)
LABEL = strawberry.scalar(name="Label", serialize=str, parse_value=str)


@strawberry.type
class Shelf:
    """Objects and lists of them as plain attributes (no resolver of their own)."""

    name: str
    first: Thing
    maybe_thing: Thing | None
    nodes: list[Node]
    maybe_nodes: list[Node | None] | None
    things: list[Thing]
    more_things: list[Thing] | None = None
    absent: Thing | None = None
    absent_items: list[Thing | None] | None = None
    label: Label | None = None
    labels: list[Label | None] | None = None


def good_shelf() -> Shelf:
    return Shelf(
        name="kệ",
        first=THINGS[0],
        maybe_thing=None,
        nodes=THINGS,
        maybe_nodes=[None, THINGS[1]],
        things=[THINGS[2], THINGS[0]],
    )


def broken_shelf() -> Shelf:
    """A Shelf whose attributes break their declared types, each in its own way."""
    shelf = good_shelf()
    shelf.first = None  # type: ignore[assignment]  # a null where Thing! is declared
    shelf.maybe_thing = broken_thing()  # its own leaves break theirs
    shelf.nodes = [THINGS[0], None]  # type: ignore[list-item]  # a null item in [Node!]!
    shelf.maybe_nodes = [THINGS[1], "no node", None]  # type: ignore[list-item]  # a stranger
    shelf.things = "no list"  # type: ignore[assignment]
    shelf.more_things = [THINGS[0], broken_thing()]  # the second's name is null
    shelf.absent = Undefined  # type: ignore[assignment]  # graphql-core's "no value": null
    shelf.absent_items = [Undefined, THINGS[0]]  # type: ignore[list-item]
    shelf.label = Undefined
    shelf.labels = [Label("nhãn"), Undefined]
    return shelf


class RaisingShelf(Shelf):
    """A Shelf whose list of nodes cannot be read."""

    @property  # type: ignore[override]
    def nodes(self) -> list[Node]:
        raise RuntimeError("nodes unavailable")


@strawberry.type
class Query:
    @strawberry.field
    def nodes(self) -> list[Node]:
        return THINGS

    @strawberry.field
    def shelf(self) -> Shelf:
        return good_shelf()

    @strawberry.field
    def broken_shelf(self) -> Shelf | None:
        return broken_shelf()

    @strawberry.field
    def raising_shelf(self) -> Shelf | None:
        shelf = object.__new__(RaisingShelf)
        shelf.name = "kệ hỏng"
        return shelf

    @strawberry.field
    def broken(self) -> Thing | None:
        return broken_thing()

    @strawberry.field
    def broken_other(self) -> Other:
        other = object.__new__(BrokenOther)
        other.id = strawberry.ID("o2")
        return other

    @strawberry.field
    def thing(self) -> Thing:
        return THINGS[0]  # type: ignore[no-any-return]


TYPES = [Thing, Other]
CONFIG = StrawberryConfig(scalar_map={Label: LABEL})
schema = strawberry.Schema(Query, types=TYPES, config=CONFIG)
FAST, PLAIN = PortalExecutor, StrawberryGraphQLCoreExecutionContext

DOCUMENTS = {
    "interface list with fragments and aliases": """{
        nodes { __typename id kind: __typename
          ... on Thing { name count colour tags maybe maybeTags loud: shout(times: 2) }
          ...OtherFields } }
        fragment OtherFields on Other { label } """,
    "a non-null leaf is null": "{ broken { id name } }",
    "a leaf the Int scalar refuses": "{ broken { count } }",
    "a leaf the enum refuses": "{ broken { colour } }",
    "a null item in a list of non-null leaves": "{ broken { tags } }",
    "an attribute that raises": "{ brokenOther { id label } }",
    "errors in several fields at once": """{ a: broken { id maybe count }
        b: broken { tags } thing { name } }""",
    "objects and lists of them read as attributes": """{ shelf { name first { name }
        maybeThing { id } nodes { __typename id ... on Thing { name tags } }
        maybeNodes { id } things { count colour } } }""",
    "a null where an object is required": "{ brokenShelf { name first { name } } }",
    "a nested object's leaves break their types": """{ brokenShelf {
        maybeThing { id name } again: maybeThing { count } } }""",
    "a null item in a list of non-null objects": "{ brokenShelf { name nodes { id } } }",
    "a stranger in a list of nullable interface objects": """{ brokenShelf {
        maybeNodes { id } } }""",
    "no list where a list is declared": "{ brokenShelf { things { count } } }",
    "an item of a list of non-null objects breaks": """{ brokenShelf { name
        moreThings { id name } } }""",
    "an object attribute that raises": "{ raisingShelf { name nodes { id } } }",
    "no value where an object may be": "{ brokenShelf { absent { id } absentItems { id } } }",
    "no value where a leaf may be": "{ brokenShelf { label labels } }",
}


@functools.cache
def parsed(text: str) -> DocumentNode:
    """One parsed document per text, shared by every run, as the app's document cache does."""
    return parse(text)


def formatted(
    executor_class: type, text: str, variables: Any = None, *, on: strawberry.Schema = schema
) -> Any:
    result = execute(
        on._schema, parsed(text), variable_values=variables, executor_class=executor_class
    )
    return result.data, [error.formatted for error in result.errors or ()]


def assert_answers_as_graphql_core_does(document: str, on: strawberry.Schema = schema) -> None:
    expected = formatted(PLAIN, document, on=on)
    assert formatted(FAST, document, on=on) == expected
    # The second run reads the shared collection: still the same answer.
    assert formatted(FAST, document, on=on) == expected


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_answers_as_graphql_core_does(document: str) -> None:
    assert_answers_as_graphql_core_does(document)


def test_the_broken_cases_do_fail() -> None:
    """The comparisons above are of errors, not of two empty lists."""
    messages = {
        "a non-null leaf is null": "Cannot return null for non-nullable field Thing.name.",
        "a leaf the Int scalar refuses": "Int cannot represent non-integer value: 'many'",
        "a leaf the enum refuses": "Enum 'Colour' cannot represent value: 'green'",
        "a null item in a list of non-null leaves": "Cannot return null for non-nullable field",
        "an attribute that raises": "label unavailable",
    }
    for name, message in messages.items():
        errors = formatted(FAST, DOCUMENTS[name])[1]
        assert len(errors) == 1, (name, errors)
        assert errors[0]["message"].startswith(message), (name, errors)
    errors = formatted(FAST, DOCUMENTS["errors in several fields at once"])[1]
    assert [error["path"] for error in errors] == [["a", "count"], ["b", "tags", 1]]
    paths = {
        "a null where an object is required": [["brokenShelf", "first"]],
        "a nested object's leaves break their types": [
            ["brokenShelf", "maybeThing", "name"],
            ["brokenShelf", "again", "count"],
        ],
        "a null item in a list of non-null objects": [["brokenShelf", "nodes", 1]],
        "a stranger in a list of nullable interface objects": [["brokenShelf", "maybeNodes", 1]],
        "no list where a list is declared": [["brokenShelf", "things"]],
        "an item of a list of non-null objects breaks": [["brokenShelf", "moreThings", 1, "name"]],
        "an object attribute that raises": [["raisingShelf", "nodes"]],
    }
    for name, expected in paths.items():
        data, errors = formatted(FAST, DOCUMENTS[name])
        assert [error["path"] for error in errors] == expected, (name, errors)
    data, errors = formatted(FAST, DOCUMENTS["no value where an object may be"])
    assert (data, errors) == (
        {"brokenShelf": {"absent": None, "absentItems": [None, {"id": "t1"}]}},
        [],
    )
    data, errors = formatted(FAST, DOCUMENTS["no value where a leaf may be"])
    assert (data, errors) == ({"brokenShelf": {"label": None, "labels": ["nhãn", None]}}, [])
    data, _ = formatted(FAST, DOCUMENTS["an item of a list of non-null objects breaks"])
    assert data == {"brokenShelf": {"name": "kệ", "moreThings": None}}
    data, _ = formatted(FAST, DOCUMENTS["a stranger in a list of nullable interface objects"])
    assert data == {"brokenShelf": {"maybeNodes": [{"id": "o1"}, None, None]}}


def test_leaf_values_are_the_scalars_own() -> None:
    data, errors = formatted(FAST, DOCUMENTS["interface list with fragments and aliases"])
    assert errors == []
    assert data["nodes"][0] == {
        "__typename": "Thing",
        "id": "t1",
        "kind": "Thing",
        "name": "một",
        "count": 1,
        "colour": "RED",
        "tags": ["x"],
        "maybe": None,
        "maybeTags": [],
        "loud": "MỘTMỘT",
    }
    assert data["nodes"][1] == {"__typename": "Other", "id": "o1", "kind": "Other", "label": "khác"}
    assert data["nodes"][2]["maybeTags"] == ["a", None]


DIRECTIVES = """query Q($more: Boolean!) { nodes { id
    ... on Thing @include(if: $more) { name }
    ... on Other { label @skip(if: $more) } } }"""


@pytest.mark.parametrize("more", [True, False])
def test_directives_follow_each_requests_variables(more: bool) -> None:
    """Fields kept by ``@include``/``@skip`` are collected by each request's variables, never
    from what another request collected."""
    for flag in (not more, more, not more, more):
        expected = formatted(PLAIN, DIRECTIVES, {"more": flag})
        assert formatted(FAST, DIRECTIVES, {"more": flag}) == expected
    data, _ = formatted(FAST, DIRECTIVES, {"more": more})
    assert ("name" in data["nodes"][0]) is more
    assert ("label" in data["nodes"][1]) is not more


def test_has_directives() -> None:
    assert has_directives(parse(DIRECTIVES))
    assert has_directives(parse("fragment F on Thing @deprecated { id } { nodes { id } }"))
    assert not has_directives(parse(DOCUMENTS["interface list with fragments and aliases"]))


def _count_collections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = graphql_executor.Executor.collect_subfields

    def counting(self: Any, return_type: Any, field_details_list: Any) -> Any:
        calls.append(return_type.name)
        return original(self, return_type, field_details_list)

    monkeypatch.setattr(graphql_executor.Executor, "collect_subfields", counting)
    return calls


def test_sub_fields_are_collected_once_per_parsed_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_collections(monkeypatch)
    document = parse(DOCUMENTS["interface list with fragments and aliases"])
    for _ in range(3):
        assert not _execute(document).errors
    # The objects in the list are a Thing, an Other and a Thing: without sharing, 3 runs
    # would collect 6 times (one request already reuses its own collections).
    assert sorted(calls) == ["Other", "Thing"]


def test_a_document_with_directives_is_collected_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_collections(monkeypatch)
    document = parse(DIRECTIVES)
    _execute(document, {"more": True})
    first = len(calls)
    _execute(document, {"more": True})
    assert first > 0
    assert len(calls) == 2 * first


def test_the_shared_collections_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portal_executor, "MAX_OPERATIONS", 3)
    monkeypatch.setattr(portal_executor, "_shared", {})
    for n in range(7):
        _execute(parse(f"{{ thing {{ name count{n}: count }} }}"))
        assert len(portal_executor._shared) <= 3


def test_a_shared_collection_goes_with_its_document() -> None:
    """The document cache decides how long a parsed document lives (and bounds its memory);
    what was collected for it goes when it goes."""
    document = parse("{ nodes { id ... on Thing { name } } }")
    operation_id = id(document.definitions[0])
    assert not _execute(document).errors
    assert operation_id in portal_executor._shared
    del document
    gc.collect()
    assert operation_id not in portal_executor._shared


def _execute(document: Any, variables: Any = None) -> Any:
    return execute(
        schema._schema,
        document,
        variable_values=variables,
        executor_class=PortalExecutor,
    )


def test_the_demo_page_query_answers_as_graphql_core_does(portal: Any) -> None:
    """The page query of the demo article (with "Tin khác"): the same answer from either
    executor."""
    client = portal.test_client()

    query = """query Page($path: String!) { page(path: $path) {
        regions { name blocks { __typename id position
          ... on Block_BanTin_Toolbar { dateText fontSize { current min max step } }
          ... on Block_BanTin_ViewData { article { title author } paragraphs } } } } }"""
    path = "/Pages/gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9.aspx"
    schema = get_state(portal).schema
    assert schema.execution_context_class is PortalExecutor
    answers = []
    for executor_class in (PortalExecutor, StrawberryGraphQLCoreExecutionContext, PortalExecutor):
        schema.execution_context_class = executor_class
        try:
            # Each with variables of its own: a miss of the response cache, so GraphQL runs.
            variables = {"path": f"{path}?run={len(answers)}"}
            response = client.post("/graphql", json={"query": query, "variables": variables})
        finally:
            schema.execution_context_class = PortalExecutor
        assert response.status_code == 200
        assert response.headers["Cache-Status"].startswith("portal-blocks; fwd=uri-miss")
        answers.append(response.get_json())
    assert "errors" not in answers[0]
    regions = answers[0]["data"]["page"]["regions"]
    assert [len(region["blocks"]) for region in regions] == [2, 1]
    assert answers[0] == answers[1] == answers[2]


@strawberry.type
class Slow:
    name: str
    count: int

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return self.name + " sau"

    @strawberry.field
    async def fails(self) -> str | None:
        await asyncio.sleep(0)
        raise RuntimeError(f"{self.name}: later unavailable")

    @strawberry.field
    async def must(self) -> str:
        await asyncio.sleep(0)
        if self.count > 1:
            raise RuntimeError(f"{self.name}: required, unavailable")
        return self.name


@strawberry.type
class Rack:
    """Async objects as plain attributes: their fields' awaitables come back through the
    executor's own completion of the attribute."""

    slows: list[Slow]
    maybe_slow: Slow | None
    maybe_slows: list[Slow | None] | None = None


@strawberry.type
class AsyncQuery:
    @strawberry.field
    async def slows(self) -> list[Slow]:
        return [Slow(name="một", count=1), Slow(name="hai", count=2)]

    @strawberry.field
    def rack(self) -> Rack | None:
        slows = [Slow(name="một", count=1), Slow(name="hai", count=2)]
        return Rack(slows=slows, maybe_slow=Slow(name="ba", count=3), maybe_slows=slows)

    @strawberry.field
    def broken_rack(self) -> Rack | None:
        broken = Slow(name="hỏng", count=0)
        broken.count = None  # type: ignore[assignment]  # a null where Int! is declared
        return Rack(slows=[Slow(name="một", count=1), broken], maybe_slow=None)


def run_async(schema: strawberry.Schema, document: DocumentNode, executor_class: type) -> Any:
    """Async execution in a loop of its own, in a thread of its own: the browser tests'
    Playwright keeps one running in this thread for the session."""

    async def executed() -> Any:
        result = execute(schema._schema, document, executor_class=executor_class)
        if inspect.isawaitable(result):  # not when an error ends the run at once
            result = await result
        return result.data, [error.formatted for error in result.errors or ()]

    def run() -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            answer = asyncio.run(executed())
            gc.collect()  # an awaitable left pending says so when it is collected
        assert not [w for w in caught if "never awaited" in str(w.message)]
        return answer

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(run).result()


@pytest.mark.parametrize(
    "text",
    [
        "{ rack { slows { name later fails count } maybeSlow { later kind: __typename } } }",
        "{ rack { maybeSlow { name } slows { must name } } }",
        "{ rack { maybeSlow { must } slows { name } } }",
        "{ rack { maybeSlows { must } } }",
        "{ brokenRack { slows { later count } } }",
    ],
    ids=[
        "nullable failures",
        "a required field fails",
        "a required field of a nullable one",
        "a required field of a nullable item",
        "an item fails while another is pending",
    ],
)
def test_awaitables_under_objects_read_as_attributes(text: str) -> None:
    async_schema = strawberry.Schema(AsyncQuery)
    document = parse(text)
    expected = run_async(async_schema, document, PLAIN)
    assert expected[1], "each document has a failing field"
    for _ in range(2):  # the second run executes the shared plans
        answer = run_async(async_schema, document, FAST)
        assert answer == expected
        assert repr(answer) == repr(expected)  # and in the document's order


def test_awaitable_fields_of_a_planned_selection_are_awaited_in_order() -> None:
    """Async execution (strawberry's ``Schema.execute``) runs the same executor: the fields a
    planned selection set leaves to graphql-core may be awaitables, awaited together, and the
    answer keeps the document's order."""
    async_schema = strawberry.Schema(AsyncQuery)
    document = parse("{ slows { name later count kind: __typename } }")

    async def executed(executor_class: type) -> Any:
        result = await execute(async_schema._schema, document, executor_class=executor_class)
        return result.data, result.errors

    def run(executor_class: type) -> Any:
        # A loop of its own, in a thread of its own: the browser tests' Playwright keeps one
        # running in this thread for the session.
        with ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, executed(executor_class)).result()

    expected = run(PLAIN)
    assert expected[0]["slows"][0] == {
        "name": "một",
        "later": "một sau",
        "count": 1,
        "kind": "Slow",
    }
    for _ in range(2):  # the second run executes the shared plans
        answer = run(FAST)
        assert answer == expected
        assert list(answer[0]["slows"][1]) == ["name", "later", "count", "kind"]
    operation = document.definitions[0]
    assert portal_executor._shared[id(operation)].plans


@strawberry.type
class Entry:
    title: str
    size: int


@strawberry.type
class EntryQuery:
    @strawberry.field
    def entries(self) -> list[Entry]:
        return [{"title": "Tin mới", "size": 3}, {"title": "Tin cũ", "size": None}]  # type: ignore[list-item]


def test_a_schemas_own_default_resolver_reads_the_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    """A schema whose default resolver is not ``getattr`` (here: sources are dicts) has its
    leaves read through that resolver, broken ones reported as graphql-core reports them."""
    dict_schema = strawberry.Schema(EntryQuery, config=StrawberryConfig(default_resolver=getitem))
    document = parse("{ entries { title size } }")

    def run(executor_class: type) -> Any:
        result = execute(dict_schema._schema, document, executor_class=executor_class)
        return result.data, [error.formatted for error in result.errors or ()]

    expected = run(PLAIN)
    assert expected[1][0]["path"] == ["entries", 1, "size"]
    assert run(FAST) == expected
    executed: list[str] = []
    original = graphql_executor.Executor.execute_field

    def counting(self: Any, parent_type: Any, source: Any, details: Any, *args: Any) -> Any:
        executed.append(details[0].node.name.value)
        return original(self, parent_type, source, details, *args)

    monkeypatch.setattr(graphql_executor.Executor, "execute_field", counting)
    assert run(FAST) == expected
    # graphql-core executes the list and the one broken leaf; the three others were read.
    assert executed == ["entries", "size"]


class RecordsFields(SchemaExtension):
    """Middleware: an extension with a ``resolve`` hook, which must see every field."""

    seen: list[str] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        self.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


def test_middleware_sees_every_field_it_would_see_in_graphql_core() -> None:
    text = DOCUMENTS["interface list with fragments and aliases"]
    seen: dict[type, list[str]] = {}
    for executor_class in (PLAIN, FAST, FAST):  # the last one on the shared collections
        wrapped = strawberry.Schema(
            Query,
            types=TYPES,
            config=CONFIG,
            extensions=[RecordsFields],
            execution_context_class=executor_class,
        )
        RecordsFields.seen = []
        result = wrapped.execute_sync(text)
        assert not result.errors
        seen.setdefault(executor_class, RecordsFields.seen)
        assert RecordsFields.seen == seen[PLAIN]
    assert "__typename" in seen[PLAIN] and "count" in seen[PLAIN]


class Deny(BasePermission):
    message = "Not for readers."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


class Upper(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs).upper()


@strawberry.type
class Guarded:
    title: str
    #: Plain attributes, with no resolver of their own, which strawberry still runs through
    #: their permission classes and extensions.
    secret: str = strawberry.field(permission_classes=[Deny])
    shouted: str = strawberry.field(extensions=[Upper()])
    hidden: Guarded | None = strawberry.field(default=None, permission_classes=[Deny])


@strawberry.type
class GuardedQuery:
    @strawberry.field
    def guarded(self) -> Guarded:
        inner = Guarded(title="trong", secret="bí mật", shouted="nhỏ")
        return Guarded(title="tin", secret="bí mật", shouted="nhỏ", hidden=inner)


def test_fields_with_permissions_or_extensions_run_them() -> None:
    """A field without a resolver of its own is still no plain attribute when it has
    permission classes or field extensions: the executor never reads it directly."""
    guarded_schema = strawberry.Schema(GuardedQuery)
    document = parse("{ guarded { title secret shouted hidden { title } } }")

    def run(executor_class: type) -> Any:
        result = execute(guarded_schema._schema, document, executor_class=executor_class)
        return result.data, [error.formatted for error in result.errors or ()]

    expected = run(PLAIN)
    assert expected[0] is None  # the denied non-null ``secret`` nulls the whole answer
    assert [error["message"] for error in expected[1]] == ["Not for readers."]
    for _ in range(2):  # the second run executes the shared plans
        assert run(FAST) == expected
    shown = parse("{ guarded { title shouted } }")
    answer = execute(guarded_schema._schema, shown, executor_class=FAST)
    assert answer.data == {"guarded": {"title": "tin", "shouted": "NHỎ"}}


# --- the runtime type of an interface's object, known by its class --------------------------


@strawberry.interface
class Story:
    headline: str


@strawberry.type
class NewsStory(Story):
    desk: str


@strawberry.type
class Notice(Story):
    until: str


class ImportedStory(NewsStory):
    """A plain subclass of a strawberry type (as a host's own class may be): it is of the
    type it inherits."""


@strawberry.interface
class Choosing:
    """An interface with a ``resolve_type`` of its own: graphql-core asks it for each object."""

    name: str

    @classmethod
    def resolve_type(cls, obj: Any, *_args: Any) -> str:
        return "Chosen" if obj.name.startswith("c") else "Other2"


@strawberry.type
class Chosen(Choosing):
    pass


@strawberry.type
class Other2(Choosing):
    pass


def _recast_story() -> NewsStory:
    story = NewsStory(headline="Đổi loại", desk="?")
    story.until = "1/12"  # type: ignore[attr-defined]  # what it is read as, cast as a Notice
    return story


def mixed_stories() -> list[Story]:
    return [
        NewsStory(headline="Tin một", desk="thời sự"),
        Notice(headline="Thông báo", until="30/11"),
        ImportedStory(headline="Tin cũ", desk="lưu trữ"),
        # A NewsStory cast as a Notice: the cast is the object's own, not its class's.
        strawberry.cast(Notice, _recast_story()),
        NewsStory(headline="Tin hai", desk="kinh tế"),
    ]


@strawberry.type
class Checked:
    """A type with an ``is_type_of`` of its own, which looks at each object."""

    label: str

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, Checked) and obj.label != "giả"


@strawberry.type
class StoryShelf:
    """Objects as plain attributes: completed directly where their class says all."""

    stories: list[Story]
    lead: NewsStory
    odd: NewsStory | None
    checked: list[Checked | None]


@strawberry.type
class StoryQuery:
    @strawberry.field
    def stories(self) -> list[Story]:
        return mixed_stories()

    @strawberry.field
    def shelf(self) -> StoryShelf:
        return StoryShelf(
            stories=mixed_stories(),
            lead=ImportedStory(headline="Tin chính", desk="thời sự"),
            # Of no class of the type: its is_type_of says no, graphql-core reports it.
            odd={"headline": "không phải tin", "desk": "?"},  # type: ignore[arg-type]
            checked=[Checked(label="thật"), Checked(label="giả"), Checked(label="thật nữa")],
        )

    @strawberry.field
    def stranger(self) -> list[Story | None]:
        return [NewsStory(headline="Tin", desk="x"), {"headline": "not a story"}]  # type: ignore[list-item]

    @strawberry.field
    def choosing(self) -> list[Choosing]:
        return [Chosen(name="cá"), Chosen(name="gà"), Other2(name="cò")]


story_schema = strawberry.Schema(StoryQuery, types=[NewsStory, Notice, Chosen, Other2])
STORY_DOCUMENTS = {
    "classes, a subclass and a cast": """{ stories { __typename headline
        ... on NewsStory { desk } ... on Notice { until } } }""",
    "an object of no type of the interface": "{ stranger { __typename headline } }",
    "an interface's own resolve_type": "{ choosing { __typename name } }",
    "objects read as attributes, known by class or not": """{ shelf {
        stories { __typename headline ... on NewsStory { desk } ... on Notice { until } }
        lead { __typename headline desk } odd { headline } checked { label } } }""",
}


def story_answer(executor_class: type, text: str) -> Any:
    return formatted(executor_class, text, on=story_schema)


@pytest.mark.parametrize("document", STORY_DOCUMENTS.values(), ids=STORY_DOCUMENTS.keys())
def test_runtime_types_known_by_class_are_graphql_cores(document: str) -> None:
    assert_answers_as_graphql_core_does(document, on=story_schema)


def test_the_runtime_type_cases_differ_where_they_should() -> None:
    """The comparisons above hold something to compare: a cast wins over the class, a
    stranger is an error, the interface's own resolve_type is asked (not the class)."""
    data, errors = story_answer(FAST, STORY_DOCUMENTS["classes, a subclass and a cast"])
    assert not errors
    assert [story["__typename"] for story in data["stories"]] == [
        "NewsStory",
        "Notice",
        "NewsStory",
        "Notice",
        "NewsStory",
    ]
    data, errors = story_answer(FAST, STORY_DOCUMENTS["an object of no type of the interface"])
    assert data == {"stranger": [{"__typename": "NewsStory", "headline": "Tin"}, None]}
    assert len(errors) == 1 and errors[0]["path"] == ["stranger", 1]
    data, _ = story_answer(FAST, STORY_DOCUMENTS["an interface's own resolve_type"])
    assert [item["__typename"] for item in data["choosing"]] == ["Chosen", "Other2", "Chosen"]


def test_an_interfaces_objects_are_resolved_once_per_class(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """strawberry's resolve_type runs only for the cast object (whose type is its own): the
    others' types are known by their classes. The interface with its own resolve_type is
    asked for every object."""
    stories: Any = story_schema._schema.get_type("Story")
    choosing: Any = story_schema._schema.get_type("Choosing")
    calls: list[str] = []
    for interface in (stories, choosing):
        original = interface.resolve_type

        def counting(obj: Any, info: Any, abstract: Any, original: Any = original) -> Any:
            calls.append(abstract.name)
            return original(obj, info, abstract)

        # by_class knows strawberry's resolve_type by its name: the wrapper keeps it.
        counting.__qualname__ = original.__qualname__
        monkeypatch.setattr(interface, "resolve_type", counting)
    monkeypatch.setattr(PortalExecutor, "_direct_types", {})
    document = """{ stories { __typename } choosing { __typename } }"""
    for _ in range(2):
        assert not story_answer(FAST, document)[1]
    # Known by class: only the cast object is resolved by the interface, in each run.
    assert calls.count("Story") == 2
    assert calls.count("Choosing") == 3 * 2
    calls.clear()
    story_answer(PLAIN, document)
    assert calls.count("Story") == 5


def test_objects_known_by_class_run_their_selection_directly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An attribute's objects whose type and ``is_type_of`` their class decides run their
    selection set with nothing of graphql-core's completion around it; the cast object, the
    object of no class of its type and the type with its own ``is_type_of`` still go through
    ``complete_object_value``, which reports what it finds (compared above)."""
    completed: list[str] = []
    original = graphql_executor.Executor.complete_object_value

    def counting(self: Any, return_type: Any, *args: Any) -> Any:
        completed.append(return_type.name)
        return original(self, return_type, *args)

    monkeypatch.setattr(graphql_executor.Executor, "complete_object_value", counting)
    monkeypatch.setattr(PortalExecutor, "_direct_types", {})
    document = STORY_DOCUMENTS["objects read as attributes, known by class or not"]
    for _ in range(2):
        data, errors = story_answer(FAST, document)
        assert [error["path"] for error in errors] == [["shelf", "odd"], ["shelf", "checked", 1]]
        assert data["shelf"]["lead"]["__typename"] == "NewsStory"
    # Per run: the shelf (a resolver's value), the cast story, the odd one, three Checked.
    assert sorted(completed) == sorted(
        ["StoryShelf", "Notice", "NewsStory", "Checked", "Checked", "Checked"] * 2
    )
    completed.clear()
    story_answer(PLAIN, document)
    assert len(completed) == 1 + 5 + 1 + 1 + 3  # graphql-core completes every object
