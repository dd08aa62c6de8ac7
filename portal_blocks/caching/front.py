"""The request path in front of the GraphQL view.

A warm hit is answered here, before strawberry runs and with no SQL (the anonymous GETs among
them already before Flask, by :mod:`portal_blocks.caching.warm_hits`, with the same lookup).
A GET is keyed by its raw query string (the persisted-query id and the variables, unparsed),
a POST by its document hash (of the text, or the persisted-query id), variables and operation
name; both add the language and the viewer's display preferences. ``If-None-Match`` turns a
hit into a 304. A miss resolves the persisted query, runs the view, and stores the response
when the resolvers declared what it depends on and it carries no error.

An entry that has expired (it read a CMS that announces no changes) is kept until its refill
succeeds: when the refill fails because a dependency did (the CMS, the database), the expired
answer is given instead of the error, marked stale and stored by no one downstream.

Never read from or written to the shared cache: requests with an ``Authorization`` header or
an editor's session cookie, responses that read drafts (previews), mutations, responses with
errors. Each GraphQL answer says what the cache did in an RFC 9211 ``Cache-Status`` header
(hit, miss and whether it was stored, or bypass).
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Request, Response
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from portal_blocks.auth.sessions import says_who
from portal_blocks.cache_tags import edge_headers
from portal_blocks.caching.persisted import PersistedQueries, PersistedQueryError, sha256_hex
from portal_blocks.caching.responses import (
    BYPASS,
    HIT,
    MISS,
    STALE,
    STORED,
    CachedResponse,
    etag_for,
    not_modified,
    response_key,
    sets_cookie,
    url_key,
    varies_by,
)
from portal_blocks.caching.stores import TaggedStore
from portal_blocks.layout.routing import host_of_environ
from portal_blocks.observability import observed
from portal_blocks.text.nul import utf8_encodable

EXCHANGE = "portal_blocks.exchange"
NO_STORE = "no-store"

#: RFC 9211 ``Cache-Status`` values: what the response cache did with a GraphQL request.
#: The error codes of a dependency that failed (the CMS, the database), not of the request.
DEPENDENCY_FAILED = frozenset({"UPSTREAM_UNAVAILABLE", "UPSTREAM_ERROR", "SERVICE_UNAVAILABLE"})

ViewerLoader = Callable[[Request], dict[str, Any]]


def no_viewer_preferences(_request: Request) -> dict[str, Any]:
    return {}


@dataclass(slots=True)
class Exchange:
    """What the front and the view share about one request (kept in the WSGI environ): what
    the front worked out of the request (its reader's preferences, language and host) the
    view's context takes as it is, rather than reading the request for it again."""

    viewer: dict[str, Any]
    locale: str
    host: str | None
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
    #: The persisted-query id the request claims, and the sha256 of its text: worked out
    #: once (:meth:`of`), for the cache key and for the allow-list alike.
    digest: str | None
    query_hash: str | None

    @classmethod
    def of(
        cls,
        query: str | None,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        extensions: dict[str, Any] | None,
    ) -> Operation:
        query_hash = sha256_hex(query) if query is not None else None
        return cls(
            query, variables, operation_name, extensions, _persisted_hash(extensions), query_hash
        )


#: How deep a request's JSON may nest, counting the request object itself. Variables nest a few
#: levels, block settings a handful more; what is deeper is refused before anything walks it
#: recursively (the JSON decoder, the hashing of variables, the checks on their text).
MAX_JSON_DEPTH = 64

TOO_DEEP = f"The request's JSON nests more than {MAX_JSON_DEPTH} levels deep."
NOT_UNICODE = "The request holds text that is not Unicode (a lone surrogate such as \\ud800)."
NOT_UTF8 = "The request body is not UTF-8."


class MalformedRequest(Exception):
    """A request no GraphQL server can read: JSON nested too deep, text with a lone surrogate
    (valid JSON, but no UTF-8 encoder, database or hash takes it), a body that is not UTF-8.
    Left to run, each was a 500 from deep in the stack; the view answers it with a 400."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _loads(raw: str | bytes) -> Any:
    """``json.loads`` (bytes in any encoding it detects, as Flask's ``get_json``), with the
    decoder's own recursion limit and a bad encoding reported as what they are. Invalid JSON
    stays a ``ValueError``: the view has its answer for that."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise MalformedRequest(TOO_DEEP) from None
    except UnicodeDecodeError:
        raise MalformedRequest(NOT_UTF8) from None


def _json_arg(raw: str | None) -> Any:
    return None if raw is None or raw == "" else _loads(raw)


def check_readable(value: object) -> None:
    """Refuse JSON nested beyond ``MAX_JSON_DEPTH`` or holding a lone surrogate (in a key or a
    value). One walk with a stack, so no depth of nesting can exhaust the interpreter's."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not utf8_encodable(item):
                raise MalformedRequest(NOT_UNICODE)
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise MalformedRequest(TOO_DEEP)
            if isinstance(item, dict):
                for key, nested in item.items():
                    if isinstance(key, str) and not utf8_encodable(key):
                        raise MalformedRequest(NOT_UNICODE)
                    stack.append((nested, depth + 1))
            else:
                stack.extend((nested, depth + 1) for nested in item)


def request_body(request: Request) -> bytes:
    """The request's body, as ``request.get_data()`` gives it, at a fraction of its cost.

    werkzeug reads a body through its guarded stream in 64 KiB buffers: about 20 µs for the
    400 bytes of a page query, a fiftieth of a response-cache miss (gunicorn's stream, which
    it terminates itself, is wrapped so as well when the app sets ``MAX_CONTENT_LENGTH``). A
    body of a declared length is read here directly, bounded as werkzeug bounds it (the
    length, ``MAX_CONTENT_LENGTH``), and put back in the environ as a stream of the same
    bytes, so that any later reading (``get_data``, strawberry's) reads what this one did. A
    body of no declared length (chunked) is werkzeug's to read."""
    environ = request.environ
    length = request.content_length  # None when chunked, whatever Content-Length says
    limit = request.max_content_length
    if length is None or (limit is not None and length > limit):  # werkzeug's 413
        return request.get_data(cache=True)
    body: bytes = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def read_operation(request: Request) -> Operation | None:
    """A single GET or JSON POST operation; anything else (batches, bad JSON, the GraphiQL
    page) is left to the view, which answers it as it always does.

    Raises :class:`MalformedRequest` for what no one can read (see ``check_readable``): this
    runs first for every GraphQL request the cache does not answer from the query string.
    """
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
            data = _loads(request_body(request))
        else:
            return None
    except ValueError:
        return None
    check_readable(data)
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
    return Operation.of(query, variables, name, extensions)


def _persisted_hash(extensions: Mapping[str, Any] | None) -> str | None:
    persisted = (extensions or {}).get("persistedQuery")
    if isinstance(persisted, dict):
        digest = persisted.get("sha256Hash")
        if isinstance(digest, str):
            return digest.lower()
    return None


def persisted_query_error(error: PersistedQueryError) -> Response:
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

    def headers(
        self, entry: CachedResponse, status: str, locale: str, environ: Mapping[str, Any]
    ) -> dict[str, str]:
        """A cacheable answer's headers. It names in ``Vary`` each request header it depends
        on besides the URL: the language comes from ``Accept-Language`` when no ``lang`` is
        given, the display preferences from the cookie (flask-cors adds ``Origin`` where the
        CORS headers vary by it), so a shared cache never gives one reader another's."""
        scope = "private" if entry.private else "public"
        headers = {
            "ETag": entry.etag,
            "Cache-Control": f"{scope}, max-age={entry.max_age}",
            "Vary": ", ".join(varies_by(environ)),
            "Content-Language": locale,
            "Cache-Status": status,
        }
        if not entry.private:
            # An edge cache in front files the answer under what it read, to purge it by.
            headers.update(edge_headers(entry.tags))
        return headers

    def answer(
        self, request: Request, entry: CachedResponse, locale: str, status: str = HIT
    ) -> Response:
        headers = self.headers(entry, status, locale, request.environ)
        if status == STALE:
            # Kept by no one downstream: the next request tries the source again.
            headers["Cache-Control"] = NO_STORE
        if request.method == "GET" and not_modified(request.environ, entry.etag):
            return Response(status=304, headers=headers)
        return Response(entry.body, content_type="application/json", headers=headers)

    def serve(self, request: Request, run: Callable[[], Any]) -> Any:
        """Answer from the cache when it can, else run the view and keep what it may."""
        viewer = self.viewer_for(request)
        locale = self.locale_for(request)
        # Read from the WSGI environ: header lookups through werkzeug cost more than the rest
        # of a warm hit's checks together.
        anonymous = not says_who(request.environ)
        # A page's path may name another page on another host (routes bound to a host).
        host = host_of_environ(request.environ)
        lookup = (
            self.by_query_string(request.environ, locale, viewer, host) if anonymous else _NO_LOOKUP
        )
        if lookup.entry is not None:
            return self.answer(request, lookup.entry, locale)
        operation = read_operation(request)
        if operation is None:
            return run()
        keyed = self._by_operation(operation, lookup, anonymous, locale, viewer, host)
        if keyed.entry is not None:
            return self.answer(request, keyed.entry, locale)
        try:
            prepared = self._prepared(operation)
        except PersistedQueryError as exc:
            return persisted_query_error(exc)
        exchange = Exchange(viewer=viewer, locale=locale, host=host, prepared=prepared)
        request.environ[EXCHANGE] = exchange
        response = run()
        if not isinstance(response, Response):
            return response
        return self._keep(request, response, exchange, keyed, locale, private=bool(viewer))

    def by_query_string(
        self, environ: Mapping[str, Any], locale: str, viewer: dict[str, Any], host: str | None
    ) -> Lookup:
        """The fastest path: a GET's raw query string is the key, nothing is parsed (read
        from the WSGI environ, by the view and by the layer in front, ``caching.warm_hits``)."""
        query_string = environ.get("QUERY_STRING")
        if environ["REQUEST_METHOD"] != "GET" or not query_string:
            return _NO_LOOKUP
        key = url_key(query_string, locale, viewer, host)
        return self._looked_up(key)

    def _by_operation(
        self,
        operation: Operation,
        earlier: Lookup,
        anonymous: bool,
        locale: str,
        viewer: dict[str, Any],
        host: str | None,
    ) -> Lookup:
        """A POST (or a GET not keyed yet) is keyed by its document's hash (of the text, or
        the persisted-query id), variables and operation name. A text whose hash is not the id
        it claims is never shared."""
        digest, query_hash = operation.digest, operation.query_hash
        document = query_hash or digest
        honest = not (digest and query_hash and digest != query_hash)
        if not (anonymous and document is not None and honest):
            return _NO_LOOKUP
        if earlier.key is not None:
            return earlier
        key = response_key(
            document,
            operation.variables,
            operation.operation_name,
            locale,
            viewer,
            host,
        )
        return self._looked_up(key)

    def _looked_up(self, key: str) -> Lookup:
        entry, token = self.store.lookup(key)
        current = fresh(entry)
        stale = entry if current is None else None
        return Lookup(key, current, token, shared=True, stale=stale)

    def _prepared(self, operation: Operation) -> GraphQLRequestData:
        """The operation as the view runs it, its persisted query resolved."""
        data = GraphQLRequestData(
            query=operation.query,
            variables=operation.variables,
            operation_name=operation.operation_name,
            extensions=operation.extensions,
        )
        return self._resolved(data, operation.query, operation.digest, operation.query_hash)

    def prepare(self, data: GraphQLRequestData) -> GraphQLRequestData:
        """``data`` with its persisted query resolved, or PersistedQueryError: every document
        the view runs passes here, however it arrived (the view sends what the front did not
        read itself: batches, other content types), so the allow-list holds for all."""
        extensions = data.extensions if isinstance(data.extensions, dict) else None
        query = data.query if isinstance(data.query, str) else None
        query_hash = sha256_hex(query) if query is not None else None
        return self._resolved(data, query, _persisted_hash(extensions), query_hash)

    def _resolved(
        self,
        data: GraphQLRequestData,
        query: str | None,
        digest: str | None,
        query_hash: str | None,
    ) -> GraphQLRequestData:
        resolved = self.persisted.resolve(query, digest, query_hash)
        if resolved is query:
            return data
        return GraphQLRequestData(
            query=resolved,
            variables=data.variables,
            operation_name=data.operation_name,
            extensions=data.extensions,
        )

    def _keep(
        self,
        request: Request,
        response: Response,
        exchange: Exchange,
        lookup: Lookup,
        locale: str,
        *,
        private: bool,
    ) -> Response:
        """Store the view's answer when it may be shared, and say what the cache did."""
        result, context = exchange.result, exchange.context
        if lookup.stale is not None and _a_dependency_failed(result):
            record = observed()
            if record is not None:  # the answer is the stale one, not the failure's 503
                record.status = record.retry_after = None
            return self.answer(request, lookup.stale, locale, STALE)
        if not _storable(response, result, context):
            _forbid_storing(request, response, NO_STORE)
            response.headers["Cache-Status"] = MISS if lookup.shared else BYPASS
            return response
        if not lookup.shared or lookup.key is None:
            _forbid_storing(request, response, "private, no-store")
            response.headers["Cache-Status"] = BYPASS
            return response
        hints = context.cache
        body = response.get_data()
        max_age = self.max_age if hints.max_age is None else min(self.max_age, hints.max_age)
        expires_at = None if hints.expires_in is None else time.time() + hints.expires_in
        entry = CachedResponse(
            body=body,
            etag=etag_for(body),
            max_age=max_age,
            private=private,
            expires_at=expires_at,
            tags=tuple(sorted(hints.tags)),
        )
        stored = self.store.put(lookup.key, entry, frozenset(hints.tags), lookup.token)
        headers = self.headers(entry, STORED if stored else MISS, locale, request.environ)
        if request.method == "GET" and not_modified(request.environ, entry.etag):
            return Response(status=304, headers=headers)
        response.headers.update(headers)
        return response


def fresh(entry: CachedResponse | None) -> CachedResponse | None:
    """The entry, unless it has expired (it read what announces no changes)."""
    if entry is None or entry.expires_at is None or entry.fresh(time.time()):
        return entry
    return None


@dataclass(frozen=True, slots=True)
class Lookup:
    """A response-cache key looked up: the entry found, and the token a refill passes on."""

    key: str | None
    entry: CachedResponse | None
    token: object
    #: Whether the answer may go to a shared entry (anonymous, a document we can name).
    shared: bool
    #: An entry kept under the key that has expired (it read a CMS that announces no
    #: changes): answered instead of an error when a dependency fails on the refill.
    stale: CachedResponse | None = None


_NO_LOOKUP = Lookup(None, None, None, shared=False)


def _a_dependency_failed(result: ExecutionResult | None) -> bool:
    """Whether the run failed only because a dependency did (an answer from the cache, even
    expired, is then better than none)."""
    if result is None or not result.errors:
        return False
    return all((error.extensions or {}).get("code") in DEPENDENCY_FAILED for error in result.errors)


def _storable(response: Response, result: ExecutionResult | None, context: Any) -> bool:
    """Only a clean 200 whose every root field declared what it read, setting no cookie."""
    return (
        response.status_code == 200
        and result is not None
        and context is not None
        and not result.errors
        and context.cache.cacheable(result.data)
        and not sets_cookie(response)  # a response that sets a cookie is someone's
    )
