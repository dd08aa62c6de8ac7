"""Labels and formats the blocks show, in Vietnamese (the default) and English.

Labels come from gettext catalogs under ``locale/<lang>/LC_MESSAGES/messages.po``. The ``.po``
files are the only source: they are compiled in memory the first time a locale is used, so a
fresh install needs no compile step and no ``.mo`` can drift from its ``.po``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Request

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def catalog_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of a supported locale; msgids (English) for any other."""
    if locale not in LOCALES:
        return NullTranslations()
    with catalog_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext(message: str, locale: str) -> str:
    return translations(locale).gettext(message)


def gettext_for(locale: str) -> Callable[[str], str]:
    return translations(locale).gettext


def pick_locale(
    requested: str | None, accept: LanguageAccept | None, default: str = DEFAULT_LOCALE
) -> str:
    """An explicit ``lang`` wins, then the best ``Accept-Language`` match, then ``default``."""
    named = _supported(requested)
    if named is not None:
        return named
    if accept:
        best = accept.best_match(LOCALES)
        if best:
            return best
    return default


def _supported(requested: str | None) -> str | None:
    """The supported locale a ``lang`` value names (``en``, ``en-GB``, ``EN_us``), or None."""
    if not requested:
        return None
    primary = requested.replace("_", "-").split("-")[0].lower()
    return primary if primary in LOCALES else None


def names_language(environ: Mapping[str, Any]) -> bool:
    """Whether the address's ``lang`` names a supported language: the answer is then in it
    whatever the reader's ``Accept-Language``, so it need not name that header in ``Vary``."""
    query = environ.get("QUERY_STRING", "")
    return "lang=" in query and _supported(_lang_argument(query)) is not None


def request_locale(request: Request | None, default: str, *, accept_language: bool = True) -> str:
    """``lang`` argument, then (for API and fragment clients) ``Accept-Language``."""
    if request is None:
        return default
    return environ_locale(request.environ, default, accept_language=accept_language)


def environ_locale(
    environ: Mapping[str, Any], default: str, *, accept_language: bool = True
) -> str:
    """:func:`request_locale` read from the WSGI environ: the one rule for the views and for
    the answers given before Flask (``caching.warm_hits``)."""
    query = environ.get("QUERY_STRING", "")
    asks_lang = "lang=" in query
    header = environ.get("HTTP_ACCEPT_LANGUAGE") if accept_language else None
    if not asks_lang and not header:
        return default  # the common case, decided without parsing the URL's arguments
    requested = _lang_argument(query) if asks_lang else None
    return pick_locale(requested, _accepted(header) if header else None, default)


def _lang_argument(query: str) -> str | None:
    """The first ``lang`` argument, as ``request.args.get("lang")`` reads it."""
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == "lang":
            return value
    return None


@lru_cache(maxsize=256)
def _accepted(header: str) -> LanguageAccept:
    """Parsed once per distinct header (browsers send a handful), as werkzeug parses it."""
    return parse_accept_header(header, LanguageAccept)


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1024)
def format_date(value: datetime, pattern: str, *, locale: str, timezone: str) -> str:
    """Format with a CLDR pattern (e.g. ``EEEE, dd/MM/yyyy`` gives "Thứ Tư, 10/11/2021").

    Remembered: Babel parses the locale and the pattern on every call, and a page shows the
    same few dates all day."""
    return format_datetime(value, pattern, tzinfo=zone(timezone), locale=locale)
