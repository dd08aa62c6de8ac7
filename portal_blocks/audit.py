"""The audit trail: every change, who made it, when, and the state before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.models import AuditEntry


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: tuple[str, Any],
    subject: tuple[str, Any] | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """``entity`` is what changed; ``subject`` the layout or article whose history it is part of
    (the entity itself unless given), e.g. a placement's subject is its layout."""
    subject = subject or entity
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity_type=entity[0],
        entity_id=str(entity[1]),
        subject_type=subject[0],
        subject_id=str(subject[1]),
        before=before,
        after=after,
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
