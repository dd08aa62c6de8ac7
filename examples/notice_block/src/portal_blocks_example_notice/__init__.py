"""Block_ThongBao ("Thông báo"): a notice box with a title, text, a level and an icon.

A block type from a package of its own: this distribution declares it under the entry-point
group ``portal_blocks.block_types`` (see pyproject.toml), and an app with the package installed
serves it like a built-in type. Nothing in portal-blocks names it.

Its parts are the ones every block type has: a marshmallow settings schema (validation, the
JSON Schema editors get, the typed GraphQL settings), a frozen view built from a placement,
a strawberry type implementing ``Block`` built from that view, and a Jinja template (in
``templates/``, found through ``BlockType.template_package``) rendering the same view.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import strawberry
from marshmallow import fields, validate

from portal_blocks.blocks.registry import BlockType
from portal_blocks.blocks.settings import SettingsSchema, StrictBoolean
from portal_blocks.blocks.view import BlockView, PageFacts, view_fields
from portal_blocks.graphql.block_settings import settings_object, settings_type
from portal_blocks.graphql.blocks import Block, block_fields
from portal_blocks.layout.snapshots import PlacedBlock

NAME = "Block_ThongBao"
PACKAGE = __name__
TITLE_MAX = 120
TEXT_MAX = 2000


@strawberry.enum(name="ThongBaoLevel", description="How much a notice matters to readers.")
class NoticeLevel(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    URGENT = "urgent"


#: What a reader is told the level is, by locale. portal-blocks' catalogs are its own, so a
#: block type from another package brings its labels with it; English for any other locale.
LEVEL_LABELS: dict[str, dict[NoticeLevel, str]] = {
    "vi": {
        NoticeLevel.INFO: "Thông tin",
        NoticeLevel.WARNING: "Lưu ý",
        NoticeLevel.URGENT: "Khẩn",
    },
    "en": {
        NoticeLevel.INFO: "Notice",
        NoticeLevel.WARNING: "Warning",
        NoticeLevel.URGENT: "Urgent",
    },
}
ICONS = {NoticeLevel.INFO: "ℹ", NoticeLevel.WARNING: "⚠", NoticeLevel.URGENT: "❗"}


def level_label(level: NoticeLevel, locale: str) -> str:
    return LEVEL_LABELS.get(locale, LEVEL_LABELS["en"])[level]


class NoticeSettingsSchema(SettingsSchema):
    """Every setting has a default: a new block starts from them (``blockTypes { defaults }``)."""

    title = fields.String(
        load_default="",
        validate=validate.Length(max=TITLE_MAX),
        metadata={"description": "Heading of the notice, plain text; empty: none."},
    )
    text = fields.String(
        load_default="",
        validate=validate.Length(max=TEXT_MAX),
        metadata={"description": "The notice, plain text; a blank line starts a paragraph."},
    )
    level = fields.Enum(
        NoticeLevel,
        by_value=True,
        load_default=NoticeLevel.INFO,
        metadata={"description": "info, warning or urgent: the notice's colour and label."},
    )
    show_icon = StrictBoolean(
        load_default=True, metadata={"description": "Show the level's icon before the label."}
    )


_SCHEMA = NoticeSettingsSchema()
NoticeSettings = settings_type("ThongBaoSettings", _SCHEMA, f"Editor settings of {NAME}.")


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeView(BlockView):
    title: str | None
    paragraphs: tuple[str, ...]
    level: NoticeLevel
    level_label: str
    icon: str | None
    #: The reader's text size within the page's bounds; None for the theme's size.
    text_size: int | None


def paragraphs_of(text: str) -> tuple[str, ...]:
    """Paragraphs split at blank lines, each with its lines joined and trimmed."""
    blocks = [" ".join(line.strip() for line in block.splitlines()) for block in text.split("\n\n")]
    return tuple(block.strip() for block in blocks if block.strip())


def build(placement: PlacedBlock, page: PageFacts, settings: dict[str, Any]) -> NoticeView:
    level: NoticeLevel = settings["level"]
    return NoticeView(
        **view_fields(placement, page, settings),
        title=settings["title"].strip() or None,
        paragraphs=paragraphs_of(settings["text"]),
        level=level,
        level_label=level_label(level, page.locale),
        icon=ICONS[level] if settings["show_icon"] else None,
        text_size=page.text_size,
    )


@strawberry.type(name=NAME, description="A notice box: a title, text and a level.")
class NoticeBlock(Block):
    settings: NoticeSettings  # type: ignore[valid-type]  # a class built at import: a variable
    title: str | None
    paragraphs: list[str] = strawberry.field(description="The text's paragraphs, in order.")
    level: NoticeLevel
    level_label: str = strawberry.field(description="The level as readers are told it.")
    icon: str | None = strawberry.field(description="The level's icon; null when not shown.")

    @classmethod
    def from_view(cls, view: NoticeView) -> NoticeBlock:
        return cls(
            **block_fields(view, settings_object(NoticeSettings, _SCHEMA, view)),
            title=view.title,
            paragraphs=list(view.paragraphs),
            level=view.level,
            level_label=view.level_label,
            icon=view.icon,
        )


#: What the entry point names (pyproject.toml: ``notice = "portal_blocks_example_notice:BLOCK"``).
BLOCK = BlockType(
    name=NAME,
    description="Thông báo: a notice box with a title, text and a level (info, warning, urgent).",
    schema=_SCHEMA,
    graphql_type=NoticeBlock,
    template=f"{PACKAGE}/notice.html",
    template_package=PACKAGE,
    build=build,
    # Notices change when an editor changes them, which invalidates the page: no shorter hint.
    cache_max_age=300,
)
