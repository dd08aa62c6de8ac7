"""The legacy portal's 2018–2020 article pages, as text scrapes (see :mod:`.legacy_text` for the
2021 template, and :mod:`.pages` for how a scrape's template is told).

The address names the article's categories and its id::

    https://backan.gov.vn/Pages/<category>-<n>/<subcategory>-<n>/<slug>-<id>.aspx

one to three category levels (department sub-sites such as ``sokhdt.<province domain>`` nest a
third), each ``<name>-<number>``; the slug is the title cut at about 40 characters, sometimes
with ``--``; the id is 8 to 32 hex digits (mostly 16). The text::

    URL: <address>                              <- optional first line
    <chrome: Skip Ribbon Commands, greeting, menu line, Sign In ...>
    Title
    (Cập nhật lúc: dd/MM/yyyy HH:mm:ss )        <- the update stamp: spacing varies, the time
                                                   may be missing, and so may the whole stamp
    Body paragraph, one or more, separated by blank lines (a photo caption, "Ảnh: ..." or
    bare, may stand alone between them)

    Author                                      <- a bare name on one line, or the lines
                                                   "Tác giả:  <name>" and "Nguồn:  <source>"
                                                   (either value may be empty)
    <chrome: Tin bài mới and its headlines, footer ...>

Where the article starts: the title is the last line before the stamp; a page without a stamp
has its title found by the address's slug (the first line whose letters and digits, folded as
slugs are, begin with the slug's), so a page with neither has no title we could trust and is
refused. Everything before the title is chrome (:mod:`.chrome`), as is everything from the
first recognised chrome after it.

What the page gives, and where it goes:

- the stamp is the publish date and time in the portal's timezone; a stamp with the date only
  is that day's midnight, and the date is a day only (:attr:`ParsedArticle.day_only`), so a
  re-import does not move a time of day set since; without a stamp the page gives no date,
  and the article, published, is dated when it is imported (as any record without a date is),
  which the import's summary counts;
- the old pages have no separate lead: every paragraph between the stamp and the author is the
  body, as it stands, a photo caption too (it stays where its photo was; the photo is not in
  the scrape). The record gives no lead and no image caption (a new article has none, and a
  re-import keeps what an editor gave them);
- the labelled author and source go to their fields, an empty value to none; a bare author
  gives no source;
- the deepest category's name (its segment without the ``-<n>``) is the article's category,
  and every category's name, root first, its ``category_path`` (the parents the issue asks
  for: lists filter by the category, the path says where it sits); the segments as written
  are kept in :attr:`ParsedArticle.category_path`, with the host in
  :attr:`ParsedArticle.host`, for routes bound to a host;
- the address's path is the legacy path (an exact route to the article), and its last segment,
  lowercased with runs of ``-`` made one, is the slug when it is one (so the id stays in it);
  else the slug is made from the title as for other imported pages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from portal_blocks.importing import chrome
from portal_blocks.importing.legacy_text import (
    AUTHOR_MAX_LENGTH,
    URL_PREFIX,
    LegacyTextError,
    LineError,
    Paragraph,
    ParsedArticle,
    body_html_of,
    legacy_path_of,
    paragraphs_of,
    slug_for,
)
from portal_blocks.text.fold import fold
from portal_blocks.text.slug import is_slug

#: The name the import's counts and errors give this template.
NAME = "2018–2020 template"
STAMP_FORMAT = "(Cập nhật lúc: dd/MM/yyyy HH:mm:ss)"
ADDRESS_FORMAT = "/Pages/<category>-<n>/[<subcategory>-<n>/[...]]<slug>-<id>.aspx"
MAX_CATEGORY_LEVELS = 3
_STAMP = re.compile(
    r"^\(?\s*Cập nhật lúc\s*:\s*(?P<date>\d{1,2}/\d{1,2}/\d{4})"
    r"(?:\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?\s*\)?$",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    rf"^/Pages/(?P<categories>(?:[^/]+-\d+/){{1,{MAX_CATEGORY_LEVELS}}})"
    r"(?P<stem>[^/]+)-(?P<id>[0-9a-f]{8,32})\.aspx$",
    re.IGNORECASE,
)
_CATEGORY = re.compile(r"^(?P<name>.+)-(?P<number>\d+)$")
_LABEL = re.compile(r"^\s*(?P<label>Tác giả|Nguồn)\s*:(?P<value>.*)$", re.IGNORECASE)
_FIELD_OF_LABEL = {"tác giả": "author", "nguồn": "source"}
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_HYPHENS = re.compile(r"-+")


@dataclass(frozen=True)
class OldAddress:
    """What a 2018–2020 address says: its path, its categories (outermost first) and its id."""

    host: str | None
    path: str
    categories: tuple[str, ...]
    stem: str
    page_id: str

    @property
    def category(self) -> str:
        """The deepest category's name: its segment without the number."""
        return self.category_names[-1]

    @property
    def category_names(self) -> tuple[str, ...]:
        """Every category's name, outermost first (the last is :attr:`category`): the
        parents are kept too, as the address nests the category under them."""
        names = []
        for segment in self.categories:
            match = _CATEGORY.match(segment)
            names.append(match["name"] if match else segment)
        return tuple(names)

    @property
    def slug(self) -> str | None:
        """The address's own slug (``<slug>-<id>``, lowercased, ``--`` made ``-``), if it is one."""
        candidate = _HYPHENS.sub("-", f"{self.stem}-{self.page_id}".lower()).strip("-")
        return candidate if is_slug(candidate) else None


def old_address(url: str) -> OldAddress | None:
    """The address of a 2018–2020 page, or ``None`` when ``url`` has another form."""
    path = legacy_path_of(url)
    match = _ADDRESS.match(path)
    if match is None:
        return None
    return OldAddress(
        host=urlsplit(url.strip()).hostname,
        path=path,
        categories=tuple(match["categories"].rstrip("/").split("/")),
        stem=match["stem"],
        page_id=match["id"],
    )


def is_stamp(line: str) -> bool:
    return _STAMP.match(_nfc(line).strip()) is not None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _letters(text: str) -> str:
    """Letters and digits as a slug keeps them: ``Hội nghị - tổng kết`` -> ``hoinghitongket``."""
    return _NOT_ALNUM.sub("", fold(text))


def _url_line(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if line.strip():
            return index if line.startswith(URL_PREFIX) else None
    return None


def parse_old_template(text: str, *, timezone: str) -> ParsedArticle:
    """Parse one 2018–2020 page's text; raises :class:`LegacyTextError` naming each problem."""
    original = text.splitlines()
    lines = [_nfc(line) for line in original]
    errors: list[LineError] = []
    # No lead, image caption or (unless labelled) source: the page has none of them, so a
    # re-import leaves what an editor gave them since.
    data: dict[str, Any] = {"status": "published"}
    lines_of: dict[str, int] = {}

    address: OldAddress | None = None
    url_index = _url_line(lines)
    first = 0
    if url_index is not None:
        first = url_index + 1
        url = original[url_index][len(URL_PREFIX) :].strip()
        try:
            address = old_address(url)
        except ValueError as exc:
            raise LegacyTextError([LineError(url_index + 1, str(exc))]) from None
        if address is None:
            raise LegacyTextError(
                [LineError(url_index + 1, f"expected the address as {ADDRESS_FORMAT}: '{url}'")]
            )
        data["legacy_path"] = address.path
        data["category"] = address.category
        data["category_path"] = list(address.category_names)
        lines_of["legacy_path"] = lines_of["category"] = lines_of["category_path"] = url_index + 1

    stamp_index = next((i for i in range(first, len(lines)) if is_stamp(lines[i])), None)
    if stamp_index is not None:
        title_index = next(
            (i for i in range(stamp_index - 1, first - 1, -1) if lines[i].strip()), None
        )
        if title_index is None:
            raise LegacyTextError(
                [LineError(stamp_index + 1, "expected the title before the stamp")]
            )
        when, day_only, problem = _stamp_time(lines[stamp_index], timezone)
        if problem is not None:
            errors.append(LineError(stamp_index + 1, problem))
        else:
            data["published_at"] = when
            lines_of["published_at"] = stamp_index + 1
        body_start = stamp_index + 1
    else:
        day_only = False
        if address is None:
            raise LegacyTextError(
                [LineError(first + 1, f"expected the update stamp {STAMP_FORMAT} after the title")]
            )
        wanted = _letters(address.stem)
        title_index = next(
            (
                i
                for i in range(first, len(lines))
                if lines[i].strip() and wanted and _letters(lines[i]).startswith(wanted)
            ),
            None,
        )
        if title_index is None:
            raise LegacyTextError(
                [
                    LineError(
                        first + 1,
                        f"expected the title: a line whose words begin with the address's slug "
                        f"'{address.stem}' (the page has no update stamp {STAMP_FORMAT})",
                    )
                ]
            )
        body_start = title_index + 1
    data["title"] = lines[title_index]
    lines_of["title"] = title_index + 1

    end = chrome.trailing_start(lines, body_start)
    paragraphs = paragraphs_of(lines[body_start:end], body_start + 1)
    after = "the end" if end == len(lines) else f"'{lines[end].strip()}'"
    if not paragraphs:
        errors.append(
            LineError(
                body_start, f"expected the body and the author line after the title, found {after}"
            )
        )
        raise LegacyTextError(errors)

    labelled = _take_labels(paragraphs, errors)
    if labelled:
        for name, (number, value) in labelled.items():
            data[name] = value or None
            lines_of[name] = number
    else:
        if len(paragraphs) < 2:
            errors.append(
                LineError(
                    body_start,
                    f"expected the body and the author line after the title, found {after}",
                )
            )
            raise LegacyTextError(errors)
        author = paragraphs.pop()
        if len(author.lines) != 1 or len(author.text.strip()) > AUTHOR_MAX_LENGTH:
            errors.append(
                LineError(
                    author.line,
                    "expected the author last: a name on one short line, or the lines "
                    "'Tác giả: …' and 'Nguồn: …'",
                )
            )
        data["author"] = author.text.strip()
        lines_of["author"] = author.line
    if not paragraphs:
        errors.append(LineError(body_start, "expected a body paragraph before the author"))
        raise LegacyTextError(errors)
    data["body_html"] = body_html_of(paragraphs)
    lines_of["body_html"] = paragraphs[0].line

    if errors:
        raise LegacyTextError(errors)
    title = data["title"]
    legacy_path = address.path if address else None
    data["slug"] = (address.slug if address else None) or slug_for(
        title, legacy_path, f"{title}\n{data.get('published_at')}"
    )
    return ParsedArticle(
        data=data,
        field_lines=lines_of,
        host=address.host if address else None,
        category_path=address.categories if address else (),
        day_only=day_only,
    )


def _take_labels(
    paragraphs: list[Paragraph], errors: list[LineError]
) -> dict[str, tuple[int, str]]:
    """The labelled author and source lines ending the article, taken off ``paragraphs``: each
    field's line number and value. They may share a paragraph with each other or with the
    body's last lines."""
    labelled: dict[str, tuple[int, str]] = {}
    while paragraphs:
        last = paragraphs[-1]
        count = 0
        while count < len(last.lines) and _LABEL.match(last.lines[-1 - count]):
            count += 1
        if count == 0:
            break
        for offset in range(len(last.lines) - count, len(last.lines)):
            match = _LABEL.match(last.lines[offset])
            assert match is not None
            name = _FIELD_OF_LABEL[match["label"].casefold()]
            if name in labelled:
                errors.append(LineError(last.line + offset, f"'{match['label']}:' is given twice"))
            labelled[name] = (last.line + offset, match["value"].strip())
        paragraphs.pop()
        if count < len(last.lines):
            paragraphs.append(Paragraph(last.line, last.lines[: len(last.lines) - count]))
            break
    return labelled


def _stamp_time(line: str, timezone: str) -> tuple[str | None, bool, str | None]:
    """The stamp's moment (ISO 8601, in ``timezone``), whether it is a day only, or a problem."""
    match = _STAMP.match(line.strip())
    assert match is not None
    day, month, year = (int(part) for part in match["date"].split("/"))
    hour = minute = second = 0
    if match["time"]:
        hour, minute, *rest = (int(part) for part in match["time"].split(":"))
        second = rest[0] if rest else 0
    try:
        when = datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(timezone))
    except ValueError:
        return None, False, f"not a date and time: '{line.strip()}'"
    return when.isoformat(), not match["time"], None
