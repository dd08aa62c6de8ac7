"""Readers through Varnish (varnish/default.vcl with xkey) in front of portal-blocks under
gunicorn, against the origin alone, in one run; and the time from an editor's publish to the
first reader at the edge seeing it.

Starts gunicorn (``--workers``) on the demo portal in a scratch folder, Varnish in front of it
(Debian's varnish and varnish-modules), then for ``--seconds`` each, ``--clients`` threads
with keep-alive connections read the reference article (GraphQL GET, and the theme page)
through the edge and from the origin; then edits the article's title ``--edits`` times and
measures, for each, how long until a read through Varnish shows it.

    .venv/bin/python benchmarks/edge.py --seconds 10 --clients 8
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from serving import free_ports  # noqa: E402
from test_edge_varnish import start_varnish  # noqa: E402

from portal_blocks import create_app  # noqa: E402
from portal_blocks.db import db  # noqa: E402
from portal_blocks.demo import demo_articles, load_demo  # noqa: E402
from portal_blocks.migrate import upgrade_database  # noqa: E402
from portal_blocks.models import Article  # noqa: E402

SLUG = demo_articles()[0]["slug"]
GRAPHQL = "/graphql?" + urlencode(
    {"query": f'{{ page(path: "/tin-tuc/{SLUG}") {{ article {{ title }} }} }}'}
)
THEME = f"/tin-tuc/{SLUG}"


def load(base: str, path: str, clients: int, seconds: float) -> float:
    """Requests per second ``clients`` connections get for ``path`` in ``seconds``: with wrk
    (Debian's) when it is installed, else Python threads (which then bound the figure)."""
    wrk = shutil.which("wrk")
    if wrk is not None:
        done = subprocess.run(
            [wrk, "-t", "2", "-c", str(clients), "-d", f"{seconds:.0f}s", base + path],
            capture_output=True,
            text=True,
            check=True,
        )
        line = next(x for x in done.stdout.splitlines() if x.startswith("Requests/sec"))
        return float(line.split()[1])
    counts = [0] * clients
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as http:
            while time.monotonic() < deadline:
                assert http.get(path).status_code == 200
                counts[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    if not shutil.which("varnishd") and not Path("/usr/sbin/varnishd").exists():
        sys.exit("needs Varnish: apt-get install -y varnish varnish-modules")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        origin_port, edge_port = free_ports(2)
        settings = {
            "PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{folder / 'edge.db'}",
            "PORTAL_BLOCKS_EDGE_PURGE_URLS": f"http://127.0.0.1:{edge_port}/",
        }
        varnish = start_varnish(folder / "varnish", origin_port, '"127.0.0.1";', edge_port)
        app = create_app(settings)
        with app.app_context():
            upgrade_database()
            load_demo(db.session)
        environment = {**os.environ, **{k: str(v) for k, v in settings.items()}}
        gunicorn = subprocess.Popen(
            [
                str(REPO / ".venv" / "bin" / "gunicorn"),
                "--workers", str(args.workers),
                "--bind", f"127.0.0.1:{origin_port}",
                "--log-level", "warning",
                "portal_blocks.wsgi:app",
            ],
            env=environment,
            cwd=folder,
        )  # fmt: skip
        origin, edge = f"http://127.0.0.1:{origin_port}", varnish.url
        try:
            for _ in range(100):
                try:
                    if httpx.get(origin + "/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            tool = "wrk" if shutil.which("wrk") else "Python threads"
            print(
                f"{args.clients} connections ({tool}), {args.seconds:.0f} s each, "
                f"gunicorn {args.workers} workers"
            )
            for label, path in (("GraphQL GET", GRAPHQL), ("theme page", THEME)):
                for where, base in (("origin", origin), ("through Varnish", edge)):
                    load(base, path, args.clients, 1.0)  # warm every cache and worker
                    rate = load(base, path, args.clients, args.seconds)
                    print(f"  {label:12} {where:16} {rate:9.0f} req/s")
            delays = []
            with httpx.Client(base_url=edge, timeout=5) as http:
                for n in range(args.edits):
                    http.get(GRAPHQL)  # at the edge
                    title = f"Bản tin {n}"
                    with app.app_context():
                        article = db.session.query(Article).filter_by(slug=SLUG).one()
                        started = time.monotonic()
                        # In this process: its purger sends the purge, as the editor's would.
                        article.title = title
                        db.session.commit()
                    while title not in http.get(GRAPHQL).text:
                        time.sleep(0.001)
                    delays.append((time.monotonic() - started) * 1000)
            print(
                f"  publish to the first reader at the edge seeing it: median "
                f"{statistics.median(delays):.1f} ms, max {max(delays):.1f} ms "
                f"({args.edits} edits)"
            )
        finally:
            gunicorn.terminate()
            gunicorn.wait(10)
            varnish.process.terminate()
            varnish.process.wait(10)


if __name__ == "__main__":
    main()
