"""Errors a client may see, and the rule that hides every other one behind a generic message.

Expected failures are :class:`PublicError` (or any GraphQLError raised on purpose) and keep their
message and ``extensions.code``. Anything else (a bug, a driver message) is masked to a generic
message carrying the request id that is also logged, so support can find the traceback. A lost
database becomes SERVICE_UNAVAILABLE and an HTTP 503, so clients and balancers retry elsewhere.
A database without our tables (never migrated) becomes SCHEMA_MISSING, also a 503, whose
message names the command that creates them: retrying cannot help there. A remote article
source that does not answer is UPSTREAM_UNAVAILABLE (503); one that answers off the contract
is UPSTREAM_ERROR (502).
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from portal_blocks.content.remote.client import (
    UPSTREAM_ERROR,
    UPSTREAM_UNAVAILABLE,
    UpstreamError,
    UpstreamUnavailable,
)
from portal_blocks.db import is_outage
from portal_blocks.migrate import SCHEMA_MISSING, is_schema_missing, missing_from_schema
from portal_blocks.observability import observed

log = logging.getLogger("portal_blocks.errors")

UNEXPECTED = "Unexpected error."
DATABASE_UNAVAILABLE = "The database is unavailable or too slow right now; try again shortly."


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


class NotSupported(PublicError):
    """What the configured article source cannot answer (a search of a remote CMS)."""

    code = "NOT_SUPPORTED"


class UnknownBlockTypeError(PublicError):
    code = "UNKNOWN_BLOCK_TYPE"


def is_unexpected(error: GraphQLError) -> bool:
    """True for errors that did not come from a deliberate GraphQLError (DB, driver, bugs)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def is_database_outage(error: GraphQLError) -> bool:
    return is_outage(error.original_error)


def request_id() -> str | None:
    record = observed()
    return record.request_id if record is not None else None


def _flag_status(status: int) -> None:
    record = observed()
    if record is not None:
        record.status = max(status, record.status or 0)


class MaskUnexpectedErrors(MaskErrors):
    """strawberry's MaskErrors, plus a code and the request id on every masked error."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message=UNEXPECTED)

    def _process_result(self, result: object) -> None:
        """strawberry's, without its ``isinstance`` against a runtime-checkable Protocol: that
        check alone costs about 10 µs on every request, errors or not."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = mask_unexpected(errors)  # type: ignore[attr-defined]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return anonymised(error)


def mask_unexpected(errors: list[GraphQLError]) -> list[GraphQLError]:
    """``errors`` as a client may see them: each unexpected one masked (:func:`anonymised`)."""
    return [anonymised(error) if is_unexpected(error) else error for error in errors]


def anonymised(error: GraphQLError) -> GraphQLError:
    """An unexpected error as a client sees it: a generic message (or the outage's), its code
    and the request id, and the HTTP status it calls for flagged on the request's record."""
    if is_schema_missing(error.original_error):
        message, code = SCHEMA_MISSING, "SCHEMA_MISSING"
    elif is_database_outage(error):
        message, code = DATABASE_UNAVAILABLE, "SERVICE_UNAVAILABLE"
    elif isinstance(error.original_error, UpstreamUnavailable):
        message, code = UPSTREAM_UNAVAILABLE, "UPSTREAM_UNAVAILABLE"
    elif isinstance(error.original_error, UpstreamError):
        message, code = UPSTREAM_ERROR, "UPSTREAM_ERROR"
    else:
        message, code = UNEXPECTED, "INTERNAL_SERVER_ERROR"
    if code == "UPSTREAM_ERROR":
        _flag_status(502)
    elif code != "INTERNAL_SERVER_ERROR":
        _flag_status(503)
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code, "requestId": request_id()},
    )


def log_errors(errors: list[GraphQLError]) -> None:
    """Only unexpected errors are worth a traceback; the rest are the client's business."""
    for error in errors:
        missing = missing_from_schema(error.original_error) if is_unexpected(error) else None
        if missing is not None:
            # No traceback: the cause is known, and it is the deployment's, not the code's.
            log.error(
                "%s (%s failed: %s)",
                SCHEMA_MISSING,
                ".".join(map(str, error.path or ())) or "operation",
                missing,
                extra={"request_id": request_id()},
            )
        elif isinstance(error.original_error, UpstreamUnavailable | UpstreamError):
            # The CMS's failure, not a bug of ours: no traceback, its message says enough.
            log.warning("upstream: %s", error.original_error, extra={"request_id": request_id()})
        elif is_unexpected(error):
            log.error(
                "unexpected error in %s: %s",
                ".".join(map(str, error.path or ())) or "operation",
                error.original_error,
                exc_info=error.original_error,
                extra={"request_id": request_id()},
            )


@strawberry.type(description="Why a piece of input was refused.")
class UserError:
    field: str = strawberry.field(
        description="Dotted path of the input field, e.g. 'settings.dateFormat'."
    )
    code: str = strawberry.field(description="Stable machine-readable code, e.g. OUT_OF_RANGE.")
    message: str
