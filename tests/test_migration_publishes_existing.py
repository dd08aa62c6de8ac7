"""Upgrading a database that had layouts before drafts existed keeps its pages visible."""

from __future__ import annotations

from conftest import OLD_ROWS_TIME, database_at
from flask_migrate import upgrade
from sqlalchemy import text

from portal_blocks.db import db
from portal_blocks.models import Layout, LayoutRevision


def test_existing_layouts_become_revision_one(tmp_path):
    with database_at("30a3bc8da00c", tmp_path / "old.db"):
        db.session.execute(
            text(
                "INSERT INTO placement (id, layout_id, region, position, block_type, settings, "
                "created_at, updated_at, version) VALUES "
                "(5, 1, 'main', 0, 'Block_BanTin_Toolbar', '{\"showDate\": false}', :now, :now, 3)"
            ),
            {"now": OLD_ROWS_TIME},
        )
        db.session.commit()
        upgrade()
        layout = db.session.get(Layout, 1)
        revision = db.session.get(LayoutRevision, layout.published_revision_id)
        assert revision.number == 1 and revision.regions == ["main"]
        assert revision.placements == [
            {
                "id": 5,
                "region": "main",
                "position": 0,
                "blockType": "Block_BanTin_Toolbar",
                "settings": {"showDate": False},
                "version": 3,
            }
        ]
