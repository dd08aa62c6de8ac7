"""How much a fragment costs: rendered (200), revalidated (304), and the same HTML via GraphQL.

Run: ``.venv/bin/python benchmarks/fragments.py [requests-per-round]``. Uses a temporary SQLite
database with the demo content and Flask's test client (one process, one thread), 5 rounds,
every case once per round; prints the median microseconds per request of each case.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from portal_blocks import create_app
from portal_blocks.db import db
from portal_blocks.demo import load_demo

SLUG = "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
PATH = f"/tin-tuc/{SLUG}"
QUERY = 'query($p: String!) { page(path: $p) { region(name: "main") { html } } }'


def main(per_round: int) -> None:
    database = Path(tempfile.mkdtemp()) / "bench.db"
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{database}"})
    with app.app_context():
        upgrade()
        load_demo(db.session)
        db.session.remove()
    client = app.test_client()
    query = {"path": PATH, "region": "main"}
    etag = client.get("/fragments/page", query_string=query).headers["ETag"]

    cases = {
        "fragment 200 (render)": lambda: client.get("/fragments/page", query_string=query),
        "fragment 304 (If-None-Match)": lambda: client.get(
            "/fragments/page", query_string=query, headers={"If-None-Match": etag}
        ),
        "graphql region html": lambda: client.post(
            "/graphql", json={"query": QUERY, "variables": {"p": PATH}}
        ),
        "theme article page": lambda: client.get(PATH),
        "static toolbar.js": lambda: client.get("/_blocks/static/toolbar.js"),
    }
    for run in cases.values():  # warm caches and check every case answers
        assert run().status_code in (200, 304)
    results: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(5):
        for name, run in cases.items():
            start = time.perf_counter()
            for _ in range(per_round):
                run()
            results[name].append((time.perf_counter() - start) / per_round * 1e6)
    print(f"{per_round} requests x 5 rounds, median us/request (min)")
    for name, samples in results.items():
        print(f"  {name:30s} {statistics.median(samples):8.0f} ({min(samples):.0f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
