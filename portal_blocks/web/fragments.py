"""HTML fragments of a page's regions and blocks, in process and over plain HTTP.

Portals that are not Flask apps, or do not speak GraphQL, fetch
``GET <prefix>/fragments/page?path=...&region=...`` (a region, or every region without
``region``) and ``GET <prefix>/fragments/block/<id>?path=...`` (one block). Both answer with an
``ETag`` (a hash of the body) and ``Cache-Control``, so a host or proxy revalidates with
``If-None-Match`` and gets 304 until an editor changes the article or the placement.
``format=json`` returns ``{"html", "locale", "assets": {"css", "js"}}``; the HTML form lists the
assets in ``Link`` headers and as JSON in ``X-Portal-Blocks-Assets``.

A Flask host renders the same fragments in process with :func:`render_fragment`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import NoReturn

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from portal_blocks.blocks import Block, registry
from portal_blocks.graphql.context import PortalContext
from portal_blocks.graphql.page import PageType
from portal_blocks.layout.pages import load_page
from portal_blocks.render.blocks import block_assets, render_block, render_region

ASSETS_HEADER = "X-Portal-Blocks-Assets"


class FragmentNotFound(LookupError):
    """No page at the path, or no such region or block on it."""


@dataclass(frozen=True)
class Fragment:
    """Rendered HTML plus what the host page must add for it (each asset once)."""

    html: str
    locale: str
    css: list[str] = field(default_factory=list)
    js: list[str] = field(default_factory=list)
    max_age: int = 60
    personal: bool = False


def _page(ctx: PortalContext, path: str) -> PageType:
    page = load_page(ctx, path)
    if page is None:
        raise FragmentNotFound(f"No page at path '{path}'.")
    return page


def _fragment(ctx: PortalContext, html: str, blocks: list[Block]) -> Fragment:
    css, js = block_assets(blocks)
    max_age = min((registry.get(b.block_type).cache_max_age for b in blocks), default=60)
    return Fragment(
        html=html,
        locale=ctx.locale,
        css=css,
        js=js,
        max_age=max_age,
        personal=bool(ctx.viewer),
    )


def render_fragment(
    ctx: PortalContext, path: str, *, region: str | None = None, block_id: str | None = None
) -> Fragment:
    """One block (``block_id``), one region, or every region of the page at ``path``."""
    page = _page(ctx, path)
    if block_id is not None:
        block = next((b for r in page.regions for b in r.blocks if str(b.id) == block_id), None)
        if block is None:
            raise FragmentNotFound(f"The page at '{page.path}' has no block '{block_id}'.")
        return _fragment(ctx, render_block(block), [block])
    if region is None:
        regions = page.regions
    else:
        found = page.region(region)
        if found is None:
            raise FragmentNotFound(f"The page at '{page.path}' has no region '{region}'.")
        regions = [found]
    html = "\n".join(render_region(r) for r in regions)
    return _fragment(ctx, html, [b for r in regions for b in r.blocks])


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/fragments/page", view_func=page_fragment, methods=["GET"])
    blueprint.add_url_rule("/fragments/block/<block_id>", view_func=block_fragment, methods=["GET"])
    blueprint.add_url_rule("/print", view_func=print_page, methods=["GET"])
    # By code as well: Flask prefers an app's handler for a code over a blueprint's handler
    # for the class, so a host's own 404 page would otherwise answer our API clients.
    for code in (400, 404, 405, 500):
        blueprint.register_error_handler(code, http_error)
    blueprint.register_error_handler(HTTPException, http_error)


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


def _request_context(*, accept_language: bool = True) -> tuple[PortalContext, str]:
    path = request.args.get("path", "").strip()
    if not path:
        _fail(400, "The 'path' argument is required, e.g. ?path=/tin-tuc/<slug>.")
    state = current_app.extensions["portal_blocks"]
    locale = state.locale_for(request, accept_language=accept_language)
    return state.context(request, locale=locale), path


def _respond(**where: str | None) -> Response:
    ctx, path = _request_context()
    try:
        fragment = render_fragment(ctx, path, **where)
    except FragmentNotFound as exc:
        _fail(404, str(exc))
    return fragment_response(fragment)


def page_fragment() -> Response:
    return _respond(region=request.args.get("region"))


def block_fragment(block_id: str) -> Response:
    return _respond(block_id=block_id)


def print_page() -> str:
    """A printable page of the article at ``path``: the blocks' content, no controls."""
    ctx, path = _request_context(accept_language=False)
    try:
        page = _page(ctx, path)
    except FragmentNotFound as exc:
        _fail(404, str(exc))
    return render_template("portal_blocks/print.html", page=page, locale=ctx.locale)


def fragment_response(fragment: Fragment) -> Response:
    """The HTTP form of a fragment: conditional, cacheable, its assets announced."""
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
    response.headers["Cache-Control"] = (
        "private, no-cache"
        if fragment.personal
        else f"public, max-age={fragment.max_age}, must-revalidate"
    )
    response.vary.update(("Accept-Language", "Cookie"))
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    return response.make_conditional(request)
