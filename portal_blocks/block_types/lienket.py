"""Block_LienKet_Website ("Liên kết website"): links to other agencies' portals.

Editors list the links (a label and an absolute http(s) address each); readers get them as a
list, or as a drop-down with a "Go" button for a long list. The drop-down needs the static
``lienket.js`` (pages allow no inline script); without JavaScript the plain list is shown in a
``<noscript>``, so every link can still be followed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, NamedTuple

import strawberry
from marshmallow import fields, pre_load, validate

from portal_blocks.blocks.registry import BlockType
from portal_blocks.blocks.settings import SettingsSchema, StrictBoolean
from portal_blocks.blocks.view import BlockView, PageFacts, view_fields
from portal_blocks.graphql.block_settings import settings_object, settings_type
from portal_blocks.graphql.blocks import Block, block_fields
from portal_blocks.i18n import gettext
from portal_blocks.layout.snapshots import PlacedBlock

NAME = "Block_LienKet_Website"
TITLE_MAX = 120
LABEL_MAX = 200
URL_MAX = 1000
LINKS_MAX = 50
#: The msgid of the heading shown when the editor leaves the title empty.
DEFAULT_TITLE = "Website links"
#: What the published JSON Schema checks of an address: the server's URL validator decides,
#: this only lets an editor UI refuse what it would refuse (another scheme, no host, spaces).
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+([/?#]\S*)?$"


@strawberry.enum(name="LinkDisplay", description="How a links block shows its links.")
class LinkDisplay(enum.Enum):
    LIST = "list"
    SELECT = "select"


class LinkSchema(SettingsSchema):
    """A link to another portal: the text readers see and the address it opens."""

    label = fields.String(
        required=True,
        # Trimmed before this check (see _trimmed_label): a blank label is too short.
        validate=validate.Length(min=1, max=LABEL_MAX),
        # What the JSON Schema checks instead of the trimming: some text that is not a space.
        metadata={"description": "The link's text, e.g. the agency's name.", "pattern": r"\S"},
    )
    url = fields.String(
        required=True,
        # Only http(s) with a host: the address lands in an href, so no javascript:, and no
        # relative address, which would point into this portal instead of another one.
        validate=[
            validate.Length(max=URL_MAX),
            validate.URL(schemes={"http", "https"}, require_tld=False),
        ],
        metadata={
            "description": "The absolute http:// or https:// address the link opens.",
            "format": "uri",
            "pattern": URL_PATTERN,
        },
    )

    @pre_load
    def _trimmed_label(self, data: Any, **_kwargs: Any) -> Any:
        """Stored trimmed, as article titles are: readers never see the spaces, and a label of
        spaces alone is refused as empty."""
        if isinstance(data, dict) and isinstance(data.get("label"), str):
            return {**data, "label": data["label"].strip()}
        return data


class LienKetSettingsSchema(SettingsSchema):
    """Every setting has a default: a new block starts from them (``blockTypes { defaults }``)."""

    title = fields.String(
        load_default="",
        validate=validate.Length(max=TITLE_MAX),
        metadata={"description": 'The heading, plain text; empty: "Liên kết website".'},
    )
    links = fields.List(
        fields.Nested(LinkSchema),
        load_default=(),
        validate=validate.Length(max=LINKS_MAX),
        metadata={"description": "The links, in the order readers see them."},
    )
    display = fields.Enum(
        LinkDisplay,
        by_value=True,
        load_default=LinkDisplay.LIST,
        metadata={"description": "list: every link shown; select: a drop-down and a Go button."},
    )
    open_in_new_window = StrictBoolean(
        load_default=False,
        metadata={"description": "Open the links of the list in a new window (tab)."},
    )


_SCHEMA = LienKetSettingsSchema()
LienKetSettings = settings_type("LienKetWebsiteSettings", _SCHEMA, f"Editor settings of {NAME}.")


class WebsiteLinkView(NamedTuple):
    label: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LienKetView(BlockView):
    #: The heading shown: the editor's title, else the localized default.
    title: str
    links: tuple[WebsiteLinkView, ...]
    display: LinkDisplay
    open_in_new_window: bool


def build(placement: PlacedBlock, page: PageFacts, settings: dict[str, Any]) -> LienKetView:
    return LienKetView(
        **view_fields(placement, page, settings),
        title=settings["title"].strip() or gettext(DEFAULT_TITLE, page.locale),
        links=tuple(
            WebsiteLinkView(label=link["label"], url=link["url"]) for link in settings["links"]
        ),
        display=settings["display"],
        open_in_new_window=settings["open_in_new_window"],
    )


@strawberry.type(description="A link to another website.")
class WebsiteLink:
    label: str
    url: str = strawberry.field(description="An absolute http:// or https:// address.")


@strawberry.type(name=NAME, description="Links to other agencies' websites.")
class LienKetBlock(Block):
    settings: LienKetSettings  # type: ignore[valid-type]  # a class built at import: a variable
    title: str = strawberry.field(description="The heading shown, in the page's language.")
    display: LinkDisplay
    links: list[WebsiteLink]

    @classmethod
    def from_view(cls, view: LienKetView) -> LienKetBlock:
        return cls(
            **block_fields(view, settings_object(LienKetSettings, _SCHEMA, view)),
            title=view.title,
            display=view.display,
            links=[WebsiteLink(label=link.label, url=link.url) for link in view.links],
        )


BLOCK = BlockType(
    name=NAME,
    description="Liên kết website: links to other agencies' websites, as a list or a drop-down.",
    schema=_SCHEMA,
    graphql_type=LienKetBlock,
    template="portal_blocks/blocks/lienket.html",
    build=build,
    assets_css=("portal_blocks.css",),
    assets_js=("lienket.js",),
    # The links change only when an editor changes them, which invalidates the page.
    cache_max_age=300,
)
