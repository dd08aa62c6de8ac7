"""A theme page that cannot be shown is still the portal's page: a fault of ours (a 500) or
a dependency's (a 503, see test_portal_blocks_source.py) gets the theme's page in its
language, with the request's id to quote and nothing of the fault, kept by no cache."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import REFERENCE_LEGACY_PATH
from flask import Flask
from sqlite_portal import portal_on

from portal_blocks.web import theme

SITE_HEADER = "Cổng thông tin điện tử"


def assert_the_themes_fault_page(response) -> None:
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page and SITE_HEADER in page
    assert "<h1>Trang gặp lỗi</h1>" in page
    request_id = response.headers["X-Request-ID"]
    assert f'<code class="pb-request-id">{request_id}</code>' in page
    assert response.headers["Cache-Control"] == "no-store"
    assert "Traceback" not in page and "Internal Server Error" not in page


def test_a_fault_of_ours_is_the_themes_page_its_traceback_logged(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug in page assembly: lost id 4711")

    monkeypatch.setattr(theme, "load_page", broken)
    # As in production: a test app hands an unhandled error to the test instead.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get(REFERENCE_LEGACY_PATH)
    assert_the_themes_fault_page(response)
    assert "4711" not in response.get_data(as_text=True)
    [logged] = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
    assert "lost id 4711" in str(logged.exc_info[1])


def test_a_damaged_database_file_is_the_themes_page_not_a_bare_500(tmp_path: Path) -> None:
    damaged = tmp_path / "portal.db"
    damaged.write_bytes(b"not a database at all, " * 200)
    client = portal_on(f"sqlite:///{damaged}", PROPAGATE_EXCEPTIONS=False).test_client()
    for path in ("/", REFERENCE_LEGACY_PATH):
        assert_the_themes_fault_page(client.get(path))
