"""A small demo theme: serves each routed path as a page built from its regions' blocks.

An article's page names its canonical address (``<link rel="canonical">``); at the article's
old address (its legacy path, on the host its route answers on) it is shown there, or, with
``PORTAL_BLOCKS_LEGACY_ADDRESSES = "redirect"``, the reader is sent to the canonical address
with a 301 (the query string dropped: the old portal's arguments mean nothing here).
"""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from portal_blocks.assembly.page import load_page
from portal_blocks.assembly.views import PageView
from portal_blocks.config import PREFIX
from portal_blocks.content.listing import newest_published
from portal_blocks.content.queries import InvalidCursor
from portal_blocks.content.remote.client import UpstreamError, UpstreamUnavailable
from portal_blocks.db import db
from portal_blocks.layout.routing import is_address
from portal_blocks.observability import instrument, observed
from portal_blocks.render.blocks import block_assets, template_helpers
from portal_blocks.render.urls import article_url, canonical_url
from portal_blocks.state import get_state
from portal_blocks.web.database_errors import unavailable, upstream_failed

theme = Blueprint("portal_blocks_theme", __name__)
instrument(theme)
theme.context_processor(template_helpers)


@theme.errorhandler(SQLAlchemyError)
def database_error(error: SQLAlchemyError) -> Response:
    return error_page(unavailable(error))


@theme.errorhandler(UpstreamUnavailable)
@theme.errorhandler(UpstreamError)
def source_error(error: UpstreamUnavailable | UpstreamError) -> Response:
    return error_page(upstream_failed(error))


@theme.errorhandler(InternalServerError)
def server_error(error: InternalServerError) -> Response:
    """A fault of ours, its traceback logged by Flask: the reader gets the portal's page with
    the request's id to quote, not Werkzeug's bare one."""
    return error_page(error)


def error_page(error: HTTPException) -> Response:
    """The theme's page for a 5xx: its status and ``Retry-After`` kept, the request's id shown,
    kept by no cache. It reads nothing that could fail again (no database, no CMS). A
    dependency's failure also shows its description, always one of our messages (the command
    that creates a missing schema, for whoever runs the portal); a fault of ours shows none."""
    record = observed()
    unavailable = error.code in (502, 503)
    body = render_template(
        "portal_blocks/theme/error.html",
        unavailable=unavailable,
        detail=error.description if unavailable else None,
        request_id=record.request_id if record is not None else None,
        locale=get_state().locale,
    )
    response = make_response(body, error.code or 500)
    # As werkzeug writes it for the exception (seconds, or an HTTP date).
    response.headers.extend((k, v) for k, v in error.get_headers() if k == "Retry-After")
    response.headers["Cache-Control"] = "no-store"
    return response


def _at_legacy_address(page: PageView) -> bool:
    """Whether the page was asked for at its article's old address (not at the canonical one,
    even where ``ARTICLE_PATH`` is the old form itself)."""
    article = page.article
    return (
        article is not None
        and is_address(page.path, article.legacy_path)
        and not is_address(page.path, article_url(article.slug))
    )


@theme.get("/")
def index() -> tuple[str, int] | str | Response:
    """The home page as its layout composes it (a route for ``/``), else the newest articles
    as a plain list: a portal with no home layout yet still shows its news."""
    shown = _page_at("/")
    if shown is None:
        articles = newest_published(db.session_proxy, 50)
        return render_template(
            "portal_blocks/theme/index.html", articles=articles, locale=get_state().locale
        )
    return shown


@theme.get("/<path:path>")
def page(path: str) -> tuple[str, int] | str | Response:
    shown = _page_at("/" + path)
    if shown is None:
        locale = get_state().page_request(request, accept_language=False)[0].locale
        return render_template(
            "portal_blocks/theme/not_found.html", path="/" + path, locale=locale
        ), 404
    return shown


def _page_at(path: str) -> tuple[str, int] | str | Response | None:
    """The response for the page at ``path``; None when there is none."""
    # A portal page speaks the portal's language; only an explicit ?lang= changes it.
    state = get_state()
    page_request, hints = state.page_request(request, accept_language=False)
    lookup = state.kept_html(request, page_request)
    if lookup.kept is not None:
        return lookup.kept
    # With its query string: page parameters such as a listing's ``after`` are read from it.
    query = request.query_string.decode("latin-1")
    try:
        loaded = load_page(page_request, path + (f"?{query}" if query else ""))
    except InvalidCursor:
        return render_template(
            "portal_blocks/theme/bad_address.html", path=path, locale=page_request.locale
        ), 400
    except Exception as error:  # a dependency's failure: the expired copy, if one is kept
        return lookup.stale_instead_of(request, error)
    if loaded is None:
        return None
    canonical = canonical_url(loaded.article.slug) if loaded.article is not None else None
    if (
        canonical is not None
        and current_app.config[PREFIX + "LEGACY_ADDRESSES"] == "redirect"
        and _at_legacy_address(loaded)
    ):
        return redirect(canonical, code=301)
    if request.args.get("view") == "print":
        body = render_template("portal_blocks/print.html", page=loaded, locale=loaded.locale)
    else:
        css, js = block_assets(loaded.blocks())
        body = render_template(
            "portal_blocks/theme/page.html",
            page=loaded,
            locale=loaded.locale,
            assets_css=css,
            assets_js=js,
            canonical_url=canonical,
        )
    response = make_response(body)
    response.headers["Content-Language"] = loaded.locale
    return lookup.keep(
        request,
        response,
        hints=hints,
        tags=loaded.tags(),
        max_age=loaded.max_age(),
        private=bool(page_request.viewer),
    )
