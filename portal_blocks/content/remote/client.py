"""One GraphQL endpoint of a CMS, read over HTTP with httpx: bounded waits, no retry storm.

Connect and read timeouts bound every request (``PORTAL_BLOCKS_SOURCE_CONNECT_TIMEOUT`` /
``_READ_TIMEOUT``, 2 s and 5 s by default). A request that fails in transport is retried once
(every request is a read); then the failure counts, and after three in a row the circuit opens
for a few seconds, during which requests fail at once instead of waiting on a CMS that is
down. One client per endpoint and process keeps its connections for reuse.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

#: What readers and clients are told when the CMS fails (GraphQL, fragments and the theme).
UPSTREAM_UNAVAILABLE = "The CMS the articles come from did not answer in time; try again shortly."
UPSTREAM_ERROR = "The CMS the articles come from answered something unexpected."


class UpstreamUnavailable(Exception):
    """The CMS did not answer in time, or at all, or its circuit is open."""


class UpstreamError(Exception):
    """The CMS answered, but not as the contract says (GraphQL errors, a value of the wrong
    type): a configuration or a CMS problem, not the reader's."""


@dataclass
class Circuit:
    """Opens after ``failures_to_open`` failures in a row, for ``open_seconds``."""

    failures_to_open: int = 3
    open_seconds: float = 5.0
    _failures: int = 0
    _open_until: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def allows(self) -> bool:
        return time.monotonic() >= self._open_until

    @property
    def is_open(self) -> bool:
        return not self.allows()

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._open_until = 0.0

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.failures_to_open:
                self._open_until = time.monotonic() + self.open_seconds
                self._failures = 0


class GraphQLClient:
    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        circuit: Circuit | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.url = url
        self.circuit = circuit or Circuit()
        self.http = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers=headers,
            transport=transport,
        )
        #: Requests sent (retries included): what budget tests and /readyz read.
        self.requests = 0

    def query(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of one GraphQL request."""
        if not self.circuit.allows():
            raise UpstreamUnavailable(f"{self.url}: not asked for a few seconds after failures")
        body = orjson.dumps({"query": document, "variables": dict(variables or {})})
        response = self._send(body)
        if response.status_code >= 500:
            self.circuit.failed()
            raise UpstreamUnavailable(f"{self.url} answered HTTP {response.status_code}")
        self.circuit.succeeded()
        try:
            payload = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise UpstreamError(
                f"{self.url} answered HTTP {response.status_code}, not JSON"
            ) from None
        if not isinstance(payload, dict):
            raise UpstreamError(f"{self.url} answered something other than a GraphQL result")
        errors = payload.get("errors")
        data = payload.get("data")
        if errors and not (isinstance(data, dict) and _only_not_found(errors)):
            first = errors[0].get("message") if isinstance(errors[0], dict) else errors[0]
            raise UpstreamError(f"{self.url}: {first}")
        if response.status_code != 200 or not isinstance(data, dict):
            raise UpstreamError(f"{self.url} answered HTTP {response.status_code} without data")
        return data

    def _send(self, body: bytes) -> httpx.Response:
        for attempt in (1, 2):
            self.requests += 1
            try:
                return self.http.post(
                    self.url, content=body, headers={"Content-Type": "application/json"}
                )
            except httpx.TransportError as exc:
                if attempt == 2:
                    self.circuit.failed()
                    raise UpstreamUnavailable(f"{self.url}: {type(exc).__name__}") from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.http.close()


def _only_not_found(errors: Any) -> bool:
    """Whether every error says only that something asked for does not exist (another
    portal-blocks answers a missing article so): the data holds null for it, not a fault."""
    return isinstance(errors, list) and all(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "NOT_FOUND"
        for e in errors
    )
