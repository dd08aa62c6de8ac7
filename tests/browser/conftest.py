"""Browser fixtures: Debian's Chromium driven by Playwright, and the demo app on a free port.

Playwright's own browser downloads are never used: the tests launch the system Chromium
(``PORTAL_BLOCKS_CHROMIUM``, default ``/usr/bin/chromium``; ``.ci/run`` installs it with apt).
Where Playwright or Chromium is missing the tests are skipped with the reason, except under
``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import upgrade
from serving import served

from portal_blocks import create_app
from portal_blocks.db import db
from portal_blocks.demo import load_demo

CHROMIUM = os.environ.get("PORTAL_BLOCKS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo app (migrated SQLite, demo content) served on 127.0.0.1 in a thread."""
    database = tmp_path_factory.mktemp("browser") / "demo.db"
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{database}"})
    with app.app_context():
        upgrade()
        load_demo(db.session)
        db.session.remove()
    try:
        with served(app) as url:
            yield url
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, in the portal's language."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR
