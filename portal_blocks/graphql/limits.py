"""Limits on what one document may ask for, checked in time linear in the document's length.

strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` follow every path through the
fragment spreads. A document whose fragments each spread the next one twice has 2^n such
paths: a 1 KB document of 28 fragments keeps a worker busy for hours before it is refused. The
rule here summarises each fragment once (its depth, its aliases and the spreads it expands to,
memoised by name, without recursion) and adds the summaries up, so every document is accepted
or refused in milliseconds. Its messages are those of the strawberry rules it replaces.

The number of fragment spreads an operation expands to is capped as well: what a fragment
spread ten times costs the server is what ten written-out copies would cost, so an expansion far
beyond what the token limit lets a client write out is refused before anything runs.

Each operation's cost is capped too (:func:`operation_cost`): what resolving its fields costs
the server, each field multiplied by the sizes of the lists it sits in. Thirty aliases of
``articles(first: 100, search: ...)`` are within the alias limit, yet cost thirty searches and
three thousand articles; never cached, they kept a worker busy for 1.5 s per anonymous request.
The cost is summarised per fragment as well, so a fragment spread a thousand times is priced
once.

A document holding several operations must say which one to run (GraphQL spec, "GetOperation"):
strawberry quietly runs the first one, which hides the client's mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SchemaMetaFieldDef,
    SelectionSetNode,
    StringValueNode,
    TypeMetaFieldDef,
    ValidationContext,
    ValidationRule,
    ValueNode,
    get_named_type,
)
from strawberry.types import ExecutionContext

from portal_blocks.blocks.view import RELATED_MAX
from portal_blocks.content.listing import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from portal_blocks.graphql.editor_queries import MAX_HISTORY
from portal_blocks.graphql.errors import PublicError

#: ``extensions.code`` of every refusal by a limit; ``extensions.limit`` names the limit.
TOO_COMPLEX = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True, slots=True)
class _Own:
    """What one definition's own selections hold, its fragment spreads not followed."""

    #: The deepest level a selection sits at: the count of fields above it that have
    #: selections (introspection fields and what they hold do not count, as in strawberry).
    depth: int
    aliases: int
    #: Each spread's fragment name and level; None when it sits inside an introspection field
    #: (its aliases and spreads count, its depth does not).
    spreads: tuple[tuple[str, int | None], ...]


@dataclass(frozen=True, slots=True)
class Expansion:
    """A definition with every fragment it spreads written out, counted without writing it."""

    depth: int
    aliases: int
    spreads: int


_NOTHING = Expansion(depth=0, aliases=0, spreads=0)


def _is_introspection(field: FieldNode) -> bool:
    """``__schema`` and ``__type``: strawberry's depth limiter leaves them out, and so do we."""
    return field.name.value.startswith("__")


def _own(selection_set: SelectionSetNode) -> _Own:
    """One walk over a definition's selections, with a stack: the parser bounds how deep they
    nest, but not what else is on the interpreter's stack."""
    depth = aliases = 0
    spreads: list[tuple[str, int | None]] = []
    stack: list[tuple[SelectionSetNode, int | None]] = [(selection_set, 0)]
    while stack:
        selections, level = stack.pop()
        for selection in selections.selections:
            if level is not None:
                depth = max(depth, level)
            if isinstance(selection, FieldNode):
                if selection.alias is not None:
                    aliases += 1
                if selection.selection_set is not None:
                    below = None if level is None or _is_introspection(selection) else level + 1
                    stack.append((selection.selection_set, below))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, level))
            elif isinstance(selection, FragmentSpreadNode):
                spreads.append((selection.name.value, level))
    return _Own(depth=depth, aliases=aliases, spreads=tuple(spreads))


def _combine(own: _Own, done: dict[str, Expansion]) -> Expansion:
    """A definition's expansion from its own selections and its fragments' expansions. A
    fragment not summarised (unknown, or closing a cycle: both refused by graphql-core's own
    rules) adds nothing."""
    depth, aliases, spreads = own.depth, own.aliases, len(own.spreads)
    for name, level in own.spreads:
        fragment = done.get(name, _NOTHING)
        if level is not None:
            depth = max(depth, level + fragment.depth)
        aliases += fragment.aliases
        spreads += fragment.spreads
    return Expansion(depth=depth, aliases=aliases, spreads=spreads)


def _dependency_order(spreads: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The fragments in an order where each comes after those it spreads (a depth-first walk
    with an explicit stack: a chain of fragments may be longer than the interpreter's recursion
    limit). A fragment closing a cycle comes before its spreads are all placed; graphql-core
    refuses the cycle."""
    order: list[str] = []
    placed: set[str] = set()
    started: set[str] = set()
    for root in spreads:
        stack = [root]
        while stack:
            name = stack[-1]
            if name in placed or name not in spreads:
                stack.pop()
                continue
            if name not in started:
                started.add(name)
                waiting = [s for s in spreads[name] if s not in placed and s not in started]
                if waiting:
                    stack.extend(waiting)
                    continue
            placed.add(name)
            order.append(name)
            stack.pop()
    return order


class _Spreading(Protocol):
    """What a fragment's own part says of the fragments it spreads (name, and a level or a
    count the combining step uses)."""

    @property
    def spreads(self) -> Sequence[tuple[str, int | None]]: ...


OwnT = TypeVar("OwnT", bound=_Spreading)
DoneT = TypeVar("DoneT")


def _per_fragment(
    document: DocumentNode,
    own: Callable[[FragmentDefinitionNode], OwnT],
    combine: Callable[[OwnT, dict[str, DoneT]], DoneT],
) -> dict[str, DoneT]:
    """``combine`` applied to each fragment once, after the fragments it spreads: the memo
    that keeps every limit linear in the document, however often a fragment is spread."""
    owns = {
        definition.name.value: own(definition)
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    done: dict[str, DoneT] = {}
    spreads = {name: tuple(s for s, _ in part.spreads) for name, part in owns.items()}
    for name in _dependency_order(spreads):
        done[name] = combine(owns[name], done)
    return done


def fragment_expansions(document: DocumentNode) -> dict[str, Expansion]:
    """Each fragment's expansion, by name, each computed once, in the order the spreads need."""
    return _per_fragment(document, lambda d: _own(d.selection_set), _combine)


def _operation_name(operation: OperationDefinitionNode) -> str:
    return operation.name.value if operation.name is not None else "anonymous"


def _refusal(message: str, node: OperationDefinitionNode | None, limit: str) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": TOO_COMPLEX, "limit": limit})


def limit_errors(
    document: DocumentNode,
    *,
    max_depth: int,
    max_aliases: int,
    max_fragment_spreads: int,
    schema: GraphQLSchema | None = None,
    max_cost: int | None = None,
) -> list[GraphQLError]:
    """Why the document is over a limit, if it is.

    Depth, fragment spreads and cost are per operation; aliases are summed over the document's
    operations, as strawberry's rule did. Fragments no operation spreads count for nothing.
    The cost needs the schema (its field types say which fields are lists); without a schema or
    a ``max_cost`` it is not checked.
    """
    fragments = fragment_expansions(document)
    prices = fragment_costs(schema, document) if schema is not None else {}
    errors: list[GraphQLError] = []
    aliases = 0
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        expansion = _combine(_own(operation.selection_set), fragments)
        name = _operation_name(operation)
        if schema is not None and max_cost is not None:
            cost = operation_cost(schema, operation, prices)
            if cost > max_cost:
                errors.append(_cost_refusal(name, operation, cost, max_cost))
        if expansion.depth > max_depth:
            message = f"'{name}' exceeds maximum operation depth of {max_depth}"
            errors.append(_refusal(message, operation, "maxDepth"))
        if expansion.spreads > max_fragment_spreads:
            message = (
                f"'{name}' expands to {expansion.spreads} fragment spreads. "
                f"Allowed: {max_fragment_spreads}"
            )
            errors.append(_refusal(message, operation, "maxFragmentSpreads"))
        aliases += expansion.aliases
    if aliases > max_aliases:
        errors.append(
            _refusal(f"{aliases} aliases found. Allowed: {max_aliases}", None, "maxAliases")
        )
    return errors


def operation_limits(
    *,
    max_depth: int,
    max_aliases: int,
    max_fragment_spreads: int,
    max_cost: int | None = None,
) -> type[ASTValidationRule]:
    """One validation rule for the four limits: the fragments are summarised once for all.

    Build it once per set of limits: the validation cache is keyed by the rule classes.
    """

    class OperationLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.document = context.document
            self.schema = context.schema

        def enter_document(self, *_args: Any) -> None:
            for error in limit_errors(
                self.document,
                max_depth=max_depth,
                max_aliases=max_aliases,
                max_fragment_spreads=max_fragment_spreads,
                schema=self.schema,
                max_cost=max_cost,
            ):
                self.report_error(error)

    return OperationLimits


# Cost.
#
# A field with a selection costs what resolving it once costs (1: building an object, more for
# a field that runs SQL), times the sizes of the lists it sits in; a leaf (a scalar or an enum)
# costs nothing beyond its object. A list's size is what its ``first`` argument asks for; the
# other lists (regions, blocks, paragraphs) are as long as editors made them, which no client
# can multiply, so they count once. The document is priced once, before its variables are
# known (the validation cache keeps the verdict per text), so a list whose ``first`` is a
# variable counts at the most it can give, and a ``search`` given by a variable counts as a
# search.

#: The default of ``Limits.max_cost``: the reference page query costs about 40, a listing of a
#: hundred articles with their images about 400, so a client may ask for both at once; thirty
#: searches (7,500 at a hundred articles each, 1,560 at one each) are refused.
DEFAULT_MAX_COST = 1000
#: What resolving a field once costs, for the fields that cost more than building one object
#: (each of these reads the database), by schema coordinate.
FIELD_COSTS: dict[str, int] = {
    "Query.page": 30,  # route, layout and article: three statements, then the page's blocks
    "Query.article": 10,
    "Query.articles": 10,  # one statement on the listing index
    "Query.draftLayout": 10,
    "Query.draftArticle": 10,
    "Query.layoutHistory": 10,
    "Query.articleHistory": 10,
    "Block_BanTin_ViewData.relatedArticles": 10,  # one statement, shared by the page's blocks
}
#: ``articles`` with a ``search``: each tier reads up to the newest thousand articles
#: (content.search.WINDOW), then the search index when they do not fill the page.
SEARCH_COST = 50
#: A mutation's root field: one transaction, with its locks and its history entry.
MUTATION_COST = 10
#: Lists cut by ``first``: the size when ``first`` is absent (unless the schema gives the
#: argument a default) and the most the field gives, by schema coordinate.
PAGE_SIZES: dict[str, tuple[int, int]] = {
    "Query.articles": (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    "Query.layoutHistory": (MAX_HISTORY, MAX_HISTORY),
    "Query.articleHistory": (MAX_HISTORY, MAX_HISTORY),
    # The block's relatedCount when absent, which the document cannot know: the most.
    "Block_BanTin_ViewData.relatedArticles": (RELATED_MAX, RELATED_MAX),
}
#: The size and bound of a field that takes ``first`` and is not in PAGE_SIZES.
UNLISTED_PAGE_SIZE = MAX_PAGE_SIZE
#: Costs stop growing here, the largest integer a JSON client reads exactly: a document of
#: fragments that each spread the next one twice would otherwise price itself in numbers
#: thousands of digits long (it is over every limit long before).
COST_CEILING = 2**53


@dataclass(frozen=True, slots=True)
class _Priced:
    """What one definition's own fields cost, its fragment spreads not followed."""

    cost: int
    #: Each spread's fragment name and the product of the list sizes it sits in.
    spreads: tuple[tuple[str, int], ...]


def _capped(value: int) -> int:
    return min(value, COST_CEILING)


def _field(schema: GraphQLSchema, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    """The field's definition; None for ``__typename`` (a leaf) and for fields the schema does
    not have (graphql-core's own rules refuse those)."""
    if parent is schema.query_type and name in ("__schema", "__type"):
        return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None  # a union's only field is __typename


def _argument(node: FieldNode, name: str) -> ValueNode | None:
    return next((a.value for a in node.arguments or () if a.name.value == name), None)


def _own_cost(schema: GraphQLSchema, parent: GraphQLNamedType, node: FieldNode) -> int:
    coordinate = f"{parent.name}.{node.name.value}"
    if coordinate == "Query.articles":
        search = _argument(node, "search")
        literal_blank = isinstance(search, StringValueNode) and not search.value.strip()
        if search is not None and not isinstance(search, NullValueNode) and not literal_blank:
            return SEARCH_COST
    if parent is schema.mutation_type:
        return FIELD_COSTS.get(coordinate, MUTATION_COST)
    return FIELD_COSTS.get(coordinate, 1)


def _list_size(parent: GraphQLNamedType, field: GraphQLField, node: FieldNode) -> int:
    """How many items the field's ``first`` asks for, within what the field gives; 1 for a
    field that takes no ``first``."""
    argument = field.args.get("first")
    if argument is None:
        return 1
    default, most = PAGE_SIZES.get(
        f"{parent.name}.{node.name.value}", (UNLISTED_PAGE_SIZE, UNLISTED_PAGE_SIZE)
    )
    declared = argument.default_value
    if isinstance(declared, int) and not isinstance(declared, bool):
        default = declared
    value = _argument(node, "first")
    if value is None or isinstance(value, NullValueNode):
        return max(1, min(default, most))
    if isinstance(value, IntValueNode) and len(value.value) <= 10:
        return max(1, min(int(value.value), most))
    return most  # a variable (or a value graphql-core refuses): the most it could ask for


def _price(
    schema: GraphQLSchema, selection_set: SelectionSetNode, parent: GraphQLNamedType | None
) -> _Priced:
    """One walk over a definition's selections, with a stack (as :func:`_own`), carrying the
    product of the list sizes each selection sits in."""
    cost = 0
    spreads: list[tuple[str, int]] = []
    stack: list[tuple[SelectionSetNode, GraphQLNamedType | None, int]] = [
        (selection_set, parent, 1)
    ]
    while stack:
        selections, parent_type, times = stack.pop()
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is None or parent_type is None:
                    continue  # a leaf costs nothing beyond its object
                field = _field(schema, parent_type, selection.name.value)
                if field is None:
                    continue
                cost = _capped(cost + times * _own_cost(schema, parent_type, selection))
                size = _list_size(parent_type, field, selection)
                below = get_named_type(field.type)
                stack.append((selection.selection_set, below, _capped(times * size)))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = schema.get_type(condition.name.value) if condition else parent_type
                stack.append((selection.selection_set, inner, times))
            elif isinstance(selection, FragmentSpreadNode):
                spreads.append((selection.name.value, times))
    return _Priced(cost=cost, spreads=tuple(spreads))


def _priced_with(own: _Priced, done: Mapping[str, int]) -> int:
    """A definition's cost from its own fields and its fragments' costs; a fragment not priced
    (unknown, or closing a cycle: both refused by graphql-core's own rules) costs nothing."""
    cost = own.cost
    for name, times in own.spreads:
        cost = _capped(cost + times * done.get(name, 0))
    return cost


def fragment_costs(schema: GraphQLSchema, document: DocumentNode) -> dict[str, int]:
    """Each fragment's cost, by name, each priced once, in the order the spreads need."""
    return _per_fragment(
        document,
        lambda d: _price(schema, d.selection_set, schema.get_type(d.type_condition.name.value)),
        _priced_with,
    )


def operation_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, int] | None = None,
) -> int:
    """What running the operation costs (see the section's comment); ``fragments`` are the
    document's :func:`fragment_costs`."""
    root = schema.get_root_type(operation.operation)
    if root is None and operation.operation is OperationType.QUERY:
        root = schema.query_type
    return _priced_with(_price(schema, operation.selection_set, root), fragments or {})


def _cost_refusal(
    name: str, operation: OperationDefinitionNode, cost: int, max_cost: int
) -> GraphQLError:
    message = (
        f"'{name}' costs {cost}, more than the {max_cost} one operation may: ask for fewer "
        "or shorter lists (`first`), fewer searches, or split it into several requests."
    )
    return GraphQLError(
        message,
        operation,
        extensions={"code": TOO_COMPLEX, "limit": "maxCost", "cost": cost, "maxCost": max_cost},
    )


class OperationNameRequired(PublicError):
    code = "OPERATION_NAME_REQUIRED"


def require_operation_name(execution_context: ExecutionContext) -> None:
    """Refuse a document of several operations that does not name the one to run.

    strawberry keeps the name the request gave only privately: the public ``operation_name``
    falls back to the first operation's name, which is how the first one came to run.
    """
    document = execution_context.graphql_document
    if document is None or getattr(execution_context, "_provided_operation_name", None):
        return
    operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
    if operations > 1:
        raise OperationNameRequired(
            f"The document holds {operations} operations: name the one to run in `operationName`."
        )
