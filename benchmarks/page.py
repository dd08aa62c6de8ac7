"""How close a page request comes to the framework's floor.

Cases, each answering the reference page query of the demo article:

  (a) floor   a Flask route in the same app returning the same JSON from a static dict, asked
              with the same query string as (c) and (d) (the test client's own cost grows
              with the URL; a bare-URL floor is printed as well, for reference)
  (b) cold    POST with the query text on a cold response cache (each request has its own
              variables, so each is a miss that runs GraphQL); the page's route, layout and
              article come from the page-data cache, as they do for every miss but the first
              after a write, and its view from the shared page views (the address differs only
              by a parameter the page ignores, as readers' ``fbclid`` do). Each body is encoded
              before its request is timed, as a client sends bytes (the floor's GET has no
              body to encode)
      (b')    the same with the page-data cache emptied before each request (outside the
              timing): the page's SQL all run again and the page is assembled anew; measured
              in a second pass, alternating with the floor only
      (b'')   the first read after an article's edit: before each request (outside the timing)
              the page's article gets a new title and is committed, which drops what that
              commit invalidates from every cache: the article is read again, not the page's
              route and layout, nor its lists (the article is not in them)
      (b''')  the same edit committed by another process (an editor's request served by
              another worker, as in production): this process learns of it from the
              invalidation log on its next request, inside the timing
  (c) warm    the persisted query (its sha256 id) over GET, answered by the response cache
  (d) 304     the same GET revalidated with If-None-Match

In-process (default): Flask's test client, one process, the cases alternated round-robin so
drift on a shared machine hits all alike; median and p95 per request, ratio to the floor and
SQL statements per request. ``--gunicorn``: the same app served by gunicorn (several sync
workers, 127.0.0.1, a free port), concurrent clients for a bounded time, requests/s and
p50/p99 per case, the theme page and the fragment (warm hits of the HTML cache) among them.
Warm hits are answered by the WSGI layer in front of Flask (``caching.warm_hits``); set
``PORTAL_BLOCKS_WARM_HITS=false`` in the environment to measure them through Flask. Run on
demand; it is not part of the test suite.

    .venv/bin/python benchmarks/page.py [--requests 2000]
    .venv/bin/python benchmarks/page.py --gunicorn [--workers 3 --clients 4 --seconds 20]
    .venv/bin/python benchmarks/page.py --redis-url redis://127.0.0.1:6379/15  (either mode)
    .venv/bin/python benchmarks/page.py --redis-url ... --near-cache  (and each process's tier)
    .venv/bin/python benchmarks/page.py --reference-page  (the reference page's two blocks only)
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from servers import free_port, stop, wait_until_up  # noqa: E402  (beside this script)

from portal_blocks import create_app  # noqa: E402
from portal_blocks.cache_tags import ALL  # noqa: E402
from portal_blocks.caching.persisted import sha256_hex  # noqa: E402
from portal_blocks.db import db, recorded_statements  # noqa: E402
from portal_blocks.state import get_state  # noqa: E402

PATH = "/Pages/gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9.aspx"
QUERY = """query Page($path: String!) { page(path: $path) {
    regions { name blocks { __typename id position
      ... on Block_BanTin_Toolbar { dateText fontSize { current min max step } }
      ... on Block_BanTin_ViewData { article { title author } paragraphs } } } } }"""
DIGEST = sha256_hex(QUERY)
EXTENSIONS = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": DIGEST}})
VARIABLES = json.dumps({"path": PATH})
GET_URL = "/graphql?" + urlencode({"extensions": EXTENSIONS, "variables": VARIABLES})
#: The same page as HTML: the theme's, and the fragment of its regions.
THEME_URL = PATH
FRAGMENT_URL = "/fragments/page?" + urlencode({"path": PATH})
FLOOR_URL = "/_floor"
#: The gunicorn cases: theme page and fragment warm (hits of the HTML cache) and cold (each
#: request at another address, so rendered anew; the page data stays cached).
CASES = ("floor", "cold", "warm", "304", "theme", "fragment", "theme-cold", "fragment-cold")


def build_app(database_url: str, floor: dict | None = None) -> Flask:
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
            "PORTAL_BLOCKS_GRAPHIQL": False,
            "PORTAL_BLOCKS_THEME": True,  # the HTML cases: theme pages
            "PORTAL_BLOCKS_REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
            "PORTAL_BLOCKS_REDIS_NEAR_CACHE": os.environ.get("BENCH_NEAR_CACHE") == "1",
        }
    )
    static = floor if floor is not None else {}

    @app.get(FLOOR_URL)
    def floor_route() -> dict:
        return static

    app.config["BENCH_FLOOR"] = static
    return app


def prepare_database(database_url: str, *, reference_only: bool = False) -> None:
    """Migrate and load the demo portal (the article page: Toolbar, ViewData, "Tin khác"), or
    with ``reference_only`` the reference page alone (its two blocks, no list)."""
    from flask_migrate import upgrade

    from portal_blocks.demo import load_demo, load_reference

    app = build_app(database_url)
    with app.app_context():
        upgrade()
        (load_reference if reference_only else load_demo)(db.session)
        db.session.remove()
        db.engine.dispose()


def page_json(app: Flask) -> tuple[dict, str]:
    client = app.test_client()
    registered = client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"path": PATH}, "extensions": json.loads(EXTENSIONS)},
    )
    body = registered.get_json()
    assert "errors" not in body, body
    etag = client.get(GET_URL).headers["ETag"]
    return body, etag


def cold_payload(n: int) -> dict:
    # The path's query string is ignored by routing but is part of the cache key: a miss.
    return {"query": QUERY, "variables": {"path": f"{PATH}?r={n}"}}


def commit_title(app: Flask, article_id: int, title: str) -> None:
    """An editor's commit of a new title: the invalidation is the commit's own."""
    from portal_blocks.models import Article

    with app.app_context():
        record = db.session.get(Article, article_id)
        assert record is not None
        record.title = title
        db.session.commit()
        db.session.remove()


def editor_process(database_url: str, article_id: int, orders: Connection) -> None:
    """Another worker of the same site: commits a new title of the article on each order."""
    app = build_app(database_url)
    serial = 0
    while orders.recv():
        serial += 1
        commit_title(app, article_id, f"Giá trị sản xuất công nghiệp, bản sửa khác {serial}")
        orders.send(True)


def in_process(requests: int, warmup: int, database_url: str) -> None:
    app = build_app(database_url)
    with app.app_context():
        body, etag = page_json(app)
        engine = db.engine
    app.config["BENCH_FLOOR"].update(body)
    # Requests run outside any app context, as in production: each gets its own, and its
    # database session is returned to the pool at the end.
    client = app.test_client()
    serial = iter(range(10**9))
    query_string = GET_URL.split("?", 1)[1]
    # A POST's body is encoded before its timing, as a client sends bytes: the test client's
    # JSON encoding is the client's work, which the floor's GET does not have.
    bodies: dict[str, bytes] = {}

    def post_body(case: str) -> object:
        return client.post("/graphql", data=bodies.pop(case), content_type="application/json")

    calls: dict[str, Callable[[], object]] = {
        "floor": lambda: client.get(f"{FLOOR_URL}?{query_string}"),
        "bare": lambda: client.get(FLOOR_URL),
        "cold": lambda: post_body("cold"),
        "cold-data": lambda: post_body("cold-data"),
        "cold-edit": lambda: post_body("cold-edit"),
        "cold-edit-other": lambda: post_body("cold-edit-other"),
        "warm": lambda: client.get(GET_URL),
        "304": lambda: client.get(GET_URL, headers={"If-None-Match": etag}),
        "theme-warm": lambda: client.get(THEME_URL),
        "theme-cold": lambda: client.get(THEME_URL),
        "fragment-warm": lambda: client.get(FRAGMENT_URL),
        "fragment-cold": lambda: client.get(FRAGMENT_URL),
    }
    pages = get_state(app).pages
    assert pages is not None, "the page-data cache is off (PORTAL_BLOCKS_PAGE_CACHE_SIZE=0)"
    html = get_state(app).caches.html
    assert html is not None
    with app.app_context():
        from portal_blocks.models import Article

        edited = db.session.query(Article.id).filter_by(legacy_path=PATH).scalar()
        db.session.remove()
    edits = iter(range(10**9))

    def edit_article() -> None:
        commit_title(app, edited, f"Giá trị sản xuất công nghiệp, bản sửa {next(edits)}")

    # Spawned, not forked: the other worker opens its own app and connections.
    orders, other_end = multiprocessing.Pipe()
    editor = multiprocessing.get_context("spawn").Process(
        target=editor_process, args=(database_url, edited, other_end), daemon=True
    )
    editor.start()

    def edit_elsewhere() -> None:
        orders.send(True)
        if not orders.poll(60):
            raise SystemExit("the editor process did not commit")
        orders.recv()

    prepare: dict[str, Callable[[], object]] = {
        "cold-data": lambda: pages.store.invalidate(frozenset({ALL})),
        "cold-edit": edit_article,
        "cold-edit-other": edit_elsewhere,
        # Rendered anew each time: the page data stays cached, as after another page's edit.
        "theme-cold": lambda: html.store.invalidate(frozenset({ALL})),
        "fragment-cold": lambda: html.store.invalidate(frozenset({ALL})),
    }
    expected = dict.fromkeys(calls, 200) | {"304": 304}
    clock = time.perf_counter

    def alternate(cases: tuple[str, ...]) -> tuple[dict[str, list[float]], dict[str, int]]:
        """The cases round-robin; their times and SQL statements after the warm-up."""
        times: dict[str, list[float]] = {case: [] for case in cases}
        sql: dict[str, int] = dict.fromkeys(cases, 0)
        with recorded_statements(engine) as statements:
            for round_ in range(warmup + requests):
                for case in cases:
                    if case in prepare:
                        prepare[case]()
                    if case.startswith("cold"):
                        bodies[case] = json.dumps(cold_payload(next(serial))).encode()
                    before = len(statements)
                    start = clock()
                    response = calls[case]()
                    elapsed = clock() - start
                    assert response.status_code == expected[case], (case, response.status_code)
                    if round_ >= warmup:
                        times[case].append(elapsed)
                        sql[case] += len(statements) - before
                    del statements[before:]  # counted; kept short over a long run
        return times, sql

    # (b') runs the page's SQL and empties a cache before each request: it alternates with a
    # floor of its own, so that it does not slow the cases the targets are about.
    passes = [
        ("floor", "bare", "cold", "warm", "304"),
        ("floor", "cold-data", "cold-edit", "cold-edit-other"),
        # Apart: emptying the HTML cache for a cold case would empty it for the warm ones.
        ("floor", "theme-warm", "fragment-warm"),
        ("floor", "theme-cold", "fragment-cold"),
    ]
    labels = {
        "floor": "(a) floor: static dict, same query string",
        "bare": "    floor with a bare URL (reference)",
        "cold": "(b) page query, POST, cold response cache",
        "warm": "(c) persisted query GET, warm cache",
        "304": "(d) persisted GET + If-None-Match (304)",
        "cold-data": "(b') page query, page-data cache cold too",
        "cold-edit": "(b'') first read after an article's edit",
        "cold-edit-other": "(b''') the same edit, by another process",
        "theme-warm": "(e) theme page, warm",
        "fragment-warm": "(f) fragment of the page's regions, warm",
        "theme-cold": "(e') theme page, rendered anew",
        "fragment-cold": "(f') fragment, rendered anew",
    }
    print(f"in-process, Flask test client, {requests} requests per case, round-robin")
    print(f"{'case':<44}{'median µs':>10}{'p95 µs':>10}{'× floor':>9}{'SQL/req':>9}")
    for number, cases in enumerate(passes):
        times, sql = alternate(cases)
        floor = statistics.median(times["floor"])
        for case in cases:
            label = "    floor of this pass" if case == "floor" and number else labels[case]
            samples = sorted(times[case])
            median = statistics.median(samples)
            p95 = samples[int(len(samples) * 0.95) - 1]
            print(
                f"{label:<44}{median * 1e6:>10.0f}{p95 * 1e6:>10.0f}"
                f"{median / floor:>9.2f}{sql[case] / requests:>9.2f}"
            )
    orders.send(False)  # the other worker stops
    editor.join(timeout=30)


# --- gunicorn mode -------------------------------------------------------------------------


def gunicorn_app() -> Flask:
    """Entry point of each gunicorn worker (``page:gunicorn_app()``)."""
    floor = json.loads(Path(os.environ["BENCH_FLOOR_FILE"]).read_text(encoding="utf-8"))
    return build_app(os.environ["BENCH_DATABASE_URL"], floor)


def _request(port: int, case: str, etag: str, n: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        if case == "floor":
            conn.request("GET", FLOOR_URL + "?" + GET_URL.split("?", 1)[1])
        elif case == "cold":
            body = json.dumps(cold_payload(n))
            conn.request("POST", "/graphql", body, {"Content-Type": "application/json"})
        elif case == "warm":
            conn.request("GET", GET_URL)
        elif case == "theme":
            conn.request("GET", THEME_URL)
        elif case == "fragment":
            conn.request("GET", FRAGMENT_URL)
        elif case == "theme-cold":  # an argument the page ignores: another address, a miss
            conn.request("GET", f"{THEME_URL}?r={n}")
        elif case == "fragment-cold":
            conn.request("GET", f"{FRAGMENT_URL}&r={n}")
        else:
            conn.request("GET", GET_URL, headers={"If-None-Match": etag})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _client_slice(args: tuple[int, str, str, float, int]) -> tuple[list[float], int]:
    port, case, etag, seconds, seed = args
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    n = seed
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        status = _request(port, case, etag, n)
        latencies.append(time.perf_counter() - start)
        errors += status not in (200, 304)
        n += 1
    return latencies, errors


def under_gunicorn(workers: int, clients: int, seconds: float, database_url: str) -> None:
    app = build_app(database_url)
    with app.app_context():
        body, etag = page_json(app)
        db.session.remove()
        db.engine.dispose()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(body, handle)
    port = free_port()
    env = {
        **os.environ,
        "BENCH_FLOOR_FILE": handle.name,
        "BENCH_DATABASE_URL": database_url,
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--worker-class", "sync",
            "--pythonpath", str(Path(__file__).parent),
            "--log-level", "warning",
            "page:gunicorn_app()",
        ],
        env=env,
    )  # fmt: skip
    try:
        wait_until_up(server, lambda: _request(port, "floor", etag, 0) == 200, "gunicorn")
        for case in CASES:  # every worker warms its caches
            for n in range(workers * 20):
                _request(port, case, etag, -1 - n)
        slice_seconds = 1.0
        rounds = max(1, int(seconds / (slice_seconds * len(CASES))))
        latencies: dict[str, list[float]] = {case: [] for case in CASES}
        served: dict[str, float] = dict.fromkeys(CASES, 0.0)
        failed = dict.fromkeys(CASES, 0)
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(clients) as pool:
            for round_ in range(rounds):
                for case in CASES:
                    seed = (round_ * len(CASES) + CASES.index(case)) * 1_000_000
                    jobs = [
                        (port, case, etag, slice_seconds, seed + i * 100_000)
                        for i in range(clients)
                    ]
                    start = time.perf_counter()
                    for samples, errors in pool.map(_client_slice, jobs):
                        latencies[case] += samples
                        failed[case] += errors
                    served[case] += time.perf_counter() - start
    finally:
        stop(server, 10)
        os.unlink(handle.name)

    rates = {case: len(latencies[case]) / served[case] for case in CASES}
    print(
        f"gunicorn, {workers} sync workers on 127.0.0.1, {clients} client processes, "
        f"{rounds} rounds of 1 s per case, a new connection per request"
    )
    print(f"{'case':<14}{'req/s':>9}{'% of floor':>12}{'p50 µs':>10}{'p99 µs':>10}{'errors':>8}")
    for case in CASES:
        samples = sorted(latencies[case])
        p50 = samples[len(samples) // 2]
        p99 = samples[max(0, int(len(samples) * 0.99) - 1)]
        print(
            f"{case:<14}{rates[case]:>9.0f}{rates[case] / rates['floor'] * 100:>11.0f}%"
            f"{p50 * 1e6:>10.0f}{p99 * 1e6:>10.0f}{failed[case]:>8}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per case (in-process)")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--gunicorn", action="store_true", help="serve with gunicorn instead")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0, help="total load time (gunicorn)")
    parser.add_argument(
        "--redis-url", default="", help="use Redis for the response cache (e.g. DB 15)"
    )
    parser.add_argument(
        "--near-cache", action="store_true", help="with --redis-url: each process's near tier"
    )
    parser.add_argument(
        "--reference-page",
        action="store_true",
        help="only the reference page (two blocks, no list) instead of the demo portal",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: a fresh SQLite file in a temporary folder",
    )
    args = parser.parse_args()
    os.environ["BENCH_REDIS_URL"] = args.redis_url
    os.environ["BENCH_NEAR_CACHE"] = "1" if args.near_cache and args.redis_url else ""
    where = f"Redis at {args.redis_url}" if args.redis_url else "process memory"
    print("caches:", where + (", with each process's near tier" if args.near_cache else ""))
    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.database_url or f"sqlite:///{tmp}/bench.db"
        prepare_database(database_url, reference_only=args.reference_page)
        if args.gunicorn:
            under_gunicorn(args.workers, args.clients, args.seconds, database_url)
        else:
            in_process(args.requests, args.warmup, database_url)


if __name__ == "__main__":
    main()
