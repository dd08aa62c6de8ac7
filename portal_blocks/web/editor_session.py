"""The workspace's session cookie and CSRF checks.

Standalone, an editor pastes an API token once into the sign-in form and gets a session
(:mod:`portal_blocks.auth.sessions`): the cookie ``pb_editor`` holds its id signed with
itsdangerous (HttpOnly, ``SameSite=Strict``, our path only, ``Secure`` over HTTPS), never the
token. Every state-changing request made with the cookie must carry the session's CSRF token
(``X-CSRF-Token`` from the workspace's scripts, a ``csrf_token`` field from its forms); one that
does not is anonymous, so it changes nothing.

The signing key is ``PORTAL_BLOCKS_SECRET_KEY``; without one, a key is made once and kept in
the app's instance folder (enough for one host; several hosts must share one key).
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path

from flask import Flask, Request
from itsdangerous import BadSignature, TimestampSigner
from werkzeug.wrappers import Response

from portal_blocks.auth.sessions import SESSION_COOKIE, SESSION_LIFETIME, SignedIn, signed_in
from portal_blocks.auth.tokens import Identity
from portal_blocks.config import PREFIX
from portal_blocks.db import db

log = logging.getLogger(__name__)

COOKIE = SESSION_COOKIE
#: The pre-session cookie of the sign-in form (a double-submitted CSRF token).
SIGN_IN_COOKIE = "pb_editor_signin"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
KEY_FILE = "portal_blocks_secret_key"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Where the signed-in editor is kept on the request, so one request looks the session up once.
_ENVIRON_KEY = "portal_blocks.editor"


def secret_for(app: Flask) -> bytes:
    """``PORTAL_BLOCKS_SECRET_KEY``, or the instance folder's own key (made on first use)."""
    configured = str(app.config.get(PREFIX + "SECRET_KEY") or "")
    if configured:
        return configured.encode()
    path = Path(app.instance_path) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker made it first
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
            log.warning(
                "%sSECRET_KEY is not set: made one in %s; set it for several hosts", PREFIX, path
            )
    return path.read_text().strip().encode()


class EditorCookies:
    """Reads and writes the session cookie; says who a request's session is."""

    def __init__(self, secret: bytes, *, path: str = "/") -> None:
        self.signer = TimestampSigner(secret, salt="portal-blocks-editor-session")
        self.path = path

    def session_id(self, request: Request) -> str | None:
        if COOKIE not in request.environ.get("HTTP_COOKIE", ""):
            return None  # readers have none: no parsing, no SQL
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            value = self.signer.unsign(raw, max_age=int(SESSION_LIFETIME.total_seconds()))
        except BadSignature:
            return None
        return value.decode()

    def signed_in(self, request: Request) -> SignedIn | None:
        """The request's live session, looked up once per request."""
        environ = request.environ
        if _ENVIRON_KEY not in environ:
            session_id = self.session_id(request)
            environ[_ENVIRON_KEY] = (
                signed_in(db.session_proxy, session_id) if session_id is not None else None
            )
        found: SignedIn | None = environ[_ENVIRON_KEY]
        return found

    def identity(self, request: Request) -> Identity | None:
        """The editor a session cookie names; None for a state-changing request without the
        session's CSRF token (in ``X-CSRF-Token`` or the form's ``csrf_token``)."""
        found = self.signed_in(request)
        if found is None:
            return None
        if request.method not in _SAFE_METHODS and not csrf_matches(request, found.csrf_token):
            return None
        return found.identity

    def set(self, response: Response, session_id: str, *, secure: bool) -> None:
        response.set_cookie(
            COOKIE,
            self.signer.sign(session_id).decode(),
            max_age=int(SESSION_LIFETIME.total_seconds()),
            httponly=True,
            samesite="Strict",
            secure=secure,
            path=self.path,
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path=self.path, httponly=True, samesite="Strict")


def csrf_matches(request: Request, expected: str) -> bool:
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.mimetype == "application/x-www-form-urlencoded":
        given = request.form.get(CSRF_FIELD)
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
