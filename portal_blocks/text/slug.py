"""Slugs by the legacy portal's rule, so new articles' addresses look like the archive's.

Rule: lowercase; diacritics removed (đ -> d); punctuation deleted without leaving a hyphen; runs
of spaces become one hyphen; cut at 50 characters; then "-" and 4 hex characters, e.g.
"Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%" ->
"gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9".
"""

from __future__ import annotations

import re
import secrets

from portal_blocks.text.fold import fold

MAX_STEM = 50
_NOT_SLUG = re.compile(r"[^a-z0-9\s-]")
_SPACES = re.compile(r"[\s-]+")


def slug_stem(title: str) -> str:
    folded = _NOT_SLUG.sub("", fold(title))
    stem = _SPACES.sub("-", folded.strip())
    return stem[:MAX_STEM].strip("-") or "bai-viet"


def new_slug(title: str, suffix: str | None = None) -> str:
    """``suffix`` is 4 hex characters; random unless given (tests, imports that keep theirs)."""
    return f"{slug_stem(title)}-{suffix or secrets.token_hex(2)}"
