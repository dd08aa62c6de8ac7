"""HTML fragments of a page's regions and blocks over plain HTTP, for any portal.

Portals that are not Flask apps, or do not speak GraphQL, fetch
``GET <prefix>/fragments/page?path=...&region=...`` (a region, or every region without
``region``) and ``GET <prefix>/fragments/block/<id>?path=...`` (one block). Both answer with an
``ETag`` (a hash of the body) and ``Cache-Control``, so a host or proxy revalidates with
``If-None-Match`` and gets 304 until an editor changes the article or the placement.
``format=json`` returns ``{"html", "locale", "assets": {"css", "js"}}``; the HTML form lists the
assets in ``Link`` headers and as JSON in ``X-Portal-Blocks-Assets``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import NoReturn

from flask import Blueprint, Response, abort, jsonify, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from portal_blocks.assembly.page import PageRequest
from portal_blocks.cache_tags import edge_headers
from portal_blocks.caching.hints import CacheHints
from portal_blocks.caching.responses import varies_by
from portal_blocks.content.remote.client import UpstreamError, UpstreamUnavailable
from portal_blocks.render.fragments import (
    BadPageAddress,
    Fragment,
    FragmentNotFound,
    page_at,
    render_fragment,
)
from portal_blocks.state import get_state
from portal_blocks.web.database_errors import unavailable, upstream_failed

ASSETS_HEADER = "X-Portal-Blocks-Assets"


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/fragments/page", view_func=page_fragment, methods=["GET"])
    blueprint.add_url_rule("/fragments/block/<block_id>", view_func=block_fragment, methods=["GET"])
    blueprint.add_url_rule("/print", view_func=print_page, methods=["GET"])
    # By code as well: Flask prefers an app's handler for a code over a blueprint's handler
    # for the class, so a host's own 404 page would otherwise answer our API clients.
    for code in (400, 404, 405, 500):
        blueprint.register_error_handler(code, http_error)
    blueprint.register_error_handler(HTTPException, http_error)
    blueprint.register_error_handler(SQLAlchemyError, database_error)
    blueprint.register_error_handler(UpstreamUnavailable, source_error)
    blueprint.register_error_handler(UpstreamError, source_error)


def database_error(error: SQLAlchemyError) -> tuple[Response, int]:
    return http_error(unavailable(error))


def source_error(error: Exception) -> tuple[Response, int]:
    assert isinstance(error, UpstreamUnavailable | UpstreamError)
    return http_error(upstream_failed(error))


def http_error(error: HTTPException) -> tuple[Response, int]:
    """Errors of our endpoints only (registered on our blueprint, never on the host app)."""
    code = (error.name or "error").upper().replace(" ", "_")
    response = jsonify(error={"code": code, "message": error.description})
    # Keep what the exception says about retrying (Retry-After) or allowed methods (Allow).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response, error.code or 500


def _fail(status: int, message: str) -> NoReturn:
    abort(status, description=message)


def _page_request(*, accept_language: bool = True) -> tuple[PageRequest, str, CacheHints]:
    path = request.args.get("path", "").strip()
    if not path:
        _fail(400, "The 'path' argument is required, e.g. ?path=/tin-tuc/<slug>.")
    page_request, hints = get_state().page_request(request, accept_language=accept_language)
    return page_request, path, hints


def _respond(**where: str | None) -> Response:
    page_request, path, hints = _page_request()
    lookup = get_state().kept_html(request, page_request)
    if lookup.kept is not None:
        return lookup.kept
    try:
        fragment = render_fragment(page_request, path, **where)
    except FragmentNotFound as exc:
        _fail(404, str(exc))
    except BadPageAddress as exc:
        _fail(400, str(exc))
    except Exception as error:  # a dependency's failure: the expired copy, if one is kept
        return lookup.stale_instead_of(request, error)
    # The articles its lists read come to the hints through the source, from no cache.
    return lookup.keep(
        request,
        fragment_response(fragment, tags=hints.tags, conditional=False),
        hints=hints,
        tags=fragment.tags,
        max_age=fragment.max_age,
        private=fragment.personal,
    )


def page_fragment() -> Response:
    return _respond(region=request.args.get("region"))


def block_fragment(block_id: str) -> Response:
    return _respond(block_id=block_id)


def print_page() -> str:
    """A printable page of the article at ``path``: the blocks' content, no controls."""
    page_request, path, _hints = _page_request(accept_language=False)
    try:
        page = page_at(page_request, path)
    except FragmentNotFound as exc:
        _fail(404, str(exc))
    except BadPageAddress as exc:
        _fail(400, str(exc))
    return render_template("portal_blocks/print.html", page=page, locale=page.locale)


def fragment_response(
    fragment: Fragment, *, tags: Iterable[str] = (), conditional: bool = True
) -> Response:
    """The HTTP form of a fragment: conditional, cacheable, its assets announced, filed for
    an edge cache under what it read (``tags``: what the source read beyond the page's)."""
    assets = {"css": fragment.css, "js": fragment.js}
    if request.args.get("format") == "json":
        body = {"html": fragment.html, "locale": fragment.locale, "assets": assets}
        response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    else:
        response = Response(fragment.html, mimetype="text/html")
        links = [f"<{url}>; rel=preload; as=style" for url in fragment.css]
        links += [f"<{url}>; rel=preload; as=script" for url in fragment.js]
        if links:
            response.headers["Link"] = ", ".join(links)
        response.headers[ASSETS_HEADER] = json.dumps(assets)
    response.headers["Content-Language"] = fragment.locale
    # Rendered with one viewer's preferences: no shared cache may keep it.
    bound = get_state().cache_max_age
    max_age = bound if fragment.max_age is None else min(bound, fragment.max_age)
    personal = fragment.personal
    response.headers["Cache-Control"] = (
        "private, no-cache" if personal else f"public, max-age={max_age}, must-revalidate"
    )
    if not personal:
        response.headers.update(edge_headers(fragment.tags | frozenset(tags)))
    response.vary.update(varies_by(request.environ))
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    if conditional:
        # It returns ``response`` itself, typed as werkzeug's base class, not as Flask's.
        response.make_conditional(request)
    return response
