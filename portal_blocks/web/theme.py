"""A small demo theme: serves each routed path as a page built from its regions' blocks."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ServiceUnavailable

from portal_blocks.assembly.page import load_page
from portal_blocks.content.listing import newest_published
from portal_blocks.db import db
from portal_blocks.observability import instrument
from portal_blocks.render.blocks import block_assets, template_helpers
from portal_blocks.state import get_state
from portal_blocks.web.database_errors import unavailable

theme = Blueprint("portal_blocks_theme", __name__)
instrument(theme)
theme.context_processor(template_helpers)


@theme.errorhandler(SQLAlchemyError)
def database_error(error: SQLAlchemyError) -> ServiceUnavailable:
    return unavailable(error)


@theme.get("/")
def index() -> str:
    articles = newest_published(db.session_proxy, 50)
    return render_template(
        "portal_blocks/theme/index.html", articles=articles, locale=get_state().locale
    )


@theme.get("/<path:path>")
def page(path: str) -> tuple[str, int] | str:
    # A portal page speaks the portal's language; only an explicit ?lang= changes it.
    page_request, _hints = get_state().page_request(request, accept_language=False)
    loaded = load_page(page_request, "/" + path)
    if loaded is None:
        return render_template(
            "portal_blocks/theme/not_found.html", path="/" + path, locale=page_request.locale
        ), 404
    if request.args.get("view") == "print":
        return render_template("portal_blocks/print.html", page=loaded, locale=loaded.locale)
    css, js = block_assets(loaded.blocks())
    return render_template(
        "portal_blocks/theme/page.html",
        page=loaded,
        locale=loaded.locale,
        assets_css=css,
        assets_js=js,
    )
