"""Warm cache hits answered in a thin WSGI layer in front of the Flask app.

A hit of the response cache (a GraphQL GET, by persisted id or by query text) or of the HTML
cache (fragments in both forms, theme pages), and its 304, need none of Flask: no request
context, no URL routing per request, no hooks. This layer answers them with what the views
would answer (the same keys, headers, ``X-Request-ID`` and access log line, the lookups and
header lists being the views' own functions) and hands everything else to Flask unchanged.

It answers only what it can answer exactly as the views would, and steps aside otherwise:
- a request that names who is asking (a bearer token, the workspace's session) or carries the
  display-preference cookie (the reader's sizes are looked up by the views);
- anything but GET, and any path Flask would not route to one of those views;
- GraphQL and fragments when ``PORTAL_BLOCKS_CORS_ORIGINS`` is set: flask-cors adds its headers
  to every answer of our blueprint (theme pages, not on that blueprint, are still answered);
- GraphQL when a host gave ``PortalBlocks(viewer_for=...)``: only its loader knows the viewer;
- every request, when the app has app-wide ``before_request`` or ``after_request`` functions
  (a host's own headers or checks must run), or ``PORTAL_BLOCKS_WARM_HITS`` is off.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException
from werkzeug.http import remove_entity_headers
from werkzeug.routing import MapAdapter, RequestRedirect
from werkzeug.wsgi import get_path_info

from portal_blocks.auth.sessions import says_who
from portal_blocks.caching.front import Front
from portal_blocks.caching.html import HtmlCache, hit_headers
from portal_blocks.caching.invalidation_log import REQUEST_SCOPE
from portal_blocks.caching.responses import HIT, not_modified
from portal_blocks.i18n import environ_locale
from portal_blocks.layout.routing import host_of_environ
from portal_blocks.observability import log_answer, request_id_for
from portal_blocks.preferences import COOKIE as VIEWER_COOKIE

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

log = logging.getLogger(__name__)

#: Our blueprint's endpoints start so (flask-cors is on it when CORS origins are set).
BLUEPRINT = "portal_blocks."
GRAPHQL_ENDPOINT = "portal_blocks.graphql"
#: The HTML endpoints whose hits this layer answers, and whether their language follows
#: ``Accept-Language`` (fragment clients) or only an explicit ``lang`` (theme pages).
HTML_ENDPOINTS = {
    "portal_blocks.page_fragment": True,
    "portal_blocks.block_fragment": True,
    "portal_blocks_theme.index": False,
    "portal_blocks_theme.page": False,
}
#: How many distinct paths keep the endpoint Flask routes them to.
ROUTED_PATHS = 4096

Answer = tuple[str, list[tuple[str, str]], bytes]


class WarmHits:
    """WSGI middleware: ``app.wsgi_app = WarmHits(app.wsgi_app, app, ...)``."""

    def __init__(
        self,
        wsgi_app: WSGIApplication,
        app: Flask,
        *,
        front: Front,
        html: HtmlCache | None,
        default_locale: str,
        graphql: bool,
        cors: bool,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.front = front
        self.html = html
        self.default_locale = default_locale
        #: False when a host's own viewer loader says who a GraphQL reader is.
        self.graphql = graphql
        #: ``PORTAL_BLOCKS_CORS_ORIGINS`` set: our blueprint's answers are flask-cors's too.
        self.cors = cors
        #: Decided at the first request: routes and hooks are complete by then.
        self._endpoint: Callable[[str], str | None] | None = None
        self._active = True

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        scope = REQUEST_SCOPE.set(object())  # the caches hear of other processes' commits once
        try:
            return self._serve(environ, start_response)
        finally:
            REQUEST_SCOPE.reset(scope)

    def _serve(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "GET" and self._active:
            started = time.perf_counter()
            try:
                answer = self._answer(environ)
            except Exception:  # a fault here must not cost the reader the page: Flask answers
                log.exception("a warm hit could not be answered; handed to Flask")
                answer = None
            if answer is not None:
                status, headers, body = answer
                request_id = request_id_for(environ)
                headers.append(("X-Request-ID", request_id))
                start_response(status, headers)
                log_answer("GET", get_path_info(environ), int(status[:3]), request_id, started)
                return [body]
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ: WSGIEnvironment) -> Answer | None:
        if says_who(environ) or VIEWER_COOKIE + "=" in environ.get("HTTP_COOKIE", ""):
            return None
        endpoint = self._routes()(environ.get("PATH_INFO") or "/")
        if endpoint is None or (self.cors and endpoint.startswith(BLUEPRINT)):
            return None
        if endpoint == GRAPHQL_ENDPOINT:
            return self._graphql(environ) if self.graphql else None
        accept_language = HTML_ENDPOINTS.get(endpoint)
        if accept_language is None or self.html is None:
            return None
        return self._page(environ, self.html, accept_language=accept_language)

    def _graphql(self, environ: WSGIEnvironment) -> Answer | None:
        locale = environ_locale(environ, self.default_locale)
        lookup = self.front.by_query_string(environ, locale, {}, host_of_environ(environ))
        entry = lookup.entry
        if entry is None:
            return None
        headers = list(self.front.headers(entry, HIT, locale, environ).items())
        if not_modified(environ, entry.etag):
            return self._finish("304 NOT MODIFIED", headers, b"")
        headers.insert(0, ("Content-Type", "application/json"))
        return self._finish("200 OK", headers, entry.body)

    def _page(
        self, environ: WSGIEnvironment, html: HtmlCache, *, accept_language: bool
    ) -> Answer | None:
        locale = environ_locale(environ, self.default_locale, accept_language=accept_language)
        entry = html.find(environ, locale, {}, host_of_environ(environ)).entry
        if entry is None:
            return None
        headers = hit_headers(entry, HIT)
        if not_modified(environ, entry.etag):
            return self._finish("304 NOT MODIFIED", headers, b"")
        return self._finish("200 OK", headers, entry.body)

    @staticmethod
    def _finish(status: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
        """The headers werkzeug would add: the length (none on a 304, nor any entity header)."""
        if status[0] == "2":
            headers.append(("Content-Length", str(len(body))))
        else:  # a 304 carries no entity headers (werkzeug drops them likewise)
            remove_entity_headers(headers)
        return status, headers, body

    def _routes(self) -> Callable[[str], str | None]:
        """The endpoint Flask routes a GET of a path to (None: none, or a redirect), kept for
        the most recent paths; built at the first request, when the app's routes and hooks are
        final (Flask refuses new ones after it)."""
        if self._endpoint is None:
            self._endpoint = self._build_routes()
        return self._endpoint

    def _build_routes(self) -> Callable[[str], str | None]:
        app = self.app
        hooks = [
            name
            for name, registry in (
                ("before_request", app.before_request_funcs),
                ("after_request", app.after_request_funcs),
                ("url_value_preprocessor", app.url_value_preprocessors),
            )
            if registry.get(None)
        ]
        if hooks:
            self._active = False
            log.info("warm hits are left to Flask: the app has its own %s functions", hooks)
        adapter: MapAdapter = app.url_map.bind("localhost")

        @lru_cache(maxsize=ROUTED_PATHS)
        def endpoint(path_info: str) -> str | None:
            # Matched as Flask matches it: the WSGI string decoded as UTF-8 (get_path_info).
            path = path_info.encode("latin-1").decode(errors="replace")
            try:
                rule, _arguments = adapter.match(path, "GET", return_rule=True)
            except (HTTPException, RequestRedirect):
                return None
            return str(rule.endpoint)

        return endpoint if self._active else _nowhere


def _nowhere(_path_info: str) -> None:
    return None
