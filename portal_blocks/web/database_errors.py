"""What HTML and fragment routes answer when the database fails them.

GraphQL has its own answers (``SCHEMA_MISSING``, ``SERVICE_UNAVAILABLE``); these routes had
Flask's bare 500. A database whose schema was never created gets a 503 naming the command that
creates it (no retry can help); a lost or slow database a 503 with ``Retry-After``. Anything
else is a bug and stays the 500 that logs its traceback.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import BadGateway, HTTPException, ServiceUnavailable

from portal_blocks.content.remote.client import (
    UPSTREAM_ERROR,
    UPSTREAM_UNAVAILABLE,
    UpstreamError,
    UpstreamUnavailable,
)
from portal_blocks.db import db, is_outage
from portal_blocks.migrate import SCHEMA_MISSING, missing_from_schema

log = logging.getLogger(__name__)

#: What a reader is told while the database is down.
UNAVAILABLE = "The database is unavailable or too slow right now; try again shortly."
RETRY_AFTER_SECONDS = 5


class SchemaMissing(ServiceUnavailable):
    """Named so its code (``SCHEMA_MISSING``) is the one GraphQL gives the same fault."""

    name = "Schema Missing"


def unavailable(error: SQLAlchemyError) -> ServiceUnavailable:
    """The 503 for ``error``; re-raises an error that is neither a missing schema nor an
    outage. The session is rolled back, so the next statement of the request can run."""
    db.session.rollback()
    missing = missing_from_schema(error)
    if missing is not None:
        log.error("%s (%s)", SCHEMA_MISSING, missing)
        return SchemaMissing(SCHEMA_MISSING)
    if is_outage(error):
        log.warning("database unavailable: %s", type(error).__name__)
        refused = ServiceUnavailable(UNAVAILABLE)
        refused.retry_after = RETRY_AFTER_SECONDS
        return refused
    raise error


class UpstreamUnavailableError(ServiceUnavailable):
    """Named so its code (``UPSTREAM_UNAVAILABLE``) is the one GraphQL gives the same fault."""

    name = "Upstream Unavailable"


class UpstreamAnswerError(BadGateway):
    name = "Upstream Error"


def upstream_failed(error: UpstreamUnavailable | UpstreamError) -> HTTPException:
    """A remote article source's failure: 503 (with Retry-After) when the CMS did not answer,
    502 when it answered off the contract. Logged without a traceback: the CMS's, not ours."""
    log.warning("upstream: %s", error)
    if isinstance(error, UpstreamUnavailable):
        unavailable_error = UpstreamUnavailableError(UPSTREAM_UNAVAILABLE)
        unavailable_error.retry_after = RETRY_AFTER_SECONDS
        return unavailable_error
    return UpstreamAnswerError(UPSTREAM_ERROR)
