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
    # "production" turns off GraphiQL and introspection unless they are set explicitly.
    "ENV": "development",
    # SQLAlchemy URL; relative SQLite paths live in the app's instance folder.
    "DATABASE_URL": "sqlite:///portal_blocks.db",
    # Language of labels and dates (vi or en).
    "LOCALE": "vi",
    # Timezone in which publish dates are shown.
    "TIMEZONE": "Asia/Ho_Chi_Minh",
    # Serve GraphiQL on GET /graphql from a browser (its assets load from a CDN).
    # Unset: on in development, off in production.
    "GRAPHIQL": None,
    # Answer introspection queries. Unset: on in development, off in production.
    "INTROSPECTION": None,
    # Per-request limits: query depth, aliases, lexical tokens, and request body size.
    "MAX_DEPTH": 12,
    "MAX_ALIASES": 30,
    "MAX_TOKENS": 5000,
    "MAX_BODY_BYTES": 1_048_576,
    # Rate limits (`limits` notation) and where their counts live. Unset: in REDIS_URL when
    # that is set (shared by every process), else memory:// (per process).
    "RATE_LIMIT_STORAGE": "",
    "RATE_LIMIT_MUTATIONS": "120/minute",
    "RATE_LIMIT_AUTH_FAILURES": "10/minute",
    # PostgreSQL: seconds to wait for a connection, milliseconds a statement may run.
    "DB_CONNECT_TIMEOUT": 3,
    "DB_STATEMENT_TIMEOUT_MS": 5000,
    # Where the GraphQL endpoint and static assets are mounted.
    "URL_PREFIX": "",
    # An article's canonical path on the portal (``Article.url``), a route pattern with <slug>.
    "ARTICLE_PATH": "/tin-tuc/<slug>",
    # Scheme and host in front of the URLs the blocks print (assets, GraphQL, print view), e.g.
    # "https://blocks.example.vn" when fragments are shown on another site; empty: relative URLs.
    "PUBLIC_URL": "",
    # Origins (e.g. "https://portal.example.vn") whose scripts may call the GraphQL and
    # fragment endpoints from a browser; empty: no CORS headers at all.
    "CORS_ORIGINS": [],
    # Serve the small demo theme (article pages at their routes) from create_app().
    "THEME": True,
    # Redis URL (e.g. redis://127.0.0.1:6379/0) for the response cache and the persisted
    # queries, shared by every process; empty: process memory and the database.
    "REDIS_URL": "",
    # With REDIS_URL: each process also keeps what it reads from Redis, dropped by messages on
    # Redis pub/sub (a commit elsewhere reaches it after about a millisecond, not at once).
    "REDIS_NEAR_CACHE": False,
    # Serve only documents registered beforehand (``portal-blocks persisted-queries add``).
    "PERSISTED_QUERIES_ONLY": False,
    # Upper bound of Cache-Control max-age, in seconds; blocks' own hints may lower it.
    "CACHE_MAX_AGE": 300,
    # Entries kept in process memory (without Redis), and how long any entry lives, seconds.
    "RESPONSE_CACHE_SIZE": 2048,
    "RESPONSE_CACHE_TTL": 3600,
    # Paths whose route, published layout and article are kept (0 turns the cache off).
    "PAGE_CACHE_SIZE": 1024,
    # Viewers whose saved display preferences are kept (0 turns the cache off).
    "VIEWER_CACHE_SIZE": 10000,
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


def resolved(config: Mapping[str, Any], key: str) -> Any:
    """A setting's value, with the unset development/production switches resolved."""
    value = config[PREFIX + key]
    if value is None and key in {"GRAPHIQL", "INTROSPECTION"}:
        return config[PREFIX + "ENV"] != "production"
    return value
