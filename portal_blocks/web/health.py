"""Liveness and readiness for balancers and orchestrators.

``/healthz`` says the process answers and touches nothing else; ``/readyz`` also asks the
database (bounded by the connect and statement timeouts), so a balancer stops sending readers
to a process whose database is gone, and sends them again once it is back.

``/readyz`` also reports the Redis behind the caches, the shared rate-limit counts and a CMS
the articles come from (``source``: its circuit, open after failures), when they are
configured. Redis down is ``{"status": "degraded", "redis": "unreachable"}`` with
HTTP 200, not 503: every instance shares that Redis, so taking this one out of the balancer
would move its readers to instances in the same state, or, with all of them out, leave
nobody to answer. Answers are still right (only uncached, and rate limits counted per
process); the body says so for monitoring to alert on. The database down is 503 as before:
without it nothing can be answered. Redis is asked at most once per back-off pause (see
:class:`~portal_blocks.ratelimit.Outage`), so a balancer polling often costs a down Redis no
connection attempts.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError, StatementError

from portal_blocks.content.remote.client import GraphQLClient
from portal_blocks.db import db
from portal_blocks.migrate import SCHEMA_MISSING, schema_behind, schema_revision
from portal_blocks.state import get_state


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/healthz", "healthz", healthz)
    blueprint.add_url_rule("/readyz", "readyz", readyz)


def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


def readyz() -> ResponseReturnValue:
    shared = _shared_backends()
    degraded = any(value != "ok" for value in shared.values())
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        # Only a statement's error wraps the driver's (``orig``); a pool timeout wraps nothing.
        cause = exc.orig if isinstance(exc, StatementError) else None
        return jsonify(status="unavailable", database=type(cause or exc).__name__, **shared), 503
    revision = schema_revision(db.session)
    if schema_behind(revision):
        # Not "try again": no retry creates the schema; the message names what does.
        state = "schema missing" if revision is None else "schema out of date"
        return jsonify(status="unavailable", database=state, message=SCHEMA_MISSING, **shared), 503
    return jsonify(status="degraded" if degraded else "ok", database="ok", **shared)


def _shared_backends() -> dict[str, Any]:
    """``redis`` (the caches'), ``rate_limits`` (their shared counts) and ``source`` (a CMS's
    GraphQL API): "ok", or what the app does without them. A key is there only when it is
    configured."""
    state = get_state()
    found: dict[str, Any] = {}
    client = state.caches.redis
    if client is not None:
        try:
            client.ping()
        except RedisError:
            found["redis"] = "unreachable"
        else:
            found["redis"] = "ok"
    reachable = state.rate_limits.shared_reachable()
    if reachable is not None:
        found["rate_limits"] = "ok" if reachable else "per-process"
    source = state.source_factory(db.session_proxy)
    client = getattr(source, "client", None)
    if isinstance(client, GraphQLClient):
        # The circuit's state, not a request: a balancer polling /readyz must not load the CMS.
        found["source"] = "unreachable" if client.circuit.is_open else "ok"
    return found
