"""Errors a client may see, and the rule that hides every other one behind a generic message."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError


class PublicError(GraphQLError):
    """An expected failure whose message is safe to show, with a stable ``extensions.code``."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class NotFound(PublicError):
    code = "NOT_FOUND"


class InvalidArgument(PublicError):
    """An argument's value is out of what the field accepts; ``argument`` names it."""

    code = "INVALID_ARGUMENT"


class UnknownBlockTypeError(PublicError):
    code = "UNKNOWN_BLOCK_TYPE"


def should_mask(error: GraphQLError) -> bool:
    """Mask anything that did not come from a deliberate GraphQLError (DB, driver, bugs)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


@strawberry.type(description="Why a piece of input was refused.")
class UserError:
    field: str = strawberry.field(
        description="Dotted path of the input field, e.g. 'settings.dateFormat'."
    )
    code: str = strawberry.field(description="Stable machine-readable code, e.g. OUT_OF_RANGE.")
    message: str
