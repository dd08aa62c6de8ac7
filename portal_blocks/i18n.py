"""Labels and formats the blocks show, in Vietnamese (the default) and English."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "increase_text_size": "Tăng cỡ chữ",
        "decrease_text_size": "Giảm cỡ chữ",
        "print": "In bài viết",
        "toolbar": "Công cụ bài viết",
        "related": "Tin khác",
        "published": "Ngày đăng",
    },
    "en": {
        "increase_text_size": "Increase text size",
        "decrease_text_size": "Decrease text size",
        "print": "Print article",
        "toolbar": "Article tools",
        "related": "Other news",
        "published": "Published",
    },
}
DEFAULT_LOCALE = "vi"


def label(key: str, locale: str) -> str:
    return LABELS.get(locale, LABELS[DEFAULT_LOCALE]).get(key) or LABELS[DEFAULT_LOCALE][key]


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1024)
def format_date(value: datetime, pattern: str, *, locale: str, timezone: str) -> str:
    """Format with a CLDR pattern (e.g. ``EEEE, dd/MM/yyyy`` gives "Thứ Tư, 10/11/2021").

    Remembered: Babel parses the locale and the pattern on every call, and a page shows the
    same few dates all day."""
    return format_datetime(value, pattern, tzinfo=zone(timezone), locale=locale)
