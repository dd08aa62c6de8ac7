"""Resolving a request into an :class:`Identity`.

The default reads ``Authorization: Bearer <token>`` and checks it against our token table. A
host CMS that already knows its users passes its own callable instead
(``PortalBlocks(app, identity_loader=...)``), e.g. one that reads its session cookie.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Request

from portal_blocks.auth.tokens import Identity, identity_for_token
from portal_blocks.db import db

#: Given the request, return who is asking, or None for an anonymous reader.
IdentityLoader = Callable[[Request], Identity | None]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_identity(request: Request) -> Identity | None:
    """No header, no query: anonymous page views cost no extra statement."""
    token = bearer_token(request)
    return identity_for_token(db.session, token) if token else None
