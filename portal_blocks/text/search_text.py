"""The searchable forms of an article's text, shared by every write path and the queries.

Two forms are kept: the folded one ("Đồng" -> "dong", "hòa" and "hoà" -> "hoa"), against which
a query typed without diacritics matches, and the exact one (NFC, lower case), which tells a
match with the reader's own diacritics from one that only folds alike.

Both are kept as space-separated tokens with a space at each end (" 4 , 7 % tang "), so a
query word is looked up as a whole token sequence: "hoa" finds "hoà" but not "hoạch", and
"4,7%" finds "4,7%" but not "4,75".
"""

from __future__ import annotations

import re
import unicodedata

from portal_blocks.text.fold import fold
from portal_blocks.text.html import paragraphs

_TOKEN = re.compile(r"\w+|[^\w\s]")


def tokens(value: str) -> str:
    """Words and single punctuation marks, space-separated and space-padded."""
    return " " + " ".join(_TOKEN.findall(value)) + " "


def exact_form(value: str) -> str:
    """NFC and lower case, as tokens."""
    return tokens(unicodedata.normalize("NFC", value).lower())


def folded_form(value: str) -> str:
    """Folded (no diacritics, đ -> d, case-folded), as tokens."""
    return tokens(fold(value))


def article_text(title: str | None, lead: str | None, body_html: str | None) -> str:
    """What a reader can search: the title, the lead and the body's visible paragraphs."""
    return "\n".join([title or "", lead or "", *paragraphs(body_html or "")])


def search_columns(title: str | None, lead: str | None, body_html: str | None) -> dict[str, str]:
    """The article's shadow columns ``search_folded`` and ``search_exact``."""
    source = article_text(title, lead, body_html)
    return {"search_folded": folded_form(source), "search_exact": exact_form(source)}
