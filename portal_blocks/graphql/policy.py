"""What every operation goes through, as one schema extension.

strawberry builds each extension anew for every request and dispatches each of its hooks,
whether or not it has work to do: about 10 µs per extension per request here
(``benchmarks/page.py``). So the document-size cap, our validation rules, the checks on
variables and on mutations, and the masking of unexpected errors are one extension, next to the
parser and validation caches. The first two set the same execution-context fields as
strawberry's ``MaxTokensLimiter`` and ``AddValidationRules``.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ASTValidationRule

from portal_blocks.graphql.errors import MaskUnexpectedErrors
from portal_blocks.graphql.text_input import reject_nul_in_variables
from portal_blocks.ratelimit import limit_mutations


class OperationPolicy(MaskUnexpectedErrors):
    def __init__(self, max_tokens: int, rules: tuple[type[ASTValidationRule], ...]) -> None:
        super().__init__()
        self.max_tokens = max_tokens
        self.rules = rules

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens
        context.validation_rules = context.validation_rules + self.rules
        yield from super().on_operation()  # masks what the operation let escape

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        reject_nul_in_variables(context.variables)
        limit_mutations(context)
        yield
