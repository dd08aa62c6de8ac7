"""Registered GraphQL documents, by the sha256 of their text (persisted queries)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal_blocks.db import Model, utcnow


class PersistedQuery(Model):
    """Content-addressed, so a row never changes: any process may keep it in memory forever."""

    __tablename__ = "persisted_query"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
