"""Cursors of readers' article lists: the sort key of a row, as opaque text.

Pages are cut by keyset, not offset: a cursor holds the last row's sort key (search rank,
publish date, id), and the next page starts strictly after it. A cursor is client input, so
decoding it holds it to what :meth:`Cursor.encode` gives out.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, literal, tuple_

from portal_blocks.models import Article
from portal_blocks.text.ranges import is_row_id, storable_datetime


class InvalidListing(ValueError):
    """A listing argument a client sent is unusable; ``argument`` names it."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


#: Longer than any cursor :meth:`Cursor.encode` gives out (about 60 characters).
MAX_CURSOR_LENGTH = 200
#: The ranks a cursor may hold: 0 (exact diacritics, or no search) and 1 (folded only).
RANKS = (0, 1)


@dataclass(frozen=True)
class Cursor:
    """The sort key of one row: rank (0 exact, 1 folded; 0 without search), date, id."""

    rank: int
    published_at: datetime
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.rank, self.published_at.isoformat(), self.id])
        return base64.urlsafe_b64encode(raw.encode()).decode()

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """The cursor ``value`` encodes, held to what :meth:`encode` gives out.

        A cursor is client input: its id and date reach SQL, so an id beyond the id column
        (PostgreSQL refuses the comparison and aborts the transaction) or a date with no UTC
        form (the driver's conversion overflows) is refused here, as is a rank no tier has,
        a number that is not an integer, and text too long to be one of ours (so no cursor
        decides how deep the JSON decoder recurses).
        """
        cursor = _decoded(value) if len(value) <= MAX_CURSOR_LENGTH else None
        if cursor is None:
            raise InvalidListing("after", "Not a cursor this list gave out.")
        return cursor


def _decoded(value: str) -> Cursor | None:
    try:
        fields = json.loads(base64.urlsafe_b64decode(value.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        return None
    if not isinstance(fields, list) or len(fields) != 3:
        return None
    rank, published_at, id_ = fields
    if not (_is_int(rank) and _is_int(id_) and isinstance(published_at, str)):
        return None
    try:
        when = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    if rank not in RANKS or not is_row_id(id_) or not storable_datetime(when):
        return None
    return Cursor(rank, when, id_)


def _is_int(value: object) -> bool:
    """JSON integers only: not booleans (an int subclass), not floats such as 1e400."""
    return isinstance(value, int) and not isinstance(value, bool)


def older_than(cursor: Cursor) -> ColumnElement[bool]:
    """Rows after ``cursor`` in newest-first order: the keyset condition of a next page."""
    return keyset_before(
        literal(cursor.published_at, Article.published_at.type), literal(cursor.id)
    )


def keyset_before(
    published_at: ColumnElement[Any], row_id: ColumnElement[Any]
) -> ColumnElement[bool]:
    """Rows after the one at (``published_at``, ``row_id``) in newest-first order, the two
    given as values or as bound parameters (a statement built once and run with others)."""
    return tuple_(Article.published_at, Article.id) < tuple_(published_at, row_id)
