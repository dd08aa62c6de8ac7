"""Settings: defaults, overridden by ``PORTAL_BLOCKS_*`` environment variables, overridden by
the mapping given to :func:`create_app` or set in a host app's config.

Every setting is checked when the app is set up (:func:`check_settings`), so a mistake stops
the start with a message naming the setting, instead of surfacing later as a 500 on some
request (a response cache of size 0), a library's traceback (a rate limit it cannot parse) or
a setting silently ignored (a misspelt name).
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable, Collection, Mapping
from importlib.util import find_spec
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import limits.storage
import redis
from limits import parse_many
from limits.storage import MovingWindowSupport, Storage
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

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
    # Serve GraphiQL on GET /graphql from a browser (its assets are vendored: no CDN).
    # Unset: on in development, off in production.
    "GRAPHIQL": None,
    # Answer introspection queries. Unset: on in development, off in production.
    "INTROSPECTION": None,
    # Per-request limits: query depth, aliases, lexical tokens, and request body size.
    "MAX_DEPTH": 12,
    "MAX_ALIASES": 30,
    "MAX_TOKENS": 5000,
    # What one query may cost: each field's cost (more for those that run SQL, most for search)
    # times the page sizes of the lists it sits in; the reference page query costs 34.
    "MAX_COST": 1000,
    "MAX_BODY_BYTES": 1_048_576,
    # Rate limits (`limits` notation) and where their counts live. Unset: in REDIS_URL when
    # that is set (shared by every process), else memory:// (per process).
    "RATE_LIMIT_STORAGE": "",
    "RATE_LIMIT_MUTATIONS": "120/minute",
    "RATE_LIMIT_AUTH_FAILURES": "10/minute",
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (werkzeug's
    # ProxyFix): the client address rate limits count by is the one they forwarded. 0: none,
    # the connecting address is the client's. Above 0 the whole app's WSGI is wrapped (a host
    # app's too); a host that wraps itself in ProxyFix already is left as it is.
    "TRUSTED_PROXIES": 0,
    # PostgreSQL: seconds to wait for a connection, milliseconds a statement may run.
    "DB_CONNECT_TIMEOUT": 3,
    "DB_STATEMENT_TIMEOUT_MS": 5000,
    # A SQLite file's journal: "wal" (readers never wait for a writer, nor a writer for them;
    # the file must be on a local disk), or a rollback journal for a network share: "delete"
    # (SQLite's own default), "truncate" or "persist".
    "SQLITE_JOURNAL_MODE": "wal",
    # Where the GraphQL endpoint and static assets are mounted.
    "URL_PREFIX": "",
    # An article's canonical path on the portal (``Article.url``), a route pattern with <slug>.
    "ARTICLE_PATH": "/tin-tuc/<slug>",
    # A category page's path (list blocks link their category there), with <category>.
    "CATEGORY_PATH": "/chuyen-muc/<category>",
    # Where articles come from: "database" (our table), or a CMS's GraphQL API: "wagtail"
    # (wagtail-grapple), "wpgraphql", "portal-blocks" (another portal like this one).
    "SOURCE": "database",
    # The CMS's GraphQL endpoint, its article type (a Wagtail page model "app.Model", WPGraphQL's
    # "Post"), a bearer token, and our fields -> its field names (JSON; the preset's otherwise).
    "SOURCE_URL": "",
    "SOURCE_TYPE": "",
    "SOURCE_TOKEN": "",
    "SOURCE_FIELDS": {},
    # Seconds pages reading a CMS may be kept when it announces no changes (no webhook secret).
    "SOURCE_MAX_AGE": 60,
    # Seconds to wait for the CMS: to connect, and for an answer.
    "SOURCE_CONNECT_TIMEOUT": 2.0,
    "SOURCE_READ_TIMEOUT": 5.0,
    # Edge caches (Varnish with xkey) to purge of what each commit changed: their URLs, e.g.
    # "http://10.0.0.5:6081/"; empty: none.
    "EDGE_PURGE_URLS": [],
    # The secret a CMS signs its content-changed webhooks with; empty: no webhook endpoint.
    "WEBHOOK_SECRET": "",
    # Signs the workspace's session cookies; empty: a key made once in the instance folder
    # (one host only: several hosts must share a key).
    "SECRET_KEY": "",
    # What a theme page does at an article's old (legacy) address: "serve" shows the article
    # there; "redirect" answers 301 to its canonical address (PUBLIC_URL + ARTICLE_PATH), the
    # query string dropped. Either way the page names its canonical address in the head.
    "LEGACY_ADDRESSES": "serve",
    # Scheme and host in front of the URLs the blocks print (assets, GraphQL, print view), e.g.
    # "https://blocks.example.vn" when fragments are shown on another site; empty: relative URLs.
    "PUBLIC_URL": "",
    # Origins (e.g. "https://portal.example.vn") whose scripts may call the GraphQL and
    # fragment endpoints from a browser; empty: no CORS headers at all.
    "CORS_ORIGINS": [],
    # Serve the small demo theme (article pages at their routes) from create_app().
    "THEME": True,
    # Answer warm cache hits (GraphQL GETs, fragments, theme pages, their 304s) in a WSGI
    # layer in front of Flask; off: every request goes through Flask.
    "WARM_HITS": True,
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
    # Bytes the process keeps of GraphQL answers, and again of rendered pages and fragments
    # (each), whatever their count: a flood of distinct answers evicts, it does not grow.
    "RESPONSE_CACHE_BYTES": 64 * 2**20,
    # Paths whose route, published layout and article are kept (0 turns the cache off).
    "PAGE_CACHE_SIZE": 1024,
    # Bytes kept of those, and again of the pages' lists.
    "PAGE_CACHE_BYTES": 32 * 2**20,
    # Viewers whose saved display preferences are kept (0 turns the cache off).
    "VIEWER_CACHE_SIZE": 10000,
    # Block types of installed packages (entry points "portal_blocks.block_types") to serve,
    # by block type or entry-point name; empty: every installed one. Built-ins are always served.
    "BLOCK_TYPES": [],
}


def _parse(raw: str) -> Any:
    """Environment values are JSON where they parse as JSON (true, 5, ...), else strings."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


#: See :func:`is_reserved`.
RESERVED_PREFIXES = ("TEST_",)
RESERVED_NAMES = frozenset({"CHROMIUM"})


def is_reserved(name: str) -> bool:
    """``PORTAL_BLOCKS_*`` names (without the prefix) that are not settings of the app but the
    test suite's (its databases, its Redis, its browser): never read into a config, never
    refused as misspelt settings."""
    return name.startswith(RESERVED_PREFIXES) or name in RESERVED_NAMES


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting, from the environment where it is set there, else its default.

    ``PORTAL_BLOCKS_*`` variables that name no setting are returned too, as they are, so that
    :func:`check_settings` refuses them by name: a misspelt variable would otherwise leave
    its setting at the default without a word.
    """
    environ = os.environ if environ is None else environ
    settings = {
        PREFIX + key: _parse(environ[PREFIX + key]) if PREFIX + key in environ else default
        for key, default in DEFAULTS.items()
    }
    for name, raw in environ.items():
        if (
            name.startswith(PREFIX)
            and name not in settings
            and not is_reserved(name[len(PREFIX) :])
        ):
            settings[name] = raw
    return settings


def resolved(config: Mapping[str, Any], key: str) -> Any:
    """A setting's value, with the unset development/production switches resolved."""
    value = config[PREFIX + key]
    if value is None and key in {"GRAPHIQL", "INTROSPECTION"}:
        return config[PREFIX + "ENV"] != "production"
    return value


class SettingsError(ValueError):
    """Every bad setting of an app at once, each named: a deployment fixes all its mistakes in
    one go, rather than one restart per mistake.

    ``problems`` maps each setting's full name (``PORTAL_BLOCKS_...``) to what is wrong with
    it; the message has one line per setting.
    """

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        lines = [f"{key} {problem}" for key, problem in self.problems.items()]
        if len(lines) == 1:
            message = lines[0]
        else:
            message = f"{len(lines)} settings are invalid:\n" + "\n".join(
                "  " + line for line in lines
            )
        super().__init__(message)


#: Checks one value: None if it is acceptable, else what is wrong ("must be ... (got ...)").
Rule = Callable[[Any], str | None]


def _integer(minimum: int, note: str = "") -> Rule:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be an integer (got {value!r})"
        if value < minimum:
            return f"must be at least {minimum} (got {value}){note}"
        return None

    return check


def _boolean(*, unset_allowed: bool = False) -> Rule:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or (unset_allowed and value is None):
            return None
        expected = "true, false or null (unset)" if unset_allowed else "true or false"
        return f"must be {expected} (got {value!r})"

    return check


def _text(check: Callable[[str], str | None]) -> Rule:
    """A string setting, then ``check`` on it."""

    def typed(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"must be a string (got {value!r})"
        return check(value)

    return typed


def _redacted(url: str) -> str:
    """A URL as it may appear in a message: passwords stay out of logs and terminals."""
    return re.sub(r"//([^/@:]*):[^/@]*@", r"//\1:***@", url)


def _one_of(*choices: str) -> Rule:
    def check(value: str) -> str | None:
        if value in choices:
            return None
        return f"must be one of {', '.join(choices)} (got {value!r})"

    return _text(check)


def _database_url(value: str) -> str | None:

    example = "e.g. postgresql+psycopg://user:pass@host/db or sqlite:///portal_blocks.db"
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return f"must be an SQLAlchemy URL, {example} (got {_redacted(value)!r})"
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError:
        return f"names no database SQLAlchemy knows ({url.drivername}://); {example}" + (
            " (PostgreSQL is postgresql://, not postgres://)"
            if url.drivername == "postgres"
            else ""
        )
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        return f"needs the driver {exc.name or url.drivername}, which is not installed; {example}"
    return None


def _redis_url(value: str) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix"):
        return (
            "must be empty or a redis://, rediss:// or unix:// URL, e.g. "
            f"redis://127.0.0.1:6379/0 (got {_redacted(value)!r})"
        )

    try:
        redis.ConnectionPool.from_url(value)
    except ValueError as exc:
        return f"is not a Redis URL: {exc} (got {_redacted(value)!r})"
    if parts.scheme != "unix" and not re.fullmatch(r"/?|/\d+", parts.path):
        return f"must name its database by number, e.g. redis://host:6379/0 (got {parts.path!r})"
    return None


def _rate_limit_storage_problem(uri: str) -> str | None:
    """What keeps ``uri`` from holding the rate limits' moving windows, if anything."""

    schemes: Mapping[str, type] = getattr(limits.storage, "SCHEMES", {})

    def usable(storage: type) -> bool:
        # Synchronous (the async+ storages are not) and able to keep moving windows.
        return issubclass(storage, Storage) and issubclass(storage, MovingWindowSupport)

    scheme = urlsplit(uri).scheme
    storage = schemes.get(scheme)
    if storage is None or not issubclass(storage, Storage):
        choices = ", ".join(sorted(name for name, cls in schemes.items() if usable(cls)))
        return f"names no storage the limits library has; use one of {choices}"
    if not usable(storage):
        return f"{scheme}:// cannot keep moving windows (the rate limits' strategy)"
    # A list names packages all needed; a mapping names alternatives (redis or valkey).
    needed = getattr(storage, "DEPENDENCIES", [])
    if scheme.startswith("valkey"):
        needed = ["valkey"]
    missing = [name for name in needed if isinstance(needed, list) and find_spec(name) is None]
    if missing:
        return f"{scheme}:// needs the Python package {', '.join(missing)}, which is not installed"
    return None


def _rate_limit_storage(value: str) -> str | None:
    if not value:
        return None
    problem = _rate_limit_storage_problem(value)
    if problem is None:
        return None
    return f"must be empty or a `limits` storage URI, e.g. redis://host:6379/1: {problem}"


def _rate_limit(value: str) -> str | None:

    example = "e.g. 120/minute or 10 per second"
    try:
        items = parse_many(value)
    except ValueError:
        return f"must be a rate limit, {example} (got {value!r})"
    if len(items) != 1:
        return f"must be one rate limit, {example}; only one is applied (got {value!r})"
    if items[0].amount < 1:
        return f"must allow at least one request (got {value!r})"
    return None


def _timezone(value: str) -> str | None:

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"must be an IANA timezone, e.g. Asia/Ho_Chi_Minh or UTC (got {value!r})"
    return None


def _url_prefix(value: str) -> str | None:
    if value == "" or re.fullmatch(r"(/[^/\s?#<>]+)+", value):
        return None
    return f"must be empty or a path like /blocks, without a trailing slash (got {value!r})"


def _path_with(part: str, example: str) -> Callable[[str], str | None]:
    """A check of a path setting that holds ``part`` (``<slug>``) once, and nothing else
    between ``<>``."""

    def problem(value: str) -> str | None:
        if value.count(part) != 1:
            return f"must hold {part} once, e.g. {example} (got {value!r})"
        if not value.startswith("/"):
            return f"must be a path starting with /, e.g. {example} (got {value!r})"
        rest = value.replace(part, "")
        if re.search(r"[<>?#\s]", rest):
            return f"must be a path with {part} as its only part in <> (got {value!r})"
        return None

    return problem


#: Our article fields a CMS's fields may be mapped to (``SOURCE_FIELDS``' keys).
SOURCE_FIELD_NAMES = (
    "title",
    "lead",
    "bodyHtml",
    "author",
    "source",
    "category",
    "publishedAt",
    "imageUrl",
    "imageAlt",
    "imageCaption",
)


def _source_type(value: str) -> str | None:
    if value and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", value):
        return f"must be a GraphQL type name or a Wagtail app.Model (got {value!r})"
    return None


def source_fields(value: Any) -> dict[str, str]:
    """``SOURCE_FIELDS`` as a mapping (a JSON text, as environment variables give it)."""
    parsed = json.loads(value) if isinstance(value, str) and value.strip() else value or {}
    return dict(parsed)


def _source_fields(value: Any) -> str | None:
    try:
        mapping = source_fields(value)
    except (ValueError, TypeError):
        return f"must be a JSON object of our field -> the CMS's field (got {value!r})"
    unknown = sorted(set(mapping) - set(SOURCE_FIELD_NAMES))
    if unknown:
        return (
            f"names no field of ours: {', '.join(unknown)} (ours: {', '.join(SOURCE_FIELD_NAMES)})"
        )
    bad = [k for k, v in mapping.items() if not isinstance(v, str)]
    if bad:
        return f"maps {', '.join(bad)} to something other than a field name"
    return None


def _seconds(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 60:
        return f"must be a number of seconds above 0 and at most 60 (got {value!r})"
    return None


def _secret_key(value: str) -> str | None:
    if value and len(value) < 32:
        return f"must be 32 characters or more, or empty for this host's own (got {len(value)})"
    return None


_article_path = _path_with("<slug>", "/tin-tuc/<slug>")
_category_path = _path_with("<category>", "/chuyen-muc/<category>")


def _web_url(value: str, *, origin: bool) -> bool:
    """An http(s) URL with a host; an origin has nothing after the host and port."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  # raises ValueError on a port that is not a number
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.username is not None or parts.query or parts.fragment or "\\" in value:
        return False
    return not (origin and parts.path)


def _public_url(value: str) -> str | None:
    if value == "" or _web_url(value, origin=False):
        return None
    return (
        "must be empty or an http(s):// URL such as https://blocks.example.vn, "
        f"with no query (got {value!r})"
    )


def url_list(value: Any) -> list[str]:
    """A list setting given as a list or, as environment variables give it, comma-separated."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return list(value or [])


def _url_list(value: Any, what: str) -> str | None:
    if not isinstance(value, str | list | tuple):
        return f"must be a list of {what}, or a comma-separated string (got {value!r})"
    bad = [u for u in url_list(value) if not isinstance(u, str) or not _web_url(u, origin=False)]
    if bad:
        return f"must list {what}; not URLs: {', '.join(map(repr, bad))}"
    return None


def _cors_origins(value: Any) -> str | None:
    if isinstance(value, str):
        origins = [origin.strip() for origin in value.split(",") if origin.strip()]
    elif isinstance(value, list | tuple):
        origins = list(value)
    else:
        return f"must be a list of origins or a comma-separated string (got {value!r})"
    bad = [o for o in origins if not isinstance(o, str) or not _web_url(o, origin=True)]
    if bad:
        return (
            "must list origins such as https://portal.example.vn (scheme and host, no path "
            f"or trailing slash); not origins: {', '.join(map(repr, bad))}"
        )
    return None


def name_list(value: Any) -> list[str]:
    """A JSON list, or a comma-separated string as environment variables usually give it."""
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    return list(value)


def _names(value: Any) -> str | None:
    if not isinstance(value, str | list | tuple):
        return f"must be a list of names or a comma-separated string (got {value!r})"
    bad = [n for n in name_list(value) if not isinstance(n, str) or not n.strip()]
    if bad:
        return f"must list names (strings); not names: {', '.join(map(repr, bad))}"
    return None


#: The rule of each setting, by its name in :data:`DEFAULTS`.
RULES: dict[str, Rule] = {
    "ENV": _one_of("development", "production"),
    "DATABASE_URL": _text(_database_url),
    # LOCALE is checked against the locales given to check_settings (the app's catalogs).
    "TIMEZONE": _text(_timezone),
    "GRAPHIQL": _boolean(unset_allowed=True),
    "INTROSPECTION": _boolean(unset_allowed=True),
    "MAX_DEPTH": _integer(1),
    "MAX_ALIASES": _integer(1),
    "MAX_TOKENS": _integer(1),
    "MAX_COST": _integer(1),
    "MAX_BODY_BYTES": _integer(1),
    "RATE_LIMIT_STORAGE": _text(_rate_limit_storage),
    "RATE_LIMIT_MUTATIONS": _text(_rate_limit),
    "RATE_LIMIT_AUTH_FAILURES": _text(_rate_limit),
    "TRUSTED_PROXIES": _integer(0),
    # Both bound every wait on the database: 0 would be no bound at all (libpq waits for ever,
    # PostgreSQL lets a statement run for ever).
    "DB_CONNECT_TIMEOUT": _integer(1),
    "DB_STATEMENT_TIMEOUT_MS": _integer(1),
    # Not MEMORY or OFF: a crash in the middle of a commit could corrupt the file.
    "SQLITE_JOURNAL_MODE": _one_of("wal", "delete", "truncate", "persist"),
    "URL_PREFIX": _text(_url_prefix),
    "ARTICLE_PATH": _text(_article_path),
    "CATEGORY_PATH": _text(_category_path),
    "SECRET_KEY": _text(_secret_key),
    "WEBHOOK_SECRET": _text(_secret_key),
    "EDGE_PURGE_URLS": lambda value: _url_list(value, "edge URLs such as http://10.0.0.5:6081/"),
    "SOURCE": _one_of("database", "wagtail", "wpgraphql", "portal-blocks"),
    "SOURCE_URL": _text(_public_url),
    "SOURCE_TYPE": _text(_source_type),
    "SOURCE_TOKEN": _text(lambda _value: None),
    "SOURCE_FIELDS": _source_fields,
    "SOURCE_MAX_AGE": _integer(0),
    "SOURCE_CONNECT_TIMEOUT": _seconds,
    "SOURCE_READ_TIMEOUT": _seconds,
    "LEGACY_ADDRESSES": _one_of("serve", "redirect"),
    "PUBLIC_URL": _text(_public_url),
    "CORS_ORIGINS": _cors_origins,
    "THEME": _boolean(),
    "WARM_HITS": _boolean(),
    "REDIS_URL": _text(_redis_url),
    "REDIS_NEAR_CACHE": _boolean(),
    "PERSISTED_QUERIES_ONLY": _boolean(),
    "CACHE_MAX_AGE": _integer(0),
    # Every response goes through this cache, which has no "off": 0 would fail every read.
    "RESPONSE_CACHE_SIZE": _integer(
        1, "; the response cache cannot be turned off, only made small"
    ),
    # Redis refuses an expiry of 0 seconds, and in memory such an entry would never be read.
    "RESPONSE_CACHE_TTL": _integer(1),
    "PAGE_CACHE_SIZE": _integer(0),
    "RESPONSE_CACHE_BYTES": _integer(4096),
    "PAGE_CACHE_BYTES": _integer(4096),
    "VIEWER_CACHE_SIZE": _integer(0),
    # Whether each name is installed is checked when the block types load (block_types/loading).
    "BLOCK_TYPES": _names,
}


def _by_default_type(default: Any) -> Rule:
    """For a setting added to DEFAULTS without a rule: at least its default's type
    (tests/test_settings_startup.py asks every setting for a rule of its own)."""
    if isinstance(default, bool):
        return _boolean()
    if isinstance(default, int):
        return _integer(0)
    if isinstance(default, str):
        return _text(lambda _value: None)
    return lambda _value: None


def check_settings(config: Mapping[str, Any], *, locales: Collection[str]) -> None:
    """Refuse the app's settings, all bad ones in one :class:`SettingsError`, unless each is
    acceptable: its type, its range, its format (URLs, rate limits, timezone...).

    ``config`` holds every setting (defaults filled in). ``PORTAL_BLOCKS_*`` keys that name
    no setting are refused too, with the nearest setting's name. ``locales`` are those the
    app has catalogs for (``portal_blocks.i18n.LOCALES``; this module imports nothing of the
    package).
    """
    problems: dict[str, str] = {}
    for key, default in DEFAULTS.items():
        name = PREFIX + key
        if name not in config:
            problems[name] = "is missing (the extension fills in every default)"
            continue
        value = config[name]
        if key == "LOCALE":
            problem = _text(_one_of_locales(locales))(value)
        else:
            problem = RULES.get(key, _by_default_type(default))(value)
        if problem is not None:
            problems[name] = problem
    _check_rate_limit_storage_fallback(config, problems)
    if config.get(PREFIX + "SOURCE", "database") != "database" and not config.get(
        PREFIX + "SOURCE_URL"
    ):
        problems.setdefault(
            PREFIX + "SOURCE_URL",
            f"is required with {PREFIX}SOURCE={config.get(PREFIX + 'SOURCE')!r}: the CMS's "
            "GraphQL endpoint, e.g. https://cms.example.vn/graphql/",
        )
    for name in config:
        if not isinstance(name, str) or not name.startswith(PREFIX):
            continue
        key = name[len(PREFIX) :]
        if key in DEFAULTS or is_reserved(key):
            continue
        nearest = difflib.get_close_matches(key, DEFAULTS, n=1, cutoff=0.6)
        hint = f"; did you mean {PREFIX}{nearest[0]}?" if nearest else ""
        problems[name] = f"is not a setting{hint}"
    if problems:
        raise SettingsError(problems)


def _one_of_locales(locales: Collection[str]) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if value in locales:
            return None
        return f"must be one of {', '.join(sorted(locales))} (got {value!r})"

    return check


def _check_rate_limit_storage_fallback(config: Mapping[str, Any], problems: dict[str, str]) -> None:
    """Without RATE_LIMIT_STORAGE the rate limits count in REDIS_URL, which must then also be
    a `limits` storage: ``unix://`` is redis-py's spelling, limits' is ``redis+unix://``."""
    storage_key, redis_key = PREFIX + "RATE_LIMIT_STORAGE", PREFIX + "REDIS_URL"
    storage, redis_url = config.get(storage_key), config.get(redis_key)
    if storage or not redis_url or storage_key in problems or redis_key in problems:
        return
    if _rate_limit_storage_problem(redis_url) is not None:
        problems[storage_key] = (
            f"must be set when {redis_key} is not a `limits` storage URI, as the rate limits "
            f"count in {redis_key} otherwise (for a unix socket: redis+unix:///path/to.sock)"
        )
