"""The portal's own text around an article in a page scrape (SharePoint's "chrome").

A scrape holds everything the page showed: ``Skip Ribbon Commands``, ``Skip to main content``,
the portal's greeting and menu line, ``Sign In``, and after the article a "Tin bài mới" list of
other headlines with their dates and the portal's footer. None of it is the article's.

Chrome before the article is found by position, not by its wording, which varies from site to
site: each template says where its article starts (the 2021 template's first label, the
2018–2020 template's title), and every line before that but the ``URL:`` line is chrome.

Chrome after the article has to be recognised, since the article's last paragraph (the
author) is only known once the chrome is gone. It starts, after the article's start, at the
first of:

- a line ``Tin bài mới`` (the list of other headlines), alone on its line, a colon allowed;
- a line ``Sign In``, alone on its line;
- the paragraph holding a footer line: one starting with ``©`` or ``Copyright``,
  ``Cơ quan chủ quản:``, ``Chịu trách nhiệm chính:``, or ``Ghi rõ nguồn`` followed by a quote
  (the portal's "Ghi rõ nguồn "…" khi phát hành lại" notice). The whole paragraph, because a
  footer's first lines (the portal's name, its address) come before the one that says what it
  is.

The footer phrases are matched with their colon or quote, so that body text starting with the
same words ("Chịu trách nhiệm chính trong việc…", "Ghi rõ nguồn gốc…") is not taken for one.
Chrome lines are blanked rather than removed, so every later line keeps its number for errors.
"""

from __future__ import annotations

import re
import unicodedata

#: Whole lines (compared stripped, case-insensitively) that start the chrome after an article.
TRAILING_LINES = ("tin bài mới", "tin bài mới:", "sign in")
_FOOTER = re.compile(
    r"^(?:©|copyright\b|cơ quan chủ quản\s*:|chịu trách nhiệm chính\s*:|ghi rõ nguồn\s*[\"“'‘«])",
    re.IGNORECASE,
)


def _key(line: str) -> str:
    return unicodedata.normalize("NFC", " ".join(line.split())).casefold()


def is_trailing_line(line: str) -> bool:
    """Whether ``line`` is one of :data:`TRAILING_LINES`."""
    return _key(line) in TRAILING_LINES


def is_footer_line(line: str) -> bool:
    """Whether ``line`` says that its paragraph is the portal's footer."""
    return _FOOTER.match(_key(line)) is not None


def trailing_start(lines: list[str], start: int) -> int:
    """The index, at or after ``start``, where the chrome after the article begins (module
    docstring); ``len(lines)`` when there is none."""
    paragraph_start = start
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.strip():
            paragraph_start = index + 1
        elif is_trailing_line(line):
            return index
        elif is_footer_line(line):
            return paragraph_start
    return len(lines)


def blank(lines: list[str], start: int, end: int) -> list[str]:
    """``lines`` with those in [start, end) made blank: the others keep their numbers."""
    return [*lines[:start], *([""] * (end - start)), *lines[end:]]
