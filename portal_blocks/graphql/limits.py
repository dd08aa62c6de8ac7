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

A document holding several operations must say which one to run (GraphQL spec, "GetOperation"):
strawberry quietly runs the first one, which hides the client's mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.types import ExecutionContext

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


def fragment_expansions(document: DocumentNode) -> dict[str, Expansion]:
    """Each fragment's expansion, by name, each computed once, in the order the spreads need
    (a depth-first walk with an explicit stack: a chain of fragments may be longer than the
    interpreter's recursion limit)."""
    owns = {
        definition.name.value: _own(definition.selection_set)
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    done: dict[str, Expansion] = {}
    started: set[str] = set()
    for root in owns:
        stack = [root]
        while stack:
            name = stack[-1]
            if name in done or name not in owns:
                stack.pop()
                continue
            if name not in started:
                started.add(name)
                waiting = [
                    spread
                    for spread, _level in owns[name].spreads
                    if spread not in done and spread not in started
                ]
                if waiting:
                    stack.extend(waiting)
                    continue
            done[name] = _combine(owns[name], done)
            stack.pop()
    return done


def _operation_name(operation: OperationDefinitionNode) -> str:
    return operation.name.value if operation.name is not None else "anonymous"


def _refusal(message: str, node: OperationDefinitionNode | None, limit: str) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": TOO_COMPLEX, "limit": limit})


def limit_errors(
    document: DocumentNode, *, max_depth: int, max_aliases: int, max_fragment_spreads: int
) -> list[GraphQLError]:
    """Why the document is over a limit, if it is.

    Depth and fragment spreads are per operation; aliases are summed over the document's
    operations, as strawberry's rule did. Fragments no operation spreads count for nothing.
    """
    fragments = fragment_expansions(document)
    errors: list[GraphQLError] = []
    aliases = 0
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        expansion = _combine(_own(operation.selection_set), fragments)
        name = _operation_name(operation)
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
    *, max_depth: int, max_aliases: int, max_fragment_spreads: int
) -> type[ASTValidationRule]:
    """One validation rule for the three limits: the fragments are summarised once for all.

    Build it once per set of limits: the validation cache is keyed by the rule classes.
    """

    class OperationLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.document = context.document

        def enter_document(self, *_args: Any) -> None:
            for error in limit_errors(
                self.document,
                max_depth=max_depth,
                max_aliases=max_aliases,
                max_fragment_spreads=max_fragment_spreads,
            ):
                self.report_error(error)

    return OperationLimits


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
