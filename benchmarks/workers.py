"""How much memory each worker of ``portal-blocks serve`` holds of its own.

Serves the demo portal as ``portal-blocks demo`` does (SQLite in a temporary folder, gunicorn's
workers forked from the app built once, on a free port of 127.0.0.1), reads ``--requests``
addresses of each kind, each its own (the article's theme page, the fragment of its regions,
the home page, a GraphQL POST of the page query: each one rendered and its answer kept), then
prints, for the arbiter and each worker, from ``/proc/<pid>/smaps_rollup``: its RSS, its PSS
(its share of the pages other processes map too) and its private pages (what it alone holds).

``--no-freeze`` serves without :func:`portal_blocks.memory.share_startup_objects` (what
startup built left in the collector's reach) for comparison. Linux only. Run on demand; it is
not part of the test suite.

    .venv/bin/python benchmarks/workers.py [--workers 2 --requests 1500] [--no-freeze]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from servers import free_port, stop, wait_until_up

REPO = Path(__file__).resolve().parents[1]
ARTICLE = "/Pages/gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9.aspx"
QUERY = "query Page($path: String!) { page(path: $path) { regions { name html } } }"
#: The CLI, started with the freeze left out or not (the name ``_serve`` calls it by).
LAUNCH = """
import sys
import portal_blocks.cli as cli
if {no_freeze!r}:
    cli.share_startup_objects = lambda: 0
sys.argv[0] = "portal-blocks"
cli.cli()
"""
FIELDS = ("Rss", "Pss", "Private_Clean", "Private_Dirty")


def get(port: int, method: str, path: str, body: bytes | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def memory_mb(pid: int) -> dict[str, float]:
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in FIELDS:
            values[name] = int(rest.split()[0]) / 1024
    return values


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return sorted(found)


def run(workers: int, requests: int, no_freeze: bool) -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{Path(folder) / 'portal.db'}",
            "PORTAL_BLOCKS_SECRET_KEY": secrets.token_hex(32),
        }
        launch = LAUNCH.format(no_freeze=no_freeze)
        server = subprocess.Popen(
            [sys.executable, "-c", launch, "demo", "--port", str(port), "--workers", str(workers)],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(server, lambda: get(port, "GET", "/healthz") == 200, "the demo", 60)
            failed = 0
            for n in range(requests):
                body = json.dumps({"query": QUERY, "variables": {"path": f"{ARTICLE}?r={n}"}})
                statuses = (
                    get(port, "GET", f"{ARTICLE}?r={n}"),
                    get(port, "GET", f"/fragments/page?path={quote(ARTICLE)}&r={n}"),
                    get(port, "GET", f"/?r={n}"),
                    get(port, "POST", "/graphql", body.encode()),
                )
                failed += sum(status != 200 for status in statuses)
            time.sleep(0.5)
            processes = [("arbiter", server.pid)] + [
                (f"worker {i + 1}", pid) for i, pid in enumerate(children(server.pid))
            ]
            rows = [(name, memory_mb(pid)) for name, pid in processes]
        finally:
            stop(server, 20)
    startup = "left to the collector" if no_freeze else "frozen before the fork"
    print(
        f"portal-blocks demo, {workers} workers, {requests} requests of each of 4 kinds "
        f"({failed} failed); startup's objects {startup}"
    )
    print(f"{'process':<10}{'RSS MB':>9}{'PSS MB':>9}{'private MB':>12}")
    for name, values in rows:
        private = values["Private_Clean"] + values["Private_Dirty"]
        print(f"{name:<10}{values['Rss']:>9.1f}{values['Pss']:>9.1f}{private:>12.1f}")
    print(f"{'all':<10}{'':>9}{sum(v['Pss'] for _, v in rows):>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--no-freeze", action="store_true")
    args = parser.parse_args()
    if not Path("/proc/self/smaps_rollup").exists():
        raise SystemExit("this benchmark reads /proc/<pid>/smaps_rollup: Linux only")
    run(args.workers, args.requests, args.no_freeze)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
