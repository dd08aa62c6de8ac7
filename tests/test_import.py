"""``portal-blocks import``: legacy page text and JSON Lines, round trip, errors, idempotence."""

import json
import re

import pytest
from bs4 import BeautifulSoup
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG, SEED, clear_tables
from sqlalchemy import func, select

from portal_blocks.db import db
from portal_blocks.importing import importer
from portal_blocks.importing.legacy_text import (
    TOOLBAR_LABEL,
    VIEWDATA_LABEL,
    LegacyTextError,
    parse_legacy_text,
)
from portal_blocks.models import Article, Route

SEED_TEXT = SEED.read_text(encoding="utf-8")
TZ = "Asia/Ho_Chi_Minh"


def collapse(text: str) -> str:
    return " ".join(text.split())


def seed_segments(text: str) -> dict[str, str]:
    """The seed's text under each block label, whitespace runs collapsed."""
    parts = re.split(r"^\s*PublishingPortal - (Block_\w+)\s*$", text, flags=re.MULTILINE)
    return {name: collapse(body) for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def article_count() -> int:
    return db.session.scalar(select(func.count(Article.id)))


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_reference_page_round_trips_block_by_block(app, client, run_import, tmp_path):
    """Imported, then rendered by the default layout, the page shows its source text again.

    Into a database without the demo article, which the page would otherwise update
    (tests/test_import_faults.py)."""
    clear_tables()
    result = run_import(SEED)
    assert "1 created" in result.output
    article = db.session.scalars(select(Article).order_by(Article.id.desc())).first()
    assert article.slug != REFERENCE_SLUG  # a new article (no URL line), not the demo one
    assert re.fullmatch(
        r"gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-[0-9a-f]{4}", article.slug
    )

    html = client.get(f"/tin-tuc/{article.slug}").get_data(as_text=True)
    blocks = BeautifulSoup(html, "html.parser").select("[data-block-type]")
    rendered = {b["data-block-type"]: collapse(b.get_text(" ")) for b in blocks}
    expected = seed_segments(SEED_TEXT)
    assert list(expected) == ["Block_BanTin_Toolbar", "Block_BanTin_ViewData"]
    assert rendered == expected


def test_reference_page_fields(app, run_import):
    clear_tables()  # the demo article would keep its own time of day
    run_import(SEED)
    article = db.session.scalars(select(Article).order_by(Article.id.desc())).first()
    assert article.title == "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%"
    assert article.image_caption == "Hoạt động sản xuất tại Công ty Cổ phần Khoáng sản Bắc Kạn"
    assert article.author == "Hương Dịu"
    assert article.status.value == "published"
    assert article.published_at.isoformat() == "2021-11-09T17:00:00+00:00"  # 10/11 in Hanoi
    # The no-break spaces of the source are kept inside the body's text.
    body_text = BeautifulSoup(article.body_html, "html.parser").get_text()
    assert "chức năng\xa0đã chỉ đạo,\xa0đôn đốc" in body_text
    assert article.body_html.count("<p>") == 3


def test_reimport_is_idempotent(app, run_import, tmp_path):
    jsonl = write(
        tmp_path,
        "a.jsonl",
        json.dumps({"title": "Tin JSON", "status": "published", "category": "Kinh tế"}) + "\n",
    )
    run_import(SEED, jsonl)
    before = {
        a.slug: (a.id, a.version, a.updated_at, a.title)
        for a in db.session.scalars(select(Article))
    }
    routes = db.session.scalar(select(func.count(Route.id)))
    result = run_import(SEED, jsonl)
    assert "0 created, 0 updated, 2 unchanged, 0 failed" in result.output
    db.session.expire_all()
    after = {
        a.slug: (a.id, a.version, a.updated_at, a.title)
        for a in db.session.scalars(select(Article))
    }
    assert after == before
    assert db.session.scalar(select(func.count(Route.id))) == routes


def test_reimport_updates_in_place(app, run_import, tmp_path):
    path = write(tmp_path, "page.txt", SEED_TEXT)
    run_import(path)
    count = article_count()
    write(tmp_path, "page.txt", SEED_TEXT.replace("Hương Dịu", "Hương Dịu (biên tập)"))
    result = run_import(path)
    assert "0 created, 1 updated" in result.output
    assert article_count() == count
    authors = db.session.scalars(select(Article.author)).all()
    assert "Hương Dịu (biên tập)" in authors


def test_url_line_keys_by_legacy_path_and_updates_the_demo_article(
    app, client, run_import, tmp_path
):
    url = f"URL: https://backan.gov.vn{REFERENCE_LEGACY_PATH}\n"
    path = write(tmp_path, "ref.txt", url + SEED_TEXT.replace("Hương Dịu", "H. Dịu"))
    count = article_count()
    # The portal's own host: its page keeps the address it has on every host.
    result = run_import(path, args=["--main-host", "backan.gov.vn"])
    assert "0 created, 1 updated" in result.output
    assert article_count() == count
    demo = db.session.scalar(select(Article).where(Article.slug == REFERENCE_SLUG))
    assert demo.author == "H. Dịu"
    assert "H. Dịu" in client.get(REFERENCE_LEGACY_PATH).get_data(as_text=True)


def test_url_path_that_is_not_a_slug_becomes_a_route(app, client, run_import, tmp_path):
    legacy = "/tin-tuc/Pages/Giá trị sản xuất.aspx"
    path = write(
        tmp_path,
        "odd.txt",
        "URL: https://backan.gov.vn/tin-tuc/Pages/Gi%C3%A1%20tr%E1%BB%8B%20s%E1%BA%A3n%20xu%E1%BA%A5t.aspx?x=1\n"
        + SEED_TEXT,
    )
    run_import(path, args=["--main-host", "backan.gov.vn"])
    article = db.session.scalar(select(Article).where(Article.legacy_path == legacy))
    assert article is not None
    assert re.fullmatch(r"gia-tri-san-xuat-.*-[0-9a-f]{4}", article.slug)
    page = client.get("/tin-tuc/Pages/Gi%C3%A1%20tr%E1%BB%8B%20s%E1%BA%A3n%20xu%E1%BA%A5t.aspx")
    assert page.status_code == 200
    assert article.author in page.get_data(as_text=True)
    run_import(path, args=["--main-host", "backan.gov.vn"])  # and again: no second route
    assert db.session.scalar(select(func.count(Route.id)).where(Route.pattern == legacy)) == 1


def test_malformed_text_gives_line_numbered_errors_and_imports_nothing(app, run_import, tmp_path):
    broken = SEED_TEXT.replace("10/11/2021", "32/13/2021").replace(
        "Tăng cỡ chữ Giảm cỡ chữ", "Tăng cỡ chữ"
    )
    path = write(tmp_path, "broken.txt", broken)
    count = article_count()
    result = run_import(path, expect_exit=1)
    assert f"{path}:3: not a date: '32/13/2021'" in result.stderr
    assert f"{path}:4: expected 'Tăng cỡ chữ Giảm cỡ chữ'" in result.stderr
    assert "0 created, 0 updated, 0 unchanged, 1 failed" in result.output
    assert article_count() == count


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, f"expected the label '{TOOLBAR_LABEL}', found the end"),
        (SEED_TEXT.split("\xa0")[0], 8, f"expected the label '{VIEWDATA_LABEL}'"),
        (SEED_TEXT.rsplit("\n\n", 4)[0], 8, "expected at least one body paragraph"),
        (SEED_TEXT.replace("Hương Dịu", "Hương\nDịu"), 18, "expected the author line"),
    ],
)
def test_format_errors_name_their_line(text, line, message):
    with pytest.raises(LegacyTextError) as caught:
        parse_legacy_text(text, timezone=TZ)
    assert caught.value.errors[0].line == line
    assert caught.value.errors[0].message.startswith(message)


def test_caption_rule():
    def parsed(after_label: str):
        head = SEED_TEXT.split("\xa0")[0]
        return parse_legacy_text(f"{head}\xa0{VIEWDATA_LABEL}\n\n{after_label}", timezone=TZ).data

    caption = parsed("Ảnh: cầu Nà Cù\n\nThân bài.\n\nTác giả")
    assert (caption["image_caption"], caption["body_html"]) == (
        "Ảnh: cầu Nà Cù",
        "<p>Thân bài.</p>",
    )
    sentence = parsed("Câu đầu của bài.\n\nThân bài.\n\nTác giả")
    assert sentence["image_caption"] is None
    assert sentence["body_html"] == "<p>Câu đầu của bài.</p>\n<p>Thân bài.</p>"
    only_body = parsed("Một đoạn ngắn\n\nTác giả")  # a caption needs a body paragraph after it
    assert (only_body["image_caption"], only_body["body_html"]) == (None, "<p>Một đoạn ngắn</p>")
    long_line = "Dài " * 60
    assert parsed(f"{long_line}\n\nThân bài.\n\nTác giả")["image_caption"] is None


def test_jsonl_errors_by_line_and_good_records_imported(app, run_import, tmp_path):
    lines = [
        json.dumps({"title": "Tin một", "status": "published", "image_caption": "Chú thích"}),
        "{not json",
        json.dumps({"lead": "thiếu tiêu đề"}),
        "",
        json.dumps({"title": "Tin bốn", "colour": "đỏ"}),
        json.dumps(["một", "mảng"]),
    ]
    path = write(tmp_path, "a.jsonl", "\n".join(lines) + "\n")
    count = article_count()
    result = run_import(path, expect_exit=1)
    assert "1 created, 0 updated, 0 unchanged, 4 failed" in result.output
    errors = result.stderr
    assert f"{path}:2: not JSON" in errors
    assert f"{path}:3: title: Missing data for required field." in errors
    assert f"{path}:5: colour: Unknown field." in errors
    assert f"{path}:6: expected a JSON object" in errors
    assert article_count() == count + 1
    article = db.session.scalar(select(Article).where(Article.title == "Tin một"))
    assert article.image_caption == "Chú thích"


def test_a_record_failing_midway_leaves_nothing_behind(app, run_import, tmp_path, monkeypatch):
    def fail(self, article, legacy_path):
        raise ValueError("route table unavailable")

    monkeypatch.setattr(importer.Importer, "_route", fail)
    record = {"title": "Tin có địa chỉ cũ", "legacy_path": "/Pages/tin-cu.aspx"}
    path = write(tmp_path, "a.jsonl", json.dumps(record) + "\n")
    count = article_count()
    result = run_import(path, expect_exit=1)
    assert f"{path}:1: not imported: route table unavailable" in result.stderr
    db.session.expire_all()
    assert article_count() == count


def test_slug_of_another_legacy_article_is_a_conflict(app, run_import, tmp_path):
    records = [
        {"title": "A", "slug": "trung-slug", "legacy_path": "/Pages/a.aspx"},
        {"title": "B", "slug": "trung-slug", "legacy_path": "/Pages/b.aspx"},
    ]
    path = write(tmp_path, "a.jsonl", "\n".join(json.dumps(r) for r in records))
    result = run_import(path, expect_exit=1)
    assert f"{path}:2: not imported: slug 'trung-slug' belongs to the article at /Pages/a.aspx" in (
        result.stderr
    )
    assert db.session.scalar(select(Article.title).where(Article.slug == "trung-slug")) == "A"


def test_progress_bar_and_summary_on_long_runs(app, run_import, tmp_path):
    records = [{"title": f"Tin số {n}", "status": "published"} for n in range(25)]
    path = write(tmp_path, "many.jsonl", "\n".join(json.dumps(r) for r in records))
    result = run_import(path, args=["--category", "Thời sự"])
    assert "Importing" in result.stderr
    assert "Imported 1 file(s): 25 created, 0 updated, 0 unchanged, 0 failed." in result.output
    categories = db.session.scalars(select(Article.category).where(Article.title.like("Tin số%")))
    assert set(categories) == {"Thời sự"}


def test_unknown_extension_is_refused(run_import, tmp_path):
    path = write(tmp_path, "a.csv", "title\n")
    result = run_import(path, expect_exit=2)
    assert "unknown format" in result.output + result.stderr


def test_windows_line_endings_and_bom_read_the_same(app, run_import, tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SEED_TEXT.replace("\n", "\r\n").encode("utf-8"))
    assert (
        parse_legacy_text(SEED_TEXT, timezone=TZ).data
        == parse_legacy_text(path.read_text(encoding="utf-8-sig"), timezone=TZ).data
    )
    clear_tables()  # else both would update the demo article, matched by title and day
    assert "1 created" in run_import(path).output
    # The same article: keyed by the same derived slug.
    assert "0 created, 0 updated, 1 unchanged" in run_import(SEED).output
    titles = db.session.scalars(select(Article.title).where(Article.slug.like("gia-tri-%")))
    assert len(titles.all()) == 1


def test_not_utf8_is_reported_with_its_line(app, run_import, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(
        SEED_TEXT.encode("utf-8").replace("Tăng".encode(), "T\xe4ng".encode("latin-1"))
    )
    result = run_import(path, expect_exit=1)
    assert f"{path}:4: not UTF-8 text" in result.stderr
