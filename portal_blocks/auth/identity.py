"""Resolving a request into an :class:`Identity`.

The default reads ``Authorization: Bearer <token>`` and checks it against our token table (or,
without one, the workspace's session cookie: :mod:`portal_blocks.web.editor_session`). A
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
    counted per client address (the connecting one, or the one trusted proxies forwarded, see
    ``PORTAL_BLOCKS_TRUSTED_PROXIES``); past the limit a failed check gets HTTP 429 instead of
    an anonymous answer.

    The token is checked first, and a valid one is always accepted, whatever the failures
    counted against its address: one address is often many people (an office behind NAT, every
    reader behind a proxy that is not trusted), and one of them guessing must not lock the
    others' editors out. This does not make guessing worthwhile: a token has 256 random bits
    (:mod:`portal_blocks.auth.tokens`), so the limit is there to bound the lookups a client can
    waste and to tell a misconfigured client plainly, not to slow a search that cannot succeed.
    """

    def __init__(self, limits: RateLimits, sessions: IdentityLoader | None = None) -> None:
        self.limits = limits
        #: The workspace's signed-in editors (their session cookie), when the app has them.
        self.sessions = sessions

    def __call__(self, request: Request) -> Identity | None:
        token = bearer_token(request)
        if not token:
            return self.sessions(request) if self.sessions is not None else None
        return self._check(request, token)

    def _check(self, request: Request, token: str) -> Identity | None:
        identity = identity_for_token(db.session_proxy, token)
        if identity is not None:
            return identity
        limits = self.limits
        address = request.remote_addr or "unknown"
        if not limits.take_auth_failure(address):
            wait = limits.retry_after(limits.auth_failures, "auth-failure", address)
            raise TooManyRequests("Too many failed sign-ins; try again later.", retry_after=wait)
        return None
