"""A CMS's article, mapped to ours and made to hold what our own articles hold.

Text is NFC-normalised, the body sanitised with the same nh3 policy as our articles, dates
parsed with their timezone (a date without one is the CMS's error, unless the CMS is known to
give UTC without saying so). A field the CMS does not have stays empty; a value of the wrong
type is an :class:`~portal_blocks.content.remote.client.UpstreamError`, never a 500.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from portal_blocks.config import SOURCE_FIELD_NAMES
from portal_blocks.content.records import ArticleRecord
from portal_blocks.content.remote.client import UpstreamError
from portal_blocks.text.html import sanitize_html

#: Our article fields a CMS's fields map to (PORTAL_BLOCKS_SOURCE_FIELDS' keys).
FIELDS = SOURCE_FIELD_NAMES


@dataclass(frozen=True)
class FieldMap:
    """Our field -> the CMS's field name (a dotted path for nested values, ``image.url``);
    a field mapped to "" is one the CMS does not have."""

    names: Mapping[str, str]
    #: Whether dates without a timezone are UTC (WPGraphQL's ``dateGmt``).
    naive_dates_are_utc: bool = False

    def selected(self) -> list[str]:
        """The CMS fields to ask for, as GraphQL selections (a dotted path as nested ones)."""
        tree: dict[str, Any] = {}
        for name in self.names.values():
            node = tree
            for part in name.split(".") if name else ():
                node = node.setdefault(part, {})
        return [_selection(key, sub) for key, sub in tree.items()]


def _selection(key: str, sub: dict[str, Any]) -> str:
    if not sub:
        return key
    return f"{key} {{ {' '.join(_selection(k, v) for k, v in sub.items())} }}"


def _value(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path; through a list (``categories.nodes``), its first item."""
    node: Any = data
    for key in path.split("."):
        if isinstance(node, list):
            node = node[0] if node else None
        if node is None:
            return None
        if not isinstance(node, Mapping):
            raise UpstreamError(f"'{path}' is not an object in the CMS's answer")
        node = node.get(key)
    return node


def _text(data: Mapping[str, Any], fields: FieldMap, ours: str) -> str | None:
    name = fields.names.get(ours, "")
    if not name:
        return None
    value = _value(data, name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise UpstreamError(f"the CMS's '{name}' ({ours}) is not text: {type(value).__name__}")
    # Wagtail gives "" for a blank field: nothing, as a field the CMS lacks.
    return unicodedata.normalize("NFC", value) if value else None


def _date(data: Mapping[str, Any], fields: FieldMap) -> datetime | None:
    raw = _text(data, fields, "publishedAt")
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise UpstreamError(f"the CMS's publish date {raw!r} is not ISO 8601") from None
    if when.tzinfo is None:
        if not fields.naive_dates_are_utc:
            raise UpstreamError(f"the CMS's publish date {raw!r} has no timezone")
        when = when.replace(tzinfo=UTC)
    return when


def record_from(data: Mapping[str, Any], fields: FieldMap) -> ArticleRecord:
    """Our record of one article of the CMS's answer (which holds ``id`` and ``slug``)."""
    if not isinstance(data, Mapping):
        raise UpstreamError("an article in the CMS's answer is not an object")
    article_id, slug = data.get("id"), data.get("slug")
    if not isinstance(article_id, str | int) or isinstance(article_id, bool):
        raise UpstreamError("an article in the CMS's answer has no id")
    if not isinstance(slug, str) or not slug:
        raise UpstreamError("an article in the CMS's answer has no slug")
    return ArticleRecord(
        id=str(article_id),
        slug=unicodedata.normalize("NFC", slug),
        title=_text(data, fields, "title") or "",
        lead=_text(data, fields, "lead") or "",
        body_html=sanitize_html(_text(data, fields, "bodyHtml") or ""),
        published_at=_date(data, fields),
        status="published",
        image_url=_text(data, fields, "imageUrl"),
        image_caption=_text(data, fields, "imageCaption"),
        image_alt=_text(data, fields, "imageAlt"),
        author=_text(data, fields, "author"),
        source=_text(data, fields, "source"),
        category=_text(data, fields, "category"),
    )
