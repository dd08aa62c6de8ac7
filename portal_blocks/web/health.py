"""Liveness and readiness for balancers and orchestrators.

``/healthz`` says the process answers and touches nothing else; ``/readyz`` also asks the
database (bounded by the connect and statement timeouts), so a balancer stops sending readers
to a process whose database is gone, and sends them again once it is back.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError, StatementError

from portal_blocks.db import db


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/healthz", "healthz", healthz)
    blueprint.add_url_rule("/readyz", "readyz", readyz)


def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


def readyz() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        # Only a statement's error wraps the driver's (``orig``); a pool timeout wraps nothing.
        cause = exc.orig if isinstance(exc, StatementError) else None
        return jsonify(status="unavailable", database=type(cause or exc).__name__), 503
    return jsonify(status="ok", database="ok")
