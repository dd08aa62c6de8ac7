"""JSON written on the request path, by orjson.

The standard library's encoder was the largest cost of a response-cache miss after execution
itself (``benchmarks/page.py``: a page's answer took it ~12 µs, orjson ~1 µs). orjson writes the
same compact UTF-8 text; a value it cannot write (an integer past 64 bits, a key that is not a
string) falls back to the standard library, so whatever could be written before still is.

Reading stays with the standard library: orjson reads an integer past 64 bits as a float, which
would turn a bad cursor or an out-of-range id into a different, silently rounded value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson


def dumps(
    value: object, *, sort_keys: bool = False, default: Callable[[Any], Any] | None = None
) -> bytes:
    """``value`` as compact UTF-8 JSON (non-ASCII text written as is, not ``\\u`` escapes)."""
    try:
        return orjson.dumps(value, default=default, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except orjson.JSONEncodeError:
        text = json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys, default=default
        )
        return text.encode()
