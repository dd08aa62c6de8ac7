"""Layout, placement and route mutations: behaviour, validation, versions, transactions."""

from __future__ import annotations

import pytest
from editing import (
    CONFIGURE,
    CREATE_LAYOUT,
    LAYOUT_HISTORY,
    MOVE,
    PLACE,
    REMOVE,
    ROUTE_PATH,
    SET_REGIONS,
    block,
    codes,
    draft,
    ok,
    payload,
    positions,
)
from sqlalchemy import select

from portal_blocks.db import db
from portal_blocks.models import Placement, Route

TOOLBAR = "Block_BanTin_Toolbar"
VIEWDATA = "Block_BanTin_ViewData"


def _with_side_region(run) -> dict:
    layout = draft(run)
    ok(
        run(
            SET_REGIONS,
            {"layout": "news-detail", "version": layout["version"], "regions": ["main", "side"]},
        )
    )
    return draft(run)


def _place(run, region: str, position: int | None = None, block_type: str = TOOLBAR) -> dict:
    layout = draft(run)
    return ok(
        run(
            PLACE,
            {
                "layout": "news-detail",
                "version": layout["version"],
                "region": region,
                "type": block_type,
                "position": position,
            },
        )
    )


def test_create_layout_and_route_a_path(as_editor, graphql):
    created = ok(
        as_editor(
            CREATE_LAYOUT, {"name": "trang-chu", "regions": ["top", "main"], "title": "Trang chủ"}
        )
    )
    assert created["layout"]["regions"] == ["top", "main"]
    assert created["layout"]["publishedRevision"] is None
    routed = ok(as_editor(ROUTE_PATH, {"pattern": "/trang-chu", "layout": "trang-chu"}))
    assert routed["route"]["pattern"] == "/trang-chu"
    # Routed but never published: readers find nothing there yet.
    page = graphql('{ page(path: "/trang-chu") { path } }')
    assert page["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        ({"name": "Trang Chủ", "regions": ["main"]}, "name", "INVALID_FORMAT"),
        ({"name": "news-detail", "regions": ["main"]}, "name", "TAKEN"),
        ({"name": "trang-chu", "regions": []}, "regions", "REQUIRED"),
        ({"name": "trang-chu", "regions": ["a", "a"]}, "regions", "DUPLICATE"),
        ({"name": "trang-chu", "regions": ["ok", "<b>"]}, "regions.1", "INVALID_FORMAT"),
    ],
)
def test_create_layout_refuses_bad_input(as_editor, variables, field, code):
    result = payload(as_editor(CREATE_LAYOUT, variables))
    assert result["layout"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]


def test_route_path_validates_pattern_and_targets(as_editor):
    assert codes(as_editor(ROUTE_PATH, {"pattern": "no-slash", "layout": "news-detail"})) == [
        "INVALID_FORMAT"
    ]
    assert codes(as_editor(ROUTE_PATH, {"pattern": "/x/<int:", "layout": "news-detail"})) == [
        "INVALID_FORMAT"
    ]
    assert codes(as_editor(ROUTE_PATH, {"pattern": "/x", "layout": "nope"})) == ["NOT_FOUND"]
    assert codes(
        as_editor(ROUTE_PATH, {"pattern": "/x", "layout": "news-detail", "article": "nope"})
    ) == ["NOT_FOUND"]


def test_route_bound_to_one_article(as_editor, graphql):
    slug = "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
    ok(as_editor(ROUTE_PATH, {"pattern": "/noi-bat", "layout": "news-detail", "article": slug}))
    page = graphql('{ page(path: "/noi-bat") { article { slug } } }')
    assert page["data"]["page"]["article"]["slug"] == slug


ROUTE_ON_HOST = """mutation($pattern: String!, $host: String, $article: String) {
  routePath(pattern: $pattern, layout: "news-detail", articleSlug: $article, host: $host) {
    route { pattern host articleId } errors { field code } } }"""
SLUG = "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"


def test_a_route_may_be_bound_to_a_host(as_editor, client):
    """An editor binds a sub-site's address to its host: it answers there, before any route
    of every host, and nowhere else; the host is held as requests are matched against it."""
    variables = {"pattern": "/gioi-thieu", "host": "SoKHDT.Backan.gov.vn.:8443", "article": SLUG}
    routed = ok(as_editor(ROUTE_ON_HOST, variables))
    assert (routed["route"]["pattern"], routed["route"]["host"]) == (
        "/gioi-thieu",
        "sokhdt.backan.gov.vn",
    )
    assert client.get("/gioi-thieu", base_url="https://sokhdt.backan.gov.vn").status_code == 200
    assert client.get("/gioi-thieu", base_url="https://backan.gov.vn").status_code == 404
    # The same pattern without a host is another route (every other host's); with the host
    # again, the bound one is re-routed, not a second made.
    unbound = ok(as_editor(ROUTE_ON_HOST, {"pattern": "/gioi-thieu", "article": SLUG}))
    assert unbound["route"]["host"] is None
    ok(as_editor(ROUTE_ON_HOST, {**variables, "host": "sokhdt.backan.gov.vn"}))
    hosts = db.session.scalars(select(Route.host).where(Route.pattern == "/gioi-thieu")).all()
    assert sorted(map(str, hosts)) == ["None", "sokhdt.backan.gov.vn"]


@pytest.mark.parametrize("host", ["https://sokhdt.backan.gov.vn/", "sokhdt backan", "a/b", "[::1"])
def test_a_host_that_is_none_is_refused(as_editor, host):
    result = payload(as_editor(ROUTE_ON_HOST, {"pattern": "/gioi-thieu", "host": host}))
    assert result["route"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("host", "INVALID_FORMAT")]
    assert db.session.scalar(select(Route).where(Route.pattern == "/gioi-thieu")) is None


def test_place_block_at_a_position_keeps_positions_dense(as_editor):
    placed = _place(as_editor, "main", 1)
    layout = placed["layout"]
    ids = [pid for pid, _ in positions(layout)["main"]]
    assert [pos for _, pos in positions(layout)["main"]] == [0, 1, 2]
    assert ids[1] == placed["placement"]["id"]
    appended = _place(as_editor, "main")
    assert appended["placement"]["position"] == 3
    assert [pos for _, pos in positions(appended["layout"])["main"]] == [0, 1, 2, 3]


def test_place_block_refusals_change_nothing(as_editor):
    layout = draft(as_editor)
    base = {
        "layout": "news-detail",
        "version": layout["version"],
        "region": "main",
        "type": TOOLBAR,
    }
    cases = [
        ({**base, "region": "nowhere"}, "UNKNOWN_REGION"),
        ({**base, "type": "Block_Nope"}, "UNKNOWN_BLOCK_TYPE"),
        ({**base, "position": 7}, "OUT_OF_RANGE"),
        ({**base, "position": -1}, "OUT_OF_RANGE"),
        ({**base, "version": layout["version"] - 1}, "CONFLICT"),
        ({**base, "layout": "nope"}, "NOT_FOUND"),
        ({**base, "settings": {"fontSizeMin": "big"}}, "INVALID_TYPE"),
    ]
    for variables, code in cases:
        assert codes(as_editor(PLACE, variables)) == [code], variables
    assert draft(as_editor) == layout


def test_move_within_a_region(as_editor):
    _place(as_editor, "main")  # main: toolbar, viewdata, toolbar2
    layout = draft(as_editor)
    first = positions(layout)["main"][0][0]
    moved = ok(as_editor(MOVE, {"id": first, "version": 1, "region": "main", "position": 2}))
    after = positions(moved["layout"])["main"]
    assert [pos for _, pos in after] == [0, 1, 2]
    assert after[2][0] == first
    assert [pid for pid, _ in after[:2]] == [pid for pid, _ in positions(layout)["main"][1:]]


def test_move_across_regions_renumbers_both(as_editor):
    layout = _with_side_region(as_editor)
    toolbar = block(layout, TOOLBAR)
    moved = ok(
        as_editor(
            MOVE,
            {"id": toolbar["id"], "version": toolbar["version"], "region": "side", "position": 0},
        )
    )
    by_region = positions(moved["layout"])
    assert by_region["side"] == [(toolbar["id"], 0)]
    assert [pos for _, pos in by_region["main"]] == [0]
    back = ok(
        as_editor(
            MOVE,
            {
                "id": toolbar["id"],
                "version": moved["placement"]["version"],
                "region": "main",
                "position": 0,
            },
        )
    )
    assert [pid for pid, _ in positions(back["layout"])["main"]] == [
        toolbar["id"],
        block(layout, VIEWDATA)["id"],
    ]


def test_move_refusals(as_editor):
    layout = draft(as_editor)
    toolbar = block(layout, TOOLBAR)
    move = {"id": toolbar["id"], "version": toolbar["version"], "region": "main"}
    assert codes(as_editor(MOVE, {**move, "position": 2})) == ["OUT_OF_RANGE"]
    assert codes(as_editor(MOVE, {**move, "position": 0, "region": "x"})) == ["UNKNOWN_REGION"]
    assert codes(as_editor(MOVE, {**move, "position": 1, "version": 9})) == ["CONFLICT"]
    assert codes(as_editor(MOVE, {**move, "position": 1, "id": "999"})) == ["NOT_FOUND"]
    assert codes(as_editor(MOVE, {**move, "position": 1, "id": "abc"})) == ["NOT_FOUND"]
    assert draft(as_editor) == layout


def test_configure_block_stores_full_settings_and_bumps_versions(as_editor):
    layout = draft(as_editor)
    toolbar = block(layout, TOOLBAR)
    done = ok(
        as_editor(
            CONFIGURE,
            {"id": toolbar["id"], "version": 1, "settings": {"dateFormat": "EEEE, dd/MM/yyyy"}},
        )
    )
    settings = done["placement"]["settings"]
    assert settings["dateFormat"] == "EEEE, dd/MM/yyyy"
    assert settings["fontSizeMax"] == 160  # omitted keys take their defaults
    assert done["placement"]["version"] == 2
    assert done["layout"]["version"] == layout["version"] + 1
    stale = as_editor(
        CONFIGURE, {"id": toolbar["id"], "version": 1, "settings": {"showDate": False}}
    )
    assert codes(stale) == ["CONFLICT"]
    assert block(draft(as_editor), TOOLBAR)["settings"] == settings


def test_configuring_the_same_settings_again_changes_nothing(as_editor):
    toolbar = block(draft(as_editor), TOOLBAR)
    first = ok(
        as_editor(CONFIGURE, {"id": toolbar["id"], "version": 1, "settings": {"showLead": False}})
    )
    history = as_editor(LAYOUT_HISTORY)["data"]["layoutHistory"]
    again = ok(
        as_editor(CONFIGURE, {"id": toolbar["id"], "version": 2, "settings": {"showLead": False}})
    )
    assert again["placement"] == first["placement"]
    assert again["layout"]["version"] == first["layout"]["version"]
    assert as_editor(LAYOUT_HISTORY)["data"]["layoutHistory"] == history


def test_remove_block_renumbers(as_editor):
    _place(as_editor, "main")
    layout = draft(as_editor)
    first = positions(layout)["main"][0][0]
    removed = ok(as_editor(REMOVE, {"id": first, "version": 1}))
    assert removed["placement"] is None
    assert [pos for _, pos in positions(removed["layout"])["main"]] == [0, 1]
    assert first not in {p["id"] for p in removed["layout"]["placements"]}
    assert codes(as_editor(REMOVE, {"id": first, "version": 1})) == ["NOT_FOUND"]


def test_set_regions_keeps_regions_holding_blocks(as_editor):
    layout = _with_side_region(as_editor)
    assert layout["regions"] == ["main", "side"]
    result = as_editor(
        SET_REGIONS, {"layout": "news-detail", "version": layout["version"], "regions": ["side"]}
    )
    assert codes(result) == ["REGION_NOT_EMPTY"]
    reordered = ok(
        as_editor(
            SET_REGIONS,
            {"layout": "news-detail", "version": layout["version"], "regions": ["side", "main"]},
        )
    )
    assert reordered["layout"]["regions"] == ["side", "main"]
    stale = as_editor(
        SET_REGIONS, {"layout": "news-detail", "version": layout["version"], "regions": ["main"]}
    )
    assert codes(stale) == ["CONFLICT"]


def test_a_failure_midway_rolls_back_everything(as_editor, monkeypatch):
    """The move renumbers two regions, then the audit write fails: nothing may stay."""
    layout = _with_side_region(as_editor)
    toolbar = block(layout, TOOLBAR)
    from portal_blocks import audit

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken)
    result = as_editor(
        MOVE, {"id": toolbar["id"], "version": toolbar["version"], "region": "side", "position": 0}
    )
    assert result["data"] is None
    assert result["errors"][0]["message"] == "Unexpected error."
    monkeypatch.undo()
    assert draft(as_editor) == layout


def test_positions_in_database_stay_dense_after_many_edits(as_editor):
    layout = _with_side_region(as_editor)
    for _ in range(3):
        _place(as_editor, "side", 0)
    layout = draft(as_editor)
    for index, placement in enumerate(sorted(layout["placements"], key=lambda p: p["id"])):
        region = "main" if index % 2 else "side"
        current = next(p for p in draft(as_editor)["placements"] if p["id"] == placement["id"])
        ok(
            as_editor(
                MOVE,
                {
                    "id": placement["id"],
                    "version": current["version"],
                    "region": region,
                    "position": 0,
                },
            )
        )
    rows = db.session.query(Placement).all()
    by_region: dict[str, list[int]] = {}
    for row in rows:
        by_region.setdefault(row.region, []).append(row.position)
    db.session.rollback()
    assert {r: sorted(p) for r, p in by_region.items()} == {
        r: list(range(len(p))) for r, p in by_region.items()
    }
    assert sum(len(p) for p in by_region.values()) == 5
