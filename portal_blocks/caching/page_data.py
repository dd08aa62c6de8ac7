"""The page-data cache: what a reader's page is built from, by path, shared and invalidated.

A response-cache miss (another document or variables, another language, a viewer's own text
size, a fragment instead of JSON) still needs the route, the published layout and the article.
Those change only when someone writes, so they are kept here by host and path (routes may be
bound to a host: one path on two hosts may be two pages), tagged with the rows they came from,
and dropped by the same invalidation as responses: a hit costs no SQL, and a reader never gets
a page built from data older than the last commit. Editors' previews (drafts) never come here,
and nothing is kept for a path that resolves to no page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, fields
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from portal_blocks import json_codec
from portal_blocks.cache_tags import ARTICLES_TAG, article_tag
from portal_blocks.caching.stores import TaggedStore
from portal_blocks.content.queries import EMPTY, ArticleList, ArticleQuery, Category, fetch_lists
from portal_blocks.content.records import ArticleRecord
from portal_blocks.content.source import ArticleSource, announces_changes
from portal_blocks.layout.routing import (
    ResolvedPath,
    RouteMatch,
    normalise_path,
    resolve_layout,
    route_key,
    with_article,
)
from portal_blocks.layout.snapshots import LayoutSnapshot, PlacedBlock


def path_key(path: str, host: str | None = None) -> str:
    """Every spelling of one path on one host (query string, percent-encoding, a SharePoint
    address's case) is one entry; the host is the one the lookup routes by."""
    material = f"{host or ''}\n{route_key(normalise_path(path))}"
    return hashlib.blake2b(material.encode(), digest_size=20).hexdigest()


#: Appended to a path's key: its entry with the article (the bare key holds route and layout).
WITH_ARTICLE = "+article"

ListAnswers = tuple[ArticleList, ...]


def lists_key(queries: Sequence[ArticleQuery]) -> str:
    """One entry per distinct set of a page's lists (in the order the page asks them)."""
    return _lists_key(tuple(queries))


@lru_cache(maxsize=1024)
def _lists_key(queries: tuple[ArticleQuery, ...]) -> str:
    """Worked out once per set: a page asks the same lists on every miss (``astuple`` and
    hashing cost more than the rest of reading them from the cache)."""
    material = json.dumps([astuple(q) for q in queries], separators=(",", ":"), default=str)
    return hashlib.blake2b(material.encode(), digest_size=20).hexdigest()


def list_tags(answers: Iterable[ArticleList]) -> frozenset[str]:
    """What a page's lists read: any article may join a list, and those shown."""
    return frozenset(
        {ARTICLES_TAG, *(article_tag(r.id) for answer in answers for r in answer.records)}
    )


class PageDataCache:
    def __init__(
        self,
        store: TaggedStore[ResolvedPath],
        lists: TaggedStore[ListAnswers] | None = None,
    ) -> None:
        self.store = store
        #: Pages' lists by the set of them, dropped by a change that may move articles in or
        #: out of them (ARTICLES_TAG), or of an article they show.
        self.list_store = lists

    def lists(
        self, source: ArticleSource, queries: Sequence[ArticleQuery]
    ) -> Mapping[ArticleQuery, ArticleList]:
        """:func:`~portal_blocks.content.queries.fetch_lists` for readers, through the cache
        when the source announces its changes."""
        distinct = list(dict.fromkeys(queries))
        if self.list_store is None or not announces_changes(source):
            return fetch_lists(source, distinct)
        key = lists_key(distinct)
        found, token = self.list_store.lookup(key)
        if found is None or len(found) != len(distinct):
            fetched = fetch_lists(source, distinct)
            found = tuple(fetched[q] for q in distinct)
            # EMPTY is no answer (a source that cannot list, or lists left out while the
            # CMS is down): nothing to keep.
            if not any(answer is EMPTY for answer in found):
                self.list_store.put(key, found, list_tags(found), token)
        return dict(zip(distinct, found, strict=True))

    def resolve(
        self, session: Session, source: ArticleSource, path: str, *, host: str | None = None
    ) -> ResolvedPath | None:
        """:func:`~portal_blocks.layout.routing.resolve_path` for readers, through the cache.

        Two entries per page: the route and the published layout (dropped by a route change or
        a publish), and the whole resolution with the article (dropped as well by the
        article's change). The first read after an article's edit, the most common write,
        then asks only for the article, not again for the route and the layout. A source that
        does not announce its changes is asked for the article on every request."""
        key = path_key(path, host)
        announces = announces_changes(source)
        token: object = None
        if announces:
            found, token = self.store.lookup(key + WITH_ARTICLE)
            if found is not None:
                return found
        layout, layout_token = self.store.lookup(key)
        cached_layout = layout is not None
        if layout is None:
            layout = resolve_layout(session, path, host=host)
            if layout is None:
                return None
        resolved = with_article(layout, source)
        if resolved is None:  # no page: nothing is kept for its path
            return None
        if not cached_layout:
            self.store.put(key, layout, layout.layout_tags(), layout_token)
        if announces:
            self.store.put(key + WITH_ARTICLE, resolved, resolved.tags(), token)
        return resolved


def encode_resolved(resolved: ResolvedPath) -> bytes:
    """JSON, not pickle: a shared Redis must not be able to make a process run code."""
    layout = resolved.layout
    return json_codec.dumps(
        {
            "route": _flat(resolved.route),
            "layout": _flat(layout),
            "regions": resolved.regions,
            "placements": [p.snapshot() for p in resolved.placements],
            "article": resolved.article.to_json() if resolved.article else None,
            "category": _flat(resolved.category) if resolved.category else None,
        }
    )


def _flat(value: Any) -> list[Any]:
    """The fields of a dataclass whose fields are all plain values, in order: what
    ``astuple`` gives, without the deep copy of every field it makes (half the cost of
    encoding a page's resolution, which every refill pays to measure its size)."""
    cls = type(value)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return [getattr(value, name) for name in names]


#: By dataclass: its fields' names, in order (``fields`` builds its answer on every call).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def decode_resolved(raw: bytes) -> ResolvedPath:
    data = json.loads(raw)
    article = data["article"]
    return ResolvedPath(
        route=RouteMatch(*data["route"]),
        layout=LayoutSnapshot(*data["layout"]),
        regions=tuple(data["regions"]),
        placements=tuple(PlacedBlock.from_snapshot(p) for p in data["placements"]),
        article=ArticleRecord.from_json(article) if article else None,
        # Entries written before categories were kept have none.
        category=Category(*data["category"]) if data.get("category") else None,
    )


def encode_lists(answers: ListAnswers) -> bytes:
    return json_codec.dumps(
        [[[r.to_json() for r in a.records], a.has_next, a.end_cursor] for a in answers]
    )


def decode_lists(raw: bytes) -> ListAnswers:
    return tuple(
        ArticleList(tuple(ArticleRecord.from_json(r) for r in records), has_next, end_cursor)
        for records, has_next, end_cursor in json.loads(raw)
    )
