"""The request path in front of the GraphQL view.

A warm hit is answered here, before strawberry runs and with no SQL. A GET is keyed by its raw
query string (the persisted-query id and the variables, unparsed), a POST by its document hash
(of the text, or the persisted-query id), variables and operation name; both add the language
and the viewer's display preferences. ``If-None-Match`` turns a hit into a 304. A miss
resolves the persisted query, runs the view, and stores the response when the resolvers
declared what it depends on and it carries no error.

Never read from or written to the shared cache: requests with an ``Authorization`` header,
responses that read drafts (previews), mutations, responses with errors. Each GraphQL answer
says what the cache did in an RFC 9211 ``Cache-Status`` header (hit, miss and whether it was
stored, or bypass).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Request, Response
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from portal_blocks.caching.persisted import PersistedQueries, PersistedQueryError, sha256_hex
from portal_blocks.caching.responses import CachedResponse, etag_for, response_key, url_key
from portal_blocks.caching.stores import TaggedStore

EXCHANGE = "portal_blocks.exchange"
NO_STORE = "no-store"

#: RFC 9211 ``Cache-Status`` values: what the response cache did with a GraphQL request.
HIT = "portal-blocks; hit"
MISS = "portal-blocks; fwd=uri-miss"
STORED = "portal-blocks; fwd=uri-miss; stored"
BYPASS = "portal-blocks; fwd=bypass"

ViewerLoader = Callable[[Request], dict[str, Any]]


def no_viewer_preferences(_request: Request) -> dict[str, Any]:
    return {}


@dataclass(slots=True)
class Exchange:
    """What the front and the view share about one request (kept in the WSGI environ)."""

    viewer: dict[str, Any]
    prepared: GraphQLRequestData | None = None
    context: Any = None
    result: ExecutionResult | None = None


def exchange_of(request: Request) -> Exchange | None:
    return request.environ.get(EXCHANGE)


@dataclass(frozen=True, slots=True)
class Operation:
    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def _json_arg(raw: str | None) -> Any:
    return None if raw is None or raw == "" else json.loads(raw)


def read_operation(request: Request) -> Operation | None:
    """A single GET or JSON POST operation; anything else (batches, bad JSON, the GraphiQL
    page) is left to the view, which answers it as it always does."""
    try:
        if request.method == "GET":
            args = request.args
            if "query" not in args and "extensions" not in args:
                return None
            data: Any = {
                "query": args.get("query"),
                "variables": _json_arg(args.get("variables")),
                "operationName": args.get("operationName"),
                "extensions": _json_arg(args.get("extensions")),
            }
        elif request.method == "POST" and request.mimetype == "application/json":
            data = request.get_json(silent=True)
        else:
            return None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    query, variables = data.get("query"), data.get("variables")
    name, extensions = data.get("operationName"), data.get("extensions")
    if not (
        isinstance(query, str | None)
        and isinstance(variables, dict | None)
        and isinstance(name, str | None)
        and isinstance(extensions, dict | None)
    ):
        return None
    return Operation(query, variables, name, extensions)


def _persisted_hash(extensions: Mapping[str, Any] | None) -> str | None:
    persisted = (extensions or {}).get("persistedQuery")
    if isinstance(persisted, dict):
        digest = persisted.get("sha256Hash")
        if isinstance(digest, str):
            return digest.lower()
    return None


def _error_response(error: PersistedQueryError) -> Response:
    body = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
    return Response(
        json.dumps(body),
        status=error.status,
        mimetype="application/json",
        headers={"Cache-Control": NO_STORE},
    )


def _forbid_storing(request: Request, response: Response, value: str) -> None:
    """Only GET answers need saying so: HTTP caches never store a POST answer that carries no
    freshness of its own (RFC 9111 4.2), and Chromium does not keep the body of a no-store
    POST answer for its tooling, which breaks browser tests that read it."""
    if request.method == "GET":
        response.headers["Cache-Control"] = value


def _matches(request: Request, etag: str) -> bool:
    wanted = request.environ.get("HTTP_IF_NONE_MATCH")
    return wanted is not None and (etag in wanted or wanted.strip() == "*")


class Front:
    def __init__(
        self,
        store: TaggedStore[CachedResponse],
        persisted: PersistedQueries,
        *,
        locale_for: Callable[[Request], str],
        max_age: int,
        viewer_for: ViewerLoader = no_viewer_preferences,
    ) -> None:
        self.store = store
        self.persisted = persisted
        self.locale_for = locale_for
        self.max_age = max_age
        self.viewer_for = viewer_for

    def headers(self, entry: CachedResponse, status: str) -> dict[str, str]:
        scope = "private" if entry.private else "public"
        return {
            "ETag": entry.etag,
            "Cache-Control": f"{scope}, max-age={entry.max_age}",
            "Vary": "Cookie",
            "Cache-Status": status,
        }

    def answer(self, request: Request, entry: CachedResponse) -> Response:
        headers = self.headers(entry, HIT)
        if request.method == "GET" and _matches(request, entry.etag):
            return Response(status=304, headers=headers)
        return Response(entry.body, content_type="application/json", headers=headers)

    def serve(self, request: Request, run: Callable[[], Any]) -> Any:
        viewer = self.viewer_for(request)
        locale = self.locale_for(request)
        # Read from the WSGI environ: header lookups through werkzeug cost more than the rest
        # of a warm hit's checks together.
        environ = request.environ
        anonymous = "HTTP_AUTHORIZATION" not in environ
        key: str | None = None
        token: object = None
        if anonymous and environ["REQUEST_METHOD"] == "GET" and environ.get("QUERY_STRING"):
            # The fastest path: the raw query string is the key, nothing is parsed.
            key = url_key(environ["QUERY_STRING"], locale, viewer)
            entry, token = self.store.lookup(key)
            if entry is not None:
                return self.answer(request, entry)
        operation = read_operation(request)
        if operation is None:
            return run()
        digest = _persisted_hash(operation.extensions)
        query_hash = sha256_hex(operation.query) if operation.query is not None else None
        document = query_hash or digest
        shared = anonymous and document is not None
        shared = shared and not (digest and query_hash and digest != query_hash)
        if shared and key is None:
            key = response_key(
                document, operation.variables, operation.operation_name, locale, viewer
            )
            entry, token = self.store.lookup(key)
            if entry is not None:
                return self.answer(request, entry)
        try:
            query = self.persisted.resolve(operation.query, digest, query_hash)
        except PersistedQueryError as exc:
            return _error_response(exc)
        exchange = Exchange(
            viewer=viewer,
            prepared=GraphQLRequestData(
                query=query,
                variables=operation.variables,
                operation_name=operation.operation_name,
                extensions=operation.extensions,
            ),
        )
        request.environ[EXCHANGE] = exchange
        response = run()
        if not isinstance(response, Response):
            return response
        result, context = exchange.result, exchange.context
        if (
            response.status_code != 200
            or result is None
            or context is None
            or result.errors
            or not context.cache.cacheable(result.data)
            or "Set-Cookie" in response.headers  # a response that sets a cookie is someone's
        ):
            _forbid_storing(request, response, NO_STORE)
            response.headers["Cache-Status"] = MISS if shared else BYPASS
            return response
        if not shared:
            _forbid_storing(request, response, "private, no-store")
            response.headers["Cache-Status"] = BYPASS
            return response
        hints = context.cache
        body = response.get_data()
        entry = CachedResponse(
            body=body,
            etag=etag_for(body),
            max_age=min(self.max_age, hints.max_age if hints.max_age is not None else self.max_age),
            private=bool(viewer),
        )
        stored = self.store.put(key, entry, frozenset(hints.tags), token)
        headers = self.headers(entry, STORED if stored else MISS)
        if request.method == "GET" and _matches(request, entry.etag):
            return Response(status=304, headers=headers)
        response.headers.update(headers)
        return response
