"""The legacy portal's page text: what its article pages showed, block by block, as plain text.

The format (see the README's "Importing articles" section)::

    URL: https://portal.example/Pages/gia-tri-san-xuat-f2d9.aspx   <- optional first line
    PublishingPortal - Block_BanTin_Toolbar

    10/11/2021                                                      <- publish date, dd/MM/yyyy
    Tăng cỡ chữ Giảm cỡ chữ                                         <- the text-size buttons
    Title
    Lead (one or more lines)

    \u00a0PublishingPortal - Block_BanTin_ViewData                  <- a no-break space first

    Image caption (optional, see CAPTION RULE)

    Body paragraph, one or more, separated by blank lines

    Author line

The portal's own text around a scraped page (``Skip Ribbon Commands``, ``Sign In``, the
"Tin bài mới" list, the footer) is blanked before this reader sees it (:mod:`.pages`,
:mod:`.chrome`); the 2018–2020 template is read by :mod:`.old_template`.

Words and whitespace inside each line are kept exactly as written (only NFC-normalised when
stored); paragraphs are separated by blank lines.

CAPTION RULE: the first paragraph after the ViewData label is the image caption when it is a
single line of at most :data:`CAPTION_MAX_LENGTH` characters, does not end with sentence-final
punctuation (``. ! ? … : ;``, also before a closing quote or bracket), and at least two more
paragraphs follow it (a body paragraph and the author line). Otherwise it is the first body
paragraph. The last paragraph is always the author line.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from portal_blocks.i18n import gettext
from portal_blocks.layout.routing import normalise_path
from portal_blocks.text.slug import is_literal_path, new_slug, slug_of_legacy_path

TOOLBAR_LABEL = "PublishingPortal - Block_BanTin_Toolbar"
VIEWDATA_LABEL = "PublishingPortal - Block_BanTin_ViewData"
TEXT_SIZE_LINE = f"{gettext('Increase text size', 'vi')} {gettext('Decrease text size', 'vi')}"
URL_PREFIX = "URL:"
DATE_FORMAT = "%d/%m/%Y"
CAPTION_MAX_LENGTH = 200
AUTHOR_MAX_LENGTH = 200
_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


class LegacyTextError(ValueError):
    """The text does not follow the format; every problem found, with its line number."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("; ".join(f"line {e.line}: {e.message}" for e in errors))
        self.errors = errors


@dataclass
class ParsedArticle:
    """The article's fields (as :class:`ArticleSchema` loads them) and where each came from,
    and what the page says that no field holds (yet): kept for routes bound to a host."""

    data: dict[str, Any]
    field_lines: dict[str, int] = field(default_factory=dict)
    #: The host of the page's URL line: department sub-sites have hosts of their own.
    host: str | None = None
    #: The address's category segments, outermost first, as written (2018–2020 pages).
    category_path: tuple[str, ...] = ()
    #: Whether the publish date is a day, its time unknown: a re-import then keeps a time of
    #: day set since on that day.
    day_only: bool = True


@dataclass(frozen=True)
class Paragraph:
    """Consecutive non-blank lines, and the number of the first."""

    line: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _blank(line: str) -> bool:
    return not line.strip()  # str.strip() also strips no-break spaces


def _is_label(line: str, name: str) -> bool:
    return line.strip() == name


def paragraphs_of(lines: list[str], first_line: int) -> list[Paragraph]:
    """``lines`` split at blank lines; ``first_line`` is the number of the first of them."""
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    start = first_line
    for offset, line in enumerate(lines):
        if _blank(line):
            if current:
                paragraphs.append(Paragraph(start, tuple(current)))
                current = []
            continue
        if not current:
            start = first_line + offset
        current.append(line)
    if current:
        paragraphs.append(Paragraph(start, tuple(current)))
    return paragraphs


def is_caption(candidate: Paragraph, following: int) -> bool:
    """The CAPTION RULE of this module's docstring."""
    text = candidate.text.strip()
    return (
        len(candidate.lines) == 1
        and len(text) <= CAPTION_MAX_LENGTH
        and not _SENTENCE_END.search(text)
        and following >= 2
    )


def body_html_of(paragraphs: list[Paragraph]) -> str:
    """The body as HTML: a ``<p>`` per paragraph, its text as it stands."""
    return "\n".join(f"<p>{html.escape(p.text, quote=False)}</p>" for p in paragraphs)


def suffix_for(*parts: str) -> str:
    """The 4 hex characters ending an imported slug: derived, so a re-import finds the same."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:4]


def slug_for(title: str, legacy_path: str | None, fallback_key: str) -> str:
    """The legacy address's own slug when it names one (``/Pages/<slug>.aspx``), else the rule's."""
    if legacy_path:
        return slug_of_legacy_path(legacy_path) or new_slug(title, suffix_for(legacy_path))
    return new_slug(title, suffix_for(fallback_key))


def legacy_path_of(url: str) -> str:
    """The path of a legacy URL, decoded: ``https://host/Pages/x.aspx?a=1`` -> ``/Pages/x.aspx``."""
    path = normalise_path(urlsplit(url).path)
    if not is_literal_path(path):
        raise ValueError(f"'{url}' has no usable path")
    return path


class _Lines:
    """A cursor over the file's lines that reports 1-based line numbers."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.index = 0

    @property
    def number(self) -> int:
        return self.index + 1

    def skip_blank(self) -> None:
        while self.index < len(self.lines) and _blank(self.lines[self.index]):
            self.index += 1

    def next(self) -> str | None:
        if self.index >= len(self.lines):
            return None
        line = self.lines[self.index]
        self.index += 1
        return line


def parse_legacy_text(text: str, *, timezone: str) -> ParsedArticle:
    """Parse one page's text; raises :class:`LegacyTextError` listing each problem found."""
    cursor = _Lines(text.splitlines())
    errors: list[LineError] = []
    data: dict[str, Any] = {"status": "published"}
    lines_of: dict[str, int] = {}

    def expect(what: str) -> tuple[int, str]:
        cursor.skip_blank()
        number, line = cursor.number, cursor.next()
        if line is None:
            raise LegacyTextError([*errors, LineError(number, f"expected {what}, found the end")])
        return number, line

    cursor.skip_blank()
    legacy_path = host = None
    if cursor.index < len(cursor.lines) and cursor.lines[cursor.index].startswith(URL_PREFIX):
        number, line = expect("the URL line")
        try:
            legacy_path = legacy_path_of(line[len(URL_PREFIX) :].strip())
            host = urlsplit(line[len(URL_PREFIX) :].strip()).hostname
            data["legacy_path"] = legacy_path
            lines_of["legacy_path"] = number
        except ValueError as exc:
            errors.append(LineError(number, str(exc)))

    number, line = expect(f"the label '{TOOLBAR_LABEL}'")
    if not _is_label(line, TOOLBAR_LABEL):
        raise LegacyTextError([*errors, LineError(number, f"expected '{TOOLBAR_LABEL}'")])

    number, line = expect("the publish date (dd/MM/yyyy)")
    if not _DATE.fullmatch(line.strip()):
        errors.append(LineError(number, f"expected the publish date as dd/MM/yyyy: '{line}'"))
    else:
        try:
            day = datetime.strptime(line.strip(), DATE_FORMAT)
            data["published_at"] = day.replace(tzinfo=ZoneInfo(timezone)).isoformat()
            lines_of["published_at"] = number
        except ValueError:
            errors.append(LineError(number, f"not a date: '{line.strip()}'"))

    number, line = expect(f"the line '{TEXT_SIZE_LINE}'")
    if " ".join(line.split()) != TEXT_SIZE_LINE:
        errors.append(LineError(number, f"expected '{TEXT_SIZE_LINE}'"))

    number, title = expect("the title")
    if _is_label(title, VIEWDATA_LABEL):
        raise LegacyTextError([*errors, LineError(number, "expected the title before the label")])
    data["title"] = title
    lines_of["title"] = number

    lead_start = cursor.number
    lead_lines: list[str] = []
    while True:
        lead_line = cursor.next()
        if lead_line is None:
            raise LegacyTextError(
                [*errors, LineError(cursor.number, f"expected the label '{VIEWDATA_LABEL}'")]
            )
        if _is_label(lead_line, VIEWDATA_LABEL):
            break
        lead_lines.append(lead_line)
    while lead_lines and _blank(lead_lines[-1]):
        lead_lines.pop()
    while lead_lines and _blank(lead_lines[0]):
        lead_lines.pop(0)
        lead_start += 1
    data["lead"] = "\n".join(lead_lines)
    lines_of["lead"] = lead_start

    label_line = cursor.number - 1
    paragraphs = paragraphs_of(cursor.lines[cursor.index :], cursor.number)
    if len(paragraphs) < 2:
        errors.append(
            LineError(label_line, "expected at least one body paragraph and the author line")
        )
        raise LegacyTextError(errors)

    *content, author = paragraphs
    if len(author.lines) != 1 or len(author.text.strip()) > AUTHOR_MAX_LENGTH:
        errors.append(LineError(author.line, "expected the author line (one short line) last"))
    data["author"] = author.text.strip()
    lines_of["author"] = author.line

    data["image_caption"] = None
    if is_caption(content[0], following=len(content)):
        caption, *content = content
        data["image_caption"] = caption.text
        lines_of["image_caption"] = caption.line
    data["body_html"] = body_html_of(content)
    lines_of["body_html"] = content[0].line

    if errors:
        raise LegacyTextError(errors)
    data["slug"] = slug_for(title, legacy_path, f"{title}\n{data['published_at']}")
    return ParsedArticle(data=data, field_lines=lines_of, host=host)
