"""Editor sessions of the workspace: a token pasted once becomes a session for a while.

A session id is 32 random bytes; the table keeps its SHA-256 (as for tokens, a fast hash is
enough for a 256-bit secret). Each lookup joins the token, so revoking a token ends its
sessions at once; ending a session (signing out) revokes its row. Nothing here knows of
cookies or requests: :mod:`portal_blocks.web.editor_session` carries the id in a signed cookie.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.auth.models import ApiToken, EditorSession
from portal_blocks.auth.tokens import Identity, hash_token
from portal_blocks.db import utcnow

#: The cookie that carries a session (signed); a request holding it is someone's, never shared.
SESSION_COOKIE = "pb_editor"


def says_who(environ: Mapping[str, Any]) -> bool:
    """Whether a request names who is asking (a bearer token, the workspace's session): what
    it is answered is that person's, so no shared cache reads or keeps it. Read from the WSGI
    environ, with no parsing: it runs on every cache hit."""
    return "HTTP_AUTHORIZATION" in environ or SESSION_COOKIE + "=" in environ.get("HTTP_COOKIE", "")


#: How long a session lasts after signing in.
SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class SignedIn:
    """Who a live session is, and the CSRF token its workspace requests carry."""

    identity: Identity
    csrf_token: str


def start_session(session: Session, token: str) -> tuple[str, SignedIn] | None:
    """A new session for a valid, unrevoked editor token: (session id, who); None otherwise."""
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None:
        return None
    identity = Identity(name=row.name, role=row.role)
    if not identity.can_edit:
        return None
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        EditorSession(
            session_hash=hash_token(session_id),
            token_id=row.id,
            csrf_token=csrf,
            expires_at=utcnow() + SESSION_LIFETIME,
        )
    )
    session.flush()
    return session_id, SignedIn(identity, csrf)


def signed_in(session: Session, session_id: str) -> SignedIn | None:
    """Who the session is, while it and its token live; one statement."""
    row = session.execute(
        select(ApiToken.name, ApiToken.role, EditorSession.csrf_token)
        .join(ApiToken, ApiToken.id == EditorSession.token_id)
        .where(
            EditorSession.session_hash == hash_token(session_id),
            EditorSession.revoked_at.is_(None),
            EditorSession.expires_at > utcnow(),
            ApiToken.revoked_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    return SignedIn(Identity(name=row.name, role=row.role), row.csrf_token)


def end_session(session: Session, session_id: str) -> None:
    row = session.scalar(
        select(EditorSession).where(EditorSession.session_hash == hash_token(session_id))
    )
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
