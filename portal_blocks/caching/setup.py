"""Building an app's caches from its config: process memory by default, Redis when set."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Request, current_app

from portal_blocks.caching import invalidation
from portal_blocks.caching.front import Front, ViewerLoader
from portal_blocks.caching.invalidation_log import InvalidationLog
from portal_blocks.caching.page_data import PageDataCache, decode_resolved, encode_resolved
from portal_blocks.caching.persisted import (
    DatabaseQueryStore,
    PersistedQueries,
    QueryStore,
    RedisQueryStore,
)
from portal_blocks.caching.responses import CachedResponse
from portal_blocks.caching.stores import MemoryStore, RedisStore, TaggedStore
from portal_blocks.config import PREFIX
from portal_blocks.layout.routing import ResolvedPath

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caches:
    front: Front
    #: None when ``PORTAL_BLOCKS_PAGE_CACHE_SIZE`` is 0.
    pages: PageDataCache | None
    #: Invalidation targets are held weakly; the app's state holds them here.
    targets: tuple[object, ...]


def _namespace(app: Flask) -> str:
    """Stores of apps on different databases must not mix, even on one Redis or one host."""
    url = str(app.config[PREFIX + "DATABASE_URL"])
    return hashlib.blake2b(url.encode(), digest_size=6).hexdigest()


def _log(app: Flask, namespace: str) -> InvalidationLog | None:
    try:
        return InvalidationLog(Path(app.instance_path) / f"response-cache-{namespace}.log")
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
    page_entries = int(config[PREFIX + "PAGE_CACHE_SIZE"])
    responses: TaggedStore[CachedResponse]
    pages: TaggedStore[ResolvedPath] | None = None
    queries: QueryStore
    targets: list[object] = []
    if config[PREFIX + "REDIS_URL"]:
        import redis

        client = redis.Redis.from_url(config[PREFIX + "REDIS_URL"])
        prefix = f"portal_blocks:{namespace}:"
        responses = RedisStore(
            client, prefix, ttl, encode=CachedResponse.encode, decode=CachedResponse.decode
        )
        if page_entries:
            pages = RedisStore(
                client, prefix + "pages:", ttl, encode=encode_resolved, decode=decode_resolved
            )
        queries = RedisQueryStore(client, prefix)
    else:
        # Each store reads the host's log from its own cursor; the log itself is the target
        # that writes this process's commits into it.
        channel = _log(app, namespace)
        responses = MemoryStore(
            int(config[PREFIX + "RESPONSE_CACHE_SIZE"]), ttl, channel and channel.cursor()
        )
        if page_entries:
            pages = MemoryStore(page_entries, ttl, channel and channel.cursor())
        queries = DatabaseQueryStore(session)
        if channel is not None:
            targets.append(channel)
    targets += [responses, *([pages] if pages is not None else [])]
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
        targets=tuple(targets),
    )
