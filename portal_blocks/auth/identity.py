"""Resolving a request into an :class:`Identity`.

The default reads ``Authorization: Bearer <token>`` and checks it against our token table. A
host CMS that already knows its users passes its own callable instead
(``PortalBlocks(app, identity_loader=...)``), e.g. one that reads its session cookie.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Request
from werkzeug.exceptions import TooManyRequests

from portal_blocks.auth.tokens import Identity, identity_for_token
from portal_blocks.db import db
from portal_blocks.ratelimit import RateLimits

#: Given the request, return who is asking, or None for an anonymous reader.
IdentityLoader = Callable[[Request], Identity | None]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class TokenIdentity:
    """The default identity loader: our bearer tokens.

    No header, no query: anonymous page views cost no extra statement. Failed token checks are
    counted per client address; past the limit the address gets HTTP 429 before any token is
    checked, so tokens cannot be guessed at speed.
    """

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits

    def __call__(self, request: Request) -> Identity | None:
        token = bearer_token(request)
        if not token:
            return None
        return self._check(request, token)

    def _check(self, request: Request, token: str) -> Identity | None:
        limits = self.limits
        address = request.remote_addr or "unknown"
        if limits.auth_blocked(address):
            wait = limits.retry_after(limits.auth_failures, "auth-failure", address)
            raise TooManyRequests("Too many failed sign-ins; try again later.", retry_after=wait)
        identity = identity_for_token(db.session_proxy, token)
        if identity is None:
            limits.auth_failed(address)
        return identity
