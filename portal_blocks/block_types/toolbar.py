"""Block_BanTin_Toolbar: the publish date, the text-size and print actions, title and lead.

The date shows its time of day when the editor gives a ``timeFormat`` and the article's time
is known (``ArticleRecord.published_time_known``): a legacy page dated by its day alone shows
that day, never a midnight it was not published at.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import strawberry
from babel.dates import format_datetime
from marshmallow import ValidationError, fields, validate, validates_schema

from portal_blocks.blocks.registry import BlockType
from portal_blocks.blocks.settings import (
    SettingsSchema,
    StrictBoolean,
    StrictInteger,
    valid_date_pattern,
)
from portal_blocks.blocks.view import BlockView, PageFacts, TextSizeBounds, view_fields
from portal_blocks.graphql.block_settings import settings_object, settings_type
from portal_blocks.graphql.blocks import Block, block_fields
from portal_blocks.i18n import format_date, gettext
from portal_blocks.layout.snapshots import PlacedBlock
from portal_blocks.preferences import TEXT_SIZE_MAX, TEXT_SIZE_MIN
from portal_blocks.render.urls import print_url

NAME = "Block_BanTin_Toolbar"


@strawberry.enum(description="An action the toolbar offers a reader.")
class ToolbarActionKind(enum.Enum):
    INCREASE_TEXT_SIZE = "increase_text_size"
    DECREASE_TEXT_SIZE = "decrease_text_size"
    PRINT = "print"


#: The msgid (English) of each action's label in the gettext catalogs.
ACTION_LABELS = {
    ToolbarActionKind.INCREASE_TEXT_SIZE: "Increase text size",
    ToolbarActionKind.DECREASE_TEXT_SIZE: "Decrease text size",
    ToolbarActionKind.PRINT: "Print article",
}


def _valid_time_pattern(pattern: str) -> None:
    if not pattern:
        return  # no time shown
    try:
        format_datetime(datetime(2021, 11, 10, 16, 25, tzinfo=UTC), pattern, locale="vi")
    except Exception as exc:  # Babel raises several types for a bad CLDR pattern
        raise ValidationError(f"Not a valid CLDR time pattern: {exc}") from None


class ToolbarSettingsSchema(SettingsSchema):
    show_date = StrictBoolean(load_default=True, metadata={"description": "Show the publish date."})
    date_format = fields.String(
        load_default="dd/MM/yyyy",
        validate=[validate.Length(min=1, max=64), valid_date_pattern],
        metadata={"description": "CLDR date pattern, e.g. 'dd/MM/yyyy' or 'EEEE, dd/MM/yyyy'."},
    )
    time_format = fields.String(
        load_default="",
        validate=[validate.Length(max=64), _valid_time_pattern],
        metadata={
            "description": "CLDR time pattern shown after the date, e.g. 'HH:mm', when the "
            "article's time of day is known (not for a page dated by its day only); "
            "empty: no time."
        },
    )
    actions = fields.List(
        fields.Enum(ToolbarActionKind, by_value=True),
        load_default=(
            ToolbarActionKind.INCREASE_TEXT_SIZE,
            ToolbarActionKind.DECREASE_TEXT_SIZE,
            ToolbarActionKind.PRINT,
        ),
        validate=validate.Length(max=len(ToolbarActionKind)),
        metadata={"description": "The actions shown, in order."},
    )
    show_title = StrictBoolean(load_default=True, metadata={"description": "Show the title."})
    show_lead = StrictBoolean(load_default=True, metadata={"description": "Show the lead (sapo)."})
    font_size_default = StrictInteger(
        load_default=100,
        validate=validate.Range(min=TEXT_SIZE_MIN, max=TEXT_SIZE_MAX),
        metadata={"description": "Body text size a reader starts with, in percent."},
    )
    font_size_min = StrictInteger(
        load_default=80,
        validate=validate.Range(min=TEXT_SIZE_MIN, max=TEXT_SIZE_MAX),
        metadata={"description": "Smallest text size a reader can choose, in percent."},
    )
    font_size_max = StrictInteger(
        load_default=160,
        validate=validate.Range(min=TEXT_SIZE_MIN, max=TEXT_SIZE_MAX),
        metadata={"description": "Largest text size a reader can choose, in percent."},
    )
    font_size_step = StrictInteger(
        load_default=10,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "How much one press of a text-size button changes, in percent."},
    )

    @validates_schema
    def _bounds_in_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        low, default, high = data["font_size_min"], data["font_size_default"], data["font_size_max"]
        if not low <= default <= high:
            raise ValidationError(
                "Text sizes must satisfy fontSizeMin <= fontSizeDefault <= fontSizeMax.",
                "fontSizeDefault",
            )
        if len(set(data["actions"])) != len(data["actions"]):
            raise ValidationError("Each action may appear once.", "actions")


def text_size_bounds(settings: dict[str, Any]) -> TextSizeBounds:
    """The toolbar's bounds hold for its whole page: the article body is sized within them."""
    return TextSizeBounds(
        min=settings["font_size_min"],
        max=settings["font_size_max"],
        default=settings["font_size_default"],
    )


@dataclass(frozen=True, slots=True)
class ToolbarActionView:
    kind: ToolbarActionKind
    label: str
    url: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolbarView(BlockView):
    published_at: datetime | None
    date_text: str | None
    time_text: str | None
    font_size_current: int
    font_size_min: int
    font_size_max: int
    font_size_step: int
    title: str | None
    lead: str | None
    action_kinds: tuple[ToolbarActionKind, ...]

    def actions(self) -> list[ToolbarActionView]:
        """Built (and translated) when shown, not on every build of the block."""
        return [_action(kind, self.page) for kind in self.action_kinds]


def _action(kind: ToolbarActionKind, page: PageFacts) -> ToolbarActionView:
    url = print_url(page.path) if kind is ToolbarActionKind.PRINT else None
    return ToolbarActionView(kind=kind, label=gettext(ACTION_LABELS[kind], page.locale), url=url)


_SCHEMA = ToolbarSettingsSchema()
ToolbarSettings = settings_type(
    "ToolbarSettings", _SCHEMA, "Editor settings of Block_BanTin_Toolbar."
)


@strawberry.type(description="The reader's text size and the bounds the editor set for it.")
class FontSizePreference:
    current: int
    min: int
    max: int
    step: int
    unit: str = strawberry.field(description="Unit of the sizes; relative to the theme's size.")
    _locale: strawberry.Private[str]

    # Labels and actions are translated when asked for, not on every build of the block.
    @strawberry.field
    def increase_label(self) -> str:
        return gettext(ACTION_LABELS[ToolbarActionKind.INCREASE_TEXT_SIZE], self._locale)

    @strawberry.field
    def decrease_label(self) -> str:
        return gettext(ACTION_LABELS[ToolbarActionKind.DECREASE_TEXT_SIZE], self._locale)


@strawberry.type(description="An action button or link of the toolbar.")
class ToolbarAction:
    kind: ToolbarActionKind
    label: str
    url: str | None = strawberry.field(description="Where the action leads, if it is a link.")


@strawberry.type(name=NAME, description="Article toolbar: date, text size, print, title, lead.")
class ToolbarBlock(Block):
    settings: ToolbarSettings  # type: ignore[valid-type]  # a class built at import: a variable
    published_at: datetime | None
    date_text: str | None = strawberry.field(description="The publish date in the block's format.")
    time_text: str | None = strawberry.field(
        description="The publish time in the block's timeFormat, shown after the date; null "
        "when timeFormat is empty, the date is not shown, or the article's time of day is not "
        "known (a page dated by its day only)."
    )
    font_size: FontSizePreference
    actions: list[ToolbarAction] = strawberry.field(resolver=lambda root: _actions_of(root))
    title: str | None
    lead: str | None

    @classmethod
    def from_view(cls, view: ToolbarView) -> ToolbarBlock:
        return cls(
            **block_fields(view, settings_object(ToolbarSettings, _SCHEMA, view)),
            published_at=view.published_at,
            date_text=view.date_text,
            time_text=view.time_text,
            font_size=FontSizePreference(
                current=view.font_size_current,
                min=view.font_size_min,
                max=view.font_size_max,
                step=view.font_size_step,
                unit="%",
                _locale=view.page.locale,
            ),
            title=view.title,
            lead=view.lead,
        )


def _actions_of(block: ToolbarBlock) -> list[ToolbarAction]:
    view = block._view
    assert isinstance(view, ToolbarView)
    return [ToolbarAction(kind=a.kind, label=a.label, url=a.url) for a in view.actions()]


def build(placement: PlacedBlock, page: PageFacts, settings: dict[str, Any]) -> ToolbarView:
    article = page.article
    published_at = article.published_at if article else None
    date_text = time_text = None
    if published_at and settings["show_date"]:
        date_text = format_date(
            published_at, settings["date_format"], locale=page.locale, timezone=page.timezone
        )
        if settings["time_format"] and article is not None and article.published_time_known:
            time_text = format_date(
                published_at, settings["time_format"], locale=page.locale, timezone=page.timezone
            )
    return ToolbarView(
        **view_fields(placement, page, settings),
        published_at=published_at,
        date_text=date_text,
        time_text=time_text,
        font_size_current=text_size_bounds(settings).clamp(page.requested_text_size),
        font_size_min=settings["font_size_min"],
        font_size_max=settings["font_size_max"],
        font_size_step=settings["font_size_step"],
        title=article.title if article and settings["show_title"] else None,
        lead=article.lead if article and settings["show_lead"] else None,
        action_kinds=tuple(settings["actions"]),
    )


BLOCK = BlockType(
    name=NAME,
    description="Công cụ bản tin: the publish date, text-size and print actions, title and lead.",
    schema=_SCHEMA,
    graphql_type=ToolbarBlock,
    template="portal_blocks/blocks/toolbar.html",
    build=build,
    assets_css=("portal_blocks.css",),
    assets_js=("toolbar.js",),
    text_size_bounds=text_size_bounds,
)
