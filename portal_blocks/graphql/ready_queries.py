"""Queries the schema may run straight through graphql-core, past strawberry's request set-up.

For every request strawberry's ``Schema.execute_sync`` builds the schema's extension (our
:class:`~portal_blocks.graphql.policy.OperationPolicy`), an extension runner, an execution
context and four hook contexts, and parses and validates through them. For a document the
schema's cache already holds and found valid, all of that finds nothing to do: on a
response-cache miss it was about a tenth of the request (``benchmarks/page.py``).

:func:`ready_document` says whether a request is such a case: a query (no mutation, so no
mutation budget to spend; no subscription) that the request's method allows, whose text is
kept and valid under the operation rules, that names its operation when the document holds
several, and whose variables hold no NUL. The policy's checks before execution all pass for
it. :func:`finished` gives its result the policy's finish: errors logged as they came, then
unexpected ones masked, variables that do not fit their types marked BAD_USER_INPUT.

Every other request goes strawberry's way, where a first parse, a validation error or a
refusal before execution is answered as it always is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationType, get_operation_ast
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as AllowedType

from portal_blocks.graphql.documents import DocumentCache, Rules
from portal_blocks.graphql.errors import mask_unexpected
from portal_blocks.graphql.policy import mark_refused_variables
from portal_blocks.text.nul import holds_nul


def ready_document(
    documents: DocumentCache,
    rules: Rules,
    query: str | None,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    allowed: Iterable[AllowedType],
) -> DocumentNode | None:
    """The kept document to run for this request, or None: strawberry's way then."""
    if not isinstance(query, str):
        return None
    document = documents.ready(query, rules)
    if document is None:
        return None
    # None when the name matches no operation, or the document holds several and names none.
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    if AllowedType.QUERY not in allowed or holds_nul(variables or {}):
        return None
    return document


def finished(
    data: dict[str, Any] | None,
    errors: list[GraphQLError] | None,
    process_errors: Callable[[list[GraphQLError]], None],
) -> ExecutionResult:
    """graphql-core's result as strawberry's way under the operation policy answers it."""
    if errors:
        process_errors(errors)  # the errors as they came, before masking (as strawberry does)
        errors = mask_unexpected(errors)
        mark_refused_variables(data, errors)
    # ``extensions``: what strawberry's runner gathers from the policy, which reports none.
    return ExecutionResult(data=data, errors=errors, extensions={})
