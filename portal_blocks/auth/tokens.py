"""Issuing, checking and revoking API tokens.

A token is 32 random bytes, shown once; the table keeps its SHA-256. A fast hash is enough
here: the secret has 256 bits of entropy, so nothing is gained from a slow password hash, and
the lookup stays one indexed equality per request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.auth.models import ApiToken, Role
from portal_blocks.db import utcnow

TOKEN_PREFIX = "pbt_"


@dataclass(frozen=True)
class Identity:
    """Who is making a request, as a token or a host CMS vouches for it."""

    name: str
    role: Role

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.EDITOR, Role.ADMIN)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, *, name: str, role: Role) -> tuple[ApiToken, str]:
    """Returns the stored row and the token itself, which is not kept anywhere."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, role=role, token_hash=hash_token(token))
    session.add(row)
    session.flush()
    return row, token


def identity_for_token(session: Session, token: str) -> Identity | None:
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    return Identity(name=row.name, role=row.role) if row else None


def revoke_token(session: Session, token_id: int) -> ApiToken | None:
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return row
