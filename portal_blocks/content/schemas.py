"""The article's marshmallow schema: what an article may hold, for every way one comes in."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate

from portal_blocks.db import nfc
from portal_blocks.models import ArticleStatus
from portal_blocks.text.html import sanitize_html
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
            validate.Regexp(
                r"^(?:https?://|/)[^\s\"'<>]*$",
                error="Must be an http(s) URL or a path starting with '/'.",
            ),
        ],
    )
    image_caption = fields.String(load_default=None, allow_none=True)
    image_alt = fields.String(load_default=None, allow_none=True)
    author = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    source = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    category = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    published_at = fields.AwareDateTime(load_default=None, allow_none=True)
    status = fields.Enum(ArticleStatus, by_value=True, load_default=ArticleStatus.DRAFT)
    legacy_path = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=1000), _literal_path],
    )

    @pre_load
    def _normalise(self, data: Any, **_kwargs: Any) -> Any:
        """NFC (and a trimmed title) before validation, so checks see the stored form."""
        if isinstance(data, dict):
            data = {
                k: nfc(v) if k in _TEXT_FIELDS and isinstance(v, str) else v
                for k, v in data.items()
            }
            if isinstance(data.get("title"), str):
                data["title"] = data["title"].strip()  # a blank title is then a Length error
        return data

    @post_load
    def _sanitise(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if "body_html" in data:
            data["body_html"] = sanitize_html(data["body_html"])
        return data
