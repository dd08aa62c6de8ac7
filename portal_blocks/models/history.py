"""What was published, and who changed what: layout revisions and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from portal_blocks.db import Model, NFCString, utcnow

#: Snapshots and audit payloads are written once and never edited in place, so plain JSON.
_FROZEN_JSON = JSON().with_variant(JSONB(), "postgresql")


class LayoutRevision(Model):
    """A published state of a layout: its regions and placements, frozen as JSON.

    Readers are served from the revision a layout points to, so the draft placement rows can
    change freely without readers seeing half-finished edits.
    """

    __tablename__ = "layout_revision"
    __table_args__ = (UniqueConstraint("layout_id", "number", name="uq_layout_revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    layout_id: Mapped[int] = mapped_column(ForeignKey("layout.id", ondelete="CASCADE"))
    number: Mapped[int]
    regions: Mapped[list[str]] = mapped_column(_FROZEN_JSON)
    placements: Mapped[list[dict[str, Any]]] = mapped_column(_FROZEN_JSON)
    published_by: Mapped[str] = mapped_column(NFCString(200))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    reverted_from: Mapped[int | None] = mapped_column(
        default=None, doc="Number of the revision this one restored, if it is a revert."
    )


class AuditEntry(Model):
    """One change: who, when, to what (entity and the layout or article it belongs to), how."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(NFCString(200))
    action: Mapped[str] = mapped_column(String(50))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100))
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[Any | None] = mapped_column(_FROZEN_JSON, default=None)
    after: Mapped[Any | None] = mapped_column(_FROZEN_JSON, default=None)
