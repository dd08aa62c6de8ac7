"""Building an app's caches from its config: process memory by default, Redis when set.

Two tiers, one interface: a :class:`StoreFactory` makes every tagged store of the app (the
response, page-data and viewer caches) and the persisted-query store, and names what hears of
commits (the invalidation targets). :func:`build_caches` picks the tier and assembles the rest.

The Redis tier's client gives up quickly (see
:func:`~portal_blocks.ratelimit.quick_redis_options`) and, after a failure, leaves Redis alone
for a moment (:class:`~portal_blocks.caching.stores.GuardedRedis`): a Redis that is down makes
the caches miss, never a request slow or failed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import redis
from flask import Request
from sqlalchemy.orm import Session, scoped_session

from portal_blocks.assembly.shared_views import SharedViews
from portal_blocks.caching import invalidation
from portal_blocks.caching.edge import EdgePurger
from portal_blocks.caching.front import Front, ViewerLoader
from portal_blocks.caching.html import CachedPage, HtmlCache
from portal_blocks.caching.invalidation import Invalidates
from portal_blocks.caching.invalidation_log import InvalidationLog, LogCursor
from portal_blocks.caching.near import InvalidationChannel, NearStore
from portal_blocks.caching.page_data import (
    ListAnswers,
    PageDataCache,
    decode_lists,
    decode_resolved,
    encode_lists,
    encode_resolved,
)
from portal_blocks.caching.persisted import (
    DatabaseQueryStore,
    PersistedQueries,
    QueryStore,
    RedisQueryStore,
)
from portal_blocks.caching.responses import CachedResponse
from portal_blocks.caching.stores import GuardedRedis, MemoryStore, RedisStore, TaggedStore
from portal_blocks.caching.viewers import (
    PreferenceCache,
    Preferences,
    decode_preferences,
    encode_preferences,
)
from portal_blocks.config import PREFIX, url_list
from portal_blocks.layout.routing import ResolvedPath
from portal_blocks.ratelimit import Outage, describe_url, quick_redis_options

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Caches:
    front: Front
    #: None when ``PORTAL_BLOCKS_PAGE_CACHE_SIZE`` is 0.
    pages: PageDataCache | None
    #: None when ``PORTAL_BLOCKS_VIEWER_CACHE_SIZE`` is 0.
    preferences: PreferenceCache | None
    #: Invalidation targets are held weakly; the app's state holds them here.
    targets: tuple[Invalidates, ...]
    #: The caches' Redis, for readiness checks; None when they live in process memory.
    redis: GuardedRedis | None = None
    #: Purges the edge caches in front (PORTAL_BLOCKS_EDGE_PURGE_URLS); None: none configured.
    edge: EdgePurger | None = None
    #: Theme pages and fragments as rendered; None only for caches built without one.
    html: HtmlCache | None = None
    #: Readers' page views built from the page data; None with no page-data cache, or one
    #: whose entries are decoded anew for each request (Redis without its near tier).
    views: SharedViews | None = None


class StoreFactory(Protocol):
    """One cache tier: where an app's stores live and who hears of commits."""

    #: What must hear of this process's commits besides the stores (a log, a channel).
    targets: list[Invalidates]

    @property
    def shares_entries(self) -> bool:
        """Whether a hit gives out the object stored, not a copy decoded for the request:
        what is built from entries can then be kept with them (``assembly.shared_views``)."""
        ...

    def store(
        self,
        name: str,
        size: int,
        encode: Callable[[T], bytes],
        decode: Callable[[bytes], T],
        max_bytes: int | None = None,
    ) -> TaggedStore[T]: ...

    def queries(self) -> QueryStore: ...


def _encoded_size(encode: Callable[[T], bytes]) -> Callable[[T], int]:
    """An entry's size: what it would take in Redis (its encoding), a fair measure of what
    its objects hold in memory."""
    return lambda entry: len(encode(entry))


@dataclass
class MemoryTier:
    """Process memory; processes on one host hear of each other's commits through a log
    file, which the stores read through one cursor: a new line is read once, for all."""

    ttl: int
    session: Session | scoped_session[Any]
    log: InvalidationLog | None
    targets: list[Invalidates] = field(default_factory=list)
    cursor: LogCursor | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.log is not None:
            self.targets.append(self.log)  # writes this process's commits into the log
            self.cursor = self.log.cursor()

    @property
    def shares_entries(self) -> bool:
        return True

    def store(
        self,
        name: str,
        size: int,
        encode: Callable[[T], bytes],
        decode: Callable[[bytes], T],
        max_bytes: int | None = None,
    ) -> TaggedStore[T]:
        return MemoryStore(
            size,
            self.ttl,
            self.cursor,
            max_bytes=max_bytes,
            size_of=_encoded_size(encode) if max_bytes is not None else None,
        )

    def queries(self) -> QueryStore:
        return DatabaseQueryStore(self.session)


@dataclass
class RedisTier:
    """Redis, shared by every process on every host; with the near cache, each process also
    keeps what it read, dropped by the commits Redis pub/sub announces."""

    client: GuardedRedis
    prefix: str
    ttl: int
    near: bool
    targets: list[Invalidates] = field(default_factory=list)
    channel: InvalidationChannel | None = None

    def __post_init__(self) -> None:
        if self.near:
            self.channel = InvalidationChannel(self.client, self.prefix + "invalidations")
            self.targets.append(self.channel)

    @property
    def shares_entries(self) -> bool:
        return self.channel is not None  # the near tier gives out what it keeps

    def store(
        self,
        name: str,
        size: int,
        encode: Callable[[T], bytes],
        decode: Callable[[bytes], T],
        max_bytes: int | None = None,
    ) -> TaggedStore[T]:
        shared: RedisStore[T] = RedisStore(
            self.client, self.prefix + name, self.ttl, encode=encode, decode=decode
        )
        if self.channel is None:
            return shared  # Redis bounds its own memory (its maxmemory policy)
        near: MemoryStore[T] = MemoryStore(
            size,
            self.ttl,
            max_bytes=max_bytes,
            size_of=_encoded_size(encode) if max_bytes is not None else None,
        )
        return NearStore(near, shared, self.channel)

    def queries(self) -> QueryStore:
        return RedisQueryStore(self.client, self.prefix)


def _namespace(database_url: str) -> str:
    """Stores of apps on different databases must not mix, even on one Redis or one host."""
    return hashlib.blake2b(database_url.encode(), digest_size=6).hexdigest()


def _invalidation_log(instance_path: str, namespace: str) -> InvalidationLog | None:
    try:
        return InvalidationLog(Path(instance_path) / f"cache-invalidations-{namespace}.log")
    except OSError as exc:
        log.warning(
            "caches: no invalidation log in %s (%s); other processes on this host will not "
            "hear of this one's writes: run one process or set %sREDIS_URL",
            instance_path,
            exc,
            PREFIX,
        )
        return None


def tier_for(
    config: Mapping[str, Any], instance_path: str, session: Session | scoped_session[Any]
) -> StoreFactory:
    """Redis when ``PORTAL_BLOCKS_REDIS_URL`` is set, else process memory."""
    namespace = _namespace(str(config[PREFIX + "DATABASE_URL"]))
    ttl = int(config[PREFIX + "RESPONSE_CACHE_TTL"])
    url = config[PREFIX + "REDIS_URL"]
    if url:
        outage = Outage(f"cache Redis {describe_url(url)}", "caches are off, answers computed")
        return RedisTier(
            client=GuardedRedis(redis.Redis.from_url(url, **quick_redis_options()), outage),
            prefix=f"portal_blocks:{namespace}:",
            ttl=ttl,
            near=bool(config[PREFIX + "REDIS_NEAR_CACHE"]),
        )
    return MemoryTier(ttl=ttl, session=session, log=_invalidation_log(instance_path, namespace))


def build_caches(
    config: Mapping[str, Any],
    tier: StoreFactory,
    *,
    locale_for: Callable[[Request], str],
    viewer_for: ViewerLoader,
    document_problem: Callable[[str], str | None] | None = None,
) -> Caches:
    """The response cache and its front, the page-data and viewer caches (a size of 0 turns
    either off), each registered to hear of commits. ``document_problem`` says why a document
    cannot run on the app's schema: persisted queries register only those that can."""

    def size(key: str) -> int:
        return int(config[PREFIX + key])

    responses: TaggedStore[CachedResponse] = tier.store(
        "",
        size("RESPONSE_CACHE_SIZE"),
        CachedResponse.encode,
        CachedResponse.decode,
        size("RESPONSE_CACHE_BYTES"),
    )
    # Theme pages and fragments: a quarter as many as responses, each being some ten times
    # larger (the page's HTML, about 25 KB, against a block's JSON).
    html: TaggedStore[CachedPage] = tier.store(
        "html:",
        max(1, size("RESPONSE_CACHE_SIZE") // 4),
        CachedPage.encode,
        CachedPage.decode,
        size("RESPONSE_CACHE_BYTES"),
    )
    pages: TaggedStore[ResolvedPath] | None = None
    lists: TaggedStore[ListAnswers] | None = None
    views: SharedViews | None = None
    if size("PAGE_CACHE_SIZE"):
        page_bytes = size("PAGE_CACHE_BYTES")
        pages = tier.store(
            "pages:", size("PAGE_CACHE_SIZE"), encode_resolved, decode_resolved, page_bytes
        )
        lists = tier.store(
            "lists:", size("PAGE_CACHE_SIZE"), encode_lists, decode_lists, page_bytes
        )
        if tier.shares_entries:
            views = SharedViews(size("PAGE_CACHE_SIZE"), page_bytes)
    viewers: TaggedStore[Preferences] | None = None
    if size("VIEWER_CACHE_SIZE"):
        viewers = tier.store(
            "viewers:", size("VIEWER_CACHE_SIZE"), encode_preferences, decode_preferences
        )
    edges = url_list(config[PREFIX + "EDGE_PURGE_URLS"])
    purger = EdgePurger(edges) if edges else None
    targets: list[Invalidates] = [
        # First this process's stores (in Redis: everyone's), then the announcement to other
        # processes (the log, the near tiers' channel), last the edges' purge: each reader a
        # later one reaches then refills from what no longer holds the old.
        *(t for t in (responses, html, pages, lists, viewers) if t is not None),
        *tier.targets,
        *((purger,) if purger is not None else ()),
    ]
    for target in targets:
        invalidation.register(target)
    only_registered = bool(config[PREFIX + "PERSISTED_QUERIES_ONLY"])
    front = Front(
        responses,
        PersistedQueries(
            tier.queries(), only_registered=only_registered, document_problem=document_problem
        ),
        locale_for=locale_for,
        max_age=size("CACHE_MAX_AGE"),
        viewer_for=viewer_for,
    )
    return Caches(
        front=front,
        pages=PageDataCache(pages, lists) if pages is not None else None,
        preferences=PreferenceCache(viewers) if viewers is not None else None,
        targets=tuple(targets),
        redis=tier.client if isinstance(tier, RedisTier) else None,
        edge=purger,
        html=HtmlCache(html, max_age=size("CACHE_MAX_AGE")),
        views=views,
    )
