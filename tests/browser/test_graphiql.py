"""GraphiQL in a real browser, on an app mounted under a URL prefix: it draws the editor, runs a
query against our endpoint and shows the answer, with every request to our own origin.

What the HTML test (tests/test_same_origin_assets.py) cannot show: that the vendored React,
GraphiQL and explorer plugin start together from graphiql-boot.js under the page's
Content-Security-Policy (a blocked script or a violation is a console error, which fails the
test), and that the queries go to the prefixed endpoint the page names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from flask_migrate import upgrade
from serving import served

from portal_blocks import create_app
from portal_blocks.db import db

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

PREFIX = "/cong-thong-tin"
QUERY = "{ blockTypes { name } }"


@pytest.fixture(scope="module")
def prefixed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app under ``PORTAL_BLOCKS_URL_PREFIX``, migrated SQLite, on 127.0.0.1 in a thread."""
    database = tmp_path_factory.mktemp("graphiql") / "app.db"
    app = create_app(
        {"PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{database}", "PORTAL_BLOCKS_URL_PREFIX": PREFIX}
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    try:
        with served(app) as url:
            yield url
    finally:
        with app.app_context():
            db.engine.dispose()


def test_graphiql_runs_a_query_with_every_request_to_our_origin(
    page: Page, prefixed_server: str, output_dir: Path
) -> None:
    requested: list[tuple[str, str]] = []
    problems: list[str] = []
    page.on("request", lambda request: requested.append((request.method, request.url)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{prefixed_server}{PREFIX}/graphql?q={quote(QUERY)}")

    editor = page.locator(".graphiql-container .graphiql-query-editor .CodeMirror")
    editor.wait_for(state="visible")
    assert "blockTypes" in editor.inner_text()
    page.locator(".graphiql-execute-button").click()
    response = page.locator(".graphiql-response")
    response.get_by_text('"Block_BanTin_ViewData"').wait_for()
    assert '"data"' in response.inner_text() and '"errors"' not in response.inner_text()
    # The explorer plugin is there and opens.
    page.get_by_role("button", name="Show GraphiQL Explorer").click()
    page.locator(".graphiql-explorer-root").wait_for(state="visible")
    page.screenshot(path=str(output_dir / "graphiql.png"))
    # A dialog adds a <style> element (its scroll lock): allowed by the page's policy.
    page.get_by_role("button", name="Open settings dialog").click()
    page.get_by_role("dialog").wait_for(state="visible")
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="hidden")
    # The editor fills the window: nothing to scroll.
    assert page.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight")

    assert ("POST", f"{prefixed_server}{PREFIX}/graphql") in requested
    elsewhere = [url for _method, url in requested if not url.startswith(prefixed_server + PREFIX)]
    assert elsewhere == []
    assert {url.rsplit("/", 1)[-1] for _method, url in requested} >= {
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "graphiql.min.css",
        "index.umd.js",
        "graphiql-boot.js",
    }
    assert problems == []


def test_graphiql_keeps_the_edited_query_in_the_address(page: Page, prefixed_server: str) -> None:
    """As on strawberry's page, a query can be shared as a link (the boot script's updateURL)."""
    page.goto(f"{prefixed_server}{PREFIX}/graphql")
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    editor.wait_for(state="visible")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("{ blockTypes { name } }")
    page.wait_for_function("() => new URLSearchParams(location.search).has('q')")
    assert "blockTypes" in page.evaluate("() => new URLSearchParams(location.search).get('q')")
    assert page.evaluate("() => location.pathname") == f"{PREFIX}/graphql"
