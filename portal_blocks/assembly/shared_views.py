"""Page views shared by the requests that ask for one page the same way.

A response-cache miss on a page whose data is cached is common: another document for the same
page, its fragment or its theme page next to its JSON, and above all an address with
parameters the page ignores (``fbclid``, ``utm_source``: every reader who arrives from a social
network or a newsletter brings an address of their own). Each such miss used to assemble the
page anew from the same route, layout, article and lists: every block's view built again, its
dates formatted again, its list items made again. A page's view depends on nothing but those
data and what the reader asks for (language, time zone, text size, list position), so it is
built once and kept here, with its GraphQL objects (``PageView.presented``).

Kept by identity, not by content: an entry is used only while the page-data cache still gives
out the very objects it was built from (the page's resolution with its article, and each of
its lists' answers). An edit, a publish, a list another article joins: the cache gives out new
objects, the old view is never matched again, and so this cache needs no invalidation of its
own and can never show a page older than its data. It is bounded in entries and in bytes
(``PORTAL_BLOCKS_PAGE_CACHE_SIZE`` and ``..._BYTES``, as the page data it is built from), and an
entry lasts no longer than the shortest cache lifetime of its block types (a block may show
what time changes).

Never kept: editors' previews; pages of a source that does not announce its changes (its
answers are read anew on every request, so nothing would match); a page with a list left
empty because its source could not answer (the next request asks again); a page whose blocks
read the article's related news while it was assembled (those come from the source, not from
the page-data cache).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal_blocks.assembly.views import PageView
from portal_blocks.blocks.registry import BlockRegistry
from portal_blocks.content.queries import EMPTY, ArticleList, ArticleQuery
from portal_blocks.content.records import ArticleRecord
from portal_blocks.layout.routing import ResolvedPath

#: An entry's key: the ids of the objects it was built from, then what the reader asks for.
ViewKey = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class SharedView:
    view: PageView
    #: The lists its blocks asked for, and the answers it was built with (the page-data
    #: cache's): it is the view of a request whose lists are answered by these same objects.
    queries: tuple[ArticleQuery, ...]
    answers: tuple[ArticleList, ...]
    #: What the view was built from, held so that their ids stay theirs while it is kept.
    resolved: ResolvedPath
    block_types: BlockRegistry
    expires: float
    size: int

    def answered_by(self, lists: Mapping[ArticleQuery, ArticleList]) -> bool:
        """Whether ``lists`` are the very answers the view was built with."""
        return len(lists) == len(self.answers) and all(
            a is b for a, b in zip(lists.values(), self.answers, strict=True)
        )


class SharedViews:
    def __init__(self, maxsize: int, max_bytes: int | None = None) -> None:
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: dict[ViewKey, SharedView] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(resolved: ResolvedPath, block_types: BlockRegistry, asked: tuple[Any, ...]) -> ViewKey:
        """``asked``: what the reader asks of the page (path, language, time zone, text size,
        list position), plain values."""
        return (id(resolved), id(block_types), *asked)

    def find(self, key: ViewKey) -> SharedView | None:
        """The view kept for ``key``: built from the very resolution and block types the key
        names (an entry holds them, so no other object can have their ids meanwhile); the
        caller then checks its lists (:meth:`SharedView.answered_by`)."""
        entry = self._entries.get(key)
        if entry is None or entry.expires < time.monotonic():
            return None  # replaced by the next keep
        return entry

    def keep(
        self,
        key: ViewKey,
        view: PageView,
        queries: tuple[ArticleQuery, ...],
        resolved: ResolvedPath,
        block_types: BlockRegistry,
    ) -> bool:
        """Keep ``view`` for the next request asking the same, unless it must not be."""
        answers = tuple(view.facts.lists.values())
        if view.preview or any(answer is EMPTY for answer in answers):
            return False
        if view.facts.related.fetched:
            return False
        lifetime = view.max_age()
        if lifetime is not None and lifetime <= 0:
            return False
        size = estimated_size(view)
        if self.max_bytes is not None and size > self.max_bytes:
            return False
        # What is shared holds nothing of the request that built it.
        view.facts.related.release()
        expires = time.monotonic() + (lifetime if lifetime is not None else _NO_BLOCK_LIFETIME)
        entry = SharedView(view, queries, answers, resolved, block_types, expires, size)
        with self._lock:
            self._remove(key)
            while self._entries and (
                len(self._entries) >= self.maxsize
                or (self.max_bytes is not None and self.bytes + size > self.max_bytes)
            ):
                self._remove(next(iter(self._entries)))
            self._entries[key] = entry
            self.bytes += size
        return True

    def _remove(self, key: ViewKey) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.bytes -= entry.size

    def __len__(self) -> int:
        return len(self._entries)


#: How long a page without blocks is kept (it shows nothing time could change).
_NO_BLOCK_LIFETIME = 3600

#: Estimated bytes of a view besides its text: each block's view and its GraphQL object, and
#: each listed article's item; measured with ``pympler.asizeof`` on the demo portal's pages
#: and rounded up (``tests/test_shared_views.py`` checks the estimate never falls below).
_PAGE_BYTES = 6_000
_BLOCK_BYTES = 9_000
_ITEM_BYTES = 2_500
#: A character of Vietnamese text costs two bytes in a str, and a view holds its article's
#: text twice at most (the record and what a block shows of it, its GraphQL object sharing
#: the same strings).
_TEXT_BYTES = 4


def estimated_size(view: PageView) -> int:
    """What keeping ``view`` costs, within a small factor, without walking it: a view is
    kept on a miss, and a walk (``asizeof``) costs more than assembling the page."""
    blocks = sum(len(region.blocks) for region in view.regions)
    records = [r for answer in view.facts.lists.values() for r in answer.records]
    text = _text_length(view.article) + sum(_text_length(r) for r in records)
    return _PAGE_BYTES + blocks * _BLOCK_BYTES + len(records) * _ITEM_BYTES + text * _TEXT_BYTES


def _text_length(record: ArticleRecord | None) -> int:
    if record is None:
        return 0
    return sum(
        len(text)
        for text in (
            record.title,
            record.lead,
            record.body_html,
            record.image_caption,
            record.image_alt,
            record.author,
            record.source,
        )
        if text
    )
