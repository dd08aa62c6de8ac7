"""A portal whose articles come from a CMS's GraphQL API: its own database holds the article
layout and routes only. Shared by the tests of each remote source."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from portal_blocks import create_app
from portal_blocks.db import db
from portal_blocks.demo import ARTICLE_LAYOUT, DemoLayout, ensure_demo_layout
from portal_blocks.migrate import upgrade_database
from portal_blocks.state import get_state


def portal_reading(
    source: str,
    url: str,
    database: Path,
    layout: DemoLayout = ARTICLE_LAYOUT,
    **settings: object,
) -> Flask:
    """``source`` (wagtail, portal-blocks, ...) at ``url``, its article pages laid out by
    ``layout`` (with "Tin khác" by default); ``settings`` add to or override."""
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{database}",
            "PORTAL_BLOCKS_SOURCE": source,
            "PORTAL_BLOCKS_SOURCE_URL": url,
            "PORTAL_BLOCKS_SOURCE_READ_TIMEOUT": 1.0,
            "PORTAL_BLOCKS_BLOCK_TYPES": ["Block_BanTin_Toolbar"],
            "TESTING": True,
            **settings,
        }
    )
    with app.app_context():
        upgrade_database()
        ensure_demo_layout(db.session, layout)
        db.session.commit()
        db.session.remove()
    return app


def requests_to_cms(app: Flask) -> int:
    """What the app's remote source has sent so far (retries included)."""
    with app.app_context():
        return int(get_state(app).source_factory(db.session).client.requests)
