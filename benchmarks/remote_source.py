"""A page on a cache miss through a real Wagtail site, against the same page from our own
table, in one run; and what a webhook invalidation costs.

Starts the test Wagtail site (tests/wagtail_support.py: wagtail-grapple in its own virtualenv,
seeded with the demo articles), two portals on SQLite files in a scratch folder (one reading
Wagtail, one its own table, both with the reference page's layout plus "Tin khác"), and times,
in process through the Flask test client:

- a GraphQL page request on a cold cache (every cache emptied before each request);
- the theme page on a cold cache;
- a signed webhook call (verify, parse, invalidate), and the next read after it.

    .venv/bin/python benchmarks/remote_source.py --rounds 200
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from flask import Flask  # noqa: E402
from wagtail_support import create_site  # noqa: E402

from portal_blocks import create_app  # noqa: E402
from portal_blocks.cache_tags import ALL  # noqa: E402
from portal_blocks.caching.invalidation import invalidate  # noqa: E402
from portal_blocks.content.webhooks import (  # noqa: E402
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)
from portal_blocks.db import db  # noqa: E402
from portal_blocks.demo import (  # noqa: E402
    ARTICLE_LAYOUT,
    demo_articles,
    ensure_demo_layout,
    load_demo,
)
from portal_blocks.migrate import upgrade_database  # noqa: E402

SECRET = "a-benchmark-secret-of-at-least-32-characters"
ARTICLE = f"/tin-tuc/{demo_articles()[0]['slug']}"
QUERY = {"query": f'{{ page(path: "{ARTICLE}") {{ regions {{ blocks {{ __typename html }} }} }} }}'}


def portal(database: Path, source: dict[str, object]) -> Flask:
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{database}",
            "PORTAL_BLOCKS_WEBHOOK_SECRET": SECRET,
            "PORTAL_BLOCKS_BLOCK_TYPES": ["Block_BanTin_Toolbar"],
            **source,
        }
    )
    with app.app_context():
        upgrade_database()
        if not source:
            load_demo(db.session)
        ensure_demo_layout(db.session, ARTICLE_LAYOUT)
        db.session.commit()
    return app


def timed(rounds: int, run: Callable[[], object]) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds."""
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def cold(app: Flask, request: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        with app.app_context():
            invalidate({ALL})  # every cache tier empty: a full miss
        return request()

    return run


def webhook_call(app: Flask) -> Callable[[], object]:
    client = app.test_client()
    body = json.dumps({"ids": ["3"], "slugs": [demo_articles()[0]["slug"]]}).encode()

    def run() -> object:
        timestamp = str(int(time.time()))
        response = client.post(
            "/hooks/content-changed",
            data=body,
            headers={
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(SECRET, timestamp, body),
                "Content-Type": "application/json",
            },
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "wagtail").mkdir()
        site = create_site(folder / "wagtail")
        try:
            remote = portal(
                folder / "remote.db",
                {
                    "PORTAL_BLOCKS_SOURCE": "wagtail",
                    "PORTAL_BLOCKS_SOURCE_URL": site.graphql_url,
                    "PORTAL_BLOCKS_SOURCE_TYPE": "news.NewsPage",
                },
            )
            local = portal(folder / "local.db", {})
            print(f"{rounds} rounds each; milliseconds, median / p95")
            for name, app in (("own table", local), ("Wagtail (grapple)", remote)):
                client = app.test_client()
                graphql = timed(rounds, cold(app, lambda c=client: c.post("/graphql", json=QUERY)))
                theme = timed(rounds, cold(app, lambda c=client: c.get(ARTICLE)))
                warm = timed(rounds, lambda c=client: c.post("/graphql", json=QUERY))
                print(
                    f"  {name:18} GraphQL page, cold {graphql[0]:7.2f} / {graphql[1]:7.2f}   "
                    f"theme page, cold {theme[0]:7.2f} / {theme[1]:7.2f}   "
                    f"GraphQL page, warm {warm[0]:6.2f} / {warm[1]:6.2f}"
                )
            call = timed(rounds, webhook_call(remote))
            client = remote.test_client()

            def call_then_read() -> object:
                webhook_call(remote)()
                return client.post("/graphql", json=QUERY)

            after = timed(max(rounds // 4, 10), call_then_read)
            print(
                f"  webhook call (verify, parse, invalidate): {call[0]:.2f} / {call[1]:.2f}; "
                f"call and the next read from Wagtail: {after[0]:.2f} / {after[1]:.2f}"
            )
        finally:
            site.stop()


if __name__ == "__main__":
    main()
