"""Block_BanTin_Toolbar: the publish date, the text-size and print actions, title and lead."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import strawberry
from babel.dates import format_datetime
from marshmallow import ValidationError, fields, validate, validates_schema

from portal_blocks.blocks.base import Block, PageView, PlacedBlock
from portal_blocks.blocks.registry import BlockType, settings_type_for
from portal_blocks.blocks.settings import SettingsSchema, StrictBoolean, StrictInteger
from portal_blocks.i18n import format_date, gettext
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


def _valid_date_pattern(pattern: str) -> None:
    try:
        format_datetime(datetime(2021, 11, 10, tzinfo=UTC), pattern, locale="vi")
    except Exception as exc:  # Babel raises several types for a bad CLDR pattern
        raise ValidationError(f"Not a valid CLDR date pattern: {exc}") from None


class ToolbarSettingsSchema(SettingsSchema):
    show_date = StrictBoolean(load_default=True, metadata={"description": "Show the publish date."})
    date_format = fields.String(
        load_default="dd/MM/yyyy",
        validate=[validate.Length(min=1, max=64), _valid_date_pattern],
        metadata={"description": "CLDR date pattern, e.g. 'dd/MM/yyyy' or 'EEEE, dd/MM/yyyy'."},
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
        validate=validate.Range(min=50, max=300),
        metadata={"description": "Body text size a reader starts with, in percent."},
    )
    font_size_min = StrictInteger(
        load_default=80,
        validate=validate.Range(min=50, max=300),
        metadata={"description": "Smallest text size a reader can choose, in percent."},
    )
    font_size_max = StrictInteger(
        load_default=160,
        validate=validate.Range(min=50, max=300),
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


ToolbarSettings = settings_type_for(
    "ToolbarSettings", ToolbarSettingsSchema, "Editor settings of Block_BanTin_Toolbar."
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
    settings: ToolbarSettings  # type: ignore[valid-type]
    published_at: datetime | None
    date_text: str | None = strawberry.field(description="The publish date in the block's format.")
    font_size: FontSizePreference
    actions: list[ToolbarAction] = strawberry.field(resolver=lambda root: root.action_list())
    title: str | None
    lead: str | None
    _action_kinds: strawberry.Private[list[ToolbarActionKind]]

    def action_list(self) -> list[ToolbarAction]:
        """Built (and translated) when asked for, not on every build of the block."""
        return [_action(kind, self._page) for kind in self._action_kinds]


def clamp_text_size(settings: dict[str, Any], requested: int | None) -> int:
    if requested is None:
        return settings["font_size_default"]
    return max(settings["font_size_min"], min(settings["font_size_max"], requested))


def page_text_size(page: PageView) -> int | None:
    """The reader's text size on this page, clamped to the bounds of the page's toolbar.

    ``None`` when the reader chose none or the page has no toolbar to bound it; then the
    theme's own size applies. ViewData renders with it, so a chosen size shows at once.
    """
    requested = page.viewer.get("text_size")
    if requested is None:
        return None
    if "text_size" not in page.memo:
        toolbar = next((p for p in page.placements if p.block_type == NAME), None)
        page.memo["text_size"] = (
            clamp_text_size(BLOCK.validate(toolbar.settings), requested) if toolbar else None
        )
    return page.memo["text_size"]


def _action(kind: ToolbarActionKind, page: PageView) -> ToolbarAction:
    url = print_url(page.path) if kind is ToolbarActionKind.PRINT else None
    return ToolbarAction(kind=kind, label=gettext(ACTION_LABELS[kind], page.locale), url=url)


def build(placement: PlacedBlock, page: PageView, settings: dict[str, Any], typed: Any) -> Block:
    article = page.article
    published_at = article.published_at if article else None
    date_text = None
    if published_at and settings["show_date"]:
        date_text = format_date(
            published_at, settings["date_format"], locale=page.locale, timezone=page.timezone
        )
    return ToolbarBlock(
        id=strawberry.ID(str(placement.id)),
        block_type=NAME,
        region=placement.region,
        position=placement.position,
        settings=typed,
        published_at=published_at,
        date_text=date_text,
        font_size=FontSizePreference(
            current=clamp_text_size(settings, page.viewer.get("text_size")),
            min=settings["font_size_min"],
            max=settings["font_size_max"],
            step=settings["font_size_step"],
            unit="%",
            _locale=page.locale,
        ),
        title=article.title if article and settings["show_title"] else None,
        lead=article.lead if article and settings["show_lead"] else None,
        _placement=placement,
        _page=page,
        _action_kinds=settings["actions"],
    )


BLOCK = BlockType(
    name=NAME,
    description="Publish date, text-size and print actions, title and lead of an article.",
    schema=ToolbarSettingsSchema(),
    settings_type=ToolbarSettings,
    graphql_type=ToolbarBlock,
    template="portal_blocks/blocks/toolbar.html",
    build=build,
    assets_css=("portal_blocks.css",),
    assets_js=("toolbar.js",),
)
