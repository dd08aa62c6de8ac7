"""The rules that an edit is applied whole or not at all, and never over a newer one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal_blocks.problems import refuse

T = TypeVar("T")


def check_version(field: str, seen: int, current: int) -> None:
    """Optimistic concurrency: the editor's edit was based on ``seen``; refuse if it moved on."""
    if seen != current:
        raise refuse(
            field,
            "CONFLICT",
            f"Changed by someone else since you loaded it (you had version {seen}, "
            f"it is now {current}). Reload and apply your edit again.",
        )


@contextmanager
def _atomic(session: Session) -> Iterator[None]:
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def apply_edit(session: Session, edit: Callable[[], T]) -> T:
    """Run ``edit`` in one transaction: committed if it returns, rolled back if it raises.

    A lost race that the database detects (a version-checked UPDATE matching no row, or a
    unique key taken in the meantime) becomes a CONFLICT refusal instead of an error.
    """
    try:
        with _atomic(session):
            return edit()
    except StaleDataError:
        raise refuse(
            "version", "CONFLICT", "Changed by someone else meanwhile. Reload and try again."
        ) from None
    except IntegrityError:
        raise refuse(
            "input", "CONFLICT", "Conflicts with a change made meanwhile. Reload and try again."
        ) from None
