"""What every operation goes through, as one schema extension.

strawberry builds each extension anew for every request and dispatches each of its hooks,
whether or not it has work to do: about 10 µs per extension per request here
(``benchmarks/page.py``). So the document-size cap, our validation rules, the checks on
variables and on mutations, the masking of unexpected errors and the document cache are one
extension. The first two set the same execution-context fields as
strawberry's ``MaxTokensLimiter`` and ``AddValidationRules``.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ASTValidationRule, GraphQLError
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from portal_blocks.graphql.documents import CachedDocuments, DocumentCache, with_code
from portal_blocks.graphql.errors import MaskUnexpectedErrors, PublicError, log_errors
from portal_blocks.graphql.limits import require_operation_name
from portal_blocks.graphql.text_input import reject_nul_in_variables
from portal_blocks.observability import observed
from portal_blocks.ratelimit import mutation_author

#: ``extensions.code`` of variables that do not fit their declared types.
BAD_USER_INPUT = "BAD_USER_INPUT"


class RateLimited(PublicError):
    code = "RATE_LIMITED"


def _flag_too_many(retry_after: int) -> None:
    record = observed()
    if record is not None:
        record.status = 429
        record.retry_after = retry_after


def limit_mutations(execution_context: ExecutionContext) -> None:
    """Every mutation request counts against its author (editor name, else client address)."""
    context = execution_context.context
    if execution_context.operation_type is not OperationType.MUTATION or context is None:
        return
    limits = context.rate_limits
    if limits is None:
        return
    identity = context.identity
    request = context.request
    who = mutation_author(
        identity.name if identity else None, request.remote_addr if request else "offline"
    )
    if not limits.take_mutation(who):
        wait = limits.retry_after(limits.mutations, "mutation", who)
        _flag_too_many(wait)
        raise RateLimited(f"Too many changes; try again in {wait} s.", retryAfter=wait)


def mark_refused_variables(data: object, errors: list[GraphQLError] | None) -> None:
    """A result with no data and errors at no path was refused before any field ran: its
    variables do not fit their types, the client's input (graphql-core gives them no code)."""
    if data is None:
        for error in errors or ():
            if error.path is None:
                with_code(error, BAD_USER_INPUT)


class OperationPolicy(CachedDocuments, MaskUnexpectedErrors):
    def __init__(
        self,
        max_tokens: int,
        rules: tuple[type[ASTValidationRule], ...],
        documents: DocumentCache,
    ) -> None:
        super().__init__()
        self.max_tokens = max_tokens
        self.rules = rules
        self.documents = documents

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens
        context.validation_rules = context.validation_rules + self.rules
        yield from super().on_operation()  # masks what the operation let escape
        result = context.result
        if result is not None:
            mark_refused_variables(result.data, result.errors)

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        try:
            require_operation_name(context)  # first: a refused request spends no mutation budget
            reject_nul_in_variables(context.variables)
            limit_mutations(context)
        except GraphQLError:
            raise  # ours, with their codes
        except Exception as exc:
            raise self.masked(exc) from exc
        yield

    def masked(self, exc: Exception) -> GraphQLError:
        """An exception from a check before execution, logged and masked here: strawberry
        answers what escapes a hook with the exception's own text, past the masking that
        covers resolvers (a storage driver's message reached clients that way)."""
        error = GraphQLError(str(exc), original_error=exc)
        log_errors([error])
        return self.anonymise_error(error)
