"""GraphQL text input that no database can store is refused up front, with a clear error.

String literals are checked by a validation rule (so the check is cached with the document),
variables once per operation (see :mod:`portal_blocks.text.nul`).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

from portal_blocks.graphql.errors import PublicError
from portal_blocks.text.nul import NUL, NUL_MESSAGE, holds_nul


class InvalidText(PublicError):
    code = "INVALID_TEXT"


class NoNulInStringLiterals(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if NUL in node.value:
            self.report_error(GraphQLError(NUL_MESSAGE, node, extensions={"code": "INVALID_TEXT"}))


def reject_nul_in_variables(variables: dict[str, Any] | None) -> None:
    if holds_nul(variables or {}):
        raise InvalidText(NUL_MESSAGE)
