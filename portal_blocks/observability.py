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

from flask import Blueprint, Response, g, request
from pythonjsonlogger.json import JsonFormatter

log = logging.getLogger("portal_blocks.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _start() -> None:
    incoming = request.environ.get("HTTP_X_REQUEST_ID")
    g.request_id = incoming if incoming and _VALID_ID.match(incoming) else os.urandom(16).hex()
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    status = g.pop("portal_blocks_status", None)
    if status and response.status_code == 200:
        response.status_code = status
    retry_after = g.pop("portal_blocks_retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    request_id = g.get("request_id", "")
    response.headers["X-Request-ID"] = request_id
    if not log.isEnabledFor(logging.INFO):
        return response  # the line's fields cost more than the rest of a cached answer
    started = g.get("request_started")
    log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "request_id": request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
        },
    )
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
