"""Slugs of created articles: the legacy rule, uniqueness, and stability under title edits."""

from __future__ import annotations

import re

import pytest
from editing import CREATE_ARTICLE, UPDATE_ARTICLE, ok

from portal_blocks.content import editing
from portal_blocks.text.slug import new_slug


def _slug(run, title: str) -> str:
    return ok(run(CREATE_ARTICLE, {"input": {"title": title}}))["article"]["slug"]


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("Đường Đông Đô", "duong-dong-do"),
        ("ĐẠI HỘI đảng bộ", "dai-hoi-dang-bo"),
        (
            "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%",
            "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47",
        ),
        ("Hỏi - đáp: “Chính sách” mới (2022)!", "hoi-dap-chinh-sach-moi-2022"),
        ("  Nhiều    khoảng   trắng  ", "nhieu-khoang-trang"),
        ("Hòa bình và hoà hợp", "hoa-binh-va-hoa-hop"),
    ],
)
def test_created_slug_follows_the_legacy_rule(as_editor, title, stem):
    assert re.fullmatch(re.escape(stem) + r"-[0-9a-f]{4}", _slug(as_editor, title))


def test_long_titles_are_cut_at_fifty(as_editor):
    title = "Ủy ban nhân dân tỉnh Bắc Kạn tổ chức hội nghị triển khai nhiệm vụ năm 2022"
    slug = _slug(as_editor, title)
    stem, suffix = slug.rsplit("-", 1)
    assert len(stem) <= 50 and not stem.endswith("-")
    assert stem == "uy-ban-nhan-dan-tinh-bac-kan-to-chuc-hoi-nghi-trie"
    assert re.fullmatch(r"[0-9a-f]{4}", suffix)


def test_slug_survives_title_edits(as_editor, graphql):
    slug = _slug(as_editor, "Tiêu đề ban đầu")
    edited = ok(
        as_editor(
            UPDATE_ARTICLE, {"slug": slug, "version": 1, "input": {"title": "Một tiêu đề khác hẳn"}}
        )
    )
    assert edited["article"]["slug"] == slug
    assert edited["article"]["legacyPath"] == f"/Pages/{slug}.aspx"


def test_colliding_slug_draws_new_hex(as_editor, monkeypatch):
    first = _slug(as_editor, "Tin trùng tên")
    suffixes = iter([first[-4:], first[-4:], "beef"])
    monkeypatch.setattr(editing, "new_slug", lambda title: new_slug(title, next(suffixes)))
    second = _slug(as_editor, "Tin trùng tên")
    assert second == first[:-4] + "beef"
