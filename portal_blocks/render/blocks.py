"""Render blocks and regions through their Jinja templates (overridable by a host's own)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from flask import render_template

from portal_blocks.blocks import Block, registry
from portal_blocks.i18n import label

if TYPE_CHECKING:
    from portal_blocks.graphql.page import RegionType


def render_block(block: Block) -> str:
    page = block._page
    return render_template(
        registry.get(block.block_type).template,
        block=block,
        page=page,
        t=partial(label, locale=page.locale),
    )


def render_region(region: RegionType) -> str:
    return render_template("portal_blocks/region.html", region=region, render_block=render_block)
