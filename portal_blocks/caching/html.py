"""Rendered HTML (theme pages, fragments) kept like GraphQL answers: by address, language,
the reader's display preferences and host; tagged with what the page read; dropped by the same
invalidation. A hit is answered with no SQL and no rendering, with its ``ETag`` (304 on
``If-None-Match``) and the ``Cache-Control`` the page's blocks allow.

A page that read what announces no changes (a CMS without a webhook) is kept until
``PORTAL_BLOCKS_SOURCE_MAX_AGE`` has passed, as its GraphQL answers are; once expired it is
read anew, and while that fails on a dependency (the CMS or the database down) the expired
copy is answered instead of an error, said to be stale and kept by no one downstream.

What is never kept: anything but a 200, an answer that sets a cookie, a page that read drafts,
and requests from editors (an ``Authorization`` header or the workspace's session cookie),
which are answered anew every time.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Request, Response
from sqlalchemy.exc import SQLAlchemyError

from portal_blocks.auth.sessions import says_who
from portal_blocks.cache_tags import edge_headers
from portal_blocks.caching.hints import CacheHints
from portal_blocks.caching.responses import HIT, MISS, STALE, STORED, not_modified, sets_cookie
from portal_blocks.caching.stores import TaggedStore
from portal_blocks.content.remote.client import UpstreamError, UpstreamUnavailable
from portal_blocks.db import is_outage

#: The headers a kept page is answered with, besides its body and the cache's own.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Link", "X-Portal-Blocks-Assets", "Vary")


@dataclass(frozen=True, slots=True)
class CachedPage:
    body: bytes
    etag: str
    max_age: int
    private: bool
    headers: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    #: When it stops being fresh (Unix time), for a page that read what announces no
    #: changes; None: fresh until invalidated.
    expires_at: float | None = None

    def encode(self) -> bytes:
        head = json.dumps(
            [
                self.etag,
                self.max_age,
                self.private,
                list(self.headers),
                list(self.tags),
                self.expires_at,
            ],
            ensure_ascii=False,
        )
        return head.encode() + b"\n" + self.body

    @classmethod
    def decode(cls, raw: bytes) -> CachedPage:
        head, body = raw.split(b"\n", 1)
        etag, max_age, private, headers, tags, *rest = json.loads(head)
        expires_at = rest[0] if rest else None  # pages kept before expiries have none
        return cls(
            body, etag, max_age, private, tuple(map(tuple, headers)), tuple(tags), expires_at
        )

    def fresh(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True, slots=True)
class Found:
    """What the cache holds for one request: the key, the token a refill passes on, the
    entry to answer with (fresh) and an expired one (answered only when the refill fails on
    a dependency)."""

    key: str
    token: object
    entry: CachedPage | None
    stale: CachedPage | None = None


def html_key(
    environ: Mapping[str, Any], locale: str, viewer: Mapping[str, Any], host: str | None
) -> str:
    """A page's or fragment's key: its address as sent, and what it is rendered for."""
    preferences = json.dumps(viewer, sort_keys=True) if viewer else ""
    address = f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}"
    material = f"HTML\0{locale}\0{preferences}\0{host or ''}\0{address}"
    return hashlib.blake2b(material.encode(), digest_size=20).hexdigest()


def hit_headers(entry: CachedPage, status: str) -> list[tuple[str, str]]:
    """A kept page's headers (without its length): the one list both the view and the WSGI
    layer in front (``caching.warm_hits``) answer with."""
    headers = dict(entry.headers)
    headers["ETag"] = entry.etag
    # One reader's own (their text size): their browser revalidates, no one else keeps it.
    headers["Cache-Control"] = (
        "private, no-cache"
        if entry.private
        else f"public, max-age={entry.max_age}, must-revalidate"
    )
    headers["Cache-Status"] = status
    # Every page may be rendered with the reader's sizes (their cookie); only the views that
    # pick the language from Accept-Language (fragments) name it in their own Vary, kept with
    # the page: a theme page speaks the portal's language or its ?lang=, and an edge keeps one
    # copy of it for every browser's language header.
    vary = {v.strip() for v in headers.get("Vary", "").split(",") if v.strip()}
    headers["Vary"] = ", ".join(sorted(vary | {"Cookie"}))
    if status == STALE:  # kept by no one downstream: the next request tries the source again
        headers["Cache-Control"] = "no-store"
    elif not entry.private:
        headers.update(edge_headers(entry.tags))
    return list(headers.items())


class HtmlCache:
    def __init__(self, store: TaggedStore[CachedPage], *, max_age: int) -> None:
        self.store = store
        #: PORTAL_BLOCKS_CACHE_MAX_AGE: the longest any answer may be kept.
        self.max_age = max_age

    def lookup(
        self, request: Request, locale: str, viewer: Mapping[str, Any], host: str | None
    ) -> HtmlLookup:
        """The kept answer, if any, and what keeping a new one needs; nothing for editors
        and anything but GET."""
        if request.method != "GET" or says_who(request.environ):
            return HtmlLookup(None, None, None, None)
        found = self.find(request.environ, locale, viewer, host)
        kept = self.answer(request, found.entry, HIT) if found.entry is not None else None
        return HtmlLookup(self, found.key, found.token, kept, found.stale)

    def find(
        self,
        environ: Mapping[str, Any],
        locale: str,
        viewer: Mapping[str, Any],
        host: str | None,
    ) -> Found:
        """What the cache holds for what a request is rendered for."""
        key = html_key(environ, locale, viewer, host)
        entry, token = self.store.lookup(key)
        if entry is None or entry.fresh(time.time()):
            return Found(key, token, entry)
        return Found(key, token, None, stale=entry)

    def keep(
        self,
        request: Request,
        response: Response,
        key: str,
        token: object,
        *,
        hints: CacheHints,
        tags: Iterable[str],
        max_age: int | None,
        private: bool,
    ) -> Response:
        """Keep ``response`` when it may be kept, and give it the cache's headers."""
        if response.status_code != 200 or sets_cookie(response) or not hints.shareable:
            # Not kept, but still answered conditionally by the ETag it carries (if any).
            response.make_conditional(request)
            return response
        body = response.get_data()
        # The blocks' hints, and how long what the page read may be kept (a CMS without a
        # webhook: PORTAL_BLOCKS_SOURCE_MAX_AGE).
        bound = min(a for a in (self.max_age, max_age, hints.max_age) if a is not None)
        expires_at = None if hints.expires_in is None else time.time() + hints.expires_in
        entry = CachedPage(
            body=body,
            etag='"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"',
            max_age=bound,
            private=private,
            headers=tuple((k, v) for k, v in response.headers.items() if k in KEPT_HEADERS),
            tags=tuple(sorted({*tags, *hints.tags})),
            expires_at=expires_at,
        )
        stored = self.store.put(key, entry, frozenset(entry.tags), token)
        return self.answer(request, entry, STORED if stored else MISS)

    def answer(self, request: Request, entry: CachedPage, status: str) -> Response:
        headers = hit_headers(entry, status)
        if not_modified(request.environ, entry.etag):
            return Response(status=304, headers=headers)
        return Response(entry.body, headers=headers)


@dataclass(frozen=True, slots=True)
class HtmlLookup:
    """One request's look in the HTML cache: the kept answer, or what keeping one needs.
    With no cache (or a request no cache may serve), :meth:`keep` passes answers through."""

    cache: HtmlCache | None
    key: str | None
    token: object
    kept: Response | None
    #: An expired entry under the key: answered instead of an error when the refill fails on
    #: a dependency (see :meth:`stale_instead_of`).
    stale: CachedPage | None = None

    def stale_instead_of(self, request: Request, error: Exception) -> Response:
        """The expired page, said to be stale and kept by no one downstream, when ``error``
        is a dependency's failure; else (or with no such page) ``error`` is raised again, to
        be answered as it always is."""
        if self.cache is None or self.stale is None or not dependency_failed(error):
            raise error
        return self.cache.answer(request, self.stale, STALE)

    def keep(
        self,
        request: Request,
        response: Response,
        *,
        hints: CacheHints,
        tags: Iterable[str],
        max_age: int | None,
        private: bool,
    ) -> Response:
        if self.cache is None or self.key is None:
            response.make_conditional(request)  # answered anew, still by its ETag
            return response
        return self.cache.keep(
            request,
            response,
            self.key,
            self.token,
            hints=hints,
            tags=tags,
            max_age=max_age,
            private=private,
        )


def dependency_failed(error: Exception) -> bool:
    """Whether ``error`` is a dependency's failure (the CMS, or the database down) rather than
    a fault of ours: a kept page, even expired, is then a better answer than the error (the
    rule GraphQL answers by, ``caching.front.DEPENDENCY_FAILED``)."""
    if isinstance(error, UpstreamUnavailable | UpstreamError):
        return True
    return isinstance(error, SQLAlchemyError) and is_outage(error)
