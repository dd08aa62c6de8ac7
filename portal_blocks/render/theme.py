"""A small demo theme: serves each routed path as a page built from its regions' blocks."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from portal_blocks.db import db
from portal_blocks.layout.pages import load_page
from portal_blocks.models import Article, ArticleStatus

theme = Blueprint("portal_blocks_theme", __name__)


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
        print_view=False,
    )


@theme.get("/<path:path>")
def page(path: str) -> tuple[str, int] | str:
    ctx = current_app.extensions["portal_blocks"].context(request=request)
    loaded = load_page(
        ctx.session,
        ctx.source,
        "/" + path,
        locale=ctx.locale,
        timezone=ctx.timezone,
        viewer=ctx.viewer,
    )
    print_view = request.args.get("view") == "print"
    if loaded is None:
        return render_template(
            "portal_blocks/theme/not_found.html",
            path="/" + path,
            locale=ctx.locale,
            print_view=False,
        ), 404
    return render_template(
        "portal_blocks/theme/page.html", page=loaded, locale=ctx.locale, print_view=print_view
    )
