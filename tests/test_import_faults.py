"""``portal-blocks import`` faults: taken routes, unreadable lines, NUL, and the rough edges of
re-importing (the demo article, records without status or category)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG, SEED
from sqlalchemy import func, select

from portal_blocks.content.schemas import ArticleSchema
from portal_blocks.db import db
from portal_blocks.demo import ensure_default_layout
from portal_blocks.importing.legacy_text import parse_legacy_text
from portal_blocks.layout.service import ensure_route
from portal_blocks.models import Article, Route
from portal_blocks.text.nul import NUL_MESSAGE

SEED_TEXT = SEED.read_text(encoding="utf-8")
REFERENCE_TITLE = "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%"
TZ = "Asia/Ho_Chi_Minh"


def jsonl(tmp_path, *lines, name="a.jsonl"):
    path = tmp_path / name
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
        encoding="utf-8",
    )
    return path


def routes() -> list[tuple[str, int | None]]:
    db.session.expire_all()
    return sorted(tuple(row) for row in db.session.execute(select(Route.pattern, Route.article_id)))


def shows(client, path: str, title: str) -> bool:
    response = client.get(path)
    return response.status_code == 200 and title in response.get_data(as_text=True)


def by_title(title: str) -> Article | None:
    return db.session.scalar(select(Article).where(Article.title == title))


# a. An import cannot take over routes.


@pytest.mark.parametrize(
    "pattern", ["/tin-tuc/<slug>", "/<path:rest>", "/Pages/<int:id>.aspx", "/tin-tuc/<x>", "/"]
)
def test_a_route_pattern_is_not_a_legacy_path(app, client, run_import, tmp_path, pattern):
    before = routes()
    path = jsonl(
        tmp_path,
        {"title": "Chiếm tuyến", "status": "published", "legacy_path": pattern},
        {"title": "Tin tốt", "status": "published"},
    )
    result = run_import(path, expect_exit=1)
    assert f"{path}:1: legacy_path: " in result.stderr
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in result.output
    assert by_title("Chiếm tuyến") is None and by_title("Tin tốt") is not None
    assert routes() == before
    assert shows(client, f"/tin-tuc/{REFERENCE_SLUG}", REFERENCE_TITLE)


def test_the_canonical_address_of_another_article_is_refused(app, client, run_import, tmp_path):
    before = routes()
    taken = f"/tin-tuc/{REFERENCE_SLUG}"
    record = {"title": "Chiếm bài", "slug": "chiem-bai", "status": "published"}
    path = jsonl(tmp_path, {**record, "legacy_path": taken})
    result = run_import(path, expect_exit=1)
    assert f"{path}:1: not imported: {taken} is already the address of the article" in (
        result.stderr
    )
    assert "0 created, 0 updated, 0 unchanged, 1 failed" in result.output
    assert by_title("Chiếm bài") is None
    assert routes() == before
    assert shows(client, taken, REFERENCE_TITLE)


def test_a_path_routed_to_another_article_is_refused(app, client, run_import, tmp_path):
    demo = db.session.scalar(select(Article).where(Article.slug == REFERENCE_SLUG))
    ensure_route(db.session, "/gioi-thieu/bai-mau", ensure_default_layout(db.session), demo.id)
    db.session.commit()
    before = routes()
    path = jsonl(
        tmp_path,
        {"title": "Chiếm đường", "status": "published", "legacy_path": "/gioi-thieu/bai-mau"},
    )
    result = run_import(path, expect_exit=1)
    assert f"{path}:1: not imported: /gioi-thieu/bai-mau is already the address of" in (
        result.stderr
    )
    assert routes() == before
    assert shows(client, "/gioi-thieu/bai-mau", REFERENCE_TITLE)


def test_the_canonical_address_of_a_later_record_is_kept_for_it(app, client, run_import, tmp_path):
    """Refused even before the article it belongs to exists: the file's next line adds it."""
    path = jsonl(
        tmp_path,
        {"title": "Bài A", "slug": "bai-a", "status": "published", "legacy_path": "/tin-tuc/bai-b"},
        {"title": "Bài B", "slug": "bai-b", "status": "published"},
    )
    result = run_import(path, expect_exit=1)
    assert (
        f"{path}:1: not imported: /tin-tuc/bai-b is the address of slug 'bai-b' under the route "
        "/tin-tuc/<slug>"
    ) in result.stderr
    assert shows(client, "/tin-tuc/bai-b", "Bài B")


def test_an_own_legacy_address_still_gets_its_route(app, client, run_import, tmp_path):
    legacy = "/tin-tuc/Pages/Tin riêng.aspx"
    path = jsonl(tmp_path, {"title": "Tin riêng", "status": "published", "legacy_path": legacy})
    run_import(path)
    run_import(path)  # the route it added is its own: no conflict with itself
    assert shows(client, legacy, "Tin riêng")


# b. A malformed line fails alone.


def test_unreadable_lines_fail_alone(app, run_import, tmp_path):
    path = jsonl(
        tmp_path,
        {"title": "Trước", "status": "published"},
        '{"title": ' + "[" * 100_000,
        '{"title": "Số dài", "lead": ' + "7" * 5000 + "}",
        {"title": "Sau", "status": "published"},
    )
    result = run_import(path, expect_exit=1)
    assert f"{path}:2: not JSON: nested too deeply" in result.stderr
    assert f"{path}:3: not JSON: a number with more than" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert "2 created, 0 updated, 0 unchanged, 2 failed" in result.output
    db.session.expire_all()
    assert by_title("Trước") is not None and by_title("Sau") is not None


# c. NUL is refused up front, with GraphQL's message, on both databases.


def test_nul_in_a_jsonl_record_is_refused(app, run_import, tmp_path):
    count = db.session.scalar(select(func.count(Article.id)))
    path = jsonl(
        tmp_path,
        {"title": "Tin\x00 rỗng", "status": "published"},
        {"title": "Tin sạch", "lead": "a\x00b", "legacy_path": "/Pages/x\x00.aspx"},
    )
    result = run_import(path, expect_exit=1)
    assert f"{path}:1: title: {NUL_MESSAGE}" in result.stderr
    assert f"{path}:2: lead: {NUL_MESSAGE}" in result.stderr
    assert f"{path}:2: legacy_path: {NUL_MESSAGE}" in result.stderr
    assert "conflicts with" not in result.stderr
    assert "0 created, 0 updated, 0 unchanged, 2 failed" in result.output
    assert db.session.scalar(select(func.count(Article.id))) == count


def test_nul_in_page_text_is_refused_with_its_line(app, run_import, tmp_path):
    count = db.session.scalar(select(func.count(Article.id)))
    path = tmp_path / "page.txt"
    path.write_text(SEED_TEXT.replace("Giá trị sản xuất", "Giá trị\x00 sản xuất", 1), "utf-8")
    result = run_import(path, expect_exit=1)
    assert f"{path}:5: {NUL_MESSAGE}" in result.stderr
    assert "0 created, 0 updated, 0 unchanged, 1 failed" in result.output
    assert db.session.scalar(select(func.count(Article.id))) == count


# d. Rough edges of importing again.


def test_the_reference_page_updates_the_demo_article(app, client, run_import):
    """The page has no URL line: it is matched by its title and day, not duplicated."""
    count = db.session.scalar(select(func.count(Article.id)))
    demo = db.session.scalar(select(Article).where(Article.slug == REFERENCE_SLUG))
    image, when = demo.image_url, demo.published_at
    result = run_import(SEED)
    assert "0 created, 1 updated, 0 unchanged, 0 failed" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Article.id))) == count
    demo = db.session.scalar(select(Article).where(Article.slug == REFERENCE_SLUG))
    page = ArticleSchema().load(parse_legacy_text(SEED_TEXT, timezone=TZ).data)
    assert demo.body_html == page["body_html"]  # the page's own text now
    # What the page text does not hold stays: the image, the legacy path, the time of day
    # (the page gives the day only).
    assert (demo.image_url, demo.legacy_path, demo.published_at) == (
        image,
        REFERENCE_LEGACY_PATH,
        when,
    )
    assert "0 created, 0 updated, 1 unchanged" in run_import(SEED).output
    assert shows(client, REFERENCE_LEGACY_PATH, REFERENCE_TITLE)


def test_records_without_status_are_counted_as_drafts(app, run_import, tmp_path):
    path = jsonl(
        tmp_path,
        {"title": "Không trạng thái 1"},
        {"title": "Không trạng thái 2"},
        {"title": "Có trạng thái", "status": "draft"},
    )
    result = run_import(path)
    assert (
        "Imported 1 file(s): 3 created, 0 updated, 0 unchanged, 0 failed; "
        "2 imported as drafts (no status given)."
    ) in result.output
    assert by_title("Không trạng thái 1").status.value == "draft"


def test_reimport_without_status_keeps_an_article_published(app, run_import, tmp_path):
    run_import(jsonl(tmp_path, {"title": "Đã đăng", "slug": "da-dang", "status": "published"}))
    result = run_import(jsonl(tmp_path, {"title": "Đã đăng", "slug": "da-dang", "lead": "Mới"}))
    assert "0 created, 1 updated" in result.output
    assert "drafts" not in result.output
    db.session.expire_all()
    article = by_title("Đã đăng")
    assert (article.status.value, article.lead) == ("published", "Mới")


def test_reimport_without_category_keeps_it(app, run_import, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(SEED_TEXT.replace("Hương Dịu", "Hương Dịu (biên tập)"), "utf-8")
    records = jsonl(tmp_path, {"title": "Tin có mục", "slug": "tin-co-muc", "status": "published"})
    run_import(page, records, args=["--category", "Thời sự"])
    result = run_import(page, records)
    assert "0 created, 0 updated, 2 unchanged" in result.output
    db.session.expire_all()
    categories = db.session.scalars(
        select(Article.category).where(Article.title.in_([REFERENCE_TITLE, "Tin có mục"]))
    )
    assert set(categories) == {"Thời sự"}


def test_a_page_matching_several_articles_says_so(app, run_import, tmp_path):
    demo = db.session.scalar(select(Article).where(Article.slug == REFERENCE_SLUG))
    twin = Article(
        slug="ban-sao-f00d",
        title=demo.title,
        status=demo.status,
        published_at=datetime.fromisoformat("2021-11-10T15:00:00+07:00"),
    )
    db.session.add(twin)
    db.session.commit()
    count = db.session.scalar(select(func.count(Article.id)))
    result = run_import(SEED, expect_exit=1)
    assert f"{SEED}:1: not imported: " in result.stderr
    assert REFERENCE_SLUG in result.stderr and "ban-sao-f00d" in result.stderr
    assert db.session.scalar(select(func.count(Article.id))) == count
