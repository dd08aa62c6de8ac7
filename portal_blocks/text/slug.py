"""Slugs by the legacy portal's rule, and the legacy portal's address form built from them.

Rule: lowercase; diacritics removed (đ -> d); punctuation deleted without leaving a hyphen; runs
of spaces become one hyphen; cut at 50 characters; then "-" and 4 hex characters, e.g.
"Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%" ->
"gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9".

This module is the one home of what a slug may look like (:data:`SLUG_PATTERN`,
:data:`SLUG_MAX_LENGTH`), of the legacy address form ``/Pages/<slug>.aspx``
(:data:`LEGACY_ROUTE`, :func:`legacy_path`, :func:`slug_of_legacy_path`) and of the form in
which routes hold addresses (:func:`route_key`): the schema, the editor, the importer, the
route table and the demo routes all read them from here, so they cannot drift apart.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache

from portal_blocks.text.fold import fold

MAX_STEM = 50
#: The characters of a slug besides the hyphens between its words.
_SLUG_CHARACTERS = "a-z0-9"
#: A whole slug: words of lowercase letters and digits joined by single hyphens.
SLUG_PATTERN = rf"[{_SLUG_CHARACTERS}]+(?:-[{_SLUG_CHARACTERS}]+)*"
#: The longest slug an article may have (the ``article.slug`` column holds 120).
SLUG_MAX_LENGTH = 120
#: The route pattern (werkzeug syntax) of the legacy portal's article addresses.
LEGACY_ROUTE = "/Pages/<slug>.aspx"
_SLUG = re.compile(SLUG_PATTERN)
_NOT_SLUG = re.compile(rf"[^{_SLUG_CHARACTERS}\s-]")
_SPACES = re.compile(r"[\s-]+")
#: What makes a route a pattern rather than one literal path (werkzeug's ``<converter>``).
_ROUTE_SYNTAX = ("<", ">")
#: How the legacy portal's (SharePoint's) page addresses end.
SHAREPOINT_SUFFIX = ".aspx"
#: A pattern's ``<converter:name>`` parts, kept by :func:`route_key` as they are written.
_CONVERTER_PART = re.compile(r"(<[^<>]*>)")


def is_slug(text: str) -> bool:
    """Whether ``text`` may be an article's slug as it stands."""
    return len(text) <= SLUG_MAX_LENGTH and _SLUG.fullmatch(text) is not None


def slug_stem(title: str) -> str:
    folded = _NOT_SLUG.sub("", fold(title))
    stem = _SPACES.sub("-", folded.strip())
    return stem[:MAX_STEM].strip("-") or "bai-viet"


#: The longest category slug (the ``article.category_slug`` column holds 120).
CATEGORY_SLUG_MAX_LENGTH = 120


@lru_cache(maxsize=1024)
def category_slug(name: str | None) -> str | None:
    """The address form of a category's name, for ``/chuyen-muc/<category>``: "Văn hóa - Xã
    hội" -> "van-hoa-xa-hoi" (the slug rule without the random suffix; a name that has no
    letter or digit has none). Stored beside the name, so lists filter by it on an index."""
    if name is None:
        return None
    stem = _SPACES.sub("-", _NOT_SLUG.sub("", fold(name)).strip()).strip("-")
    return stem[:CATEGORY_SLUG_MAX_LENGTH].strip("-") or None


def new_slug(title: str, suffix: str | None = None) -> str:
    """``suffix`` is 4 hex characters; random unless given (tests, imports that keep theirs)."""
    return f"{slug_stem(title)}-{suffix or secrets.token_hex(2)}"


def legacy_path(slug: str) -> str:
    """The legacy portal's address of the article with ``slug``: ``/Pages/<slug>.aspx``."""
    return LEGACY_ROUTE.replace("<slug>", slug)


def slug_of_legacy_path(path: str) -> str | None:
    """The slug a legacy address names, or ``None`` when it names none.

    The legacy portal's addresses end in ``<slug>.aspx``, under ``/Pages/`` or a site's own
    prefix (``/tin-tuc/Pages/...``), so the slug is the last segment without its extension,
    when that is a slug at all.
    """
    stem = path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem if is_slug(stem) else None


def is_literal_path(path: str) -> bool:
    """Whether ``path`` is one literal address a legacy page may have had.

    A legacy path becomes an exact route; a route pattern (``/tin-tuc/<slug>``,
    ``/<path:rest>``) in its place would take over every address the pattern matches, and
    ``/`` is the portal's home, never an article's address.
    """
    return path.startswith("/") and path != "/" and not any(mark in path for mark in _ROUTE_SYNTAX)


def route_key(path: str) -> str:
    """The form in which the route table holds an address, and in which a requested path is
    compared with it: a SharePoint address (its path ends in ``.aspx``, in any case) is
    lowercased, any other path stays as it is.

    SharePoint answered ``/Pages/Foo-Bar.ASPX`` as ``/Pages/foo-bar.aspx``, and links to the
    old portal in the wild (and in its own pages) spell one address several ways; the new
    addresses (``/tin-tuc/<slug>``) stay case-sensitive, as werkzeug matches them. In a pattern
    only the literal text is lowercased: ``<slug>`` and the like are the pattern's own names.
    """
    if not path.rstrip("/").lower().endswith(SHAREPOINT_SUFFIX):
        return path
    return "".join(
        part if part.startswith("<") else part.lower() for part in _CONVERTER_PART.split(path)
    )
