"""The standalone app: the extension plus the demo theme, configured from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_migrate import Migrate

from portal_blocks.config import PREFIX, settings_from_env
from portal_blocks.db import db
from portal_blocks.extension import PortalBlocks
from portal_blocks.migrate import MIGRATIONS_DIR
from portal_blocks.web.theme import theme


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Keys of ``config`` are the same as the environment variables (``PORTAL_BLOCKS_*``)."""
    app = Flask("portal_blocks", instance_relative_config=True)
    app.config.update(settings_from_env())
    app.config.update(config or {})
    PortalBlocks(app)
    # The standalone app owns its CLI, so it gets Flask-Migrate's full `db` group; a host app
    # keeps its own Flask-Migrate and upgrades ours with `flask blocks upgrade`.
    Migrate(app, db, directory=str(MIGRATIONS_DIR))
    if app.config[PREFIX + "THEME"]:
        app.register_blueprint(theme)
    return app
