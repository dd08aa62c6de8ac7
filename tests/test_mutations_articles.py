"""Article mutations: validation, NFC, sanitising, versions, publication and soft delete."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from editing import (
    CREATE_ARTICLE,
    DELETE_ARTICLE,
    PUBLISH_ARTICLE,
    REVERT_ARTICLE,
    UNPUBLISH_ARTICLE,
    UPDATE_ARTICLE,
    codes,
    ok,
    payload,
)

from portal_blocks.db import db
from portal_blocks.models import Article

TITLE = "Hội nghị tổng kết công tác năm 2021 của Sở Công Thương"
READ = "query($slug: String!) { article(slug: $slug) { slug title status } }"
PAGE = "query($p: String!) { page(path: $p) { article { slug } } }"
HISTORY = "query($slug: String!) { articleHistory(slug: $slug) { actor action before after } }"


def _count() -> int:
    count = db.session.query(Article).count()
    db.session.rollback()
    return count


def _create(run, **fields) -> dict:
    return ok(run(CREATE_ARTICLE, {"input": {"title": TITLE, **fields}}))["article"]


def test_create_article_as_draft_with_slug_and_legacy_path(as_editor, graphql):
    nfd_title = unicodedata.normalize("NFD", TITLE)
    article = _create(
        as_editor,
        title=nfd_title,
        lead=unicodedata.normalize("NFD", "Sáng nay"),
        bodyHtml="<p>Đoạn <strong>một</strong>.</p>",
        author="Thu Hà",
    )
    assert article["title"] == TITLE and unicodedata.is_normalized("NFC", article["title"])
    assert article["lead"] == "Sáng nay"
    assert re.fullmatch(
        r"hoi-nghi-tong-ket-cong-tac-nam-2021-cua-so-cong-th-[0-9a-f]{4}", article["slug"]
    )
    assert article["legacyPath"] == f"/Pages/{article['slug']}.aspx"
    assert article["status"] == "draft" and article["publishedAt"] is None
    assert article["bodyHtml"] == "<p>Đoạn <strong>một</strong>.</p>"
    stored = db.session.query(Article).filter_by(slug=article["slug"]).one()
    assert stored.title == TITLE  # NFC in the database, not only in the answer
    db.session.rollback()
    assert graphql(READ, {"slug": article["slug"]})["errors"][0]["extensions"]["code"] == (
        "NOT_FOUND"
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": None}, [("input.title", "NULL_NOT_ALLOWED")]),
        ({"title": "   "}, [("input.title", "INVALID_LENGTH")]),
        ({"title": "x" * 1001}, [("input.title", "INVALID_LENGTH")]),
        ({"imageUrl": "javascript:alert(1)"}, [("input.imageUrl", "INVALID_FORMAT")]),
        (
            {"imageUrl": "data:image/svg+xml,<svg onload=alert(1)>"},
            [("input.imageUrl", "INVALID_FORMAT")],
        ),
        # Protocol-relative and backslashed: a browser loads them from another host.
        ({"imageUrl": "//other.host/anh.jpg"}, [("input.imageUrl", "INVALID_FORMAT")]),
        ({"imageUrl": "/\\other.host/anh.jpg"}, [("input.imageUrl", "INVALID_FORMAT")]),
        ({"imageUrl": "/anh\\..\\x.jpg"}, [("input.imageUrl", "INVALID_FORMAT")]),
        ({"imageUrl": "/anh.jpg\n"}, [("input.imageUrl", "INVALID_FORMAT")]),
        ({"author": "a" * 201}, [("input.author", "INVALID_LENGTH")]),
        ({"lead": "a" * 5001}, [("input.lead", "INVALID_LENGTH")]),
    ],
)
def test_invalid_articles_are_refused_with_typed_errors(as_editor, fields, expected):
    before = _count()
    result = payload(as_editor(CREATE_ARTICLE, {"input": {"title": TITLE, **fields}}))
    assert result["article"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == expected
    assert _count() == before


@pytest.mark.parametrize("url", ["/anh/hoi-nghi.jpg", "https://cdn.example.vn/a.jpg", "/"])
def test_image_urls_on_this_site_or_over_http_are_kept(as_editor, url):
    slug = ok(as_editor(CREATE_ARTICLE, {"input": {"title": TITLE, "imageUrl": url}}))["article"][
        "slug"
    ]
    assert db.session.query(Article).filter_by(slug=slug).one().image_url == url


def test_an_update_cannot_point_the_image_at_another_host(as_editor):
    article = _create(as_editor)
    result = as_editor(
        UPDATE_ARTICLE,
        {"slug": article["slug"], "version": 1, "input": {"imageUrl": "//other.host/a.jpg"}},
    )
    assert [(e["field"], e["code"]) for e in payload(result)["errors"]] == [
        ("input.imageUrl", "INVALID_FORMAT")
    ]


def test_the_importer_refuses_an_image_on_another_host(app, run_import, tmp_path):
    path = tmp_path / "images.jsonl"
    lines = [
        {"title": "Ảnh ngoài", "image_url": "//other.host/a.jpg"},
        {"title": "Ảnh ngoài 2", "image_url": "/\\other.host/a.jpg"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    before = _count()
    result = run_import(path, expect_exit=1)
    assert f"{path}:1: image_url: Must be an http(s) URL" in result.stderr
    assert f"{path}:2: image_url: Must be an http(s) URL" in result.stderr
    assert _count() == before


def test_title_is_required(as_editor):
    result = payload(as_editor(CREATE_ARTICLE, {"input": {"lead": "Không có tiêu đề"}}))
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("input.title", "REQUIRED")]


def test_update_changes_only_given_fields_and_keeps_the_slug(as_editor):
    article = _create(as_editor, lead="Sapo", author="Thu Hà")
    updated = ok(
        as_editor(
            UPDATE_ARTICLE,
            {"slug": article["slug"], "version": 1, "input": {"title": "Tiêu đề đã sửa hoàn toàn"}},
        )
    )
    changed = updated["article"]
    assert changed["title"] == "Tiêu đề đã sửa hoàn toàn"
    assert changed["slug"] == article["slug"] and changed["legacyPath"] == article["legacyPath"]
    assert changed["lead"] == "Sapo" and changed["version"] == 2
    stale = as_editor(
        UPDATE_ARTICLE, {"slug": article["slug"], "version": 1, "input": {"lead": "Ghi đè"}}
    )
    assert codes(stale) == ["CONFLICT"]
    null_title = as_editor(
        UPDATE_ARTICLE, {"slug": article["slug"], "version": 2, "input": {"title": None}}
    )
    assert codes(null_title) == ["NULL_NOT_ALLOWED"]
    missing = as_editor(UPDATE_ARTICLE, {"slug": "khong-co", "version": 1, "input": {}})
    assert codes(missing) == ["NOT_FOUND"]
    final = db.session.query(Article).filter_by(slug=article["slug"]).one()
    assert (final.lead, final.version) == ("Sapo", 2)
    db.session.rollback()


def test_publish_unpublish_and_delete(as_editor, graphql):
    article = _create(as_editor)
    slug = article["slug"]
    published = ok(as_editor(PUBLISH_ARTICLE, {"slug": slug, "version": 1}))["article"]
    assert published["status"] == "published" and published["publishedAt"] is not None
    assert graphql(READ, {"slug": slug})["data"]["article"]["status"] == "published"
    for path in (f"/tin-tuc/{slug}", f"/Pages/{slug}.aspx"):
        assert graphql(PAGE, {"p": path})["data"]["page"]["article"]["slug"] == slug

    assert codes(as_editor(UNPUBLISH_ARTICLE, {"slug": slug, "version": 1})) == ["CONFLICT"]
    hidden = ok(as_editor(UNPUBLISH_ARTICLE, {"slug": slug, "version": 2}))["article"]
    assert hidden["status"] == "draft"
    assert graphql(READ, {"slug": slug})["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    republished = ok(as_editor(PUBLISH_ARTICLE, {"slug": slug, "version": 3}))["article"]
    assert republished["publishedAt"] == published["publishedAt"]  # the first date stays
    ok(as_editor(DELETE_ARTICLE, {"slug": slug, "version": 4}))
    for path in (f"/tin-tuc/{slug}", f"/Pages/{slug}.aspx"):
        gone = graphql(PAGE, {"p": path})
        assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        preview = as_editor(
            "query($p: String!) { page(path: $p, preview: true) { path } }", {"p": path}
        )
        assert preview["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert graphql(READ, {"slug": slug})["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    draft_article = as_editor("query($s: String!) { draftArticle(slug: $s) { slug } }", {"s": slug})
    assert draft_article["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert codes(as_editor(DELETE_ARTICLE, {"slug": slug, "version": 5})) == ["NOT_FOUND"]
    assert db.session.query(Article).filter_by(slug=slug).one().deleted_at is not None
    db.session.rollback()

    history = as_editor(HISTORY, {"slug": slug})["data"]["articleHistory"]
    assert [h["action"] for h in history] == ["delete", "publish", "unpublish", "publish", "create"]
    assert {h["actor"] for h in history} == {"Biên tập viên Hương"}
    assert history[-1]["before"] is None and history[-1]["after"]["title"] == TITLE
    assert history[0]["before"]["deleted"] is False and history[0]["after"]["deleted"] is True


def test_deleted_articles_leave_the_theme_index(as_editor, client):
    slug = "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
    version = db.session.query(Article.version).filter_by(slug=slug).scalar()
    db.session.rollback()
    assert slug in client.get("/").get_data(as_text=True)
    ok(as_editor(DELETE_ARTICLE, {"slug": slug, "version": version}))
    assert slug not in client.get("/").get_data(as_text=True)
    assert client.get(f"/tin-tuc/{slug}").status_code == 404


def test_revert_to_an_earlier_published_version(as_editor, graphql):
    article = _create(as_editor, lead="Sapo đầu tiên")
    slug = article["slug"]
    ok(as_editor(PUBLISH_ARTICLE, {"slug": slug, "version": 1}))  # v2
    ok(as_editor(UNPUBLISH_ARTICLE, {"slug": slug, "version": 2}))  # v3
    ok(
        as_editor(
            UPDATE_ARTICLE,
            {"slug": slug, "version": 3, "input": {"title": "Tiêu đề thứ hai", "lead": "Sapo hai"}},
        )
    )
    ok(as_editor(PUBLISH_ARTICLE, {"slug": slug, "version": 4}))  # v5
    assert graphql(READ, {"slug": slug})["data"]["article"]["title"] == "Tiêu đề thứ hai"
    history = as_editor(
        "query($slug: String!) { articleHistory(slug: $slug) { id action } }", {"slug": slug}
    )["data"]["articleHistory"]
    first_publish = [h["id"] for h in history if h["action"] == "publish"][-1]
    update = next(h["id"] for h in history if h["action"] == "update")

    assert codes(as_editor(REVERT_ARTICLE, {"slug": slug, "version": 5, "entry": update})) == [
        "NOT_FOUND"
    ]
    other = _create(as_editor, title="Bài khác")
    assert codes(
        as_editor(REVERT_ARTICLE, {"slug": other["slug"], "version": 1, "entry": first_publish})
    ) == ["NOT_FOUND"]
    assert codes(
        as_editor(REVERT_ARTICLE, {"slug": slug, "version": 4, "entry": first_publish})
    ) == ["CONFLICT"]

    reverted = ok(as_editor(REVERT_ARTICLE, {"slug": slug, "version": 5, "entry": first_publish}))[
        "article"
    ]
    assert (reverted["title"], reverted["lead"], reverted["status"]) == (
        TITLE,
        "Sapo đầu tiên",
        "published",
    )
    assert reverted["slug"] == slug and reverted["version"] == 6
    assert graphql(READ, {"slug": slug})["data"]["article"]["title"] == TITLE
    actions = [h["action"] for h in as_editor(HISTORY, {"slug": slug})["data"]["articleHistory"]]
    assert actions == ["revert", "publish", "update", "unpublish", "publish", "create"]
