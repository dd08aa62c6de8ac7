"""The page query of the foundation issue, as written there, and its neighbours."""

from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG

from portal_blocks.block_types import BUILTIN

ISSUE_QUERY = """{ page(path: "%s") {
    regions { name blocks { __typename id position
      ... on Block_BanTin_Toolbar { dateText fontSize { current min max step } }
      ... on Block_BanTin_ViewData { article { title author } paragraphs } } } } }"""

TITLE = "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%"


def test_issue_query_on_legacy_path(graphql):
    result = graphql(ISSUE_QUERY % REFERENCE_LEGACY_PATH)
    assert "errors" not in result
    [region] = result["data"]["page"]["regions"]
    assert region["name"] == "main"
    toolbar, viewdata = region["blocks"]
    assert toolbar["__typename"] == "Block_BanTin_Toolbar"
    assert toolbar["position"] == 0
    assert toolbar["dateText"] == "10/11/2021"
    assert toolbar["fontSize"] == {"current": 100, "min": 80, "max": 160, "step": 10}
    assert viewdata["__typename"] == "Block_BanTin_ViewData"
    assert viewdata["position"] == 1
    assert viewdata["article"] == {"title": TITLE, "author": "Hương Dịu"}
    assert len(viewdata["paragraphs"]) == 3
    assert viewdata["paragraphs"][0].startswith("Theo báo cáo của Sở Kế hoạch và Đầu tư")
    assert viewdata["paragraphs"][2].endswith("CCN Quảng Chu./.")


def test_canonical_and_legacy_paths_give_the_same_page(graphql):
    legacy = graphql(ISSUE_QUERY % REFERENCE_LEGACY_PATH)["data"]
    canonical = graphql(ISSUE_QUERY % f"/tin-tuc/{REFERENCE_SLUG}")["data"]
    assert legacy == canonical


def test_toolbar_typed_data(graphql):
    result = graphql(
        """query($p: String!) { page(path: $p) { article { slug publishedAt }
      regions { blocks { ... on Block_BanTin_Toolbar { blockType region publishedAt title lead
        fontSize { unit increaseLabel decreaseLabel }
        actions { kind label url }
        settings { asJson ... on ToolbarSettings { dateFormat actions showTitle } } } } } } }""",
        {"p": f"/tin-tuc/{REFERENCE_SLUG}"},
    )
    page = result["data"]["page"]
    toolbar = page["regions"][0]["blocks"][0]
    assert toolbar["blockType"] == "Block_BanTin_Toolbar"
    assert toolbar["region"] == "main"
    assert toolbar["publishedAt"] == "2021-11-10T01:00:00+00:00"
    assert toolbar["title"] == TITLE
    assert toolbar["lead"].startswith("Với sự nỗ lực của các cấp")
    assert toolbar["fontSize"] == {
        "unit": "%",
        "increaseLabel": "Tăng cỡ chữ",
        "decreaseLabel": "Giảm cỡ chữ",
    }
    kinds = [a["kind"] for a in toolbar["actions"]]
    assert kinds == ["INCREASE_TEXT_SIZE", "DECREASE_TEXT_SIZE", "PRINT"]
    assert toolbar["actions"][2]["url"] == f"/print?path=%2Ftin-tuc%2F{REFERENCE_SLUG}"
    assert toolbar["actions"][0]["url"] is None
    assert toolbar["settings"]["dateFormat"] == "dd/MM/yyyy"
    assert toolbar["settings"]["asJson"]["dateFormat"] == "dd/MM/yyyy"


def test_viewdata_article_fields(graphql):
    result = graphql(
        """query($s: String!) { article(slug: $s) { title lead author category url legacyPath
        image { url caption alt } bodyHtml paragraphs status } }""",
        {"s": REFERENCE_SLUG},
    )
    article = result["data"]["article"]
    assert (
        article["image"]["caption"] == "Hoạt động sản xuất tại Công ty Cổ phần Khoáng sản Bắc Kạn"
    )
    assert article["image"]["alt"] == article["image"]["caption"]
    assert article["legacyPath"] == f"/Pages/{REFERENCE_SLUG}.aspx"
    assert article["url"] == f"/tin-tuc/{REFERENCE_SLUG}"
    assert article["status"] == "published"
    assert article["bodyHtml"].count("<p>") == 3


def test_block_html_carries_type_and_id(graphql):
    result = graphql(
        "query($p: String!) { page(path: $p) { regions { html blocks { id html } } } }",
        {"p": REFERENCE_LEGACY_PATH},
    )
    region = result["data"]["page"]["regions"][0]
    for block in region["blocks"]:
        assert f'data-block-id="{block["id"]}"' in block["html"]
        assert block["html"] in region["html"]
    assert 'data-block-type="Block_BanTin_Toolbar"' in region["blocks"][0]["html"]
    assert '<button type="button"' in region["blocks"][0]["html"]


def test_date_format_setting_uses_babel(app, graphql):
    from portal_blocks.db import db
    from portal_blocks.layout.publishing import publish
    from portal_blocks.models import Layout, Placement

    placement = db.session.query(Placement).filter_by(block_type="Block_BanTin_Toolbar").one()
    placement.settings = {**placement.settings, "dateFormat": "EEEE, dd/MM/yyyy"}
    publish(db.session, db.session.get(Layout, placement.layout_id), actor="test")
    db.session.commit()
    result = graphql(ISSUE_QUERY % REFERENCE_LEGACY_PATH)
    assert result["data"]["page"]["regions"][0]["blocks"][0]["dateText"] == "Thứ Tư, 10/11/2021"


def test_block_types_expose_schema_and_defaults(graphql):
    result = graphql("{ blockTypes { name description settingsSchema defaults } }")
    by_name = {t["name"]: t for t in result["data"]["blockTypes"]}
    assert set(by_name) == {t.name for t in BUILTIN}
    toolbar = by_name["Block_BanTin_Toolbar"]
    assert toolbar["defaults"]["dateFormat"] == "dd/MM/yyyy"
    assert toolbar["settingsSchema"]["properties"]["dateFormat"]["default"] == "dd/MM/yyyy"
    assert toolbar["settingsSchema"]["additionalProperties"] is False


def test_json_keeps_vietnamese_unescaped(client):
    query = "query($s: String!) { article(slug: $s) { author } }"
    response = client.post("/graphql", json={"query": query, "variables": {"s": REFERENCE_SLUG}})
    assert "Hương Dịu".encode() in response.get_data()
