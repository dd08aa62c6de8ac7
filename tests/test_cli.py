"""The portal-blocks command: load-demo is idempotent, export-schema --check guards the contract;
its own options only, one-line errors, and serve/demo with one database session per request."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REFERENCE_SLUG, _token
from serving import free_port
from sqlalchemy import create_engine, make_url, text
from terminal import run_on_terminal

from portal_blocks.cli import cli
from portal_blocks.config import PREFIX, is_reserved
from portal_blocks.db import db
from portal_blocks.models import Article, Layout, Placement, Route

REPO = Path(__file__).resolve().parents[1]


def counts() -> tuple[int, ...]:
    return tuple(db.session.query(m).count() for m in (Article, Layout, Placement, Route))


def test_load_demo_is_idempotent(portal):
    before = counts()
    result = portal.test_cli_runner().invoke(cli, ["load-demo"])
    assert result.exit_code == 0, result.output
    assert "12 articles" in result.output
    db.session.expire_all()
    # news-detail (3 blocks, 2 routes), home (5 blocks at /), category (3 blocks, 1 route)
    assert counts() == before == (12, 3, 11, 4)


def test_load_demo_over_the_reference_page_adds_the_portal_around_it(app):
    assert counts() == (1, 1, 2, 2)
    result = app.test_cli_runner().invoke(cli, ["load-demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert counts() == (12, 3, 11, 4)


def test_export_schema_check_passes_on_the_committed_contract(app):
    """The committed contract is the built-in types' (tests/test_block_type_plugins.py)."""
    result = app.test_cli_runner().invoke(
        cli, ["export-schema", "--check", "--builtin-only", "--dir", str(REPO / "schema")]
    )
    assert result.exit_code == 0, result.output


def test_export_schema_check_fails_on_drift(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["export-schema", "--dir", str(tmp_path)]).exit_code == 0
    (tmp_path / "portal_blocks.graphql").write_text("type Query { old: Int }\n")
    result = runner.invoke(cli, ["export-schema", "--check", "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "portal_blocks.graphql" in result.output


# --- the command itself --------------------------------------------------------------------


PORTAL_BLOCKS = str(Path(sys.executable).with_name("portal-blocks"))
REFERENCE_PATH = f"/tin-tuc/{REFERENCE_SLUG}"
PAGE_QUERY = {"query": f'{{ page(path: "{REFERENCE_PATH}") {{ path }} }}'}
SET_TEXT_SIZE = {
    "query": "mutation { setDisplayPreferences(textSize: 120) { errors { code } } }",
}


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"portal-blocks, version {version('portal-blocks')}\n"


def test_help_offers_our_commands_and_none_of_flasks_own():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    for absent in ("--app", "--env-file", "--debug", " run ", " shell ", " routes "):
        assert absent not in result.output
    for present in ("--version", " db ", " serve ", " demo ", " blocks ", " list-tokens "):
        assert present in result.output
    upgrade_help = CliRunner().invoke(cli, ["db", "upgrade", "--help"])
    assert upgrade_help.exit_code == 0, upgrade_help.output


def test_export_schema_check_names_missing_files_apart_from_stale_ones(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["export-schema", "--dir", str(tmp_path)]).exit_code == 0
    (tmp_path / "blocks" / "Block_BanTin_Toolbar.schema.json").unlink()
    (tmp_path / "portal_blocks.graphql").write_text("type Query { old: Int }\n")
    result = runner.invoke(cli, ["export-schema", "--check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "missing: blocks/Block_BanTin_Toolbar.schema.json;" in result.output
    assert "stale (differ from the code): portal_blocks.graphql;" in result.output


def test_export_schema_check_in_an_empty_directory_says_missing_not_stale(app, tmp_path):
    result = app.test_cli_runner().invoke(cli, ["export-schema", "--check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "missing: portal_blocks.graphql, blocks/" in result.output
    assert "stale" not in result.output


def test_list_tokens_has_a_header_on_a_terminal_only(app, database_url):
    _token("editor", "Toà soạn")
    piped = app.test_cli_runner().invoke(cli, ["list-tokens"])
    assert piped.exit_code == 0, piped.output
    assert piped.output.splitlines()[0].split("\t")[1:3] == ["editor", "Toà soạn"]

    run, shown = run_on_terminal(
        [PORTAL_BLOCKS, "list-tokens"],
        env=command_env(PORTAL_BLOCKS_DATABASE_URL=database_url),
        stream="stdout",
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    header, row = shown.splitlines()[:2]
    assert header.split("\t") == ["id", "role", "name", "created", "revoked"]
    assert row.split("\t")[1:3] == ["editor", "Toà soạn"]


# --- a database that was never migrated ----------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["list-tokens"],
        ["create-token", "--role", "editor", "--name", "Toà soạn"],
        ["revoke-token", "1"],
        ["load-demo"],
        ["import", "{txt}"],
        ["persisted-queries", "add", "{graphql}"],
    ],
    ids=lambda args: args[0] + (" " + args[1] if args[0] == "persisted-queries" else ""),
)
def test_commands_on_an_unmigrated_database_say_what_to_run(tmp_path, args):
    (tmp_path / "page.txt").write_text("Tiêu đề\n\nNội dung.\n", encoding="utf-8")
    (tmp_path / "q.graphql").write_text("{ blockTypes { name } }\n", encoding="utf-8")
    args = [a.format(txt=tmp_path / "page.txt", graphql=tmp_path / "q.graphql") for a in args]
    result = CliRunner().invoke(
        cli, args, env={"PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    )
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # not a traceback
    [line] = result.output.splitlines()
    assert line.startswith("Error: the database schema is missing or out of date (no such table:")
    assert line.endswith("run `portal-blocks db upgrade`")


# --- serve and demo ------------------------------------------------------------------------


def command_env(**settings: str) -> dict[str, str]:
    """This environment without its PORTAL_BLOCKS_* settings, then ``settings``: a server
    started here runs on the defaults and what the test sets, nothing of the shell's."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(PREFIX) or is_reserved(name[len(PREFIX) :])
    }
    env.pop("PORT", None)
    return {**env, **settings}


@contextmanager
def running(args: list[str], env: dict[str, str], log: Path):
    """``portal-blocks ARGS`` in the background, stopped (with its workers) afterwards."""
    with log.open("w") as out:
        server = subprocess.Popen(
            [PORTAL_BLOCKS, *args], env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield server
    finally:
        server.send_signal(signal.SIGTERM)  # gunicorn's arbiter stops its workers
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_until_up(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer:\n{log.read_text()}")


def post_graphql(port: int, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@contextmanager
def writes_blocked(database_url: str):
    """Another connection holds the database's write lock (SQLite) or the lock on
    display_preference that INSERTs wait for (PostgreSQL), until the block ends."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text("LOCK TABLE display_preference IN SHARE ROW EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()
    engine.dispose()


def idle_in_transaction(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            )
        )
    engine.dispose()
    return int(count or 0)


def test_serve_gives_each_request_its_own_session(app, database_url, tmp_path):
    """A request whose statement fails must not break the worker's next requests, nor may a
    request leave its transaction open.

    With gunicorn started inside the command's app context, every request of a forked worker
    shared that context's session, never removed: after a failed flush each later request
    failed (PendingRollbackError), and on PostgreSQL each request's transaction stayed open
    (idle in transaction) until the next one.
    """
    port = free_port()
    env = command_env(
        PORTAL_BLOCKS_DATABASE_URL=database_url,
        PORTAL_BLOCKS_DB_STATEMENT_TIMEOUT_MS="1000",  # the blocked INSERT fails in 1 s
        PORTAL_BLOCKS_RATE_LIMIT_MUTATIONS="1000/minute",
    )
    log = tmp_path / "serve.log"
    args = ["serve", "--port", str(port), "--workers", "1"]
    with running(args, env, log) as server:
        wait_until_up(port, server, log)
        status, body = post_graphql(port, PAGE_QUERY)
        assert (status, body) == (200, {"data": {"page": {"path": REFERENCE_PATH}}}), body
        if database_url.startswith("postgresql"):
            # The session goes when the request's context ends, just after the response.
            deadline = time.monotonic() + 3
            while idle_in_transaction(database_url) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert idle_in_transaction(database_url) == 0

        with writes_blocked(database_url):
            status, body = post_graphql(port, SET_TEXT_SIZE)
        assert status == 503, body  # the save timed out on the lock
        status, body = post_graphql(port, {"query": '{ page(path: "/khong-co") { path } }'})
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND", body
        status, body = post_graphql(port, SET_TEXT_SIZE)
        assert (status, body) == (200, {"data": {"setDisplayPreferences": {"errors": []}}})


def test_serve_refuses_a_taken_port_in_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [PORTAL_BLOCKS, "serve", "--port", str(port)],
            env=command_env(PORTAL_BLOCKS_DATABASE_URL=f"sqlite:///{tmp_path / 'blocks.db'}"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 1
    assert run.stdout == ""  # no "Serving on ..." first
    assert run.stderr == (
        f"Error: port {port} on 127.0.0.1 is already in use; choose another with --port (or PORT)\n"
    )


def test_demo_starts_with_the_defaults_and_prints_a_working_article_url(tmp_path):
    port = free_port()
    log = tmp_path / "demo.log"
    env = command_env(
        PORTAL_BLOCKS_DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}", PORT=str(port)
    )
    with running(["demo", "--workers", "1"], env, log) as server:
        wait_until_up(port, server, log)
        [url] = [
            line.removeprefix("Demo article: ")
            for line in log.read_text().splitlines()
            if line.startswith("Demo article: ")
        ]
        assert url == f"http://127.0.0.1:{port}{REFERENCE_PATH}"
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200
            assert "Giá trị sản xuất công nghiệp" in page.read().decode()
        status, body = post_graphql(port, PAGE_QUERY)
        assert (status, body) == (200, {"data": {"page": {"path": REFERENCE_PATH}}})
