"""The gettext catalogs: complete, shipped with the package, loaded from .po with no build step."""

from __future__ import annotations

import tomllib

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from conftest import REPO

from portal_blocks.block_types.toolbar import ACTION_LABELS
from portal_blocks.i18n import LOCALE_DIR, LOCALES, catalog_path, gettext, pick_locale

PACKAGE = REPO / "portal_blocks"


def msgids(locale: str) -> dict[str, str]:
    with catalog_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale)
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy entries are not used"
    return {m.id: m.string for m in catalog if m.id}


def used_messages() -> set[str]:
    templates = PACKAGE / "render" / "templates"
    found = extract_from_dir(
        str(templates),
        method_map=[("**.html", "jinja2.ext:babel_extract")],
        keywords={"t": None},
    )
    return {message for _file, _line, message, _comments, _context in found} | set(
        ACTION_LABELS.values()
    )


def test_every_label_used_is_translated_in_every_locale():
    used = used_messages()
    assert {"Article tools", "Print this page", "Increase text size"} <= used
    for locale in LOCALES:
        catalog = msgids(locale)
        assert used <= set(catalog), f"{locale}: missing {sorted(used - set(catalog))}"
        assert all(catalog[m] for m in used), f"{locale}: untranslated labels"
    assert set(msgids("vi")) == set(msgids("en"))


def test_catalogs_load_from_po_without_compiled_files():
    assert not list(LOCALE_DIR.rglob("*.mo"))
    assert gettext("Increase text size", "vi") == "Tăng cỡ chữ"
    assert gettext("Decrease text size", "vi") == "Giảm cỡ chữ"
    assert gettext("Increase text size", "en") == "Increase text size"
    assert gettext("Increase text size", "fr") == "Increase text size"


def test_catalogs_ship_in_the_package():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["portal_blocks"]
    shipped = {p for pattern in patterns for p in PACKAGE.glob(pattern)}
    for locale in LOCALES:
        assert catalog_path(locale) in shipped
        assert catalog_path(locale).is_relative_to(PACKAGE)


@pytest.mark.parametrize(
    ("requested", "accept", "expected"),
    [
        (None, None, "vi"),
        ("en", None, "en"),
        ("en_US", None, "en"),
        ("EN-gb", None, "en"),
        ("fr", None, "vi"),
        (None, [("en-US", 1), ("en", 0.9)], "en"),
        (None, [("fr", 1), ("vi", 0.5)], "vi"),
        (None, [("de", 1)], "vi"),
        ("vi", [("en", 1)], "vi"),
    ],
)
def test_pick_locale(requested, accept, expected):
    from werkzeug.datastructures import LanguageAccept

    assert pick_locale(requested, LanguageAccept(accept) if accept else None) == expected
