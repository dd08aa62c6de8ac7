"""Folding for search and slugs: what a reader typing without diacritics would type.

"Đồng" folds to "dong", and old and new tone placement ("hòa"/"hoà") fold alike, because the
marks are dropped after canonical decomposition.
"""

from __future__ import annotations

import unicodedata

# Letters that are not a base letter plus a combining mark, so decomposition leaves them alone.
_EXTRA = str.maketrans({"đ": "d", "ł": "l", "ø": "o", "ħ": "h", "æ": "ae", "œ": "oe", "þ": "th"})


def fold(text: str) -> str:
    """Casefold, strip combining marks, map the letters decomposition does not split."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_EXTRA)
