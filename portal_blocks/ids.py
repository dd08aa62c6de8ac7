"""Reading the numeric ids that GraphQL and URLs carry as strings."""

from __future__ import annotations

import re

# ASCII digits only ("²".isdigit() is true, int("²") fails), and short enough for a BIGINT.
_NUMERIC_ID = re.compile(r"[0-9]{1,18}")


def numeric_id(raw: object) -> int | None:
    """The id as an int, or None when it cannot be one of ours (so: not found)."""
    text = str(raw)
    return int(text) if _NUMERIC_ID.fullmatch(text) else None
