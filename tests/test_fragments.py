"""HTML fragments over plain HTTP: ETag, 304, invalidation by edits, assets, CORS, locale."""

from __future__ import annotations

import json

import pytest
from conftest import REFERENCE_SLUG, publish_draft
from sqlalchemy import select

from portal_blocks import create_app
from portal_blocks.db import db
from portal_blocks.models import Article, Placement

PATH = f"/tin-tuc/{REFERENCE_SLUG}"
PAGE = {"path": PATH, "region": "main"}


def placement(block_type: str) -> Placement:
    return db.session.scalars(select(Placement).where(Placement.block_type == block_type)).one()


def revalidate(client, url: str, query: dict, etag: str):
    return client.get(url, query_string=query, headers={"If-None-Match": etag})


@pytest.mark.parametrize(
    "url",
    ["/fragments/page", "/fragments/block/{viewdata}", "/fragments/block/{toolbar}"],
)
def test_etag_304_then_new_etag_after_article_edit(app, client, url):
    url = url.format(
        viewdata=placement("Block_BanTin_ViewData").id,
        toolbar=placement("Block_BanTin_Toolbar").id,
    )
    query = {"path": PATH} if "block" in url else PAGE
    first = client.get(url, query_string=query)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    assert first.headers["Cache-Control"] == "public, max-age=300, must-revalidate"

    again = revalidate(client, url, query, etag)
    assert again.status_code == 304
    assert again.get_data() == b""

    article = db.session.scalars(select(Article).where(Article.slug == REFERENCE_SLUG)).one()
    article.title = article.title + " (cập nhật)"
    article.body_html = article.body_html + "<p>Đoạn bổ sung.</p>"
    db.session.commit()

    changed = revalidate(client, url, query, etag)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert revalidate(client, url, query, changed.headers["ETag"]).status_code == 304


def test_new_etag_after_placement_edit(app, client):
    first = client.get("/fragments/page", query_string=PAGE)
    etag = first.headers["ETag"]
    toolbar = placement("Block_BanTin_Toolbar")
    toolbar.settings = {**toolbar.settings, "dateFormat": "EEEE, dd/MM/yyyy"}
    db.session.commit()
    publish_draft()
    changed = revalidate(client, "/fragments/page", PAGE, etag)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Thứ Tư, 10/11/2021" in changed.get_data(as_text=True)


def test_new_etag_after_placement_moves(app, client):
    first = client.get("/fragments/page", query_string=PAGE)
    toolbar, viewdata = placement("Block_BanTin_Toolbar"), placement("Block_BanTin_ViewData")
    toolbar.position, viewdata.position = 1, 0
    db.session.commit()
    publish_draft()
    changed = revalidate(client, "/fragments/page", PAGE, first.headers["ETag"])
    assert changed.status_code == 200
    html = changed.get_data(as_text=True)
    assert html.index("pb-viewdata") < html.index("pb-toolbar")


def test_block_fragment_is_the_block_only(app, client):
    viewdata = placement("Block_BanTin_ViewData")
    html = client.get(f"/fragments/block/{viewdata.id}", query_string={"path": PATH}).get_data(
        as_text=True
    )
    assert html.startswith('<article class="pb-block pb-viewdata"')
    assert "pb-toolbar" not in html
    assert "CCN Quảng Chu./." in html


def test_assets_in_headers_and_json_variant(app, client):
    response = client.get("/fragments/page", query_string=PAGE)
    assets = json.loads(response.headers["X-Portal-Blocks-Assets"])
    assert assets == {
        "css": ["/_blocks/static/portal_blocks.css"],
        "js": ["/_blocks/static/toolbar.js"],
    }
    assert "</_blocks/static/toolbar.js>; rel=preload; as=script" in response.headers["Link"]
    as_json = client.get("/fragments/page", query_string={**PAGE, "format": "json"})
    body = as_json.get_json()
    assert body["assets"] == assets
    assert body["html"] == response.get_data(as_text=True)
    assert as_json.headers["ETag"] != response.headers["ETag"]
    for url in assets["css"] + assets["js"]:
        assert client.get(url).status_code == 200
    viewdata = placement("Block_BanTin_ViewData")
    only = client.get(f"/fragments/block/{viewdata.id}", query_string={"path": PATH})
    assert json.loads(only.headers["X-Portal-Blocks-Assets"])["js"] == []


def test_assets_field_in_graphql(graphql):
    result = graphql(
        "query($p: String!) { page(path: $p) { regions { blocks { assets { css js } } } } }",
        {"p": PATH},
    )
    blocks = result["data"]["page"]["regions"][0]["blocks"]
    assert blocks[0]["assets"]["js"] == ["/_blocks/static/toolbar.js"]
    assert blocks[1]["assets"] == {"css": ["/_blocks/static/portal_blocks.css"], "js": []}


def test_labels_vietnamese_by_default_english_on_request(app, client):
    default = client.get("/fragments/page", query_string=PAGE)
    assert default.headers["Content-Language"] == "vi"
    assert ">Tăng cỡ chữ</button>" in default.get_data(as_text=True)
    by_header = client.get(
        "/fragments/page", query_string=PAGE, headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    assert by_header.headers["Content-Language"] == "en"
    html = by_header.get_data(as_text=True)
    assert ">Increase text size</button>" in html
    assert 'aria-label="Article tools"' in html
    assert by_header.headers["ETag"] != default.headers["ETag"]
    assert "Accept-Language" in by_header.headers["Vary"]
    by_arg = client.get(
        "/fragments/page", query_string={**PAGE, "lang": "en"}, headers={"Accept-Language": "vi"}
    )
    assert ">Giảm cỡ chữ</button>" not in by_arg.get_data(as_text=True)
    assert ">Decrease text size</button>" in by_arg.get_data(as_text=True)
    unknown = client.get("/fragments/page", query_string={**PAGE, "lang": "fr"})
    assert unknown.headers["Content-Language"] == "vi"


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({}, 400, "BAD_REQUEST"),
        ({"path": "/tin-tuc/khong-co-bai-nay"}, 404, "NOT_FOUND"),
        ({"path": PATH, "region": "sidebar"}, 404, "NOT_FOUND"),
    ],
)
def test_page_fragment_errors_are_typed(app, client, query, status, code):
    response = client.get("/fragments/page", query_string=query)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_unknown_block_is_404(app, client):
    response = client.get("/fragments/block/999999", query_string={"path": PATH})
    assert response.status_code == 404
    assert "999999" in response.get_json()["error"]["message"]


def dispose(other_app) -> None:
    """Each app has its own pool; return its connections to the shared server."""
    with other_app.app_context():
        db.engine.dispose()


def test_cors_allows_listed_origins_only(app, database_url, request):
    allowed = "https://portal.example.vn"
    cors_app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
            "PORTAL_BLOCKS_CORS_ORIGINS": f"{allowed}, https://other.example.vn",
        }
    )
    client = cors_app.test_client()
    request.addfinalizer(lambda: dispose(cors_app))
    ok = client.get("/fragments/page", query_string=PAGE, headers={"Origin": allowed})
    assert ok.headers["Access-Control-Allow-Origin"] == allowed
    assert "ETag" in ok.headers["Access-Control-Expose-Headers"]
    refused = client.get(
        "/fragments/page", query_string=PAGE, headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in refused.headers
    preflight = client.options(
        "/graphql",
        headers={
            "Origin": allowed,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == allowed
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    # The theme is not ours to open to other origins.
    theme = client.get(PATH, headers={"Origin": allowed})
    assert "Access-Control-Allow-Origin" not in theme.headers


def test_no_cors_headers_by_default(app, client):
    response = client.get(
        "/fragments/page", query_string=PAGE, headers={"Origin": "https://portal.example.vn"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_print_view_is_a_printable_article(app, client):
    response = client.get("/print", query_string={"path": PATH})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<link rel="stylesheet" href="/_blocks/static/print.css">' in html
    assert "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%" in html
    assert "CCN Quảng Chu./." in html
    assert 'data-action="print-now"' in html
    assert "pb-site-header" not in html
    theme_print = client.get(PATH, query_string={"view": "print"}).get_data(as_text=True)
    assert theme_print == html


FORGED_HOST = "attacker.example"


def print_source(html: str) -> str:
    return html.split('class="pb-print__source"', 1)[1].split("</footer>", 1)[0]


@pytest.mark.parametrize("query", [{"path": PATH}, {"path": f"/Pages/{REFERENCE_SLUG}.aspx"}])
def test_the_print_view_never_prints_the_requests_host(app, client, query):
    """The printed source address is the article's canonical one, relative without
    PORTAL_BLOCKS_PUBLIC_URL: a forged Host header (or a cache keeping that page) must not
    show readers an address of the sender's choosing."""
    response = client.get("/print", query_string=query, headers={"Host": FORGED_HOST})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert FORGED_HOST not in html
    assert f"<span>/tin-tuc/{REFERENCE_SLUG}</span>" in print_source(html)
    theme = client.get(query["path"], query_string={"view": "print"}, headers={"Host": FORGED_HOST})
    assert FORGED_HOST not in theme.get_data(as_text=True)


def test_the_print_view_prints_the_public_url_when_set(app, database_url, request):
    other = create_app(
        {"PORTAL_BLOCKS_DATABASE_URL": database_url, "PORTAL_BLOCKS_PUBLIC_URL": "https://a.vn/"}
    )
    request.addfinalizer(lambda: dispose(other))
    response = other.test_client().get(
        "/print", query_string={"path": PATH}, headers={"Host": FORGED_HOST}
    )
    html = response.get_data(as_text=True)
    assert FORGED_HOST not in html
    assert f"<span>https://a.vn/tin-tuc/{REFERENCE_SLUG}</span>" in print_source(html)


def test_public_url_makes_every_printed_url_absolute(app, database_url, request):
    other = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
            "PORTAL_BLOCKS_PUBLIC_URL": "https://blocks.example.vn/",
            "PORTAL_BLOCKS_URL_PREFIX": "/khoi",
        }
    )
    request.addfinalizer(lambda: dispose(other))
    body = other.test_client().get("/khoi/fragments/page", query_string={**PAGE, "format": "json"})
    assets = body.get_json()["assets"]
    assert assets["js"] == ["https://blocks.example.vn/khoi/_blocks/static/toolbar.js"]
    html = body.get_json()["html"]
    assert 'data-graphql-url="https://blocks.example.vn/khoi/graphql"' in html
    assert 'href="https://blocks.example.vn/khoi/print?path=' in html
