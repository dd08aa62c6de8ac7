"""Which template a page scrape is, told by its shape, and the page parsed by that template's
reader, its chrome (:mod:`.chrome`) dropped.

- the 2021 template (:mod:`.legacy_text`) has the web-part labels: a line
  ``PublishingPortal - Block_BanTin_Toolbar`` or ``PublishingPortal - Block_BanTin_ViewData``;
- the 2018–2020 template (:mod:`.old_template`) has neither label, and has a URL line with its
  address form (``/Pages/<category>-<n>/.../<slug>-<id>.aspx``) or an update stamp
  ``(Cập nhật lúc: ...)``;
- any other text is neither, and is refused with what was expected.

The labels come first because they are the one thing the old template never shows, while its
stamp or address form could appear in a 2021 page's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal_blocks.importing import chrome, old_template
from portal_blocks.importing.legacy_text import (
    TOOLBAR_LABEL,
    URL_PREFIX,
    VIEWDATA_LABEL,
    LegacyTextError,
    LineError,
    ParsedArticle,
    parse_legacy_text,
)

#: The name the import's counts and errors give each template.
TEMPLATE_2021 = "2021 template"
TEMPLATE_OLD = old_template.NAME
NEITHER_MESSAGE = (
    f"expected a page of the 2021 template (the label '{TOOLBAR_LABEL}') or of the "
    f"{TEMPLATE_OLD} (a URL line with an address {old_template.ADDRESS_FORMAT}, or an update "
    f"stamp {old_template.STAMP_FORMAT})"
)


@dataclass
class ParsedPage:
    """A page's article, and which template it was read by."""

    template: str
    article: ParsedArticle


class PageTextError(LegacyTextError):
    """The page's problems, and the template it was read by (``None``: neither)."""

    def __init__(self, errors: list[LineError], template: str | None) -> None:
        super().__init__(errors)
        self.template = template


def _is_label(line: str) -> bool:
    return line.strip() in (TOOLBAR_LABEL, VIEWDATA_LABEL)


def template_of(lines: list[str]) -> str | None:
    """The template whose shape ``lines`` have, or ``None`` (module docstring)."""
    if any(_is_label(line) for line in lines):
        return TEMPLATE_2021
    first = next((line for line in lines if line.strip()), "")
    if first.startswith(URL_PREFIX):
        try:
            if old_template.old_address(first[len(URL_PREFIX) :].strip()) is not None:
                return TEMPLATE_OLD
        except ValueError:
            pass
    if any(old_template.is_stamp(line) for line in lines):
        return TEMPLATE_OLD
    return None


def parse_page(text: str, *, timezone: str) -> ParsedPage:
    """Parse one page scrape of either template; raises :class:`PageTextError`."""
    lines = text.splitlines()
    template = template_of(lines)
    try:
        if template == TEMPLATE_2021:
            return ParsedPage(template, parse_legacy_text(_without_chrome(text), timezone=timezone))
        if template == TEMPLATE_OLD:
            return ParsedPage(template, old_template.parse_old_template(text, timezone=timezone))
    except LegacyTextError as exc:
        raise PageTextError(exc.errors, template) from None
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    raise PageTextError([LineError(first + 1, NEITHER_MESSAGE)], None)


def _without_chrome(text: str) -> str:
    """A 2021 page's text with its chrome blanked: before the first label (but the URL line)
    and after the ViewData label from the first chrome recognised. Unchanged without chrome,
    so a clean page is read exactly as it always was."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if _is_label(line))
    url = next((i for i, line in enumerate(lines) if line.strip()), first)
    start = url + 1 if lines[url].startswith(URL_PREFIX) else url
    viewdata = next(
        (i for i, line in enumerate(lines) if line.strip() == VIEWDATA_LABEL), len(lines)
    )
    end = chrome.trailing_start(lines, min(viewdata + 1, len(lines)))
    if all(not line.strip() for line in lines[start:first]) and end == len(lines):
        return text
    return "\n".join(chrome.blank(chrome.blank(lines, start, first), end, len(lines)))
