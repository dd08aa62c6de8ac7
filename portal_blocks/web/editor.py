"""The editors' layout workspace at ``<prefix>/editor/``: pages over the GraphQL mutations.

The pages are server-rendered shells; ``editor/workspace.js`` does the editing through the same
GraphQL mutations every other client uses (no second write path). Standalone, editors sign in
with an API token once (:mod:`portal_blocks.web.editor_session`); in a host app the host's
``identity_loader`` says who is asking and there is no sign-in form.

Every workspace response has a Content-Security-Policy allowing only our own scripts, styles
and frames (no inline script), is never cached, and is in Vietnamese unless ``?lang=en``.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from portal_blocks.assembly.page import load_page
from portal_blocks.auth.sessions import end_session, start_session
from portal_blocks.auth.tokens import Identity
from portal_blocks.content.queries import InvalidCursor
from portal_blocks.content.visibility import NOT_DELETED
from portal_blocks.db import db
from portal_blocks.i18n import gettext_for, pick_locale
from portal_blocks.layout.changes import layout_summaries
from portal_blocks.models import Article, Layout, Route
from portal_blocks.render.blocks import block_assets
from portal_blocks.render.urls import graphql_url
from portal_blocks.state import get_state
from portal_blocks.web.editor_labels import LABELS
from portal_blocks.web.editor_session import (
    CSRF_FIELD,
    SIGN_IN_COOKIE,
    EditorCookies,
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'self'; object-src 'none'"
)


def register(blueprint: Blueprint, cookies: EditorCookies | None) -> None:
    """The workspace's routes on our blueprint; ``cookies`` None: a host app's identities
    (no sign-in form)."""
    workspace = _Workspace(cookies)
    add = blueprint.add_url_rule
    add("/editor/", "editor_layouts", workspace.layouts, methods=["GET"])
    add("/editor/layouts/<name>", "editor_layout", workspace.layout, methods=["GET"])
    add("/editor/preview", "editor_preview", workspace.preview, methods=["GET"])
    if cookies is not None:
        add("/editor/sign-in", "editor_sign_in", workspace.sign_in, methods=["GET", "POST"])
        add("/editor/sign-out", "editor_sign_out", workspace.sign_out, methods=["POST"])
    blueprint.after_request(_workspace_headers)


def _workspace_headers(response: Response) -> Response:
    if request.endpoint and request.endpoint.startswith("portal_blocks.editor_"):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _locale() -> str:
    return pick_locale(request.args.get("lang"), None, "vi")


class _Workspace:
    def __init__(self, cookies: EditorCookies | None) -> None:
        self.cookies = cookies

    # --- who is asking ---------------------------------------------------------------------

    def _editor(self) -> Identity | Response:
        identity = get_state().identity_loader(request)
        if identity is not None and identity.can_edit:
            return identity
        if self.cookies is not None:
            return redirect(url_for("portal_blocks.editor_sign_in", lang=_lang_arg()), code=303)
        abort(403, description="The workspace is for editors.")

    def _csrf(self) -> str:
        """The session's CSRF token, which the workspace's requests carry."""
        if self.cookies is None:
            return ""  # a host app's identity loader guards its own cookies
        found = self.cookies.signed_in(request)
        return found.csrf_token if found is not None else ""

    def _render(self, template: str, identity: Identity | None, **context: Any) -> str:
        locale = _locale()
        return render_template(
            f"portal_blocks/editor/{template}",
            locale=locale,
            t=gettext_for(locale),
            lang=_lang_arg(),
            editor=identity,
            csrf_token=self._csrf() if identity is not None else "",
            can_sign_out=self.cookies is not None and identity is not None,
            graphql_url=graphql_url(),
            **context,
        )

    # --- pages -----------------------------------------------------------------------------

    def layouts(self) -> str | Response:
        who = self._editor()
        if isinstance(who, Response):
            return who
        return self._render("layouts.html", who, layouts=layout_summaries(db.session_proxy))

    def layout(self, name: str) -> str | Response:
        who = self._editor()
        if isinstance(who, Response):
            return who
        layout = db.session_proxy.query(Layout).filter_by(name=name).one_or_none()
        if layout is None:
            abort(404, description=f"No layout named '{name}'.")
        locale = _locale()
        translate = gettext_for(locale)
        labels = {key: translate(msgid) for key, msgid in LABELS.items()}
        return self._render(
            "layout.html",
            who,
            layout=layout,
            preview_paths_json=json.dumps(preview_paths(layout), ensure_ascii=False).replace(
                "<", "\\u003c"
            ),
            # A data block, not a script; "<" escaped so no label can end it.
            labels_json=json.dumps(labels, ensure_ascii=False).replace("<", "\\u003c"),
        )

    def preview(self) -> str | Response | tuple[str, int]:
        """The draft page as readers will see it once published (drafts of the layout and
        of the article together), for the workspace's preview frame."""
        who = self._editor()
        if isinstance(who, Response):
            return who
        path = request.args.get("path", "").strip() or "/"
        page_request, _hints = get_state().page_request(request, accept_language=False)
        try:
            page = load_page(page_request, path, preview=True)
        except InvalidCursor:
            page = None
        if page is None:
            return self._render("preview_missing.html", who, path=path), 404
        css, js = block_assets(page.blocks())
        return self._render("preview.html", who, page=page, assets_css=css, assets_js=js)

    # --- signing in and out (standalone) ---------------------------------------------------

    def sign_in(self) -> str | Response | tuple[str, int]:
        assert self.cookies is not None
        if request.method == "GET":
            return self._sign_in_form(error=None, status=200)
        expected = request.cookies.get(SIGN_IN_COOKIE, "")
        given = request.form.get(CSRF_FIELD, "")
        if not expected or not secrets.compare_digest(expected, given):
            return self._sign_in_form(error="The form expired; please try again.", status=400)
        token = request.form.get("token", "").strip()
        started = start_session(db.session_proxy, token) if token else None
        if started is None:
            self._count_failure()
            db.session_proxy.rollback()
            return self._sign_in_form(
                error="This token is not an editor's, or it was revoked.", status=401
            )
        session_id, _who = started
        db.session_proxy.commit()
        response = redirect(url_for("portal_blocks.editor_layouts", lang=_lang_arg()), code=303)
        self.cookies.set(response, session_id, secure=request.is_secure)
        response.delete_cookie(SIGN_IN_COOKIE, path=self.cookies.path)
        return response

    def _count_failure(self) -> None:
        limits = get_state().rate_limits
        address = request.remote_addr or "unknown"
        if not limits.take_auth_failure(address):
            wait = limits.retry_after(limits.auth_failures, "auth-failure", address)
            raise TooManyRequests("Too many failed sign-ins; try again later.", retry_after=wait)

    def _sign_in_form(self, *, error: str | None, status: int) -> tuple[str, int] | Response:
        assert self.cookies is not None
        csrf = secrets.token_urlsafe(32)
        locale = _locale()
        body = render_template(
            "portal_blocks/editor/sign_in.html",
            locale=locale,
            t=gettext_for(locale),
            lang=_lang_arg(),
            error=gettext_for(locale)(error) if error else None,
            form_csrf=csrf,
        )
        response = Response(body, status=status, mimetype="text/html")
        response.set_cookie(
            SIGN_IN_COOKIE,
            csrf,
            max_age=3600,
            httponly=True,
            samesite="Strict",
            secure=request.is_secure,
            path=self.cookies.path,
        )
        return response

    def sign_out(self) -> Response:
        assert self.cookies is not None
        if self.cookies.identity(request) is None:  # no session, or no CSRF token with it
            abort(403, description="Sign-out needs the workspace's form.")
        session_id = self.cookies.session_id(request)
        assert session_id is not None
        end_session(db.session_proxy, session_id)
        db.session_proxy.commit()
        response = redirect(url_for("portal_blocks.editor_sign_in", lang=_lang_arg()), code=303)
        self.cookies.clear(response)
        return response


#: How many example pages the preview offers per route pattern.
PREVIEW_EXAMPLES = 10


def preview_paths(layout: Layout) -> list[str]:
    """Pages to preview the layout on: its exact routes, and for its patterns the newest
    articles (``<slug>``) or categories (``<category>``) they would show."""
    session = db.session_proxy
    patterns = session.scalars(
        select(Route.pattern).where(Route.layout_id == layout.id).order_by(Route.id).limit(50)
    ).all()
    paths: list[str] = []
    for pattern in patterns:
        if "<slug>" in pattern:
            slugs = session.scalars(
                select(Article.slug)
                .where(NOT_DELETED)
                .order_by(Article.published_at.desc(), Article.id.desc())
                .limit(PREVIEW_EXAMPLES)
            )
            paths += [pattern.replace("<slug>", slug) for slug in slugs]
        elif "<category>" in pattern:
            categories = session.scalars(
                select(Article.category_slug)
                .where(NOT_DELETED, Article.category_slug.is_not(None))
                .distinct()
                .order_by(Article.category_slug)
                .limit(PREVIEW_EXAMPLES)
            )
            paths += [pattern.replace("<category>", c) for c in categories if c]
        elif "<" not in pattern:
            paths.append(pattern)
    return list(dict.fromkeys(paths))


def _lang_arg() -> str | None:
    """``en`` when the workspace was asked for in English (links keep it), else None."""
    return "en" if _locale() == "en" else None
