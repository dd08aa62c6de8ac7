"""The article's marshmallow schema: what an article may hold, for every way one comes in."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from portal_blocks.content.records import CATEGORY_SEPARATOR, join_category_path
from portal_blocks.db import nfc
from portal_blocks.models import ArticleStatus
from portal_blocks.text.hosts import named_host
from portal_blocks.text.html import sanitize_html
from portal_blocks.text.ranges import EARLIEST, LATEST
from portal_blocks.text.slug import SLUG_MAX_LENGTH, SLUG_PATTERN, is_literal_path

_TEXT_FIELDS = (
    "title",
    "lead",
    "body_html",
    "image_caption",
    "image_alt",
    "author",
    "source",
    "category",
)

LITERAL_PATH_MESSAGE = (
    "Must be one literal path starting with '/' (not '/' itself): a route pattern "
    "such as /tin-tuc/<slug> would take over the addresses it matches."
)


#: An http(s) URL, or a path on this site (README, "imageUrl"). ``//host/x`` and ``/\host/x``
#: start with '/' but are no path: a browser reads both as an address on another host (it takes
#: a backslash for a slash), so a path's second character is neither, and no backslash is kept
#: anywhere. ``\Z``, not ``$``: "$" also matches before a final newline.
IMAGE_URL = r"^(?:https?://|/(?![/\\]))[^\s\"'<>\\]*\Z"
IMAGE_URL_MESSAGE = (
    "Must be an http(s) URL or a path starting with a single '/' ('//host/...' names another host)."
)
#: A date a reader's page can show (see :mod:`portal_blocks.text.ranges`). A range check, so its
#: problem is OUT_OF_RANGE.
STORABLE_DATETIME = validate.Range(
    min=EARLIEST,
    max=LATEST,
    error=f"Must be a date and time from {EARLIEST.date()} to {LATEST.date()} (UTC).",
)


#: How deep a category path may go (the legacy portal's addresses nest three levels at most).
MAX_CATEGORY_LEVELS = 10
HOST_MESSAGE = (
    "Must be a host name or an IP address (e.g. sokhdt.example.vn), without a scheme or a path."
)


def _category_segment(value: str) -> None:
    """Segments are joined by '/' when stored, so one holding it would read as two."""
    if CATEGORY_SEPARATOR in value:
        raise ValidationError(f"A category path's segment holds no '{CATEGORY_SEPARATOR}'.")


def _host(value: str) -> None:
    """A host a route can be bound to, as a request's Host is normalised (else the route
    would never answer)."""
    if named_host(value) is None:
        raise ValidationError(HOST_MESSAGE)


def _literal_path(value: str) -> None:
    """A legacy path becomes an exact route, so a pattern would re-route other pages."""
    if not is_literal_path(value):
        raise ValidationError(LITERAL_PATH_MESSAGE)


class ArticleSchema(Schema):
    class Meta:
        unknown = RAISE

    slug = fields.String(
        validate=[
            validate.Length(min=1, max=SLUG_MAX_LENGTH),
            # \Z, not $: "$" also matches before a final newline.
            validate.Regexp(rf"{SLUG_PATTERN}\Z"),
        ]
    )
    title = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    lead = fields.String(load_default="", validate=validate.Length(max=5000))
    body_html = fields.String(load_default="", validate=validate.Length(max=1_000_000))
    image_url = fields.String(
        load_default=None,
        allow_none=True,
        validate=[
            validate.Length(max=1000),
            # No javascript:, data: or other schemes: the URL lands in an <img src>.
            validate.Regexp(IMAGE_URL, error=IMAGE_URL_MESSAGE),
        ],
    )
    image_caption = fields.String(load_default=None, allow_none=True)
    image_alt = fields.String(load_default=None, allow_none=True)
    author = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    source = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    category = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    #: The category and its parents, root first (``category`` is the deepest): no default, so
    #: a record or an edit without it leaves the stored one as it is.
    category_path = fields.List(
        fields.String(validate=[validate.Length(min=1, max=200), _category_segment]),
        allow_none=True,
        validate=validate.Length(max=MAX_CATEGORY_LEVELS),
    )
    published_at = fields.AwareDateTime(
        load_default=None, allow_none=True, validate=STORABLE_DATETIME
    )
    #: Whether ``published_at`` holds the time of day, or only the day (a legacy page dated
    #: dd/MM/yyyy): a time is shown only when it is known.
    published_time_known = fields.Boolean(load_default=True)
    status = fields.Enum(ArticleStatus, by_value=True, load_default=ArticleStatus.DRAFT)
    legacy_path = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=1000), _literal_path],
    )
    #: The host a department sub-site served ``legacy_path`` on: its route is bound to it
    #: (unless it is one of the portal's own). Normalised as routing normalises a Host.
    legacy_host = fields.String(allow_none=True, validate=[validate.Length(max=255), _host])

    @validates_schema
    def _host_with_path(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """A host is where a legacy address was: without one it binds nothing."""
        if data.get("legacy_host") and not data.get("legacy_path"):
            raise ValidationError(
                "Only with a legacy_path: the host it was served on.", "legacy_host"
            )

    @pre_load
    def _normalise(self, data: Any, **_kwargs: Any) -> Any:
        """NFC (and a trimmed title) before validation, so checks see the stored form."""
        if isinstance(data, dict):
            data = {
                k: nfc(v) if k in _TEXT_FIELDS and isinstance(v, str) else v
                for k, v in data.items()
            }
            path = data.get("category_path")
            if isinstance(path, list):
                data["category_path"] = [nfc(s) if isinstance(s, str) else s for s in path]
            if isinstance(data.get("title"), str):
                data["title"] = data["title"].strip()  # a blank title is then a Length error
        return data

    @post_load
    def _sanitise(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if "body_html" in data:
            data["body_html"] = sanitize_html(data["body_html"])
        if "category_path" in data:  # stored as one column (see Article.category_path)
            data["category_path"] = join_category_path(data["category_path"])
        if data.get("legacy_host"):
            data["legacy_host"] = named_host(data["legacy_host"])
        return data
