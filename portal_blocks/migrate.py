"""Running our migrations without Flask-Migrate, so a host's own Flask-Migrate stays its own.

``migrations/env.py`` takes the engine and metadata from our database handle, and keeps its
revision in a version table of its own, so our history never mixes with a host's even when both
share one database.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "portal_blocks_alembic_version"


def alembic_config() -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_database(revision: str = "head") -> None:
    """Upgrade our database to ``revision``; call inside the host's app context."""
    command.upgrade(alembic_config(), revision)
