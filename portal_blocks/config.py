"""Settings: defaults, overridden by ``PORTAL_BLOCKS_*`` environment variables, overridden by
the mapping given to :func:`create_app` or set in a host app's config.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

PREFIX = "PORTAL_BLOCKS_"

DEFAULTS: dict[str, Any] = {
    # SQLAlchemy URL; relative SQLite paths live in the app's instance folder.
    "DATABASE_URL": "sqlite:///portal_blocks.db",
    # Language of labels and dates (vi or en).
    "LOCALE": "vi",
    # Timezone in which publish dates are shown.
    "TIMEZONE": "Asia/Ho_Chi_Minh",
    # Serve GraphiQL on GET /graphql from a browser (its assets load from a CDN).
    "GRAPHIQL": True,
    # Where the GraphQL endpoint and static assets are mounted.
    "URL_PREFIX": "",
    # Serve the small demo theme (article pages at their routes) from create_app().
    "THEME": True,
    # Redis URL (e.g. redis://127.0.0.1:6379/0) for the response cache and the persisted
    # queries, shared by every process; empty: process memory and the database.
    "REDIS_URL": "",
    # Serve only documents registered beforehand (``portal-blocks persisted-queries add``).
    "PERSISTED_QUERIES_ONLY": False,
    # Upper bound of Cache-Control max-age, in seconds; blocks' own hints may lower it.
    "CACHE_MAX_AGE": 300,
    # Entries kept in process memory (without Redis), and how long any entry lives, seconds.
    "RESPONSE_CACHE_SIZE": 2048,
    "RESPONSE_CACHE_TTL": 3600,
}


def _parse(raw: str) -> Any:
    """Environment values are JSON where they parse as JSON (true, 5, ...), else strings."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    return {
        PREFIX + key: _parse(environ[PREFIX + key]) if PREFIX + key in environ else default
        for key, default in DEFAULTS.items()
    }
