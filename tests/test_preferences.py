"""Display preferences: the mutation, the viewer cookie, and pages rendered with the choice."""

from __future__ import annotations

import json

import pytest
from conftest import REFERENCE_SLUG, count_statements, publish_draft
from sqlalchemy import func, select

from portal_blocks.db import db
from portal_blocks.models import DisplayPreference, Placement

PATH = f"/tin-tuc/{REFERENCE_SLUG}"
SET = """mutation($s: Int!) { setDisplayPreferences(textSize: $s) {
  preferences { textSize } errors { field code message } } }"""
FORM_MUTATION = "mutation { setDisplayPreferences(textSize: 120) { errors { code } } }"
PAGE = """query($p: String!) { page(path: $p) { regions { blocks {
  ... on Block_BanTin_Toolbar { fontSize { current min max } }
  ... on Block_BanTin_ViewData { textSize html } } } } }"""


def set_size(graphql, size: int) -> dict:
    return graphql(SET, {"s": size})["data"]["setDisplayPreferences"]


def blocks(graphql) -> list[dict]:
    return graphql(PAGE, {"p": PATH})["data"]["page"]["regions"][0]["blocks"]


def preference_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(DisplayPreference))


def test_mutation_sets_an_httponly_lax_cookie_and_stores_the_choice(app, client, graphql):
    response = client.post("/graphql", json={"query": SET, "variables": {"s": 120}})
    payload = response.get_json()["data"]["setDisplayPreferences"]
    assert payload == {"preferences": {"textSize": 120}, "errors": []}
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("pb_viewer=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    viewer = client.get_cookie("pb_viewer").value
    assert len(viewer) >= 16
    assert db.session.get(DisplayPreference, viewer).text_size == 120
    # The same viewer changing their mind updates their one row.
    assert set_size(graphql, 130)["preferences"] == {"textSize": 130}
    assert client.get_cookie("pb_viewer").value == viewer
    assert preference_rows() == 1


def test_pages_render_with_the_choice(app, client, graphql):
    toolbar, viewdata = blocks(graphql)
    assert toolbar["fontSize"]["current"] == 100
    assert viewdata["textSize"] is None
    assert "style=" not in viewdata["html"].split(">")[0]

    set_size(graphql, 120)
    toolbar, viewdata = blocks(graphql)
    assert toolbar["fontSize"]["current"] == 120
    assert viewdata["textSize"] == 120
    assert 'style="font-size: 120%"' in viewdata["html"]
    html = client.get(PATH).get_data(as_text=True)
    assert 'data-font-size="120"' in html
    assert 'style="font-size: 120%"' in html
    assert graphql("{ displayPreferences { textSize } }")["data"] == {
        "displayPreferences": {"textSize": 120}
    }


def test_choice_is_clamped_to_the_toolbar_bounds(app, client, graphql):
    set_size(graphql, 250)
    toolbar, viewdata = blocks(graphql)
    assert toolbar["fontSize"] == {"current": 160, "min": 80, "max": 160}
    assert viewdata["textSize"] == 160
    html = client.get(PATH).get_data(as_text=True)
    increase = html.split('data-action="increase_text_size"')[1].split(">")[0]
    decrease = html.split('data-action="decrease_text_size"')[1].split(">")[0]
    assert "disabled" in increase
    assert "disabled" not in decrease


def test_toolbar_bounds_come_from_its_settings(app, graphql):
    toolbar = db.session.scalars(
        select(Placement).where(Placement.block_type == "Block_BanTin_Toolbar")
    ).one()
    toolbar.settings = {**toolbar.settings, "fontSizeMax": 110}
    db.session.commit()
    publish_draft()
    set_size(graphql, 150)
    assert [b.get("textSize") for b in blocks(graphql)][1] == 110


@pytest.mark.parametrize("size", [49, 301, -5])
def test_out_of_range_is_refused_without_a_cookie_or_a_row(app, client, graphql, size):
    payload = set_size(graphql, size)
    assert payload["preferences"] is None
    assert payload["errors"] == [
        {"field": "textSize", "code": "OUT_OF_RANGE", "message": "Must be between 50 and 300."}
    ]
    assert client.get_cookie("pb_viewer") is None
    assert preference_rows() == 0


def test_mutation_over_get_is_refused(app, client):
    response = client.get("/graphql", query_string={"query": SET, "variables": '{"s": 120}'})
    assert response.status_code == 400
    assert preference_rows() == 0


def test_mutation_from_a_plain_form_is_refused(app, client):
    """A cross-site HTML form can only send simple content types; none of them is accepted."""
    for content_type in ("application/x-www-form-urlencoded", "text/plain"):
        response = client.post(
            "/graphql",
            data=json.dumps({"query": FORM_MUTATION}),
            content_type=content_type,
        )
        assert response.status_code == 400
    assert preference_rows() == 0


def test_a_forged_cookie_is_ignored(app, client, graphql):
    client.get(PATH)  # the page's data is cached from here on
    client.set_cookie("pb_viewer", "x'; DROP TABLE article; --")
    with count_statements() as forged:
        client.get(PATH)
    assert blocks(graphql)[0]["fontSize"]["current"] == 100
    client.delete_cookie("pb_viewer")
    with count_statements() as baseline:
        client.get(PATH)
    assert forged == baseline == []


def test_a_saved_preference_is_read_once_then_cached(app, client, graphql):
    with count_statements() as first:
        assert client.get(PATH).status_code == 200
    with count_statements() as anonymous:
        assert client.get(PATH).status_code == 200
    set_size(graphql, 140)
    with count_statements() as with_cookie:
        assert 'data-font-size="140"' in client.get(PATH).get_data(as_text=True)
    with count_statements() as again:
        assert 'data-font-size="140"' in client.get(PATH).get_data(as_text=True)
        client.get("/fragments/page", query_string={"path": PATH})
    # Routes, the layout with its placements, the article, once; then they come from the
    # page-data cache. The saved preference is read once, then comes from the viewer cache.
    assert len(first) == 3
    assert anonymous == []
    assert len(with_cookie) == 1
    assert "display_preference" in with_cookie[0].sql
    assert again == []


def test_a_changed_preference_is_seen_at_once(app, client, graphql):
    set_size(graphql, 140)
    assert 'data-font-size="140"' in client.get(PATH).get_data(as_text=True)  # cached now
    set_size(graphql, 90)
    assert 'data-font-size="90"' in client.get(PATH).get_data(as_text=True)
    other = app.test_client()
    assert 'data-font-size="100"' in other.get(PATH).get_data(as_text=True)


def test_an_unknown_viewer_id_is_not_remembered(app, client):
    """Made-up cookies cost their lookup each time, and cannot fill the cache."""
    client.get(PATH)
    client.set_cookie("pb_viewer", "khong-co-nguoi-xem-nay-0123456789")
    for _ in range(2):
        with count_statements() as statements:
            client.get(PATH)
        assert ["display_preference" in s.sql for s in statements] == [True]


def test_fragments_with_a_preference_are_private(app, client, graphql):
    public = client.get("/fragments/page", query_string={"path": PATH})
    assert public.headers["Cache-Control"].startswith("public")
    set_size(graphql, 120)
    personal = client.get("/fragments/page", query_string={"path": PATH})
    assert personal.headers["Cache-Control"] == "private, no-cache"
    assert personal.headers["ETag"] != public.headers["ETag"]
    assert 'style="font-size: 120%"' in personal.get_data(as_text=True)
