"""Folding and slugs, on the Vietnamese cases that matter."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal_blocks.text.fold import fold
from portal_blocks.text.html import paragraphs, sanitize_html
from portal_blocks.text.slug import MAX_STEM, new_slug, slug_stem

REFERENCE_TITLE = "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Giá trị sản xuất", "gia tri san xuat"),
        ("Đồng Nai", "dong nai"),
        ("hòa", "hoa"),
        ("hoà", "hoa"),
        ("HOÀ BÌNH", "hoa binh"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_reference_slug():
    assert slug_stem(REFERENCE_TITLE) == "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47"
    assert new_slug(REFERENCE_TITLE, "f2d9") == (
        "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
    )
    assert re.fullmatch(r"gia-tri-.*-tang-47-[0-9a-f]{4}", new_slug(REFERENCE_TITLE))


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("Đắk Lắk: đường đẹp", "dak-lak-duong-dep"),
        ("  Nhiều   khoảng   trắng  ", "nhieu-khoang-trang"),
        ("A - B", "a-b"),
        ("!!!", "bai-viet"),
    ],
)
def test_slug_rule(title, stem):
    assert slug_stem(title) == stem


def test_slug_is_cut_at_fifty_without_a_trailing_hyphen():
    stem = slug_stem("Một tiêu đề rất dài về phát triển kinh tế xã hội của tỉnh Bắc Kạn năm 2021")
    assert len(stem) <= MAX_STEM
    assert not stem.endswith("-")
    assert stem.startswith("mot-tieu-de-rat-dai-ve-phat-trien-kinh-te-xa-hoi")


@given(st.text())
def test_slug_is_always_url_safe(title):
    slug = new_slug(title)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert len(slug) <= MAX_STEM + 5


def test_sanitize_removes_script_handlers_and_javascript_urls():
    dirty = (
        '<p onclick="x()">Tin <script>alert(1)</script><a href="javascript:alert(1)">a</a>'
        '<img src="x" onerror="alert(1)"><svg><script>alert(1)</script></svg></p>'
    )
    clean = sanitize_html(dirty)
    for vector in ("<script", "onclick", "onerror", "javascript:", "<svg"):
        assert vector not in clean
    assert clean.startswith("<p>Tin ")


def test_paragraphs_keep_text_as_authored():
    html = "<p>Tăng 4,7%  so với\n tháng 9/2021.</p><ul><li>1.152,5 tỷ đồng</li></ul>"
    assert paragraphs(html) == ["Tăng 4,7% so với tháng 9/2021.", "1.152,5 tỷ đồng"]
