"""Readers and editors at once, under gunicorn on PostgreSQL; then proof that nothing acknowledged
was lost.

The script migrates the database and loads the demo, creates an editor token, serves the app with
gunicorn (several sync workers, 127.0.0.1, a free port, mutation rate limit raised) and runs a
bounded mix from a few client threads: the reference page query over POST and as GET, and, with
the token, configureBlock on the toolbar (alternating dateFormat, sent with the version the
thread last read, so CONFLICTs happen and are counted), updateArticle on the demo article's lead
(a counter appended) and setDisplayPreferences (one viewer cookie per thread). Every
acknowledged mutation (payload without errors) is recorded with its resulting version and value.

Afterwards the database must hold every acknowledged change: the article's lead and version are
the last acknowledged ones, each acknowledged configureBlock version is in the layout's audit
history with its dateFormat, the history has exactly one entry per acknowledged configureBlock and
updateArticle, and each viewer's stored text size is its last acknowledged one. It exits non-zero
on any 5xx, any unexpected error, or any acknowledged change that is missing. Run on demand:

    createdb -h 127.0.0.1 -U postgres load_run   # once
    .venv/bin/python benchmarks/load.py [--seconds 20 --max-requests 100000 --clients 6]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import free_port, stop, wait_until_up  # noqa: E402  (beside this script)
from sqlalchemy import func, select  # noqa: E402

from portal_blocks import create_app  # noqa: E402
from portal_blocks.auth.tokens import create_token  # noqa: E402
from portal_blocks.db import db  # noqa: E402
from portal_blocks.models import Article, AuditEntry, DisplayPreference, Placement, Role  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/load_run"
LAYOUT = "news-detail"
TOOLBAR = "Block_BanTin_Toolbar"
SLUG = "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
PATH = f"/Pages/{SLUG}.aspx"
DATE_FORMATS = ("dd/MM/yyyy", "EEEE, dd/MM/yyyy")

PAGE = """query Page($path: String!) { page(path: $path) {
    regions { name blocks { __typename id position
      ... on Block_BanTin_Toolbar { dateText fontSize { current min max step } }
      ... on Block_BanTin_ViewData { article { title author } paragraphs } } } } }"""
DRAFT = """query($name: String!, $slug: String!) {
  draftLayout(name: $name) { placements { id blockType version } }
  draftArticle(slug: $slug) { version lead } }"""
CONFIGURE = """mutation($id: ID!, $version: Int!, $settings: JSON!) {
  configureBlock(id: $id, version: $version, settings: $settings) {
    placement { version settings } errors { field code message } } }"""
UPDATE = """mutation($slug: String!, $version: Int!, $input: ArticleInput!) {
  updateArticle(slug: $slug, version: $version, input: $input) {
    article { version lead } errors { field code message } } }"""
PREFERENCES = """mutation($size: Int!) { setDisplayPreferences(textSize: $size) {
    preferences { textSize } errors { field code message } } }"""

READ_POST, READ_GET = "page POST", "page GET"
CONFIGURE_KIND, UPDATE_KIND, PREFS_KIND = "configureBlock", "updateArticle", "setDisplayPreferences"
REREAD = "editor re-read"
MIX = (READ_POST, READ_GET, CONFIGURE_KIND, READ_POST, UPDATE_KIND, READ_GET, PREFS_KIND)
KINDS = (READ_POST, READ_GET, CONFIGURE_KIND, UPDATE_KIND, PREFS_KIND, REREAD)


@dataclass(frozen=True)
class Ack:
    """An acknowledged mutation: what the server said the state became."""

    kind: str
    version: int | None
    value: Any
    viewer: str | None = None


@dataclass
class Tally:
    """Everything the clients saw; shared by the threads under ``lock``."""

    acks: list[Ack] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    conflicts: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    budget: int = 0  # requests allowed in all (``--max-requests``), re-reads included
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Stored:
    """What the database holds after the run (audit entries only those written during it)."""

    article_version: int
    article_lead: str
    toolbar_before: tuple[int, str]  # (placement version, dateFormat) when the run began
    toolbar: tuple[int, str]  # (placement version, dateFormat)
    configure_entries: list[tuple[int, str]]  # (placement version, dateFormat) after each
    update_entries: list[tuple[int, str]]  # (article version, lead) after each
    preferences: dict[str, int]


@dataclass(frozen=True)
class Verdict:
    acknowledged: int
    found: int
    history_entries: int
    problems: list[str]


def _named(kind: str, version: int | None, value: object) -> str:
    return f"{kind} version {version} ({value!r})"


def verify(acks: list[Ack], stored: Stored) -> Verdict:
    """Compare the acknowledged mutations with what the database holds."""
    problems: list[str] = []
    found = 0
    configures = [a for a in acks if a.kind == CONFIGURE_KIND]
    updates = [a for a in acks if a.kind == UPDATE_KIND]
    prefs = [a for a in acks if a.kind == PREFS_KIND]

    # A configureBlock that changes nothing is acknowledged with the version it found and
    # writes no history entry; each other one is exactly one entry.
    changes = Counter(stored.configure_entries)
    for (version, value), times in changes.items():
        if times > 1:
            problems.append(f"{_named(CONFIGURE_KIND, version, value)} in the history {times}x")
    acknowledged_states = set()
    for ack in configures:
        state = (ack.version, ack.value)
        acknowledged_states.add(state)
        if state in changes or state == stored.toolbar_before:
            found += 1
        else:
            problems.append(f"{_named(CONFIGURE_KIND, ack.version, ack.value)} not in the history")
    unacknowledged = set(changes) - acknowledged_states
    if unacknowledged:
        problems.append(
            f"{CONFIGURE_KIND}: {len(unacknowledged)} history entries never acknowledged"
        )

    unclaimed = Counter(stored.update_entries)
    for ack in updates:
        if unclaimed[(ack.version, ack.value)] > 0:
            unclaimed[(ack.version, ack.value)] -= 1
            found += 1
        else:
            problems.append(f"{_named(UPDATE_KIND, ack.version, ack.value)} not in the history")
    if len(stored.update_entries) != len(updates):
        problems.append(
            f"{UPDATE_KIND}: {len(stored.update_entries)} history entries for {len(updates)} "
            "acknowledged"
        )

    if configures:
        last = max(configures, key=lambda a: a.version or 0)
        if stored.toolbar != (last.version, last.value):
            problems.append(
                f"toolbar is at {stored.toolbar}; last acknowledged: {(last.version, last.value)}"
            )
    if updates:
        last = max(updates, key=lambda a: a.version or 0)
        if (stored.article_version, stored.article_lead) != (last.version, last.value):
            problems.append(
                f"article is at version {stored.article_version} with lead ending "
                f"{stored.article_lead[-20:]!r}; last acknowledged was version {last.version}"
            )

    last_by_viewer: dict[str, int] = {}
    for ack in prefs:  # each viewer's acks are in order: one thread per viewer
        assert ack.viewer is not None
        last_by_viewer[ack.viewer] = ack.value
    for viewer, size in last_by_viewer.items():
        if stored.preferences.get(viewer) != size:
            problems.append(
                f"viewer …{viewer[-6:]}: text size {stored.preferences.get(viewer)} stored, "
                f"{size} last acknowledged"
            )
    found += sum(
        1
        for a in prefs
        if a.viewer and stored.preferences.get(a.viewer) == last_by_viewer[a.viewer]
    )
    history_entries = len(stored.configure_entries) + len(stored.update_entries)
    return Verdict(len(acks), found, history_entries, problems)


# --- preparing and reading the database ------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    token: str
    audit_baseline: int
    toolbar_id: int
    toolbar_before: tuple[int, str]
    article_id: int


def prepare(database_url: str) -> Prepared:
    from flask_migrate import upgrade

    from portal_blocks.demo import load_demo

    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": database_url, "PORTAL_BLOCKS_THEME": False})
    with app.app_context():
        upgrade()
        load_demo(db.session)
        _row, token = create_token(db.session, name="load run", role=Role.EDITOR)
        db.session.commit()
        baseline = db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
        article_id = db.session.scalar(select(Article.id).where(Article.slug == SLUG))
        toolbar = db.session.scalars(
            select(Placement).where(Placement.block_type == TOOLBAR).order_by(Placement.id)
        ).first()
        assert article_id is not None and toolbar is not None, "demo content missing"
        prepared = Prepared(
            token,
            baseline,
            toolbar.id,
            (toolbar.version, toolbar.settings["dateFormat"]),
            article_id,
        )
        db.session.remove()
        db.engine.dispose()
    return prepared


def read_stored(database_url: str, prepared: Prepared, viewers: list[str]) -> Stored:
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": database_url, "PORTAL_BLOCKS_THEME": False})
    with app.app_context():
        session = db.session
        article = session.get(Article, prepared.article_id)
        assert article is not None
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.id > prepared.audit_baseline)
            .order_by(AuditEntry.id)
        ).all()
        configure = [
            (e.after["version"], e.after["settings"]["dateFormat"])
            for e in entries
            if e.action == "configure" and e.entity_id == str(prepared.toolbar_id)
        ]
        update = [
            (e.after["version"], e.after["lead"])
            for e in entries
            if e.action == "update" and e.entity_id == str(prepared.article_id)
        ]
        rows = session.execute(
            select(DisplayPreference.viewer_id, DisplayPreference.text_size).where(
                DisplayPreference.viewer_id.in_(viewers)
            )
        ).all()
        toolbar = session.get(Placement, prepared.toolbar_id)
        assert toolbar is not None
        stored = Stored(
            article.version,
            article.lead,
            prepared.toolbar_before,
            (toolbar.version, toolbar.settings["dateFormat"]),
            configure,
            update,
            dict(rows),
        )
        db.session.remove()
        db.engine.dispose()
    return stored


# --- the clients -----------------------------------------------------------------------------


class Client:
    """One thread's connection, viewer cookie and last-read versions."""

    def __init__(self, port: int, token: str, tally: Tally, toolbar_id: int, number: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = token
        self.tally = tally
        self.toolbar_id = str(toolbar_id)
        self.number = number
        self.viewer: str | None = None
        self.toolbar_version = 0
        self.article_version = 0
        self.base_lead = ""
        self.get_url = "/graphql?" + urlencode(
            {"query": PAGE, "variables": json.dumps({"path": PATH})}
        )

    def call(
        self, kind: str, method: str, url: str, body: dict | None = None, editor: bool = False
    ) -> dict | None:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if editor:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.viewer:
            headers["Cookie"] = f"pb_viewer={self.viewer}"
        data = json.dumps(body) if body is not None else None
        with self.tally.lock:
            if self.tally.sent >= self.tally.budget:
                return None
            self.tally.sent += 1
        start = time.perf_counter()
        try:
            self.conn.request(method, url, data, headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            with self.tally.lock:
                self.tally.requests[kind] += 1
                self.tally.unexpected.append(f"{kind}: {type(exc).__name__}: {exc}")
            return None
        elapsed = time.perf_counter() - start
        if self.viewer is None and (cookie := response.getheader("Set-Cookie")):
            jar: SimpleCookie = SimpleCookie(cookie)
            if "pb_viewer" in jar:
                self.viewer = jar["pb_viewer"].value
        with self.tally.lock:
            self.tally.requests[kind] += 1
            self.tally.statuses[f"{response.status // 100}xx"] += 1
            self.tally.latencies[kind].append(elapsed)
            if response.status >= 400:
                self.tally.unexpected.append(f"{kind}: HTTP {response.status} {raw[:200]!r}")
                return None
        result = json.loads(raw)
        if "errors" in result:
            with self.tally.lock:
                self.tally.unexpected.append(f"{kind}: {result['errors']}")
            return None
        return result["data"]

    def reread(self) -> None:
        data = self.call(
            REREAD, "POST", "/graphql",
            {"query": DRAFT, "variables": {"name": LAYOUT, "slug": SLUG}}, editor=True,
        )  # fmt: skip
        if data is None:
            return
        toolbar = next(p for p in data["draftLayout"]["placements"] if p["id"] == self.toolbar_id)
        self.toolbar_version = toolbar["version"]
        self.article_version = data["draftArticle"]["version"]
        if not self.base_lead:
            self.base_lead = data["draftArticle"]["lead"].split(" · lượt ", 1)[0]

    def mutate(self, kind: str, query: str, variables: dict, editor: bool) -> dict | None:
        """The payload if acknowledged; None after a CONFLICT (re-read) or any other error."""
        data = self.call(
            kind, "POST", "/graphql", {"query": query, "variables": variables}, editor=editor
        )
        if data is None:
            return None
        [payload] = data.values()
        if not payload["errors"]:
            return payload
        codes = [e["code"] for e in payload["errors"]]
        with self.tally.lock:
            if codes == ["CONFLICT"]:
                self.tally.conflicts[kind] += 1
            else:
                self.tally.unexpected.append(f"{kind}: {payload['errors']}")
        self.reread()
        return None

    def step(self, kind: str, n: int) -> None:
        if kind == READ_POST:
            self.call(kind, "POST", "/graphql", {"query": PAGE, "variables": {"path": PATH}})
        elif kind == READ_GET:
            self.call(kind, "GET", self.get_url)
        elif kind == CONFIGURE_KIND:
            date_format = DATE_FORMATS[n % 2]
            variables = {
                "id": self.toolbar_id,
                "version": self.toolbar_version,
                "settings": {"dateFormat": date_format},
            }
            if payload := self.mutate(kind, CONFIGURE, variables, editor=True):
                placement = payload["placement"]
                self.toolbar_version = placement["version"]
                self.record(Ack(kind, placement["version"], placement["settings"]["dateFormat"]))
        elif kind == UPDATE_KIND:
            variables = {
                "slug": SLUG,
                "version": self.article_version,
                "input": {"lead": f"{self.base_lead} · lượt {n}"},
            }
            if payload := self.mutate(kind, UPDATE, variables, editor=True):
                article = payload["article"]
                self.article_version = article["version"]
                self.record(Ack(kind, article["version"], article["lead"]))
        elif kind == PREFS_KIND:
            size = 80 + (n % 60)
            if payload := self.mutate(kind, PREFERENCES, {"size": size}, editor=False):
                stored = payload["preferences"]["textSize"]
                self.record(Ack(kind, None, stored, viewer=self.viewer))

    def record(self, ack: Ack) -> None:
        with self.tally.lock:
            self.tally.acks.append(ack)


def run_clients(
    port: int, prepared: Prepared, clients: int, seconds: float, max_requests: int
) -> tuple[Tally, list[str]]:
    tally = Tally(budget=max_requests)
    serial = itertools.count(1)
    stop = threading.Event()
    deadline = time.monotonic() + seconds
    workers = [Client(port, prepared.token, tally, prepared.toolbar_id, i) for i in range(clients)]

    def loop(client: Client) -> None:
        client.reread()
        for kind in itertools.cycle(
            MIX[client.number % len(MIX) :] + MIX[: client.number % len(MIX)]
        ):
            n = next(serial)
            if stop.is_set() or tally.sent >= max_requests or time.monotonic() > deadline:
                return
            client.step(kind, n)

    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in workers]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=35)
    return tally, [c.viewer for c in workers if c.viewer]


# --- gunicorn --------------------------------------------------------------------------------


def start_gunicorn(database_url: str, workers: int, log: Any) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_BLOCKS_DATABASE_URL": database_url,
        "PORTAL_BLOCKS_RATE_LIMIT_MUTATIONS": "1000000/minute",
        "PORTAL_BLOCKS_THEME": "false",
    }
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--worker-class", "sync",
            "--graceful-timeout", "10",
            "portal_blocks.wsgi:app",
        ],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=log,
        start_new_session=True,  # Ctrl-C reaches this script, which stops gunicorn itself
    )  # fmt: skip

    def answers() -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200

    try:
        wait_until_up(server, answers, f"gunicorn (its log: {log.name})")
    except SystemExit:
        stop(server)
        raise
    return server, port


# --- report ----------------------------------------------------------------------------------


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * fraction + 0.5) - 1))]


def report(tally: Tally, verdict: Verdict, seconds: float, workers: int, clients: int) -> None:
    total = sum(tally.requests.values())
    served = sum(tally.statuses.values())
    print(
        f"gunicorn, {workers} sync workers, PostgreSQL; {clients} client threads, "
        f"{seconds:.1f} s of load"
    )
    print(f"requests served: {served} of {total} sent ({served / seconds:.0f}/s)")
    print(f"{'kind':<24}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'conflicts':>11}")
    for kind in KINDS:
        samples = tally.latencies.get(kind) or [0.0]
        print(
            f"{kind:<24}{tally.requests[kind]:>9}{percentile(samples, 0.5) * 1e3:>9.1f}"
            f"{percentile(samples, 0.99) * 1e3:>9.1f}{tally.conflicts[kind]:>11}"
        )
    print(
        "status: "
        + ", ".join(f"{cls} {tally.statuses[cls]}" for cls in ("2xx", "3xx", "4xx", "5xx"))
    )
    print(f"conflicts (expected, not failures): {sum(tally.conflicts.values())}")
    print(f"unexpected errors: {len(tally.unexpected)}")
    for line in tally.unexpected[:10]:
        print("  ", line[:300])
    by_kind = Counter(a.kind for a in tally.acks)
    print(
        f"mutations acknowledged: {verdict.acknowledged} "
        f"({', '.join(f'{k} {by_kind[k]}' for k in (CONFIGURE_KIND, UPDATE_KIND, PREFS_KIND))})"
    )
    print(f"mutations found in the database: {verdict.found}")
    print(
        f"history entries found: {verdict.history_entries} "
        f"(for {by_kind[CONFIGURE_KIND] + by_kind[UPDATE_KIND]} acknowledged "
        f"configureBlock + updateArticle; display preferences are not audited)"
    )
    for problem in verdict.problems:
        print("MISSING:", problem)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--max-requests", type=int, default=100_000, help="all requests, re-reads too"
    )
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=6)
    args = parser.parse_args(argv)

    prepared = prepare(args.database_url)
    with tempfile.NamedTemporaryFile("w+", prefix="load-gunicorn-", suffix=".log") as log:
        server, port = start_gunicorn(args.database_url, args.workers, log)
        try:
            start = time.monotonic()
            tally, viewers = run_clients(
                port, prepared, args.clients, args.seconds, args.max_requests
            )
            elapsed = time.monotonic() - start
        finally:
            stop(server)
        stored = read_stored(args.database_url, prepared, viewers)
        verdict = verify(tally.acks, stored)
        report(tally, verdict, elapsed, args.workers, args.clients)
        if tally.statuses["5xx"]:
            log.seek(0)
            print("gunicorn log (tail):", *log.readlines()[-20:], sep="\n")
    failed = tally.statuses["5xx"] or tally.unexpected or verdict.problems
    print("FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # gunicorn was already stopped by main's ``finally``
        print("interrupted; gunicorn stopped", file=sys.stderr)
        sys.exit(130)
