"""When the Redis behind the caches and the rate limits goes away mid-run, readers and editors
are still served (uncached, rate limits counted in each process), no answer is a 5xx or shows
Redis's own error text, the loss is logged once, ``/readyz`` says "degraded"; when Redis is
back, so are the shared caches, with nothing served that a commit made meanwhile should have
dropped.

The Redis here is the test's own ``redis-server`` on a free port, started, stopped and started
again by the test (never the machine's shared one); without the binary the tests are skipped,
except under ``CI=true``.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cache_support import PAGE_QUERY, get_params, register
from conftest import IN_CI, REFERENCE_LEGACY_PATH, REFERENCE_SLUG, _token, demo_content
from flask import Flask
from serving import free_port
from tcp_proxy import TcpProxy

from portal_blocks import create_app
from portal_blocks.cache_tags import ALL
from portal_blocks.caching.front import HIT, STORED
from portal_blocks.db import db
from portal_blocks.models import Article
from portal_blocks.ratelimit import Outage

THEME_PAGE = f"/tin-tuc/{REFERENCE_SLUG}"
SET_PREFERENCES = {
    "query": "mutation($s: Int!) { setDisplayPreferences(textSize: $s) { errors { code } } }",
    "variables": {"s": 120},
}
CREATE_LAYOUT = """mutation($name: String!) {
  createLayout(name: $name, regions: ["main"]) { layout { name } errors { code } } }"""
DRAFT = 'query { draftLayout(name: "news-detail") { name version } }'
NEW_TITLE = "Tiêu đề sửa khi Redis vắng mặt"
#: What a client must never see of an outage: the driver's words, our connection details.
LEAKS = ("Error 111", "Connection refused", "ConnectionError", "connecting to", "Traceback")


class RedisServer:
    """A throwaway redis-server that keeps nothing on disk, so a restart comes back empty."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        if IN_CI:
            pytest.fail("redis-server is not installed; the Redis outage tests need it")
        pytest.skip("redis-server is not installed; the Redis outage tests need it")
    server = RedisServer(binary, tmp_path)
    server.start()
    yield server
    server.stop()


def redis_app(database_url: str, redis_url: str, near: bool, **settings: object) -> Flask:
    """Configured as in production (no TESTING: an exception becomes the 500 a client gets)."""
    return create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
            "PORTAL_BLOCKS_REDIS_URL": redis_url,
            "PORTAL_BLOCKS_REDIS_NEAR_CACHE": near,
            "PORTAL_BLOCKS_RATE_LIMIT_AUTH_FAILURES": "3/minute",
            **settings,
        }
    )


def channel_of(app: Flask):
    return getattr(app.extensions["portal_blocks"].front.store, "channel", None)


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def check_answer(label: str, response) -> None:
    """No 5xx, no trace of Redis's error, and every GraphQL error with a code."""
    body = response.get_data(as_text=True)
    assert response.status_code < 500, f"{label}: {response.status_code} {body[:500]}"
    for leak in LEAKS:
        assert leak not in body, f"{label} shows {leak!r}: {body[:500]}"
    if response.mimetype == "application/json":
        for error in response.get_json().get("errors") or ():
            assert error.get("extensions", {}).get("code"), f"{label}: error without code {error}"


def every_kind_of_request(client, token: str) -> dict[str, object]:
    """A reader's and an editor's requests, each checked; returns what each answered."""
    bearer = {"Authorization": f"Bearer {token}"}
    requests = {
        "theme page": lambda: client.get(THEME_PAGE),
        "GraphQL POST registering": lambda: register(client),
        "GraphQL GET (persisted id)": lambda: client.get("/graphql", query_string=get_params()),
        "GraphQL POST": lambda: client.post(
            "/graphql", json={"query": PAGE_QUERY, "variables": {"path": REFERENCE_LEGACY_PATH}}
        ),
        "fragment": lambda: client.get(
            "/fragments/page", query_string={"path": THEME_PAGE, "region": "main"}
        ),
        "editor query": lambda: client.post("/graphql", json={"query": DRAFT}, headers=bearer),
        "editor mutation": lambda: client.post(
            "/graphql",
            json={"query": CREATE_LAYOUT, "variables": {"name": f"l-{uuid.uuid4().hex[:8]}"}},
            headers=bearer,
        ),
        "anonymous mutation": lambda: client.post("/graphql", json=SET_PREFERENCES),
    }
    answers: dict[str, object] = {}
    for label, send in requests.items():
        started = time.perf_counter()
        response = send()
        elapsed = time.perf_counter() - started
        check_answer(label, response)
        answers[label] = response
        answers[label + " seconds"] = elapsed
    editor = answers["editor mutation"].get_json()  # type: ignore[attr-defined]
    assert editor["data"]["createLayout"]["errors"] == [], editor
    assert answers["editor query"].get_json()["data"]["draftLayout"]  # type: ignore[attr-defined]
    anonymous = answers["anonymous mutation"].get_json()  # type: ignore[attr-defined]
    assert anonymous["data"]["setDisplayPreferences"]["errors"] == [], anonymous
    for label in ("GraphQL GET (persisted id)", "GraphQL POST", "GraphQL POST registering"):
        assert "errors" not in answers[label].get_json(), label  # type: ignore[attr-defined]
    return answers


def title_of(response) -> str:
    body = response.get_json()
    assert "errors" not in body, body
    return body["data"]["page"]["regions"][0]["blocks"][1]["article"]["title"]


def warnings_about(
    caplog: pytest.LogCaptureFixture, text: str, port: str
) -> list[logging.LogRecord]:
    """Warnings saying ``text`` about the Redis at ``port`` (earlier tests' apps may still
    be alive in this process, and hear of this test's commits)."""
    return [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and text in r.getMessage() and port in r.getMessage()
    ]


@pytest.mark.parametrize("near", [False, True], ids=["redis", "redis-near"])
def test_readers_and_editors_are_served_through_a_redis_restart(
    redis_server: RedisServer,
    migrated_app: Flask,
    database_url: str,
    near: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="portal_blocks")
    app = redis_app(database_url, redis_server.url, near)
    other = None
    with demo_content(app):
        token = _token("editor", "Biên tập viên lúc Redis vắng")
        client = app.test_client()
        if near:
            assert channel_of(app).wait_until_listening(5), "never subscribed"

        # Before: everything served, the response cache shared through Redis.
        every_kind_of_request(client, token)  # its editor's commit empties the caches
        assert client.get("/graphql", query_string=get_params()).headers["Cache-Status"] == STORED
        assert client.get("/graphql", query_string=get_params()).headers["Cache-Status"] == HIT
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.get_json() == {
            "status": "ok",
            "database": "ok",
            "redis": "ok",
            "rate_limits": "ok",
        }

        # Redis goes away.
        caplog.clear()
        redis_server.stop()
        slowest = 0.0
        for round_ in range(3):  # spans several back-off pauses: each may try Redis again
            answers = every_kind_of_request(client, token)
            slowest = max([slowest, *(v for k, v in answers.items() if k.endswith("seconds"))])
            ready = client.get("/readyz")
            check_answer("readyz", ready)
            assert ready.status_code == 200, "a degraded cache must not pull the instance"
            assert ready.get_json() == {
                "status": "degraded",
                "database": "ok",
                "redis": "unreachable",
                "rate_limits": "per-process",
            }
            if round_ < 2:
                time.sleep(Outage("", "").pause + 0.1)
        assert slowest < 0.5, f"a request took {slowest:.2f}s with Redis down"
        # Failed token checks are still limited, in this process's memory; editors still in.
        for _ in range(3):
            wrong = client.post("/graphql", json=SET_PREFERENCES, headers=bearer("pbt_wrong"))
            check_answer("wrong token", wrong)
            assert wrong.status_code == 200
        refused = client.post("/graphql", json=SET_PREFERENCES, headers=bearer("pbt_wrong"))
        assert refused.status_code == 429
        check_answer("refused token", refused)
        assert (
            client.post("/graphql", json={"query": DRAFT}, headers=bearer(token)).status_code == 200
        )
        # The loss is logged once for each thing that uses Redis, not once per request.
        port = f":{redis_server.port}"
        assert len(warnings_about(caplog, "cache Redis", port)) == 1, caplog.text
        assert len(warnings_about(caplog, "rate-limit storage", port)) == 1, caplog.text
        lost = warnings_about(caplog, "subscription lost", port)
        assert len(lost) == (1 if near else 0), caplog.text
        assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"

        # Redis comes back (empty: it keeps nothing on disk).
        redis_server.start()
        assert wait_for(lambda: client.get("/readyz").get_json()["status"] == "ok"), client.get(
            "/readyz"
        ).get_json()
        assert client.get("/readyz").get_json() == {
            "status": "ok",
            "database": "ok",
            "redis": "ok",
            "rate_limits": "ok",
        }
        if near:
            assert channel_of(app).wait_until_listening(5), "never subscribed again"
        every_kind_of_request(client, token)
        # Shared again: another process on the same Redis answers from this one's entry.
        other = redis_app(database_url, redis_server.url, near)
        if near:
            assert channel_of(other).wait_until_listening(5)
        reader = app.test_client()  # no viewer cookie (the anonymous mutation set one)
        assert register(reader).status_code == 200  # the restarted Redis lost the documents
        first = reader.get("/graphql", query_string=get_params())
        assert first.headers["Cache-Status"] == STORED
        elsewhere = other.test_client().get("/graphql", query_string=get_params())
        assert elsewhere.headers["Cache-Status"] == HIT
        assert elsewhere.get_data() == first.get_data()
        back = warnings_about(caplog, "reachable again", port)
        assert len(back) == 2, caplog.text  # the caches' client, the rate limits
        assert len(warnings_about(caplog, "subscribed again", "")) == (1 if near else 0)
    for each in (app, other):
        if each is not None and channel_of(each) is not None:
            channel_of(each).close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def cuttable_redis(redis_server: RedisServer) -> Iterator[tuple[str, TcpProxy]]:
    """The Redis, reached through a proxy the test can cut: a network outage, after which
    Redis is still there with everything it held."""
    proxy = TcpProxy(redis_server.port)
    proxy.start()
    yield f"redis://127.0.0.1:{proxy.port}/0", proxy
    proxy.stop()


@pytest.mark.parametrize("near", [False, True], ids=["redis", "redis-near"])
def test_a_commit_made_while_redis_was_cut_off_is_not_undone_by_its_return(
    cuttable_redis: tuple[str, TcpProxy], migrated_app: Flask, database_url: str, near: bool
) -> None:
    url, proxy = cuttable_redis
    app = redis_app(database_url, url, near)
    other = redis_app(database_url, url, near)  # another process, never cut off itself
    with demo_content(app):
        client, reader = app.test_client(), other.test_client()
        if near:
            assert channel_of(app).wait_until_listening(5)
            assert channel_of(other).wait_until_listening(5)
        register(client)
        old_title = title_of(client.get("/graphql", query_string=get_params()))
        assert client.get("/graphql", query_string=get_params()).headers["Cache-Status"] == HIT

        proxy.stop()
        db.session.remove()
        article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
        article.title = NEW_TITLE
        db.session.commit()  # its invalidation cannot reach Redis
        assert title_of(client.get("/graphql", query_string=get_params())) == NEW_TITLE

        proxy.start()
        assert wait_for(lambda: client.get("/readyz").get_json()["status"] == "ok")
        if near:
            assert channel_of(app).wait_until_listening(5)
        answer = client.get("/graphql", query_string=get_params())
        assert title_of(answer) == NEW_TITLE != old_title
        assert answer.headers["Cache-Status"] != HIT

        # Nor does the other process keep the old page. (It heard of the commit too, and
        # failed to pass it on, so for a moment after the cut it may still skip Redis: its
        # persisted-query lookup misses, which a client answers by sending the text.)
        def other_sees_new_title() -> bool:
            body = reader.get("/graphql", query_string=get_params()).get_json()
            if body.get("errors"):
                assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
                return False
            return body["data"]["page"]["regions"][0]["blocks"][1]["article"]["title"] == NEW_TITLE

        assert wait_for(other_sees_new_title, 5)
        again = client.get("/graphql", query_string=get_params())
        assert title_of(again) == NEW_TITLE and again.headers["Cache-Status"] == HIT
    for each in (app, other):
        if channel_of(each) is not None:
            channel_of(each).close()


def test_a_process_that_missed_commits_makes_the_others_near_caches_drop_their_copies(
    cuttable_redis: tuple[str, TcpProxy], migrated_app: Flask, database_url: str
) -> None:
    """Redis came back holding an entry this process's commit should have dropped. Another
    process reads it before this one empties Redis, and keeps it in its near tier: emptying
    Redis must also tell that process to drop its copy."""
    url, proxy = cuttable_redis
    app, other = redis_app(database_url, url, True), redis_app(database_url, url, True)
    channels = (channel_of(app), channel_of(other))
    with demo_content(app):
        client, reader = app.test_client(), other.test_client()
        assert all(channel.wait_until_listening(5) for channel in channels)
        register(client)
        client.get("/graphql", query_string=get_params())
        assert reader.get("/graphql", query_string=get_params()).headers["Cache-Status"] == HIT

        proxy.stop()
        with db.engine.begin() as connection:  # no session: nothing hears of it ...
            connection.execute(
                Article.__table__.update()
                .where(Article.__table__.c.slug == REFERENCE_SLUG)
                .values(title=NEW_TITLE)
            )
        for target in app.extensions["portal_blocks"].caches.targets:
            target.invalidate(frozenset({ALL}))  # ... but this process, as if it committed

        proxy.start()
        assert all(channel.wait_until_listening(5) for channel in channels)
        # This process announced its unpublished commit on subscribing again; only then does
        # the other read Redis (still holding the old page) into its near tier.
        assert wait_for(lambda: not channel_of(app)._missed, 5)
        reader.get("/graphql", query_string=get_params())
        assert title_of(client.get("/graphql", query_string=get_params())) == NEW_TITLE
        # The message takes about a millisecond. (Not much longer: the test's proxy drops a
        # connection idle for 3 s, and a subscription starting again empties the tier too.)
        assert wait_for(
            lambda: title_of(reader.get("/graphql", query_string=get_params())) == NEW_TITLE, 1
        ), "the other process kept the page this one's commit dropped"
    for channel in channels:
        channel.close()


class SilentServer:
    """Accepts connections and never answers: a Redis host that hangs, not one that refuses."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = int(self.listener.getsockname()[1])
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self._held.append(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self._held:
            conn.close()


def test_a_hanging_redis_costs_one_request_a_timeout_per_pause_not_every_request(
    migrated_app: Flask, database_url: str
) -> None:
    silent = SilentServer()
    try:
        app = redis_app(database_url, f"redis://127.0.0.1:{silent.port}/0", False)
        with demo_content(app):
            client = app.test_client()
            timings: list[float] = []
            started = time.perf_counter()
            while time.perf_counter() - started < 3.0:
                began = time.perf_counter()
                response = client.get("/graphql", query_string=get_params())
                timings.append(time.perf_counter() - began)
                check_answer("page with Redis hanging", response)
            elapsed = time.perf_counter() - started
            slow = [t for t in timings if t > 0.3]
            pauses = elapsed / Outage("", "").pause
            assert len(slow) <= pauses + 1, (len(timings), slow)
            assert max(timings) < 2.5, "one request waited longer than the client's timeouts"
            assert len(timings) > 3 * len(slow)
            ready = client.get("/readyz")
            assert ready.status_code == 200 and ready.get_json()["redis"] == "unreachable"
            mutation = client.post("/graphql", json=SET_PREFERENCES)
            check_answer("anonymous mutation with Redis hanging", mutation)
            assert json.loads(mutation.get_data())["data"]["setDisplayPreferences"]["errors"] == []
    finally:
        silent.close()


def test_an_outage_is_logged_once_and_its_end_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="portal_blocks")
    outage = Outage("test backend", "doing without", pause=0.05)
    assert outage.should_try()
    outage.failed(ConnectionError("refused"))
    assert outage.down and not outage.should_try()  # within the pause: skipped
    time.sleep(0.06)
    assert outage.should_try()  # one caller tries after the pause ...
    assert not outage.should_try()  # ... the others keep skipping while it does
    outage.failed(ConnectionError("refused again"))
    time.sleep(0.06)
    assert outage.should_try()
    outage.answered()
    outage.answered()
    assert not outage.down and outage.should_try()
    warnings = [  # this Outage's lines only: other threads of the process log too
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name == "portal_blocks.ratelimit"
    ]
    assert warnings == [
        "test backend unreachable (refused); doing without until it answers",
        "test backend reachable again; back to normal",
    ]


def test_with_redis_down_registered_only_mode_says_try_again_and_the_cli_says_why(
    app: Flask, database_url: str, redis_server: RedisServer, tmp_path: Path
) -> None:
    """ "Not registered" would send an operator looking for a bad deploy; the store is down.
    And the commands that write to Redis fail loudly instead of reporting success."""
    from portal_blocks.caching.cli import add_command, clear_command

    served = redis_app(
        database_url, redis_server.url, False, PORTAL_BLOCKS_PERSISTED_QUERIES_ONLY=True
    )
    query = "query Registered { blockTypes { name } }"
    document = tmp_path / "registered.graphql"
    document.write_text(query, encoding="utf-8")
    runner = served.test_cli_runner()
    with served.app_context():  # the commands' app, not the fixture's
        assert runner.invoke(add_command, [str(document)]).exit_code == 0
    redis_server.stop()
    try:
        client = served.test_client()
        unseen = client.post("/graphql", json={"query": "query Unseen { blockTypes { name } }"})
        assert unseen.status_code == 503
        assert unseen.get_json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        served.extensions["portal_blocks"].front.persisted.forget_remembered()
        known = client.post("/graphql", json={"query": query})
        assert known.status_code == 503
        with served.app_context():
            added = runner.invoke(add_command, [str(document)])
            cleared = runner.invoke(clear_command, [])
        assert added.exit_code == 1 and "the store is down" in added.output, added.output
        assert cleared.exit_code == 1 and "Redis is unreachable" in cleared.output
    finally:
        redis_server.start()
        with served.app_context():
            db.engine.dispose()
