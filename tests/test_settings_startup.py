"""Every PORTAL_BLOCKS_* setting is checked when the app starts, the bad ones named all at once;
and an app on a database that was never migrated says so, naming the command that fixes it."""

import logging

import pytest
from click.testing import CliRunner
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG
from flask import Flask

from portal_blocks import PortalBlocks, create_app
from portal_blocks.cli import cli
from portal_blocks.config import (
    DEFAULTS,
    PREFIX,
    RULES,
    SettingsError,
    check_settings,
    settings_from_env,
)
from portal_blocks.i18n import LOCALES

REFERENCE_PATH = f"/tin-tuc/{REFERENCE_SLUG}"

# (setting without the prefix, bad value, part of the message)
BAD = [
    ("ENV", "staging", "must be one of development, production"),
    ("ENV", 1, "must be a string"),
    ("DATABASE_URL", "not a url", "must be an SQLAlchemy URL"),
    ("DATABASE_URL", "postgres://user@db/blocks", "postgresql://, not postgres://"),
    ("DATABASE_URL", "mysql://user@db/blocks", "not installed"),
    ("DATABASE_URL", "", "must be an SQLAlchemy URL"),
    ("LOCALE", "fr", "must be one of en, vi"),
    ("LOCALE", None, "must be a string"),
    ("TIMEZONE", "Mars/Olympus_Mons", "must be an IANA timezone"),
    ("TIMEZONE", "../../etc/passwd", "must be an IANA timezone"),
    ("GRAPHIQL", "yes", "must be true, false or null"),
    ("INTROSPECTION", 1, "must be true, false or null"),
    ("MAX_DEPTH", 0, "must be at least 1 (got 0)"),
    ("MAX_ALIASES", -1, "must be at least 1 (got -1)"),
    ("MAX_TOKENS", "5000", "must be an integer (got '5000')"),
    ("MAX_BODY_BYTES", 1.5, "must be an integer"),
    ("MAX_BODY_BYTES", True, "must be an integer"),
    ("RATE_LIMIT_STORAGE", "memcached://127.0.0.1:11211", "cannot keep moving windows"),
    ("RATE_LIMIT_STORAGE", "postgresql://db/limits", "names no storage the limits library has"),
    ("RATE_LIMIT_STORAGE", "async+memory://", "names no storage the limits library has"),
    ("RATE_LIMIT_MUTATIONS", "lots", "must be a rate limit"),
    ("RATE_LIMIT_MUTATIONS", "10/minute;100/hour", "must be one rate limit"),
    ("RATE_LIMIT_AUTH_FAILURES", "0/minute", "must allow at least one request"),
    ("RATE_LIMIT_AUTH_FAILURES", 10, "must be a string"),
    ("TRUSTED_PROXIES", -1, "must be at least 0 (got -1)"),
    ("TRUSTED_PROXIES", "1", "must be an integer"),
    ("DB_CONNECT_TIMEOUT", 0, "must be at least 1 (got 0)"),
    ("DB_STATEMENT_TIMEOUT_MS", -5, "must be at least 1 (got -5)"),
    ("URL_PREFIX", "blocks", "must be empty or a path like /blocks"),
    ("URL_PREFIX", "/blocks/", "without a trailing slash"),
    ("URL_PREFIX", "/", "without a trailing slash"),
    ("URL_PREFIX", "/<lang>", "must be empty or a path like /blocks"),
    ("ARTICLE_PATH", "/news/latest", "must hold <slug> once"),
    ("ARTICLE_PATH", "/news/<slug>/<slug>", "must hold <slug> once"),
    ("ARTICLE_PATH", "news/<slug>", "must be a path starting with /"),
    ("ARTICLE_PATH", "/news/<int:year>/<slug>", "<slug> as its only part in <>"),
    ("PUBLIC_URL", "blocks.example.vn", "must be empty or an http(s):// URL"),
    ("PUBLIC_URL", "ftp://blocks.example.vn", "must be empty or an http(s):// URL"),
    ("PUBLIC_URL", "https://blocks.example.vn/?x=1", "must be empty or an http(s):// URL"),
    ("PUBLIC_URL", "https://blocks.example.vn:port", "must be empty or an http(s):// URL"),
    ("CORS_ORIGINS", "https://portal.example.vn/", "not origins: 'https://portal.example.vn/'"),
    ("CORS_ORIGINS", ["https://portal.example.vn", "*"], "not origins: '*'"),
    ("CORS_ORIGINS", ["portal.example.vn"], "not origins: 'portal.example.vn'"),
    ("CORS_ORIGINS", 5, "must be a list of origins"),
    ("THEME", "false", "must be true or false (got 'false')"),
    ("REDIS_URL", "http://127.0.0.1:6379", "must be empty or a redis://, rediss:// or unix://"),
    ("REDIS_URL", "redis://127.0.0.1:port/0", "is not a Redis URL"),
    ("REDIS_URL", "redis://127.0.0.1:6379/cache", "must name its database by number"),
    ("REDIS_NEAR_CACHE", 1, "must be true or false"),
    ("PERSISTED_QUERIES_ONLY", None, "must be true or false"),
    ("CACHE_MAX_AGE", -1, "must be at least 0 (got -1)"),
    ("RESPONSE_CACHE_SIZE", 0, "must be at least 1 (got 0)"),
    ("RESPONSE_CACHE_TTL", 0, "must be at least 1 (got 0)"),
    ("PAGE_CACHE_SIZE", -1, "must be at least 0 (got -1)"),
    ("VIEWER_CACHE_SIZE", "many", "must be an integer"),
]


@pytest.fixture
def database(tmp_path):
    return f"sqlite:///{tmp_path / 'blocks.db'}"


@pytest.mark.parametrize(("key", "value", "message"), BAD, ids=[f"{k}={v!r}" for k, v, _ in BAD])
def test_each_bad_setting_is_refused_by_name(database, key, value, message):
    with pytest.raises(SettingsError) as refused:
        create_app({"PORTAL_BLOCKS_DATABASE_URL": database, PREFIX + key: value})
    assert list(refused.value.problems) == [PREFIX + key]
    assert str(refused.value).startswith(f"{PREFIX}{key} ")
    assert message in str(refused.value)


def test_every_setting_has_a_rule():
    # LOCALE's rule is the app's catalogs, given to check_settings.
    assert set(RULES) | {"LOCALE"} == set(DEFAULTS)


def test_the_defaults_pass():
    check_settings(settings_from_env({}), locales=LOCALES)


def test_an_app_starts_with_the_defaults(database):
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": database})
    assert app.test_client().get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ENV", "production"),
        ("LOCALE", "en"),
        ("TIMEZONE", "UTC"),
        ("GRAPHIQL", False),
        ("INTROSPECTION", None),
        ("RATE_LIMIT_STORAGE", "redis+unix:///run/redis.sock"),
        ("RATE_LIMIT_MUTATIONS", "5 per second"),
        ("TRUSTED_PROXIES", 2),
        ("URL_PREFIX", "/khoi/v1"),
        ("ARTICLE_PATH", "/Pages/<slug>.aspx"),
        ("PUBLIC_URL", "https://blocks.example.vn/"),
        ("PUBLIC_URL", "http://127.0.0.1:8080/khoi"),
        ("CORS_ORIGINS", "https://a.example.vn, http://localhost:3000"),
        ("CORS_ORIGINS", ["https://a.example.vn"]),
        ("REDIS_URL", "rediss://:secret@cache.example.vn:6380/2"),
        ("REDIS_URL", "unix:///run/redis.sock?db=1"),
        ("CACHE_MAX_AGE", 0),
        ("RESPONSE_CACHE_SIZE", 1),
        ("PAGE_CACHE_SIZE", 0),
        ("VIEWER_CACHE_SIZE", 0),
    ],
)
def test_good_values_pass(key, value):
    settings = {**settings_from_env({}), PREFIX + key: value}
    if key == "REDIS_URL" and value.startswith("unix"):
        # limits spells the socket redis+unix://, so the rate limits need their own storage.
        settings[PREFIX + "RATE_LIMIT_STORAGE"] = "memory://"
    check_settings(settings, locales=LOCALES)


def test_every_bad_setting_is_named_at_once(database):
    with pytest.raises(SettingsError) as refused:
        create_app(
            {
                "PORTAL_BLOCKS_DATABASE_URL": database,
                "PORTAL_BLOCKS_RESPONSE_CACHE_SIZE": 0,
                "PORTAL_BLOCKS_LOCALE": "fr",
                "PORTAL_BLOCKS_MAX_DEPTH": -1,
            }
        )
    message = str(refused.value)
    assert message.startswith("3 settings are invalid:")
    assert "PORTAL_BLOCKS_RESPONSE_CACHE_SIZE must be at least 1 (got 0)" in message
    assert "PORTAL_BLOCKS_LOCALE must be one of en, vi (got 'fr')" in message
    assert "PORTAL_BLOCKS_MAX_DEPTH must be at least 1 (got -1)" in message


def test_passwords_stay_out_of_the_message(database):
    with pytest.raises(SettingsError) as refused:
        create_app({"PORTAL_BLOCKS_DATABASE_URL": "postgresql+psycopg://blocks:s3cret@db:x/b"})
    assert "PORTAL_BLOCKS_DATABASE_URL" in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_a_unix_socket_redis_needs_its_own_rate_limit_storage(database):
    with pytest.raises(SettingsError) as refused:
        create_app(
            {
                "PORTAL_BLOCKS_DATABASE_URL": database,
                "PORTAL_BLOCKS_REDIS_URL": "unix:///run/redis.sock",
            }
        )
    assert list(refused.value.problems) == ["PORTAL_BLOCKS_RATE_LIMIT_STORAGE"]
    assert "redis+unix://" in str(refused.value)


def test_environment_values_are_checked_after_parsing(monkeypatch, database):
    monkeypatch.setenv("PORTAL_BLOCKS_DATABASE_URL", database)
    monkeypatch.setenv("PORTAL_BLOCKS_MAX_DEPTH", "-3")
    monkeypatch.setenv("PORTAL_BLOCKS_THEME", "maybe")
    with pytest.raises(SettingsError) as refused:
        create_app()
    assert set(refused.value.problems) == {"PORTAL_BLOCKS_MAX_DEPTH", "PORTAL_BLOCKS_THEME"}


def test_a_misspelt_variable_is_refused_with_the_nearest_setting(monkeypatch, database):
    monkeypatch.setenv("PORTAL_BLOCKS_DATABASE_URL", database)
    monkeypatch.setenv("PORTAL_BLOCKS_REDIS_ULR", "redis://127.0.0.1:6379/0")
    with pytest.raises(SettingsError) as refused:
        create_app()
    assert str(refused.value) == (
        "PORTAL_BLOCKS_REDIS_ULR is not a setting; did you mean PORTAL_BLOCKS_REDIS_URL?"
    )


def test_a_variable_like_no_setting_is_refused_without_a_guess(monkeypatch, database):
    monkeypatch.setenv("PORTAL_BLOCKS_DATABASE_URL", database)
    monkeypatch.setenv("PORTAL_BLOCKS_COLOUR_SCHEME", "dark")
    with pytest.raises(SettingsError) as refused:
        create_app()
    assert str(refused.value) == "PORTAL_BLOCKS_COLOUR_SCHEME is not a setting"


def test_the_test_suites_own_variables_are_not_settings(monkeypatch, database):
    monkeypatch.setenv("PORTAL_BLOCKS_TEST_SOMETHING_ELSE", "x")
    monkeypatch.setenv("PORTAL_BLOCKS_CHROMIUM", "/usr/bin/chromium")
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": database})
    assert "PORTAL_BLOCKS_TEST_SOMETHING_ELSE" not in app.config


def test_a_hosts_config_is_checked_too(database):
    host = Flask("host")
    host.config.update(
        PORTAL_BLOCKS_DATABASE_URL=database,
        PORTAL_BLOCKS_CACHE_MAXAGE=60,
        PORTAL_BLOCKS_PAGE_CACHE_SIZE=-1,
    )
    with pytest.raises(SettingsError) as refused:
        PortalBlocks(host)
    assert refused.value.problems == {
        "PORTAL_BLOCKS_PAGE_CACHE_SIZE": "must be at least 0 (got -1)",
        "PORTAL_BLOCKS_CACHE_MAXAGE": "is not a setting; did you mean PORTAL_BLOCKS_CACHE_MAX_AGE?",
    }


def test_the_smallest_response_cache_serves_reads(database):
    """The lower bound is one a reader can live with: size 0 failed every read."""
    from flask_migrate import upgrade

    from portal_blocks.db import db
    from portal_blocks.demo import load_demo

    app = create_app(
        {"PORTAL_BLOCKS_DATABASE_URL": database, "PORTAL_BLOCKS_RESPONSE_CACHE_SIZE": 1}
    )
    with app.app_context():
        upgrade()
        load_demo(db.session)
    client = app.test_client()
    for path in (REFERENCE_PATH, REFERENCE_LEGACY_PATH, REFERENCE_PATH):
        response = client.post("/graphql", json={"query": f'{{ page(path: "{path}") {{ path }} }}'})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert "errors" not in response.get_json()


def test_the_command_prints_the_settings_problem_without_a_traceback(database):
    result = CliRunner().invoke(
        cli,
        ["list-tokens"],
        env={"PORTAL_BLOCKS_DATABASE_URL": database, "PORTAL_BLOCKS_RESPONSE_CACHE_SIZE": "0"},
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.output == (
        "Error: PORTAL_BLOCKS_RESPONSE_CACHE_SIZE must be at least 1 (got 0); "
        "the response cache cannot be turned off, only made small\n"
    )


def test_help_works_whatever_the_settings():
    result = CliRunner().invoke(cli, ["--help"], env={"PORTAL_BLOCKS_LOCALE": "fr"})
    assert result.exit_code == 0, result.output
    assert "serve" in result.output


# --- a database that was never migrated ----------------------------------------------------


def test_graphql_on_an_unmigrated_database_names_the_command(database, caplog):
    client = create_app({"PORTAL_BLOCKS_DATABASE_URL": database}).test_client()
    with caplog.at_level(logging.ERROR, logger="portal_blocks.errors"):
        response = client.post(
            "/graphql", json={"query": f'{{ page(path: "{REFERENCE_PATH}") {{ path }} }}'}
        )
    assert response.status_code == 503
    [error] = response.get_json()["errors"]
    assert error["extensions"]["code"] == "SCHEMA_MISSING"
    assert "portal-blocks db upgrade" in error["message"]
    assert "flask blocks upgrade" in error["message"]
    [record] = [r for r in caplog.records if r.name == "portal_blocks.errors"]
    assert "portal-blocks db upgrade" in record.getMessage()
    assert "no such table" in record.getMessage()
    assert record.exc_info is None  # the cause is known: no traceback in the log


def test_graphql_on_a_migrated_database_is_not_schema_missing(app, graphql):
    body = graphql(f'{{ page(path: "{REFERENCE_PATH}") {{ path }} }}')
    assert body["data"]["page"]["path"] == REFERENCE_PATH
