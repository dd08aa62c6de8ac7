"""Building an app's caches from its config: process memory by default, Redis when set."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Request, current_app

from portal_blocks.caching import invalidation
from portal_blocks.caching.front import Front, ViewerLoader
from portal_blocks.caching.invalidation_log import InvalidationLog
from portal_blocks.caching.near import InvalidationChannel, NearStore
from portal_blocks.caching.page_data import PageDataCache, decode_resolved, encode_resolved
from portal_blocks.caching.persisted import (
    DatabaseQueryStore,
    PersistedQueries,
    QueryStore,
    RedisQueryStore,
)
from portal_blocks.caching.responses import CachedResponse
from portal_blocks.caching.stores import MemoryStore, RedisStore, TaggedStore
from portal_blocks.caching.viewers import (
    PreferenceCache,
    Preferences,
    decode_preferences,
    encode_preferences,
)
from portal_blocks.config import PREFIX
from portal_blocks.layout.routing import ResolvedPath

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caches:
    front: Front
    #: None when ``PORTAL_BLOCKS_PAGE_CACHE_SIZE`` is 0.
    pages: PageDataCache | None
    #: None when ``PORTAL_BLOCKS_VIEWER_CACHE_SIZE`` is 0.
    preferences: PreferenceCache | None
    #: Invalidation targets are held weakly; the app's state holds them here.
    targets: tuple[object, ...]


def _namespace(app: Flask) -> str:
    """Stores of apps on different databases must not mix, even on one Redis or one host."""
    url = str(app.config[PREFIX + "DATABASE_URL"])
    return hashlib.blake2b(url.encode(), digest_size=6).hexdigest()


def _log(app: Flask, namespace: str) -> InvalidationLog | None:
    try:
        return InvalidationLog(Path(app.instance_path) / f"cache-invalidations-{namespace}.log")
    except OSError as exc:
        log.warning(
            "caches: no invalidation log in %s (%s); other processes on this host will not "
            "hear of this one's writes: run one process or set %sREDIS_URL",
            app.instance_path,
            exc,
            PREFIX,
        )
        return None


def _request_locale(request: Request) -> str:
    """The language the response will be in (``lang``, then ``Accept-Language``)."""
    return current_app.extensions["portal_blocks"].locale_for(request)


def build_caches(app: Flask, session: Any, viewer_for: ViewerLoader) -> Caches:
    config = app.config
    namespace = _namespace(app)
    ttl = int(config[PREFIX + "RESPONSE_CACHE_TTL"])
    targets: list[object] = []
    store: Callable[[str, int, Callable[[Any], bytes], Callable[[bytes], Any]], Any]
    queries: QueryStore
    if config[PREFIX + "REDIS_URL"]:
        import redis

        client = redis.Redis.from_url(config[PREFIX + "REDIS_URL"])
        prefix = f"portal_blocks:{namespace}:"
        channel = None
        if config[PREFIX + "REDIS_NEAR_CACHE"]:
            channel = InvalidationChannel(client, prefix + "invalidations")
            targets.append(channel)

        def store(name: str, size: int, encode: Any, decode: Any) -> Any:
            shared = RedisStore(client, prefix + name, ttl, encode=encode, decode=decode)
            if channel is None:
                return shared
            return NearStore(MemoryStore(size, ttl), shared, channel)

        queries = RedisQueryStore(client, prefix)
    else:
        # Each store reads the host's log from its own cursor; the log itself is the target
        # that writes this process's commits into it.
        channel = _log(app, namespace)
        if channel is not None:
            targets.append(channel)

        def store(_name: str, size: int, _encode: Any, _decode: Any) -> Any:
            return MemoryStore(size, ttl, channel and channel.cursor())

        queries = DatabaseQueryStore(session)

    def size(key: str) -> int:
        return int(config[PREFIX + key])

    responses: TaggedStore[CachedResponse] = store(
        "", size("RESPONSE_CACHE_SIZE"), CachedResponse.encode, CachedResponse.decode
    )
    pages: TaggedStore[ResolvedPath] | None = None
    if size("PAGE_CACHE_SIZE"):
        pages = store("pages:", size("PAGE_CACHE_SIZE"), encode_resolved, decode_resolved)
    viewers: TaggedStore[Preferences] | None = None
    if size("VIEWER_CACHE_SIZE"):
        viewers = store(
            "viewers:", size("VIEWER_CACHE_SIZE"), encode_preferences, decode_preferences
        )
    targets += [t for t in (responses, pages, viewers) if t is not None]
    for target in targets:
        invalidation.register(target)
    front = Front(
        responses,
        PersistedQueries(queries, only_registered=bool(config[PREFIX + "PERSISTED_QUERIES_ONLY"])),
        locale_for=_request_locale,
        max_age=int(config[PREFIX + "CACHE_MAX_AGE"]),
        viewer_for=viewer_for,
    )
    return Caches(
        front=front,
        pages=PageDataCache(pages) if pages is not None else None,
        preferences=PreferenceCache(viewers) if viewers is not None else None,
        targets=tuple(targets),
    )
