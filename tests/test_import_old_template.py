"""``portal-blocks import`` of the 2018–2020 template and its department sub-sites: each variation
of the pages (tests/fixtures/old_template/), stored and shown again text-exact, and the pages
that are neither template or are cut off, refused line by line."""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from conftest import SEED, clear_tables
from sqlalchemy import func, select

from portal_blocks.db import db
from portal_blocks.importing import chrome
from portal_blocks.importing.old_template import parse_old_template
from portal_blocks.importing.pages import (
    NEITHER_MESSAGE,
    TEMPLATE_2021,
    TEMPLATE_OLD,
    PageTextError,
    parse_page,
    template_of,
)
from portal_blocks.models import Article, Route

TZ = "Asia/Ho_Chi_Minh"
HANOI = ZoneInfo(TZ)
FIXTURES = Path(__file__).parent / "fixtures" / "old_template"
SEED_TEXT = SEED.read_text(encoding="utf-8")

#: What each fixture page must become, field by field, exactly.
EXPECTED = {
    "main_portal.txt": {
        "host": "backan.gov.vn",
        "legacy_path": "/Pages/tin-tuc-su-kien-1/kinh-te-5/"
        "hoi-nghi-trien-khai-nhiem-vu-phat-trien-5a1e3c9b2f4d6e80.aspx",
        "slug": "hoi-nghi-trien-khai-nhiem-vu-phat-trien-5a1e3c9b2f4d6e80",
        "category": "kinh-te",
        "category_path": ("tin-tuc-su-kien-1", "kinh-te-5"),
        "title": "Hội nghị triển khai nhiệm vụ phát triển kinh tế năm 2019",
        "published_at": datetime(2019, 5, 14, 16, 25, tzinfo=HANOI),
        "day_only": False,
        "paragraphs": [
            "Sáng 14/5, UBND tỉnh tổ chức Hội nghị triển khai nhiệm vụ phát triển kinh tế năm "
            "2019. Dự hội nghị có lãnh đạo các sở, ban, ngành và UBND các huyện, thành phố.",
            "Ảnh: Quang cảnh hội nghị",
            "Theo báo cáo, năm 2018 tổng sản phẩm trên địa bàn tỉnh tăng 6,2%; thu ngân sách đạt "
            "1.152,5\xa0tỷ đồng, vượt 8% dự toán. Năm 2019, tỉnh phấn đấu tốc độ tăng trưởng đạt "
            "trên 7%, thu nhập bình quân đầu người đạt 32 triệu đồng/người/năm.",
            "Phát biểu tại hội nghị, đồng chí Chủ tịch UBND tỉnh đề nghị các nghành tập trung "
            "tháo gỡ khó khăn cho doanh nghiệp, đẩy nhanh tiến độ giải ngân vốn đầu tư công ngay "
            "từ tháng 5/2019./.",
        ],
        "author": "Lan Hương",
        "source": None,
    },
    "sokhdt_three_levels.txt": {
        "host": "sokhdt.backan.gov.vn",
        "legacy_path": "/Pages/tin-tuc-3/hoat-dong-cua-so-12/doanh-nghiep-27/"
        "so-ke-hoach-va-dau-tu-doi-thoai-voi-doan-3f9c0a7e51b2d48.aspx",
        "slug": "so-ke-hoach-va-dau-tu-doi-thoai-voi-doan-3f9c0a7e51b2d48",  # a 15-hex id
        "category": "doanh-nghiep",
        "category_path": ("tin-tuc-3", "hoat-dong-cua-so-12", "doanh-nghiep-27"),
        "title": "Sở Kế hoạch và Đầu tư đối thoại với doanh nghiệp về thủ tục đầu tư",
        "published_at": datetime(2020, 2, 21, 8, 41, tzinfo=HANOI),
        "day_only": False,
        "paragraphs": [
            "Chiều 20/02/2020, Sở Kế hoạch và Đầu tư tổ chức buổi đối thoại với hơn 40 doanh "
            "nghiệp trên địa bàn tỉnh về thủ tục đầu tư, đăng ký doanh nghiệp.",
            "Các đại biểu tham dự buổi đối thoại",
            "Tại buổi đối thoại, các doanh nghiệp đã nêu 12 ý kiến, kiến nghị liên quan đến thời "
            "gian giải quyết hồ sơ, thủ tục cấp giấy chứng nhận đầu tư và việc nộp hồ sơ qua "
            "mạng. Các ý kiến đã đươc lãnh đạo Sở trả lời trực tiếp tại buổi đối thoại.",
        ],
        "author": "Minh Tuấn",
        "source": "Sở Kế hoạch và Đầu tư",
    },
    "ubmttq_date_only.txt": {
        "host": "ubmttq.backan.gov.vn",
        "legacy_path": "/Pages/hoat-dong-mat-tran-2/"
        "mat-tran--cau-noi-giua-dang-voi-nhan-dan-0b7d44e9a1c3f265.aspx",
        "slug": "mat-tran-cau-noi-giua-dang-voi-nhan-dan-0b7d44e9a1c3f265",  # "--" made "-"
        "category": "hoat-dong-mat-tran",
        "category_path": ("hoat-dong-mat-tran-2",),
        "title": "Mặt trận - cầu nối giữa Đảng với Nhân dân",
        "published_at": datetime(2018, 9, 3, tzinfo=HANOI),  # the day's midnight, in Hanoi
        "day_only": True,
        "paragraphs": [
            "Những năm qua, Mặt trận Tổ quốc các cấp trong tỉnh đã phát huy vai trò cầu nối giữa "
            "Đảng với Nhân dân, tập hợp, xây dựng khối đại đoàn kết toàn dân tộc.",
            "Năm 2018, Mặt trận các cấp đã tổ chức 1.250 cuộc tiếp xúc cử tri, tổng hợp 3.400 lượt "
            "ý kiến, kiến nghị gửi đến cơ quan có thẩm quyền.",
        ],
        "author": "Thu Trang",
        "source": None,  # "Nguồn:" with nothing after it
    },
    "giamngheo_no_stamp.txt": {
        "host": "giamngheo.backan.gov.vn",
        "legacy_path": "/Pages/tin-hoat-dong-4/"
        "ho-tro-sinh-ke-cho-ho-ngheo-o-pac-nam-7e2a90c4d18b3f56.aspx",
        "slug": "ho-tro-sinh-ke-cho-ho-ngheo-o-pac-nam-7e2a90c4d18b3f56",
        "category": "tin-hoat-dong",
        "category_path": ("tin-hoat-dong-4",),
        "title": "Hỗ trợ sinh kế cho hộ nghèo ở Pác Nặm",
        "published_at": None,  # no stamp: dated when imported
        "day_only": False,
        "paragraphs": [
            "Năm 2019, huyện Pác Nặm đã hỗ trợ 320 con bò sinh sản cho 320 hộ nghèo tại 10 xã, với "
            "tổng kinh phí trên 4,8 tỷ đồng từ Chương trình 135.",
            "Người dân xã Bộc Bố nhận bò giống",
            "Nhờ được hỗ trợ, nhiều hộ đã có thêm thu nhập ổn định, từng bước vươn lên thoát nghèo "
            "bền vững.",
        ],
        "author": "Hoàng Nam",
        "source": None,
    },
    "hoinongdan_empty_author.txt": {
        "host": "hoinongdan.backan.gov.vn",
        "legacy_path": "/Pages/tin-tuc-1/phong-trao-nong-dan-8/"
        "nong-dan-ba-be-thi-dua-san-xuat-kinh-doa-c41d8e2f7a90b365.aspx",
        "slug": "nong-dan-ba-be-thi-dua-san-xuat-kinh-doa-c41d8e2f7a90b365",
        "category": "phong-trao-nong-dan",
        "category_path": ("tin-tuc-1", "phong-trao-nong-dan-8"),
        "title": "Nông dân Ba Bể thi đua sản xuất, kinh doanh giỏi",
        "published_at": datetime(2020, 6, 5, 7, 5, tzinfo=HANOI),
        "day_only": False,
        "paragraphs": [
            "Phong trào nông dân thi đua sản xuất, kinh doanh giỏi ở huyện Ba Bể đã có 2.130 hộ "
            "đạt danh hiệu các cấp trong năm 2019.",
            "Ảnh: Mô hình trồng rau an toàn tại xã Thượng Giáo",
            "Nhiều mô hình cho thu nhập từ 150 - 200 triệu đồng/năm, góp phần nâng cao đời sống "
            "của hội viên nông dân.",
        ],
        "author": None,  # "Tác giả:" with nothing after it
        "source": "Hội Nông dân huyện Ba Bể",
    },
}
PAGES = sorted(EXPECTED)
FIELDS = ("title", "author", "source", "category", "legacy_path", "slug", "published_at")
#: The portal's own host: its pages answer on every host, a sub-site's on its own only.
MAIN_HOST = "backan.gov.vn"
MAIN_HOST_ARGS = ["--main-host", MAIN_HOST]


def bound_host(name: str) -> str | None:
    """The host the page's route answers on (None: every host)."""
    host = EXPECTED[name]["host"]
    return None if host == MAIN_HOST else host


def page_url(name: str) -> str:
    """The page's old address on its own host."""
    return f"https://{EXPECTED[name]['host']}{EXPECTED[name]['legacy_path']}"


def body_paragraphs(body_html: str) -> list[str]:
    """The stored body's paragraphs, their text exactly as stored (no whitespace collapsed)."""
    return [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", body_html, flags=re.DOTALL)]


def collapse(text: str) -> str:
    return " ".join(text.split())


def by_path(path: str) -> Article | None:
    db.session.expire_all()
    return db.session.scalar(select(Article).where(Article.legacy_path == path))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the parsed record -----------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_each_page_parses_to_its_fields(name):
    page = parse_page((FIXTURES / name).read_text(encoding="utf-8"), timezone=TZ)
    expected = EXPECTED[name]
    assert page.template == TEMPLATE_OLD
    article = page.article
    assert (article.host, article.category_path, article.day_only) == (
        expected["host"],
        expected["category_path"],
        expected["day_only"],
    )
    data = article.data
    for key in ("title", "legacy_path", "slug", "category"):
        assert data[key] == expected[key], key
    assert data.get("author") == expected["author"]
    assert data.get("source") == expected["source"]
    when = expected["published_at"]
    assert data.get("published_at") == (when.isoformat() if when else None)
    assert body_paragraphs(data["body_html"]) == expected["paragraphs"]
    # The page holds no lead or image caption: the record leaves them to the schema's default.
    assert "lead" not in data and "image_caption" not in data


# --- imported, stored and shown ---------------------------------------------------------------


@pytest.fixture
def imported(app, run_import):
    result = run_import(FIXTURES, args=MAIN_HOST_ARGS)
    assert "Imported 5 file(s): 5 created, 0 updated, 0 unchanged, 0 failed" in result.output
    return result


@pytest.mark.parametrize("name", PAGES)
def test_stored_text_exact(imported, name):
    expected = EXPECTED[name]
    article = by_path(expected["legacy_path"])
    assert article is not None
    for key in FIELDS:
        if key == "published_at" and expected[key] is None:
            continue  # dated at import: below
        assert getattr(article, key) == expected[key], key
    assert article.lead == ""
    assert article.image_caption is None
    assert body_paragraphs(article.body_html) == expected["paragraphs"]
    assert article.status.value == "published"
    route = db.session.scalar(select(Route).where(Route.pattern == expected["legacy_path"]))
    assert route is not None and route.article_id == article.id
    assert route.host == article.legacy_host == bound_host(name)


def test_a_page_without_a_stamp_is_dated_at_import_and_counted(app, run_import):
    path = FIXTURES / "giamngheo_no_stamp.txt"
    before = datetime.now(HANOI)
    result = run_import(path)
    assert result.output.endswith(
        "1 created, 0 updated, 0 unchanged, 0 failed; "
        "1 page(s) without an update stamp dated at import.\n"
    )
    article = by_path(EXPECTED[path.name]["legacy_path"])
    assert before - timedelta(seconds=1) <= article.published_at <= datetime.now(HANOI)
    dated = article.published_at
    assert "0 created, 0 updated, 1 unchanged" in run_import(path).output
    assert by_path(EXPECTED[path.name]["legacy_path"]).published_at == dated


PAGE_QUERY = """query Page($path: String!) { page(path: $path) {
    article { slug }
    regions { blocks { __typename
      ... on Block_BanTin_Toolbar { dateText title lead }
      ... on Block_BanTin_ViewData { paragraphs author imageCaption
        article { title author source category } } } } } }"""


def expected_date_text(name: str) -> str:
    when = EXPECTED[name]["published_at"] or datetime.now(HANOI)
    return when.astimezone(HANOI).strftime("%d/%m/%Y")


@pytest.mark.parametrize("name", PAGES)
def test_shown_on_its_page_block_by_block(imported, graphql, name):
    """GraphQL ``page(path:)`` at the legacy address on its host: each block's text is the
    page's own."""
    expected = EXPECTED[name]
    page = graphql(PAGE_QUERY, {"path": page_url(name)})["data"]["page"]
    assert page["article"]["slug"] == expected["slug"]
    blocks = {b["__typename"]: b for region in page["regions"] for b in region["blocks"]}
    assert blocks["Block_BanTin_Toolbar"] == {
        "__typename": "Block_BanTin_Toolbar",
        "dateText": expected_date_text(name),
        "title": expected["title"],
        "lead": "",
    }
    assert blocks["Block_BanTin_ViewData"] == {
        "__typename": "Block_BanTin_ViewData",
        # As a browser shows them: the no-break space of main_portal.txt shows as a space.
        "paragraphs": [collapse(p) for p in expected["paragraphs"]],
        "author": expected["author"],
        "imageCaption": None,
        "article": {
            "title": expected["title"],
            "author": expected["author"],
            "source": expected["source"],
            "category": expected["category"],
        },
    }


@pytest.mark.parametrize("name", PAGES)
def test_theme_page_shows_the_same_text(imported, client, name):
    expected = EXPECTED[name]
    response = client.get(expected["legacy_path"], base_url=f"https://{expected['host']}")
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    shown = {
        el["data-block-type"]: collapse(el.get_text(" ")) for el in soup.select("[data-block-type]")
    }
    assert shown == {
        "Block_BanTin_Toolbar": collapse(
            f"{expected_date_text(name)} Tăng cỡ chữ Giảm cỡ chữ {expected['title']}"
        ),
        "Block_BanTin_ViewData": collapse(
            " ".join([*expected["paragraphs"], expected["author"] or ""])
        ),
    }


def test_reimport_is_unchanged_and_keeps_what_editors_gave(app, run_import):
    run_import(FIXTURES, args=MAIN_HOST_ARGS)
    path = EXPECTED["main_portal.txt"]["legacy_path"]
    article = by_path(path)
    article.lead = "Sapo do biên tập viên viết"
    article.image_url = "/anh/hoi-nghi.jpg"
    db.session.commit()
    version = by_path(path).version
    result = run_import(FIXTURES, args=MAIN_HOST_ARGS)
    assert "0 created, 0 updated, 5 unchanged, 0 failed" in result.output
    article = by_path(path)
    assert (article.lead, article.image_url, article.version) == (
        "Sapo do biên tập viên viết",
        "/anh/hoi-nghi.jpg",
        version,
    )
    assert db.session.scalar(select(func.count(Route.id)).where(Route.pattern == path)) == 1


def test_a_date_only_stamp_keeps_a_time_set_since(app, run_import):
    """The stamp gives the day, not the time: a re-import does not move a time on that day."""
    name = "ubmttq_date_only.txt"
    run_import(FIXTURES / name)
    article = by_path(EXPECTED[name]["legacy_path"])
    article.published_at = datetime(2018, 9, 3, 9, 30, tzinfo=HANOI)
    db.session.commit()
    assert "0 created, 0 updated, 1 unchanged" in run_import(FIXTURES / name).output
    assert by_path(EXPECTED[name]["legacy_path"]).published_at == datetime(
        2018, 9, 3, 9, 30, tzinfo=HANOI
    )


def test_a_full_stamp_moves_a_changed_time(app, run_import):
    name = "main_portal.txt"
    run_import(FIXTURES / name)
    article = by_path(EXPECTED[name]["legacy_path"])
    article.published_at = datetime(2019, 5, 14, 9, 0, tzinfo=HANOI)
    db.session.commit()
    assert "0 created, 1 updated" in run_import(FIXTURES / name).output
    assert by_path(EXPECTED[name]["legacy_path"]).published_at == EXPECTED[name]["published_at"]


def test_text_is_stored_nfc(app, run_import, tmp_path):
    name = "sokhdt_three_levels.txt"
    text = (FIXTURES / name).read_text(encoding="utf-8")
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    run_import(write(tmp_path, name, decomposed))
    article = by_path(EXPECTED[name]["legacy_path"])
    assert article is not None
    expected = EXPECTED[name]
    assert (article.title, article.author, article.source) == (
        expected["title"],
        expected["author"],
        expected["source"],
    )
    assert body_paragraphs(article.body_html) == expected["paragraphs"]


def test_category_option_fills_only_pages_naming_none(app, run_import, tmp_path):
    """The address names the category; a page without a URL line gets ``--category``."""
    text = (FIXTURES / "main_portal.txt").read_text(encoding="utf-8")
    no_url = write(tmp_path, "no_url.txt", text.split("\n", 1)[1])
    with_url = write(tmp_path, "with_url.txt", text)
    run_import(no_url, with_url, args=["--category", "Thời sự"])
    title = EXPECTED["main_portal.txt"]["title"]
    categories = db.session.execute(
        select(Article.legacy_path, Article.category).where(Article.title == title)
    ).all()
    assert sorted(categories, key=str) == sorted(
        [(None, "Thời sự"), (EXPECTED["main_portal.txt"]["legacy_path"], "kinh-te")], key=str
    )


def test_one_address_of_one_host_is_one_page(app, run_import, tmp_path):
    """Two pages read at one path of one host in one run would be one article, the second
    written over the first: the second is refused, naming the first. (One path on two hosts
    is two pages: tests/test_legacy_addresses.py.)"""
    text = (FIXTURES / "sokhdt_three_levels.txt").read_text(encoding="utf-8")
    first = write(tmp_path, "a.txt", text)
    second = write(tmp_path, "b.txt", text.replace("Minh Tuấn", "Người khác"))
    result = run_import(first, second, expect_exit=1)
    path = EXPECTED["sokhdt_three_levels.txt"]["legacy_path"]
    assert (
        f"{second}:1: not imported: {path} on sokhdt.backan.gov.vn is also the address of the "
        f"page read at {first}:1; one address is one page"
    ) in result.stderr
    assert by_path(path).author == "Minh Tuấn"


# --- chrome -----------------------------------------------------------------------------------


BODY = "Đoạn thân bài thứ nhất.\n\nĐoạn thân bài thứ hai.\n\nTác giả bài"
HEAD = (
    "URL: https://backan.gov.vn/Pages/tin-tuc-1/bai-thu-nghiem-0123456789abcdef.aspx\n"
    "Bài thử nghiệm\n(Cập nhật lúc: 01/02/2019 10:00:00)\n\n"
)


@pytest.mark.parametrize(
    "trailer",
    [
        "Tin bài mới\nTin khác (01/01/2019)",
        "Tin bài mới:\nTin khác - 01/01/2019",
        "Sign In",
        "Copyright 2019 Cổng thông tin điện tử tỉnh Bắc Kạn",
        "© 2019 Cổng thông tin điện tử tỉnh Bắc Kạn",
        "Cổng thông tin điện tử tỉnh Bắc Kạn\nCơ quan chủ quản: Văn phòng UBND tỉnh",
        "Cổng thông tin điện tử tỉnh Bắc Kạn\nChịu trách nhiệm chính: Chánh Văn phòng",
        "Ghi rõ nguồn “Cổng thông tin điện tử tỉnh Bắc Kạn” khi phát hành lại thông tin",
    ],
)
def test_chrome_after_the_article_is_dropped(trailer):
    data = parse_old_template(f"{HEAD}{BODY}\n\n{trailer}\n", timezone=TZ).data
    assert body_paragraphs(data["body_html"]) == [
        "Đoạn thân bài thứ nhất.",
        "Đoạn thân bài thứ hai.",
    ]
    assert data["author"] == "Tác giả bài"


@pytest.mark.parametrize(
    "paragraph",
    [
        "Chịu trách nhiệm chính trong việc triển khai là Sở Y tế.",
        "Ghi rõ nguồn gốc xuất xứ của hàng hóa là bắt buộc.",
        "Tin bài mới nhất của tỉnh được đăng hằng ngày.",
        "Sign In là nút đăng nhập của trang.",
    ],
)
def test_body_text_like_chrome_is_kept(paragraph):
    data = parse_old_template(f"{HEAD}{paragraph}\n\n{BODY}\n", timezone=TZ).data
    assert body_paragraphs(data["body_html"])[0] == paragraph


def test_chrome_before_the_title_is_dropped_whatever_it_says():
    lines = ["Skip Ribbon Commands", "Chào mừng kỷ niệm 90 năm thành lập Đảng", "Sign In"]
    text = HEAD.replace("Bài thử nghiệm", "\n".join([*lines, "Bài thử nghiệm"]))
    assert parse_old_template(text + BODY, timezone=TZ).data["title"] == "Bài thử nghiệm"


def test_a_2021_page_in_chrome_reads_as_the_clean_page():
    wrapped = (
        "Skip Ribbon Commands\nSkip to main content\n"
        "Chào mừng bạn đến với Cổng thông tin điện tử tỉnh Bắc Kạn\nSign In\n\n"
        + SEED_TEXT
        + "\n\nTin bài mới\nKhai mạc Hội chợ (09/11/2021)\n\n"
        "Cơ quan chủ quản: Văn phòng UBND tỉnh Bắc Kạn\n"
    )
    clean = parse_page(SEED_TEXT, timezone=TZ)
    page = parse_page(wrapped, timezone=TZ)
    assert page.template == clean.template == TEMPLATE_2021
    assert page.article.data == clean.article.data


def test_2021_chrome_keeps_line_numbers_in_errors():
    wrapped = "Skip Ribbon Commands\nSign In\n" + SEED_TEXT.replace("10/11/2021", "32/13/2021")
    with pytest.raises(PageTextError) as caught:
        parse_page(wrapped, timezone=TZ)
    assert [(e.line, e.message) for e in caught.value.errors] == [(5, "not a date: '32/13/2021'")]


# --- telling the templates apart ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "template"),
    [
        (SEED_TEXT, TEMPLATE_2021),
        # The labels decide, even beside a stamp.
        (
            SEED_TEXT.replace("10/11/2021\n", "10/11/2021\n(Cập nhật lúc: 10/11/2021)\n"),
            TEMPLATE_2021,
        ),
        (HEAD + BODY, TEMPLATE_OLD),
        (HEAD.split("\n", 1)[1] + BODY, TEMPLATE_OLD),  # the stamp alone
        (HEAD.replace("(Cập nhật lúc: 01/02/2019 10:00:00)\n", "") + BODY, TEMPLATE_OLD),  # URL
        ("Tiêu đề\n\nThân bài.\n\nTác giả", None),
        ("URL: https://backan.gov.vn/Pages/bai-viet-f2d9.aspx\nTiêu đề\n\nThân.\n\nTác giả", None),
    ],
)
def test_template_told_by_shape(text, template):
    assert template_of(text.splitlines()) == template


@pytest.mark.parametrize(
    "stamp",
    [
        "(Cập nhật lúc: 01/02/2019 10:00:00)",
        "(Cập nhật lúc: 01/02/2019 10:00:00 )",
        "( Cập nhật lúc: 01/02/2019 10:00:00  )",
        "(Cập nhật lúc:01/02/2019 10:00:00)",
        "(Cập nhật lúc: 1/2/2019 10:00)",
    ],
)
def test_stamp_spacing_varies(stamp):
    text = HEAD.replace("(Cập nhật lúc: 01/02/2019 10:00:00)", stamp) + BODY
    data = parse_old_template(text, timezone=TZ).data
    assert data["published_at"] == "2019-02-01T10:00:00+07:00"


def test_timezone_is_the_one_given():
    text = HEAD + BODY
    assert parse_old_template(text, timezone="UTC").data["published_at"] == (
        "2019-02-01T10:00:00+00:00"
    )


# --- refused pages ----------------------------------------------------------------------------


MAIN = (FIXTURES / "main_portal.txt").read_text(encoding="utf-8")
CUT_AFTER_STAMP = MAIN.split("(Cập nhật lúc: 14/05/2019 16:25:00 )")[0] + (
    "(Cập nhật lúc: 14/05/2019 16:25:00 )\n"
)
BROKEN = {
    "cut_after_stamp.txt": (
        CUT_AFTER_STAMP,
        9,
        "expected the body and the author line after the title, found the end",
    ),
    "cut_before_list.txt": (
        CUT_AFTER_STAMP + "\nTin bài mới\nKhai mạc Hội chợ (13/05/2019)\n",
        9,
        "expected the body and the author line after the title, found 'Tin bài mới'",
    ),
    "only_one_paragraph.txt": (
        CUT_AFTER_STAMP + "\nSáng 14/5, UBND tỉnh tổ chức Hội nghị.\n",
        9,
        "expected the body and the author line after the title, found the end",
    ),
    "labels_without_body.txt": (
        CUT_AFTER_STAMP + "\nTác giả: Lan Hương\nNguồn: Sở Tài chính\n",
        9,
        "expected a body paragraph before the author",
    ),
    "author_twice.txt": (
        CUT_AFTER_STAMP + "\nThân bài.\n\nTác giả: Lan Hương\nTác giả: Hương\n",
        14,
        "'Tác giả:' is given twice",
    ),
    "long_author.txt": (
        CUT_AFTER_STAMP + "\nThân bài.\n\nMột câu rất dài " + "x" * 200 + "\n",
        13,
        "expected the author last: a name on one short line",
    ),
    "bad_stamp_date.txt": (
        MAIN.replace("14/05/2019 16:25:00", "30/02/2019 16:25:00"),
        9,
        "not a date and time: '(Cập nhật lúc: 30/02/2019 16:25:00 )'",
    ),
    "neither.txt": (
        "Skip Ribbon Commands\nTrang chủ | Tin tức\n\nDanh sách tin\n\nTin một (01/01/2019)\n",
        1,
        NEITHER_MESSAGE,
    ),
    "address_of_another_form.txt": (
        MAIN.replace(
            EXPECTED["main_portal.txt"]["legacy_path"], "/Pages/hoi-nghi-trien-khai-5a1e.aspx"
        ),
        1,
        "expected the address as /Pages/<category>-<n>/[<subcategory>-<n>/[...]]<slug>-<id>.aspx",
    ),
    "no_stamp_no_title.txt": (
        MAIN.replace("(Cập nhật lúc: 14/05/2019 16:25:00 )\n", "").replace(
            "Hội nghị triển khai nhiệm vụ", "Hội thảo về nhiệm vụ"
        ),
        2,
        "expected the title: a line whose words begin with the address's slug "
        "'hoi-nghi-trien-khai-nhiem-vu-phat-trien'",
    ),
    "four_category_levels.txt": (
        MAIN.replace("/Pages/tin-tuc-su-kien-1/", "/Pages/a-1/b-2/c-3/"),
        1,
        "expected the address as ",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_refused_pages_name_their_line_and_what_was_expected(app, run_import, tmp_path, name):
    """Each broken page fails alone, at FILE:LINE; nothing of it is written, the others are."""
    text, line, message = BROKEN[name]
    broken = write(tmp_path, name, text)
    good = write(tmp_path, "good.txt", (FIXTURES / "sokhdt_three_levels.txt").read_text("utf-8"))
    articles = db.session.scalar(select(func.count(Article.id)))
    routes = db.session.scalar(select(func.count(Route.id)))
    result = run_import(broken, good, expect_exit=1)
    errors = [e for e in result.stderr.splitlines() if e.startswith(f"{broken}:")]
    assert errors, result.stderr
    assert any(e.startswith(f"{broken}:{line}: {message}") for e in errors), errors
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Article.id))) == articles + 1
    assert db.session.scalar(select(func.count(Route.id))) == routes + 1
    assert by_path(EXPECTED["sokhdt_three_levels.txt"]["legacy_path"]) is not None


def test_chrome_rules_are_the_documented_ones():
    assert chrome.trailing_start(["a", "", "b", "Sign In", "c"], 0) == 3
    assert chrome.trailing_start(["a", "", "Tên cổng", "Cơ quan chủ quản: X"], 0) == 2
    assert chrome.trailing_start(["a", "b"], 0) == 2


def test_reference_page_still_reads_as_before(app, run_import):
    clear_tables()
    result = run_import(SEED)
    assert "1 created" in result.output
    article = db.session.scalars(select(Article)).one()
    assert article.author == "Hương Dịu" and article.category is None
