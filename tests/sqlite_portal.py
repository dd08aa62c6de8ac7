"""Apps on a SQLite file of a test's own, for tests of what happens to the file itself."""

from __future__ import annotations

from pathlib import Path

from conftest import BUILT_IN_ONLY
from flask import Flask
from flask_migrate import upgrade

from portal_blocks import create_app
from portal_blocks.db import db
from portal_blocks.demo import load_reference


def portal_on(url: str, **settings: object) -> Flask:
    return create_app(
        {"PORTAL_BLOCKS_DATABASE_URL": url, "TESTING": True, **BUILT_IN_ONLY, **settings}
    )


def loaded_portal(path: Path, **settings: object) -> Flask:
    app = portal_on(f"sqlite:///{path}", **settings)
    with app.app_context():
        upgrade()
        load_reference(db.session)
        db.session.remove()
    return app
