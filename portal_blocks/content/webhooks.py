"""The content-changed webhook's contract: a signed body naming what changed in the CMS.

A CMS posts ``{"ids": [...], "slugs": [...], "keys": [...]}`` (any of them, and optionally
``"lists": false``; ``keys`` takes WPGraphQL Smart Cache purge keys such as ``post:123`` and
``list:post``) with two headers:
``X-Portal-Blocks-Timestamp`` (Unix seconds) and ``X-Portal-Blocks-Signature``:
``sha256=`` + hex HMAC-SHA256 of ``<timestamp>.`` followed by the raw body, under the shared
secret ``PORTAL_BLOCKS_WEBHOOK_SECRET``. A missing or bad signature, or a timestamp more than
five minutes away from ours, is refused: the body is not even parsed.

What it names becomes cache tags (:mod:`portal_blocks.cache_tags`): every entry that read one
of those articles, or any list (a new or changed article may join a list), is dropped. A body
with ``"lists": false`` says the change moved no article in or out of a list (an edit of what
they show): the lists that do not hold them stay, the searches go. A ``list:`` purge key says
the opposite, and wins.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from portal_blocks.cache_tags import article_change_tags, slug_tag

TIMESTAMP_HEADER = "X-Portal-Blocks-Timestamp"
SIGNATURE_HEADER = "X-Portal-Blocks-Signature"
#: How far a request's timestamp may be from ours: older ones are replays.
MAX_SKEW_SECONDS = 300
#: The most names one call may carry (a CMS publishing a whole section sends several calls).
MAX_NAMES = 1000
_PREFIX = "sha256="


class BadSignature(Exception):
    """The request is not from the CMS holding the secret, or is too old (a replay)."""


class BadBody(ValueError):
    """A signed body that does not follow the contract; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What the CMS sends in :data:`SIGNATURE_HEADER` (``sha256=<hex>``)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return _PREFIX + mac.hexdigest()


def verify(
    secret: str, timestamp: str, given: str, body: bytes, *, now: float | None = None
) -> None:
    """Raise :class:`BadSignature` unless ``body`` is signed with ``secret`` (``given``, the
    :data:`SIGNATURE_HEADER`) at ``timestamp`` (the :data:`TIMESTAMP_HEADER`), and fresh."""
    if not timestamp.isdigit() or not given.startswith(_PREFIX):
        raise BadSignature("missing timestamp or signature")
    expected = signature(secret, timestamp, body)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise BadSignature("signature does not match")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_SKEW_SECONDS:
        raise BadSignature("timestamp too old or in the future")


def _names(body: Mapping[str, Any], key: str) -> list[str]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in value
    ):
        raise BadBody(key, f"'{key}' must be a list of strings.")
    return [str(v) for v in value]


def changed_tags(body: bytes) -> frozenset[str]:
    """The cache tags a verified body names; :class:`BadBody` when it names nothing usable."""
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadBody("body", "The body must be a JSON object.") from None
    if not isinstance(parsed, dict):
        raise BadBody("body", "The body must be a JSON object.")
    unknown = sorted(set(parsed) - {"ids", "slugs", "keys", "lists"})
    if unknown:
        raise BadBody(
            unknown[0], f"Unknown field '{unknown[0]}': ids, slugs, keys and lists are known."
        )
    ids, slugs, keys = (_names(parsed, k) for k in ("ids", "slugs", "keys"))
    lists = parsed.get("lists", True)
    if not isinstance(lists, bool):
        raise BadBody("lists", "'lists' must be true or false.")
    if len(ids) + len(slugs) + len(keys) > MAX_NAMES:
        raise BadBody("body", f"At most {MAX_NAMES} names per call.")
    named = [*ids]
    for key in keys:
        kind, _, value = key.partition(":")
        if kind == "list":
            lists = True  # a list changed: every list goes, whatever else the body says
            continue
        if kind not in ("post", "page", "article") or not value:
            raise BadBody("keys", f"Unknown purge key '{key}': post:<id> or list:<type>.")
        named.append(value)
    if not (ids or slugs or keys):
        raise BadBody("body", "Name what changed: ids, slugs or keys.")
    return article_change_tags(named, lists=lists) | {slug_tag(s) for s in slugs}
