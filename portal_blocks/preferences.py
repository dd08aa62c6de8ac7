"""Display preferences of anonymous viewers, remembered through the ``pb_viewer`` cookie.

The cookie holds only a random id (HttpOnly, SameSite=Lax); the choice itself is stored server
side, so every page render can apply it and the reader never sees the default size flash first.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.models import DisplayPreference

COOKIE = "pb_viewer"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365
TEXT_SIZE_MIN = 50
TEXT_SIZE_MAX = 300
_VIEWER_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def viewer_id(request: Request | None) -> str | None:
    """The viewer id from the request's cookie, if it has a well-formed one."""
    if request is None or COOKIE not in request.environ.get("HTTP_COOKIE", ""):
        return None  # most readers have none: skip parsing the cookie header
    raw = request.cookies.get(COOKIE)
    return raw if raw and _VIEWER_ID.match(raw) else None


def new_viewer_id() -> str:
    return secrets.token_urlsafe(24)


def load_preferences(session: Session, viewer: str | None) -> dict[str, Any]:
    """One statement when the viewer has a cookie; none otherwise."""
    if viewer is None:
        return {}
    text_size = session.scalar(
        select(DisplayPreference.text_size).where(DisplayPreference.viewer_id == viewer)
    )
    return {} if text_size is None else {"text_size": text_size}


def save_preferences(session: Session, viewer: str, *, text_size: int) -> DisplayPreference:
    preference = session.get(DisplayPreference, viewer)
    if preference is None:
        preference = DisplayPreference(viewer_id=viewer, text_size=text_size)
        session.add(preference)
    else:
        preference.text_size = text_size
    session.commit()
    return preference


def set_viewer_cookie(response: Response, viewer: str, *, secure: bool) -> None:
    response.set_cookie(
        COOKIE,
        viewer,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
        path="/",
    )
