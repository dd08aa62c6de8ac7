"""The Flask view serving GraphQL, built once per app (not per request).

Requests pass through :class:`portal_blocks.caching.front.Front` first, which answers warm
hits itself and hands the view the already-parsed (and persisted-query resolved) operation.

Requests that cannot be run at all (unreadable JSON, a batch, a mutation over GET, JSON nested
too deep, a lone surrogate, a body that is not UTF-8) get one answer: their HTTP status and
``{"errors": [{"message", "extensions": {"code"}}]}``, the shape of the persisted-query refusals
and of every GraphQL error, never a 500 with a traceback.

GraphiQL (``GET`` from a browser) is our own page, every file of it from our origin: see
:meth:`PortalGraphQLView.render_graphql_ide`.
"""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException, SyncHTTPRequestAdapter
from flask import Request, Response, render_template, request, url_for
from strawberry.flask.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.types import ExecutionResult

from portal_blocks import json_codec
from portal_blocks.caching.front import (
    NO_STORE,
    NOT_UTF8,
    TOO_DEEP,
    Front,
    MalformedRequest,
    check_readable,
    exchange_of,
    persisted_query_error,
)
from portal_blocks.caching.persisted import PersistedQueryError
from portal_blocks.graphql.context import PortalContext
from portal_blocks.state import get_state

#: ``extensions.code`` of a request error, by HTTP status; any other status is BAD_REQUEST.
REQUEST_ERROR_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}

#: The GraphiQL page may load, fetch and show nothing from another origin (fonts and the
#: editor's images are data: URIs inside GraphiQL's CSS); its scripts are ours, none inline.
#: Inline styles stay allowed: GraphiQL's dialogs add a <style> element (their scroll lock).
GRAPHIQL_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
#: What GraphiQL's editor shows first (strawberry's page has a long welcome text).
GRAPHIQL_DEFAULT_QUERY = (
    "# portal-blocks GraphQL: Ctrl-Enter runs the query, Ctrl-Space completes.\n"
    "{\n  blockTypes {\n    name\n  }\n}\n"
)


def request_error(status: int, message: str) -> Response:
    """A request refused before any operation ran, as a GraphQL error body."""
    code = REQUEST_ERROR_CODES.get(status, "BAD_REQUEST")
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(json_codec.dumps(body), status=status, mimetype="application/json")


class PortalGraphQLView(GraphQLView[PortalContext, None]):
    init_every_request = False

    def dispatch_request(self) -> Any:
        # The request itself, not Flask's proxy to it: each attribute read through the proxy
        # costs a context lookup (about 1 µs), and a miss reads a few dozen.
        current: Request = request._get_current_object()  # type: ignore[attr-defined]
        try:
            return get_state().front.serve(current, lambda: self._run(current))
        except PersistedQueryError as exc:  # met by a document the front did not read
            return persisted_query_error(exc)
        except MalformedRequest as exc:
            response = request_error(400, exc.message)
            if current.method == "GET":  # as the front says it of its GET answers
                response.headers["Cache-Control"] = NO_STORE
            return response

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """Only a GET that names no operation is a visit to the IDE. strawberry's test looks
        at ``query`` alone, and counts ``Accept: */*`` (``fetch``'s default, curl's) as a
        browser: a persisted query's GET (``extensions`` and no ``query``) sent so was given
        the IDE's page on a cache miss, or a 404 where the IDE is off."""
        params = request.query_params
        return "extensions" not in params and super().should_render_graphql_ide(request)

    def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from our own origin, not strawberry's page: that one loads React and
        GraphiQL from unpkg.com, which an intranet cannot reach (and which would learn who
        opens the IDE). Same libraries and versions, vendored (``static/vendor/``); the
        start-up script is a static file; queries go to this endpoint, under the URL prefix.
        """
        html = render_template(
            "portal_blocks/graphiql.html",
            endpoint=url_for("portal_blocks.graphql"),
            default_query=GRAPHIQL_DEFAULT_QUERY,
        )
        response = Response(html, mimetype="text/html")
        response.headers["Content-Security-Policy"] = GRAPHIQL_CSP
        return response

    def _run(self, request: Request) -> Any:
        """strawberry's ``dispatch_request``, its request errors answered as JSON, not text."""
        try:
            exchange = exchange_of(request)
            if exchange is not None and exchange.prepared is not None:
                return self._run_prepared(request, exchange.prepared)
            return self.run(request=request)
        except HTTPException as exc:
            return request_error(exc.status_code, exc.reason)

    def _run_prepared(self, request: Request, data: GraphQLRequestData) -> Response:
        """strawberry's ``run`` for the one operation the front read (a GET's parameters, a
        JSON POST), without its second reading of the request: the method was checked by
        the route, the body read, and such a GET names an operation, so it is not the IDE's
        (:meth:`should_render_graphql_ide`). Its execution and its answer are strawberry's
        own steps (``execute_single``, ``process_result``, ``create_response``)."""
        adapter = self.request_adapter_class(request)
        sub_response = self.get_sub_response(request)
        context = self.get_context(request, response=sub_response)
        result = self.execute_single(
            request=request,
            request_adapter=adapter,
            sub_response=sub_response,
            context=context,
            root_value=self.get_root_value(request),
            request_data=data,
        )
        response_data = self.process_result(request=request, result=result)
        return self.create_response(response_data=response_data, sub_response=sub_response)

    def parse_http_body(
        self, request_adapter: SyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """The front's operation when it read one; else strawberry's reading (of what the front
        leaves to it: batches, other content types, ill-typed fields), held to the same checks
        and to the same persisted-query rules.
        """
        exchange = exchange_of(request)
        if exchange is not None and exchange.prepared is not None:
            return exchange.prepared
        try:
            parsed = super().parse_http_body(request_adapter)
        except RecursionError:
            raise MalformedRequest(TOO_DEEP) from None
        except UnicodeDecodeError:
            raise MalformedRequest(NOT_UTF8) from None
        front = get_state().front
        if isinstance(parsed, list):
            return [self._checked(front, data) for data in parsed]
        return self._checked(front, parsed)

    @staticmethod
    def _checked(front: Front, data: GraphQLRequestData) -> GraphQLRequestData:
        check_readable([data.query, data.variables, data.operation_name, data.extensions])
        return front.prepare(data)

    def get_context(self, request: Request, response: Response) -> PortalContext:
        state = get_state()
        exchange = exchange_of(request)
        if exchange is None:  # a request the front left to the view (a batch, a form)
            viewer = state.front.viewer_for(request)
            return state.context(request=request, response=response, viewer=viewer)
        context = state.context(
            request=request,
            response=response,
            viewer=exchange.viewer,
            locale=exchange.locale,
            host=exchange.host,
        )
        exchange.context = context
        return context

    def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        exchange = exchange_of(request)
        if exchange is not None:
            exchange.result = result
        return super().process_result(request, result)

    def encode_json(self, data: object) -> bytes:
        """Vietnamese stays readable and about half the size of ``\\uXXXX`` escapes."""
        return json_codec.dumps(data)
