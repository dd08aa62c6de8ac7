"""HTML fragments over plain HTTP, for portals that are not Flask apps or do not speak GraphQL.

``GET <prefix>/fragments/page?path=...&region=...`` renders a region (or every region) of the
page at ``path``; ``GET <prefix>/fragments/block/<id>?path=...`` renders one block. Both answer
with an ``ETag`` (a hash of the body) and ``Cache-Control``, so a host or a proxy revalidates
with ``If-None-Match`` and gets 304 until an editor changes the article or the placement.
``format=json`` returns ``{"html", "assets": {"css", "js"}}``; the HTML form lists the assets
in ``Link`` headers and in ``X-Portal-Blocks-Assets`` (JSON).
"""

from __future__ import annotations

import hashlib
import json
from typing import NoReturn

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from portal_blocks.blocks import Block, registry
from portal_blocks.graphql.context import PortalContext
from portal_blocks.graphql.page import PageType
from portal_blocks.layout.pages import load_page
from portal_blocks.render.blocks import block_assets, render_block, render_region

ASSETS_HEADER = "X-Portal-Blocks-Assets"


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/fragments/page", view_func=page_fragment, methods=["GET"])
    blueprint.add_url_rule("/fragments/block/<block_id>", view_func=block_fragment, methods=["GET"])
    blueprint.add_url_rule("/print", view_func=print_page, methods=["GET"])
    blueprint.register_error_handler(HTTPException, http_error)


def http_error(error: HTTPException) -> tuple[Response, int]:
    """Errors of our endpoints only (registered on our blueprint, never on the host app)."""
    code = (error.name or "error").upper().replace(" ", "_")
    return jsonify(error={"code": code, "message": error.description}), error.code or 500


def _fail(status: int, message: str) -> NoReturn:
    abort(status, description=message)


def _page(*, accept_language: bool = True) -> tuple[PortalContext, PageType]:
    path = request.args.get("path", "").strip()
    if not path:
        _fail(400, "The 'path' argument is required, e.g. ?path=/tin-tuc/<slug>.")
    app_state = current_app.extensions["portal_blocks"]
    ctx = app_state.context(
        request, locale=app_state.locale_for(request, accept_language=accept_language)
    )
    page = load_page(
        ctx.session, ctx.source, path, locale=ctx.locale, timezone=ctx.timezone, viewer=ctx.viewer
    )
    if page is None:
        _fail(404, f"No page at path '{path}'.")
    return ctx, page


def page_fragment() -> Response:
    ctx, page = _page()
    name = request.args.get("region")
    if name is None:
        regions = page.regions
    else:
        region = page.region(name)
        if region is None:
            _fail(404, f"The page at '{page.path}' has no region '{name}'.")
        regions = [region]
    html = "\n".join(render_region(region) for region in regions)
    return _fragment_response(html, [b for r in regions for b in r.blocks], ctx)


def block_fragment(block_id: str) -> Response:
    ctx, page = _page()
    block = next((b for r in page.regions for b in r.blocks if str(b.id) == block_id), None)
    if block is None:
        _fail(404, f"The page at '{page.path}' has no block '{block_id}'.")
    return _fragment_response(render_block(block), [block], ctx)


def print_page() -> str:
    """A printable page of the article at ``path``: the blocks' content, no controls."""
    ctx, page = _page(accept_language=False)
    return render_template("portal_blocks/print.html", page=page, locale=ctx.locale)


def _cache_control(blocks: list[Block], ctx: PortalContext) -> str:
    if ctx.viewer_id is not None:
        # Rendered with this viewer's preferences: no shared cache may keep it.
        return "private, no-cache"
    max_age = min((registry.get(b.block_type).cache_max_age for b in blocks), default=60)
    return f"public, max-age={max_age}, must-revalidate"


def _fragment_response(html: str, blocks: list[Block], ctx: PortalContext) -> Response:
    css, js = block_assets(blocks)
    if request.args.get("format") == "json":
        body = json.dumps(
            {"html": html, "locale": ctx.locale, "assets": {"css": css, "js": js}},
            ensure_ascii=False,
        )
        response = Response(body, mimetype="application/json")
    else:
        response = Response(html, mimetype="text/html")
        links = [f"<{url}>; rel=preload; as=style" for url in css]
        links += [f"<{url}>; rel=preload; as=script" for url in js]
        if links:
            response.headers["Link"] = ", ".join(links)
        response.headers[ASSETS_HEADER] = json.dumps({"css": css, "js": js})
    response.headers["Content-Language"] = ctx.locale
    response.headers["Cache-Control"] = _cache_control(blocks, ctx)
    response.vary.update(("Accept-Language", "Cookie"))
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    return response.make_conditional(request)
