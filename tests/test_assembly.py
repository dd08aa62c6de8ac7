"""The seams page assembly stands on: explicit registration, plain views rendered with no SQL,
page-level facts worked out once, one field path for a problem, one typed app state."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
from conftest import REFERENCE_SLUG, count_statements, publish_draft
from flask import Flask

from portal_blocks import PortalBlocks
from portal_blocks.assembly.page import PageRequest, load_page
from portal_blocks.block_types import BUILTIN, toolbar, viewdata
from portal_blocks.blocks.registry import BlockRegistry
from portal_blocks.content.source import SqlAlchemyArticleSource
from portal_blocks.db import db
from portal_blocks.models import Placement
from portal_blocks.render.blocks import render_region
from portal_blocks.state import get_state

PATH = f"/tin-tuc/{REFERENCE_SLUG}"


def page_request(**viewer) -> PageRequest:
    session = db.session
    return PageRequest(
        session=session,
        source=SqlAlchemyArticleSource(session),
        locale="vi",
        timezone="Asia/Ho_Chi_Minh",
        viewer=viewer,
    )


def test_importing_block_modules_registers_nothing():
    code = (
        "import portal_blocks.blocks, portal_blocks.block_types\n"
        "from portal_blocks.blocks.registry import registry\n"
        "print(sorted(t.name for t in registry))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_app_registers_the_built_in_block_types_at_creation():
    # Served whatever PORTAL_BLOCKS_BLOCK_TYPES names (here: nothing installed beside them).
    code = (
        "from portal_blocks import create_app\n"
        "from portal_blocks.blocks.registry import registry\n"
        "create_app({'PORTAL_BLOCKS_DATABASE_URL': 'sqlite://',\n"
        "            'PORTAL_BLOCKS_BLOCK_TYPES': ['Block_BanTin_Toolbar']})\n"
        "print(sorted(t.name for t in registry))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(sorted(t.name for t in BUILTIN))


def test_a_different_definition_under_a_taken_name_is_refused():
    registry = BlockRegistry()
    registry.add(toolbar.BLOCK)
    registry.add(toolbar.BLOCK)  # the same definition again: nothing changes
    with pytest.raises(ValueError, match="already registered"):
        registry.add(dataclasses.replace(toolbar.BLOCK, description="another"))


def test_templates_render_the_assembled_view_with_no_sql(app):
    for placement in db.session.query(Placement).filter_by(block_type=viewdata.NAME):
        placement.settings = {**placement.settings, "showRelated": True}
    db.session.commit()
    publish_draft()
    page = load_page(page_request(), PATH)
    assert page is not None
    with count_statements() as rendering:
        html = "".join(render_region(region) for region in page.regions)
    assert rendering == []
    assert "Hương Dịu" in html and "10/11/2021" in html


def test_the_readers_text_size_is_worked_out_once_within_the_toolbars_bounds(app):
    page = load_page(page_request(text_size=500), PATH)
    assert page is not None
    views = {b.block_type: b for b in page.blocks()}
    assert page.facts.text_size == 160  # the toolbar's fontSizeMax
    assert views[viewdata.NAME].text_size == 160
    assert views[toolbar.NAME].font_size_current == 160


def test_without_a_toolbar_nothing_bounds_the_text_size(app):
    db.session.query(Placement).filter_by(block_type=toolbar.NAME).delete()
    db.session.commit()
    publish_draft()
    page = load_page(page_request(text_size=120), PATH)
    assert page is not None
    assert page.facts.text_size is None
    assert [b.block_type for b in page.blocks()] == [viewdata.NAME]


VALIDATE = """query($t: String!, $s: JSON!) {
  validateBlockSettings(blockType: $t, settings: $s) { errors { field code } } }"""
CONFIGURE = """mutation($id: ID!, $version: Int!, $settings: JSON!) {
  configureBlock(id: $id, version: $version, settings: $settings) { errors { field code } } }"""
DRAFT = """{ draftLayout(name: "news-detail") { placements { id blockType version } } }"""


@pytest.mark.parametrize(
    "settings",
    [
        [1, 2],
        "big",
        {"fontSizeMin": 200, "fontSizeDefault": 100},
        {"fontSizeMax": 999},
        {"dateFormat": "dd/MM/qqqqqqq"},
        {"colour": "red"},
        {"actions": ["print", "print"]},
    ],
)
def test_validation_and_configuring_report_a_problem_at_the_same_path(graphql, as_editor, settings):
    checked = graphql(VALIDATE, {"t": toolbar.NAME, "s": settings})
    placements = as_editor(DRAFT)["data"]["draftLayout"]["placements"]
    target = next(p for p in placements if p["blockType"] == toolbar.NAME)
    configured = as_editor(
        CONFIGURE, {"id": target["id"], "version": target["version"], "settings": settings}
    )
    expected = checked["data"]["validateBlockSettings"]["errors"]
    assert expected
    assert configured["data"]["configureBlock"]["errors"] == expected


def test_the_app_state_is_typed_and_missing_state_is_named():
    with pytest.raises(RuntimeError, match="PortalBlocks"):
        get_state(Flask("bare"))


def test_init_app_returns_the_extension(tmp_path):
    host = Flask("host")
    host.config["PORTAL_BLOCKS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'blocks.db'}"
    blocks = PortalBlocks().init_app(host)
    assert isinstance(blocks, PortalBlocks)
    assert get_state(host).schema is not None
