"""Time the page query for readers (published snapshot) and editors (draft preview).

Usage: .venv/bin/python benchmarks/page_reader_vs_preview.py [--requests 300]
Builds a fresh SQLite database in a temporary folder, with the demo layout grown to 2 and to
40 blocks, and prints the median and p95 per request and the SQL statements per request.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from portal_blocks import create_app
from portal_blocks.auth.tokens import create_token
from portal_blocks.db import db, recorded_statements
from portal_blocks.demo import load_demo
from portal_blocks.layout.publishing import publish
from portal_blocks.layout.service import place_block
from portal_blocks.models import Layout, Placement, Role

PATH = "/Pages/gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9.aspx"
QUERY = """query($p: String!, $preview: Boolean!) { page(path: $p, preview: $preview) {
  regions { name blocks { __typename id position html } } } }"""


def measure(client, headers: dict, preview: bool, requests: int) -> tuple[float, float, float]:
    body = {"query": QUERY, "variables": {"p": PATH, "preview": preview}}
    for _ in range(20):  # warm the parser and validation caches
        client.post("/graphql", json=body, headers=headers)
    timings = []
    with recorded_statements(db.engine) as statements:
        for _ in range(requests):
            start = time.perf_counter()
            response = client.post("/graphql", json=body, headers=headers)
            timings.append((time.perf_counter() - start) * 1e6)
            assert "errors" not in response.get_json(), response.get_json()
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95)], len(statements) / requests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "PORTAL_BLOCKS_GRAPHIQL": False,
            }
        )
        with app.app_context():
            upgrade()
            load_demo(db.session)
            _row, token = create_token(db.session, name="bench", role=Role.EDITOR)
            db.session.commit()
            client = app.test_client()
            editor = {"Authorization": f"Bearer {token}"}
            print(f"{'blocks':>6} {'who':<8} {'median µs':>10} {'p95 µs':>10} {'SQL/request':>12}")
            for blocks in (2, 40):
                layout = db.session.query(Layout).one()
                existing = db.session.query(Placement).count()
                for position in range(existing, blocks):
                    place_block(
                        db.session, layout, "main", "Block_BanTin_Toolbar", position=position
                    )
                publish(db.session, layout, actor="bench")
                db.session.commit()
                for who, headers, preview in (("reader", {}, False), ("preview", editor, True)):
                    median, p95, sql = measure(client, headers, preview, args.requests)
                    print(f"{blocks:>6} {who:<8} {median:>10.0f} {p95:>10.0f} {sql:>12.1f}")


if __name__ == "__main__":
    main()
