"""API tokens: only a hash of each token is stored, so a leaked table grants nothing."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal_blocks.db import Model, NFCString, utcnow


class Role(enum.StrEnum):
    EDITOR = "editor"
    ADMIN = "admin"


class ApiToken(Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(NFCString(200))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class EditorSession(Model):
    """A signed-in editor of the workspace: the token they pasted once, for a while.

    The cookie holds a random id (signed); the table keeps its SHA-256, as for tokens, and the
    CSRF token the workspace's requests must carry. Signing out revokes the row, and a revoked
    token ends every session made from it at once (the lookup joins the token).
    """

    __tablename__ = "editor_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
