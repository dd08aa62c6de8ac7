"""Block_LienKet_Website ("Liên kết website"): an editor lists links to other portals.

Placed and configured through the editing mutations, read on the reference page over GraphQL
(typed fields and typed, nested settings) and as the theme's HTML (list and drop-down, in
Vietnamese and English); bad links are refused at the path of the bad value
(``settings.links.1.url``); the published JSON Schema resolves on its own (``$defs``) and
agrees with the server on which links it accepts.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import jsonschema
import pytest
import strawberry
from bs4 import BeautifulSoup
from conftest import REFERENCE_SLUG, REPO
from editing import CONFIGURE, PLACE, PUBLISH_LAYOUT, draft, ok, payload
from marshmallow import fields

from portal_blocks.blocks.registry import registry
from portal_blocks.blocks.settings import SettingsSchema, StrictInteger, json_schema
from portal_blocks.graphql.block_settings import GRAPHQL_NAME, settings_object, settings_type
from portal_blocks.i18n import gettext
from portal_blocks.problems import Refused

NAME = "Block_LienKet_Website"
PAGE_PATH = f"/tin-tuc/{REFERENCE_SLUG}"
LINKS = [
    {"label": "Cổng thông tin Chính phủ", "url": "https://chinhphu.vn"},
    {"label": "Sở Kế hoạch và Đầu tư", "url": "https://sokhdt.example.vn/gioi-thieu?tab=1&x=2"},
    {"label": "Mạng nội bộ", "url": "http://localhost:8080/"},
]
SETTINGS = {"title": "Liên kết", "links": LINKS, "display": "select", "openInNewWindow": True}

PAGE = """query($path: String!) { page(path: $path) { regions { blocks {
  __typename id html assets { css js }
  ... on Block_LienKet_Website { title display links { label url }
    settings { asJson ... on LienKetWebsiteSettings {
      title display openInNewWindow links { __typename label url } } } } } } } }"""
VALIDATE = """query($settings: JSON!) { validateBlockSettings(blockType: "Block_LienKet_Website",
  settings: $settings) { valid settings errors { field code message } } }"""
BLOCK_TYPES = "{ blockTypes { name settingsSchema defaults } }"


def place(as_editor, settings, position=0):
    return as_editor(
        PLACE,
        {
            "layout": "news-detail",
            "version": draft(as_editor)["version"],
            "region": "main",
            "type": NAME,
            "settings": settings,
            "position": position,
        },
    )


def publish(as_editor):
    ok(as_editor(PUBLISH_LAYOUT, {"layout": "news-detail", "version": draft(as_editor)["version"]}))


def placed_and_published(as_editor, settings) -> str:
    """Place the block first in the main region, publish; its placement id."""
    placement_id = ok(place(as_editor, settings))["placement"]["id"]
    publish(as_editor)
    return placement_id


def read_block(graphql, **kwargs) -> dict:
    result = graphql(PAGE, {"path": PAGE_PATH}, **kwargs)
    assert "errors" not in result, result
    blocks = [b for r in result["data"]["page"]["regions"] for b in r["blocks"]]
    [found] = [b for b in blocks if b["__typename"] == NAME]
    return found


def theme_block(client, query: str = ""):
    response = client.get(PAGE_PATH + query)
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    shown = soup.select_one(f"main nav[data-block-type={NAME}]")
    assert shown is not None, "the block is not on the page"
    return soup, shown


def hrefs(tag) -> list[tuple[str, str]]:
    return [(a.get_text(), a["href"]) for a in tag.select("ul.pb-lienket__list a")]


# --- reading it ----------------------------------------------------------------------------


def test_an_editor_places_it_and_graphql_reads_typed_fields_and_nested_settings(as_editor, graphql):
    placed = ok(place(as_editor, SETTINGS))
    assert placed["placement"]["settings"] == SETTINGS
    publish(as_editor)

    block = read_block(graphql)
    assert block["title"] == "Liên kết"
    assert block["display"] == "SELECT"
    assert block["links"] == LINKS
    settings = block["settings"]
    assert settings["asJson"] == SETTINGS
    assert (settings["title"], settings["display"], settings["openInNewWindow"]) == (
        "Liên kết",
        "SELECT",
        True,
    )
    # The nested settings are objects of their own generated type, in the editor's order.
    assert settings["links"] == [{"__typename": "LienKetWebsiteSettingsLink", **x} for x in LINKS]
    assert any(url.endswith("/lienket.js") for url in block["assets"]["js"])
    assert any(url.endswith("/portal_blocks.css") for url in block["assets"]["css"])


def test_an_empty_title_shows_the_localized_heading(as_editor, graphql):
    placed_and_published(as_editor, {"links": LINKS[:1]})
    assert read_block(graphql)["title"] == "Liên kết website"
    assert read_block(graphql, headers={"Accept-Language": "en"})["title"] == "Website links"
    assert gettext("Website links", "vi") == "Liên kết website"


def test_configure_block_changes_what_readers_see(as_editor, graphql):
    placement_id = placed_and_published(as_editor, {"links": LINKS[:1]})
    version = next(p for p in draft(as_editor)["placements"] if p["id"] == placement_id)["version"]
    changed = ok(
        as_editor(
            CONFIGURE,
            {"id": placement_id, "version": version, "settings": {"links": LINKS[1:]}},
        )
    )
    assert changed["placement"]["settings"]["links"] == LINKS[1:]
    publish(as_editor)
    assert read_block(graphql)["links"] == LINKS[1:]


def test_list_display_links_every_website(as_editor, client):
    placed_and_published(as_editor, {"links": LINKS})
    soup, nav = theme_block(client)
    heading = nav.select_one("h2")
    assert heading.get_text() == "Liên kết website"
    assert nav["aria-labelledby"] == heading["id"]
    assert hrefs(nav) == [(x["label"], x["url"]) for x in LINKS]
    # Same window unless the editor asks for a new one.
    assert all(not a.has_attr("target") for a in nav.select("a"))
    assert nav.select_one("form") is None and nav.select_one("noscript") is None
    # The script is a file of its own (CSP script-src 'self'): no inline script on the page.
    scripts = soup.select("script")
    assert any(s.get("src", "").endswith("/lienket.js") for s in scripts)
    assert all(s.get("src") and not s.get_text().strip() for s in scripts)


def test_list_links_can_open_in_a_new_window(as_editor, client):
    placed_and_published(as_editor, {"links": LINKS, "openInNewWindow": True})
    _soup, nav = theme_block(client)
    links = nav.select("a")
    assert len(links) == len(LINKS)
    assert all(a["target"] == "_blank" for a in links)
    assert all(a["rel"] == ["noopener", "noreferrer"] for a in links)


def test_select_display_is_a_form_with_a_noscript_list(as_editor, client):
    placed_and_published(as_editor, SETTINGS)
    _soup, nav = theme_block(client)
    assert nav.select_one("h2").get_text() == "Liên kết"
    form = nav.select_one("form.pb-lienket__form")
    select = form.select_one("select")
    label = form.select_one("label")
    assert label["for"] == select["id"] and "pb-visually-hidden" in label["class"]
    assert label.get_text() == "Chọn trang web"
    options = [(o["value"], o.get_text()) for o in select.select("option")]
    assert options == [("", "— Chọn trang web —"), *((x["url"], x["label"]) for x in LINKS)]
    assert form.select_one("button[type=submit]").get_text() == "Truy cập"
    # Without script the form could go nowhere: it is hidden and the plain list shown instead.
    assert form.has_attr("hidden")
    noscript = nav.select_one("noscript")
    assert hrefs(noscript) == [(x["label"], x["url"]) for x in LINKS]
    assert not nav.select("ul.pb-lienket__list:not(noscript ul)")


def test_english_labels_with_lang_en(as_editor, client):
    placed_and_published(as_editor, {**SETTINGS, "title": ""})
    _soup, nav = theme_block(client, "?lang=en")
    assert nav.select_one("h2").get_text() == "Website links"
    assert nav.select_one("label").get_text() == "Choose a website"
    assert nav.select_one("option").get_text() == "— Choose a website —"
    assert nav.select_one("button").get_text() == "Go"


def test_a_block_without_links_shows_its_heading_only(as_editor, client):
    placed_and_published(as_editor, {"display": "select"})
    _soup, nav = theme_block(client)
    assert nav.select_one("h2").get_text() == "Liên kết website"
    assert nav.select("ul, form, noscript, a") == []


def test_labels_and_addresses_are_escaped(as_editor, graphql):
    hostile = "<script>alert(1)</script>"
    settings = {
        "display": "select",
        "links": [{"label": hostile, "url": 'https://x.example.vn/?q="><script>alert(2)</script>'}],
    }
    placed_and_published(as_editor, settings)
    html = read_block(graphql)["html"]
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'value="https://x.example.vn/?q=&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("option:nth-of-type(2)").get_text() == hostile


def test_the_script_asset_is_served(as_editor, graphql, client):
    placed_and_published(as_editor, SETTINGS)
    [address] = [u for u in read_block(graphql)["assets"]["js"] if u.endswith("/lienket.js")]
    response = client.get(address)
    assert response.status_code == 200
    script = response.get_data(as_text=True)
    assert "window.location.assign(" in script and ".pb-lienket__form" in script
    response.close()


# --- refusing bad settings -----------------------------------------------------------------

BAD_URLS = ["javascript:alert(1)", "ftp://x", "//example.vn", "/x", "http://", "https://a b.vn"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_link_that_is_not_an_absolute_web_address_is_refused_at_its_path(as_editor, url):
    before = draft(as_editor)
    links = [LINKS[0], {"label": "Xấu", "url": url}]
    refused = payload(place(as_editor, {"links": links}))
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("settings.links.1.url", "INVALID_FORMAT")
    ]
    assert refused["placement"] is None
    assert draft(as_editor) == before


def one(**link) -> dict:
    """Settings listing one link of these fields."""
    return {"links": [link]}


GOOD = "https://x.vn"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (one(label=" \t ", url=GOOD), ("settings.links.0.label", "INVALID_LENGTH")),
        (one(label="", url=GOOD), ("settings.links.0.label", "INVALID_LENGTH")),
        (one(label="x" * 201, url=GOOD), ("settings.links.0.label", "INVALID_LENGTH")),
        (one(url=GOOD), ("settings.links.0.label", "REQUIRED")),
        (one(label="a"), ("settings.links.0.url", "REQUIRED")),
        (one(label="a", url=None), ("settings.links.0.url", "NULL_NOT_ALLOWED")),
        (one(label=5, url=GOOD), ("settings.links.0.label", "INVALID_TYPE")),
        (one(label="a", url=f"{GOOD}/{'a' * 1000}"), ("settings.links.0.url", "INVALID_LENGTH")),
        (
            {"links": [LINKS[0], {"label": "a", "url": GOOD, "target": "_top"}]},
            ("settings.links.1.target", "UNKNOWN_FIELD"),
        ),
        ({"links": [LINKS[0], GOOD]}, ("settings.links.1", "INVALID_TYPE")),
        ({"links": LINKS[0]}, ("settings.links", "INVALID_TYPE")),
        ({"links": [LINKS[0]] * 51}, ("settings.links", "INVALID_LENGTH")),
        ({"display": "grid"}, ("settings.display", "INVALID_CHOICE")),
        ({"display": "SELECT"}, ("settings.display", "INVALID_CHOICE")),
        ({"openInNewWindow": "yes"}, ("settings.openInNewWindow", "INVALID_TYPE")),
        ({"title": "x" * 121}, ("settings.title", "INVALID_LENGTH")),
    ],
)
def test_bad_settings_are_refused_by_field(as_editor, settings, expected):
    refused = payload(place(as_editor, settings))
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [expected]
    assert all(e["message"] for e in refused["errors"])


def test_every_bad_link_is_reported_at_once(graphql):
    links = [
        {"label": "", "url": "javascript:alert(1)"},
        LINKS[0],
        {"label": "ok", "url": "/relative"},
    ]
    checked = graphql(VALIDATE, {"settings": {"links": links}})["data"]["validateBlockSettings"]
    assert checked["valid"] is False
    assert sorted((e["field"], e["code"]) for e in checked["errors"]) == [
        ("settings.links.0.label", "INVALID_LENGTH"),
        ("settings.links.0.url", "INVALID_FORMAT"),
        ("settings.links.2.url", "INVALID_FORMAT"),
    ]


def test_the_most_links_and_a_host_without_a_dot_are_accepted(graphql):
    links = [{"label": f"Trang {i}", "url": f"https://trang{i}.example.vn/"} for i in range(49)]
    links.append({"label": "Nội bộ", "url": "http://intranet"})
    checked = graphql(VALIDATE, {"settings": {"links": links}})["data"]["validateBlockSettings"]
    assert checked["errors"] == [] and checked["valid"] is True
    assert checked["settings"]["links"] == links


# --- the published JSON Schema -------------------------------------------------------------


def served_schema(graphql) -> tuple[dict, dict]:
    listed = {t["name"]: t for t in graphql(BLOCK_TYPES)["data"]["blockTypes"]}
    return listed[NAME]["settingsSchema"], listed[NAME]["defaults"]


def test_the_json_schema_is_self_contained_and_committed(graphql):
    schema, defaults = served_schema(graphql)
    assert defaults == {"title": "", "links": [], "display": "list", "openInNewWindow": False}
    assert "#/components" not in json.dumps(schema) and "components" not in schema
    assert schema["properties"]["links"]["items"] == {"$ref": "#/$defs/Link"}
    assert schema["$defs"]["Link"]["required"] == ["label", "url"]
    committed = REPO / "schema" / "blocks" / f"{NAME}.schema.json"
    assert json.loads(committed.read_text(encoding="utf-8")) == schema


def test_the_json_schema_accepts_and_refuses_what_the_server_does(graphql):
    schema, defaults = served_schema(graphql)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(defaults) and validator.is_valid(SETTINGS)
    bad = [
        {"display": "grid"},
        {"links": [{"label": " ", "url": "https://x.vn"}]},
        {"links": [{"label": "a"}]},
        {"links": [{"label": "a", "url": "https://x.vn", "target": "_top"}]},
        {"links": [LINKS[0]] * 51},
        {"colour": "red"},
    ]
    for settings in bad:
        assert not validator.is_valid(settings), settings
    # Both sides agree on which addresses a link may have.
    for url in [*BAD_URLS, "mailto:a@b.vn", "HTTPS://SO.EXAMPLE.VN/x", "http://intranet:8080/"]:
        settings = {"links": [{"label": "a", "url": url}]}
        checked = graphql(VALIDATE, {"settings": settings})["data"]["validateBlockSettings"]
        assert validator.is_valid(settings) is checked["valid"], url


# --- nested settings, for any block type ---------------------------------------------------


class PointSchema(SettingsSchema):
    """A point on a map."""

    x = StrictInteger(required=True)
    label = fields.String(load_default=None, allow_none=True)


class AreaSchema(SettingsSchema):
    corner = fields.Nested(PointSchema, required=True)
    others = fields.List(fields.Nested(PointSchema), load_default=())


class MapSchema(SettingsSchema):
    centre = fields.Nested(PointSchema, load_default=None, allow_none=True)
    areas = fields.List(
        fields.Nested(AreaSchema), load_default=(), metadata={GRAPHQL_NAME: "MapTestArea"}
    )


def test_nested_json_schemas_refer_into_defs_at_every_depth():
    schema = json_schema("Block_Map", MapSchema(), "A map.")
    assert set(schema["$defs"]) == {"Area", "Point"}
    refs = re.findall(r'"\$ref": "([^"]+)"', json.dumps(schema))
    assert refs and all(ref in {"#/$defs/Area", "#/$defs/Point"} for ref in refs)
    assert "#/$defs/Point" in json.dumps(schema["$defs"]["Area"])
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"areas": [{"corner": {"x": 1}, "others": [{"x": 2}]}]})
    assert not validator.is_valid({"areas": [{"corner": {"x": 1}, "others": [{"x": "2"}]}]})


def test_nested_settings_become_typed_graphql_objects():
    settings_cls = settings_type("MapTestSettings", MapSchema(), "Test settings.")

    loaded = MapSchema().load(
        {"centre": {"x": 3}, "areas": [{"corner": {"x": 1}, "others": [{"x": 2}]}]}
    )
    # settings_object reads no more of a block's view than these two.
    view = SimpleNamespace(settings=loaded, settings_key=json.dumps(MapSchema().dump(loaded)))
    built = settings_object(settings_cls, MapSchema(), view)
    assert type(built.areas[0]).__name__ == "MapTestArea" and built.areas[0].corner.x == 1

    @strawberry.type
    class Query:
        settings = strawberry.field(resolver=lambda: built, graphql_type=settings_cls)

    schema = strawberry.Schema(query=Query)
    sdl = schema.as_str()
    assert "centre: MapTestSettingsPoint\n" in sdl  # nullable: it allows null
    assert "areas: [MapTestArea!]!" in sdl  # named by the metadata
    assert "corner: MapTestSettingsPoint!" in sdl and "others: [MapTestSettingsPoint!]!" in sdl
    assert '"""A point on a map."""\ntype MapTestSettingsPoint {' in sdl
    result = schema.execute_sync(
        "{ settings { centre { x label } areas { __typename corner { x } others { x } } } }"
    )
    assert result.errors is None, result.errors
    assert result.data == {
        "settings": {
            "centre": {"x": 3, "label": None},
            "areas": [{"__typename": "MapTestArea", "corner": {"x": 1}, "others": [{"x": 2}]}],
        }
    }
    assert result.data["settings"]["areas"] and built.as_json == MapSchema().dump(loaded)


def test_two_nested_schemas_may_not_share_a_graphql_name():
    class OtherSchema(SettingsSchema):
        y = StrictInteger(required=True)

    class Clashing(SettingsSchema):
        a = fields.Nested(PointSchema, metadata={GRAPHQL_NAME: "Same"}, load_default=None)
        b = fields.Nested(OtherSchema, metadata={GRAPHQL_NAME: "Same"}, load_default=None)

    with pytest.raises(TypeError, match="'Same'"):
        settings_type("ClashTestSettings", Clashing(), "")


def test_a_nested_path_is_reported_with_the_nested_field_code():
    with pytest.raises(Refused) as refused:
        registry.get(NAME).validate({"links": [LINKS[0], LINKS[1], {"label": "a", "url": "x"}]})
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("settings.links.2.url", "INVALID_FORMAT")
    ]
