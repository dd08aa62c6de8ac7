"""The response cache's entries and keys: finished GraphQL responses by request, kept in a
:mod:`portal_blocks.caching.stores` store and dropped by tag."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from portal_blocks import json_codec
from portal_blocks.i18n import names_language

#: What a cache did with a request, as its ``Cache-Status`` (RFC 9211) says: one vocabulary
#: for the response cache (``caching.front``) and the HTML cache (``caching.html``).
HIT = "portal-blocks; hit"
MISS = "portal-blocks; fwd=uri-miss"
STORED = "portal-blocks; fwd=uri-miss; stored"
BYPASS = "portal-blocks; fwd=bypass"
#: An expired entry answered because refilling it failed (RFC 5861's stale-if-error).
STALE = "portal-blocks; hit; detail=stale-if-error"


def varies_by(environ: Mapping[str, Any]) -> tuple[str, ...]:
    """What an answer whose language follows the reader (GraphQL, fragments) depends on besides
    its address, for its ``Vary``: the language from ``Accept-Language``, unless the address
    names one (``lang=``: a shared cache then keeps one copy for every browser language), and
    the reader's display preferences from their cookie."""
    return ("Cookie",) if names_language(environ) else ("Accept-Language", "Cookie")


@dataclass(frozen=True, slots=True)
class CachedResponse:
    body: bytes
    etag: str
    max_age: int
    private: bool
    #: When the entry stops being served (Unix time), for answers that read what announces
    #: no changes (a CMS without a webhook); None: kept until invalidated.
    expires_at: float | None = None
    #: What it read (its cache tags), which an edge cache files it under.
    tags: tuple[str, ...] = ()

    def encode(self) -> bytes:
        expires = "-" if self.expires_at is None else f"{self.expires_at:.3f}"
        head = (
            f"{self.etag}\n{self.max_age}\n{int(self.private)}\n{_EXPIRES}{expires}\n"
            f"{_TAGS}{' '.join(self.tags)}\n"
        )
        return head.encode() + self.body

    @classmethod
    def decode(cls, raw: bytes) -> CachedResponse:
        etag, max_age, private, rest = raw.split(b"\n", 3)
        expires_at = None
        tags: tuple[str, ...] = ()
        if rest.startswith(_EXPIRES.encode()):  # entries kept before expiries have none
            expires, rest = rest[len(_EXPIRES) :].split(b"\n", 1)
            expires_at = None if expires == b"-" else float(expires)
        if rest.startswith(_TAGS.encode()):  # nor tags, before edge caches
            line, rest = rest[len(_TAGS) :].split(b"\n", 1)
            tags = tuple(line.decode().split())
        return cls(rest, etag.decode(), int(max_age), private == b"1", expires_at, tags)

    def fresh(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at


#: Mark the expiry and tags lines (a body, JSON, never starts with either).
_EXPIRES = "~expires="
_TAGS = "~tags="


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def response_key(
    document_hash: str,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    locale: str,
    viewer: Mapping[str, Any],
    host: str | None = None,
) -> str:
    """Everything a cached response may differ by, the host the request came to included
    (a page's path may name another page on another host). Requests that may see drafts
    (previews, an ``Authorization`` header) never reach the cache, so the data version is
    implicit: invalidation removes entries instead of keys moving on."""
    material = json_codec.dumps(
        [document_hash, variables or {}, operation_name, locale, viewer, host],
        sort_keys=True,
        default=str,
    )
    return hashlib.blake2b(material, digest_size=20).hexdigest()


def url_key(
    query_string: str, locale: str, viewer: Mapping[str, Any], host: str | None = None
) -> str:
    """A GET's key: its query string as sent (the same request always sends the same bytes;
    two spellings of one request only make two entries), on the host it came to."""
    preferences = json_codec.dumps(viewer, sort_keys=True, default=str).decode() if viewer else ""
    material = f"GET\0{locale}\0{preferences}\0{host or ''}\0{query_string}"
    return hashlib.blake2b(material.encode(), digest_size=20).hexdigest()


def not_modified(environ: Mapping[str, Any], etag: str) -> bool:
    """Whether the request's ``If-None-Match`` names ``etag`` (or is ``*``)."""
    wanted = environ.get("HTTP_IF_NONE_MATCH")
    return wanted is not None and (etag in wanted or wanted.strip() == "*")


def sets_cookie(response: Response) -> bool:
    """Whether ``response`` sets a cookie (it is then someone's, never shared). ``in`` on
    werkzeug's headers raises and catches a ``BadRequestKeyError`` (an HTTP exception built
    for nothing) when the header is absent, as it is on nearly every answer."""
    return bool(response.headers.getlist("Set-Cookie"))
