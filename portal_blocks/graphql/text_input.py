"""Text input that no database can store is refused up front, with a clear error.

PostgreSQL text cannot hold NUL (U+0000); let through, such a character reaches the driver as
an error in the middle of a lookup or an edit. String literals are checked by a validation
rule (so the check is cached with the document), variables once per operation.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

from portal_blocks.graphql.errors import PublicError

NUL = "\x00"
MESSAGE = "Text may not contain the NUL character (U+0000)."


class InvalidText(PublicError):
    code = "INVALID_TEXT"


class NoNulInStringLiterals(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if NUL in node.value:
            self.report_error(GraphQLError(MESSAGE, node, extensions={"code": "INVALID_TEXT"}))


def holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_nul(v) for v in value)
    return False


def reject_nul_in_variables(variables: dict[str, Any] | None) -> None:
    if holds_nul(variables or {}):
        raise InvalidText(MESSAGE)
