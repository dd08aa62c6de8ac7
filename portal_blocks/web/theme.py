"""A small demo theme: serves each routed path as a page built from its regions' blocks."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from portal_blocks.db import db
from portal_blocks.layout.pages import load_page
from portal_blocks.models import Article, ArticleStatus
from portal_blocks.observability import instrument
from portal_blocks.render.blocks import block_assets, template_helpers

theme = Blueprint("portal_blocks_theme", __name__)
instrument(theme)
theme.context_processor(template_helpers)


@theme.get("/")
def index() -> str:
    articles = db.session.scalars(
        select(Article)
        .where(Article.status == ArticleStatus.PUBLISHED, Article.deleted_at.is_(None))
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(50)
    )
    return render_template(
        "portal_blocks/theme/index.html",
        articles=articles,
        locale=current_app.extensions["portal_blocks"].locale,
    )


@theme.get("/<path:path>")
def page(path: str) -> tuple[str, int] | str:
    state = current_app.extensions["portal_blocks"]
    # A portal page speaks the portal's language; only an explicit ?lang= changes it.
    ctx = state.context(request=request, locale=state.locale_for(request, accept_language=False))
    loaded = load_page(ctx, "/" + path)
    if loaded is None:
        return render_template(
            "portal_blocks/theme/not_found.html", path="/" + path, locale=ctx.locale
        ), 404
    if request.args.get("view") == "print":
        return render_template("portal_blocks/print.html", page=loaded, locale=ctx.locale)
    css, js = block_assets([b for region in loaded.regions for b in region.blocks])
    return render_template(
        "portal_blocks/theme/page.html",
        page=loaded,
        locale=ctx.locale,
        assets_css=css,
        assets_js=js,
    )
