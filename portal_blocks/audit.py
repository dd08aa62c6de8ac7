"""The audit trail: every change, who made it, when, and the state before and after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.models import AuditEntry


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    row: Any,
    subject: Any = None,
    before: Any = None,
    state: Callable[[Any], Any] | None = None,
) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``row`` (an article, layout, placement or route).

    It flushes first, so the entry names the ids and versions just written; ``state(row)`` is
    then the state after the change (None for a removal). ``subject`` is the layout or article
    whose history the change is part of (the row itself unless given): a placement's subject is
    its layout.
    """
    session.flush()
    subject = row if subject is None else subject
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity_type=row.__tablename__,
        entity_id=str(row.id),
        subject_type=subject.__tablename__,
        subject_id=str(subject.id),
        before=before,
        after=state(row) if state is not None else None,
    )
    session.add(entry)
    return entry


def history(session: Session, subject_type: str, subject_id: Any, limit: int) -> list[AuditEntry]:
    """Newest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.subject_type == subject_type, AuditEntry.subject_id == str(subject_id)
            )
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )
