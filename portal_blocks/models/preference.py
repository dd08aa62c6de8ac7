"""Per-viewer display preferences (the reader's scope, as opposed to an editor's settings)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal_blocks.db import Model, utcnow


class DisplayPreference(Model):
    """What one anonymous viewer chose, keyed by the random id in their ``pb_viewer`` cookie."""

    __tablename__ = "display_preference"

    viewer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    text_size: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
