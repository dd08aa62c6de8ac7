"""URLs of what the extension serves, built from its configured prefix.

They need an app but no request, so blocks built outside one (tests, the CLI) get the same URLs.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, has_app_context

from portal_blocks.assembly.page import AFTER_PARAMETER
from portal_blocks.config import DEFAULTS, PREFIX

STATIC_URL_PATH = "/_blocks/static"


def url_prefix() -> str:
    """``PORTAL_BLOCKS_PUBLIC_URL`` + ``PORTAL_BLOCKS_URL_PREFIX``, without a trailing slash."""
    base = str(current_app.config.get(PREFIX + "PUBLIC_URL") or "").rstrip("/")
    return base + str(current_app.config.get(PREFIX + "URL_PREFIX", "")).rstrip("/")


def public_address(path: str) -> str:
    """``path`` as readers are given it: after ``PORTAL_BLOCKS_PUBLIC_URL`` when that is set,
    else relative. Never after the request's ``Host``: anyone can send any Host header, and
    a page (or a cache keeping it) would then show readers an address of the sender's choosing.
    """
    base = str(current_app.config.get(PREFIX + "PUBLIC_URL") or "").rstrip("/")
    return base + path


def static_url(filename: str) -> str:
    return f"{url_prefix()}{STATIC_URL_PATH}/{filename}"


def print_url(path: str) -> str:
    """The printable page of the article at ``path``; works in any host, not only our theme."""
    return f"{url_prefix()}/print?{urlencode({'path': path})}"


def graphql_url() -> str:
    return f"{url_prefix()}/graphql"


def canonical_url(slug: str) -> str:
    """The address search engines and old links are sent to for an article: its canonical
    path, after ``PORTAL_BLOCKS_PUBLIC_URL`` (absolute, as a canonical link should be) when
    that is set, else relative (:func:`public_address`: never after the request's Host)."""
    return public_address(article_url(slug))


def _configured_path(setting: str) -> str:
    return str(current_app.config[PREFIX + setting] if has_app_context() else DEFAULTS[setting])


def article_url(slug: str) -> str:
    """An article's canonical path: ``PORTAL_BLOCKS_ARTICLE_PATH`` with its slug (a host
    routes its own article URLs)."""
    return _configured_path("ARTICLE_PATH").replace("<slug>", slug)


def category_url(slug: str) -> str:
    """A category page's path: ``PORTAL_BLOCKS_CATEGORY_PATH`` with the category's slug."""
    return _configured_path("CATEGORY_PATH").replace("<category>", slug)


def page_url(path: str, *, after: str | None = None) -> str:
    """A page's address, with the ``after`` page parameter a paged list goes on from."""
    return f"{path}?{urlencode({AFTER_PARAMETER: after})}" if after else path
