"""Request ids and one structured log line per request, with its timing.

The id comes from the caller's ``X-Request-ID`` when it looks like one (so a balancer's id
follows the request through), else a fresh one; it is echoed in the response and attached to
masked errors, so a client's report leads to the log line and the traceback.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

log = logging.getLogger("portal_blocks.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_ENVIRON_KEY = "portal_blocks.observed"


@dataclass(slots=True)
class Observed:
    """One request of our blueprint, as its log line and response headers will tell it. Kept
    in the WSGI environ: cheaper than ``flask.g`` on a path that is a few µs in all."""

    request_id: str
    started: float
    #: A status the answer must carry instead of 200 (429, 503), and a Retry-After.
    status: int | None = None
    retry_after: int | None = None


def observed() -> Observed | None:
    """The current request's record; None outside our blueprint's requests."""
    return request.environ.get(_ENVIRON_KEY) if has_request_context() else None


def request_id_for(environ: Mapping[str, Any]) -> str:
    """The caller's ``X-Request-ID`` when it looks like one, else a fresh id."""
    incoming = environ.get("HTTP_X_REQUEST_ID")
    return incoming if incoming and _VALID_ID.match(incoming) else os.urandom(16).hex()


def log_answer(method: str, path: str, status: int, request_id: str, started: float) -> None:
    """The one access log line of a request, whoever answered it (a view, or the layer in
    front of Flask, ``caching.warm_hits``)."""
    if not log.isEnabledFor(logging.INFO):
        return  # the line's fields cost more than the rest of a cached answer
    log.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )


def _start() -> None:
    environ = request.environ
    environ[_ENVIRON_KEY] = Observed(request_id_for(environ), time.perf_counter())


def _finish(response: Response) -> Response:
    record: Observed | None = request.environ.get(_ENVIRON_KEY)
    if record is None:
        return response
    if record.status and response.status_code == 200:
        response.status_code = record.status
    if record.retry_after:
        response.headers["Retry-After"] = str(record.retry_after)
    request_id = record.request_id
    response.headers["X-Request-ID"] = request_id
    log_answer(request.method, request.path, response.status_code, request_id, record.started)
    return response


def instrument(blueprint: Blueprint, *, max_body: int | None = None) -> None:
    """Only our blueprint's requests: a host app's own routes are its business.

    ``max_body`` caps request bodies of this blueprint alone (one hook for both, as every hook
    costs on the fastest path, a cached answer).
    """

    def start() -> None:
        if max_body is not None:
            request.max_content_length = max_body
        _start()

    blueprint.before_request(start)
    blueprint.after_request(_finish)


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for our loggers, when we run the server ourselves.

    A host app that embeds the extension keeps its own logging configuration.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("portal_blocks")
    logger.handlers = [handler]
    logger.setLevel(level)
    logger.propagate = False
