"""Block_ThongBao on its own: its settings, and a page showing it, from an app that found it
through the package's entry point (the package must be installed: `pip install -e .`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from portal_blocks_example_notice import BLOCK, NAME, paragraphs_of

from portal_blocks import create_app
from portal_blocks.db import db
from portal_blocks.layout.publishing import publish
from portal_blocks.layout.service import ensure_layout, ensure_route, place_block
from portal_blocks.migrate import upgrade_database
from portal_blocks.problems import Refused

PATH = "/thong-bao/lich-cat-dien"
SETTINGS = {
    "title": "Lịch cắt điện <ngày 12/11>",
    "text": "Khu vực phường 1 mất điện\ntừ 7 giờ đến 11 giờ.\n\nXin lỗi vì sự bất tiện.",
    "level": "warning",
}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """A new database with one published layout holding the notice, routed at PATH."""
    app = create_app(
        {"PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{tmp_path / 'notice.db'}", "TESTING": True}
    )
    with app.app_context():
        upgrade_database()
        layout = ensure_layout(db.session, "notices", title="Thông báo", regions=["main"])
        place_block(db.session, layout, "main", NAME, SETTINGS, position=0)
        ensure_route(db.session, PATH, layout)
        publish(db.session, layout, actor="test")
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_a_new_notice_starts_from_the_defaults() -> None:
    assert BLOCK.defaults == {"title": "", "text": "", "level": "info", "showIcon": True}


@pytest.mark.parametrize(
    ("settings", "field", "code"),
    [
        ({"level": "loud"}, "settings.level", "INVALID_CHOICE"),
        ({"showIcon": "yes"}, "settings.showIcon", "INVALID_TYPE"),
        ({"title": "x" * 121}, "settings.title", "INVALID_LENGTH"),
        ({"colour": "red"}, "settings.colour", "UNKNOWN_FIELD"),
    ],
)
def test_bad_settings_are_refused_by_field(settings: dict[str, Any], field: str, code: str) -> None:
    with pytest.raises(Refused) as refused:
        BLOCK.validate(settings)
    assert [(p.field, p.code) for p in refused.value.problems] == [(field, code)]


def test_blank_lines_start_paragraphs() -> None:
    assert paragraphs_of(" a\n b \n\n\n c\n\n ") == ("a b", "c")


def test_the_page_shows_the_notice(client: FlaskClient) -> None:
    response = client.get("/fragments/page", query_string={"path": PATH, "region": "main"})
    assert response.status_code == 200
    notice = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(
        f"[data-block-type={NAME}]"
    )
    assert notice is not None
    assert notice["role"] == "note"
    assert "thongbao--warning" in notice["class"]
    assert notice.select_one(".thongbao__level").get_text(" ", strip=True) == "⚠ Lưu ý"
    title = notice.select_one("h2")
    assert title.get_text() == "Lịch cắt điện <ngày 12/11>"  # text, escaped, not markup
    assert notice["aria-labelledby"] == title["id"]
    assert [p.get_text() for p in notice.select(".thongbao__text")] == [
        "Khu vực phường 1 mất điện từ 7 giờ đến 11 giờ.",
        "Xin lỗi vì sự bất tiện.",
    ]


def test_labels_follow_the_readers_language(client: FlaskClient) -> None:
    response = client.get("/fragments/page", query_string={"path": PATH, "lang": "en"})
    level = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(
        ".thongbao__level"
    )
    assert level is not None and level.get_text(" ", strip=True) == "⚠ Warning"


QUERY = """
query ($path: String!) {
  page(path: $path) {
    regions { blocks {
      __typename blockType html
      ... on Block_ThongBao {
        title paragraphs level levelLabel icon
        settings { ... on ThongBaoSettings { level showIcon asJson } }
      }
    } }
  }
}
"""


def test_graphql_serves_the_typed_fields_and_the_html(client: FlaskClient) -> None:
    response = client.post("/graphql", json={"query": QUERY, "variables": {"path": PATH}})
    body = response.get_json()
    assert "errors" not in body, body
    (block,) = body["data"]["page"]["regions"][0]["blocks"]
    assert block["__typename"] == block["blockType"] == NAME
    assert block["title"] == SETTINGS["title"]
    assert block["paragraphs"] == [
        "Khu vực phường 1 mất điện từ 7 giờ đến 11 giờ.",
        "Xin lỗi vì sự bất tiện.",
    ]
    assert (block["level"], block["levelLabel"], block["icon"]) == ("WARNING", "Lưu ý", "⚠")
    assert block["settings"]["level"] == "WARNING" and block["settings"]["showIcon"] is True
    assert block["settings"]["asJson"] == {**SETTINGS, "showIcon": True}
    assert 'class="thongbao__title"' in block["html"]
    assert "&lt;ngày 12/11&gt;" in block["html"]
