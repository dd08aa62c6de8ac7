"""NUL (U+0000): the one character no text column of ours can hold.

PostgreSQL text cannot store it; let through, it reaches the driver as an error in the middle of
a lookup or an edit. Every entry point (GraphQL literals and variables, the importer, lookups
by path or slug) refuses or ignores it up front, with this one message.
"""

from __future__ import annotations

from typing import Any

NUL = "\x00"
NUL_MESSAGE = "Text may not contain the NUL character (U+0000)."


def holds_nul(value: Any) -> bool:
    """Whether a JSON value holds NUL anywhere, keys included (iteratively: nesting depth
    costs no recursion)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def storable_text(text: str) -> bool:
    """Whether a database can hold ``text`` as it is: no NUL (PostgreSQL refuses it) and no lone
    surrogate (no UTF-8 encoder takes one, so the driver fails before the database answers).
    Text such a lookup compares with can match no stored row."""
    return NUL not in text and utf8_encodable(text)


def utf8_encodable(text: str) -> bool:
    """Whether ``text`` holds no lone surrogate (valid in JSON, but no UTF-8 encoder, database
    or hash takes one). ASCII, most of what is asked, is answered without encoding."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
