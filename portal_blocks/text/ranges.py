"""Numbers and dates clients send, held to what our columns can store, before any SQL.

Every id column of ours is an ``INTEGER`` (32 bits on PostgreSQL, see the migrations). An id
beyond that names no row, yet sent to PostgreSQL it is not "no row": the driver raises "integer
out of range" (or "bigint out of range") and the transaction is aborted, so every later
statement of the request fails too. An id that cannot be one of ours is therefore read as no id
at all, and the caller answers as for an unknown one (NOT_FOUND).

Dates are stored in UTC (:class:`portal_blocks.db.UTCDateTime`) and shown in the portal's
timezone. An aware datetime near the ends of Python's range has no UTC form
(``9999-12-31T23:00:00-05:00``), or none in some timezone (``9999-12-31T23:00:00Z`` is in year
10000 in Hanoi): converting it raises ``OverflowError`` in the middle of a write, a lookup or a
page. So dates are held a day inside Python's range, where every offset (less than a day) has
a form.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

#: The largest value an ``INTEGER`` column holds (PostgreSQL; SQLite's are wider).
MAX_ROW_ID = 2**31 - 1

# ASCII digits only ("²".isdigit() is true, int("²") fails), and few enough to compare cheaply.
_DIGITS = re.compile(r"[0-9]{1,10}")


def is_row_id(value: int) -> bool:
    """Whether ``value`` can be the id of one of our rows (ids start at 1)."""
    return 1 <= value <= MAX_ROW_ID


def row_id(raw: object) -> int | None:
    """The id as an int, or None when it cannot be the id of one of our rows: not digits, or
    outside what an ``INTEGER`` id column holds."""
    text = raw if isinstance(raw, str) else str(raw)
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if is_row_id(value) else None


#: The earliest and latest dates we store: a day inside Python's range (see above).
EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


def storable_datetime(value: datetime) -> bool:
    """Whether an aware datetime is one we store: aware, and between :data:`EARLIEST` and
    :data:`LATEST` (comparing aware datetimes computes no datetime, so it cannot overflow)."""
    if value.tzinfo is None or value.utcoffset() is None:
        return False
    return EARLIEST <= value <= LATEST
