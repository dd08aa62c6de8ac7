"""Persisted queries, compatible with Apollo's automatic persisted queries (APQ).

A client sends ``extensions.persistedQuery.sha256Hash``. With the hash alone (GET or POST) the
stored document is run, or ``PERSISTED_QUERY_NOT_FOUND`` comes back, and the client retries
with the query text and the hash, which registers it. A hash that is not the sha256 of the
text is refused. With ``PORTAL_BLOCKS_PERSISTED_QUERIES_ONLY`` nothing registers over HTTP and
only documents already registered (``portal-blocks persisted-queries add``) are served.

The store is shared by every process: a database table by default, Redis when configured.
Documents are content-addressed, so each process also keeps the ones it has seen in memory.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any, Protocol

from redis.exceptions import RedisError
from sqlalchemy import Insert, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, scoped_session

from portal_blocks.models import PersistedQuery

log = logging.getLogger(__name__)

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
NOT_REGISTERED = "PERSISTED_QUERY_NOT_REGISTERED"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


class QueryStore(Protocol):
    def get(self, digest: str) -> str | None: ...

    def add(self, digest: str, query: str) -> None: ...


class DatabaseQueryStore:
    """The ``persisted_query`` table, through the request's session (one short commit)."""

    def __init__(self, session: Session | scoped_session[Any]) -> None:
        self.session = session

    def get(self, digest: str) -> str | None:
        return self.session.scalar(select(PersistedQuery.query).where(PersistedQuery.id == digest))

    def add(self, digest: str, query: str) -> None:
        session = self.session
        dialect = session.get_bind().dialect.name
        values = {"id": digest, "query": query}
        stmt: Insert
        if dialect == "postgresql":
            stmt = postgresql_insert(PersistedQuery).values(values).on_conflict_do_nothing()
        elif dialect == "sqlite":
            stmt = sqlite_insert(PersistedQuery).values(values).on_conflict_do_nothing()
        else:
            if self.get(digest) is not None:
                return
            stmt = insert(PersistedQuery).values(values)
        session.execute(stmt)
        session.commit()


class RedisQueryStore:
    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = prefix + "pq:"

    def get(self, digest: str) -> str | None:
        try:
            raw = self.client.get(self.prefix + digest)
        except RedisError as exc:  # the client then sends the query text, which still runs
            log.warning("persisted queries: Redis unavailable (%s)", exc)
            return None
        return raw.decode() if raw is not None else None

    def add(self, digest: str, query: str) -> None:
        try:
            self.client.set(self.prefix + digest, query.encode(), nx=True)
        except RedisError as exc:
            log.warning("persisted queries: Redis unavailable (%s); not registered", exc)


class PersistedQueries:
    def __init__(self, store: QueryStore, *, only_registered: bool, memo_size: int = 1024) -> None:
        self.store = store
        self.only_registered = only_registered
        self.memo_size = memo_size
        self._memo: dict[str, str] = {}

    def lookup(self, digest: str) -> str | None:
        query = self._memo.get(digest)
        if query is None and _SHA256.fullmatch(digest):
            query = self.store.get(digest)
            if query is not None:
                self._remember(digest, query)
        return query

    def register(self, query: str) -> str:
        """Always written through: a client registers only after some process missed it."""
        digest = sha256_hex(query)
        self.store.add(digest, query)
        self._remember(digest, query)
        return digest

    def forget_remembered(self) -> None:
        """For when the store behind was emptied (a restored database, a flushed Redis): what
        this process remembers would still serve ids no longer registered."""
        self._memo.clear()

    def _remember(self, digest: str, query: str) -> None:
        if len(self._memo) >= self.memo_size:
            self._memo.pop(next(iter(self._memo)))
        self._memo[digest] = query

    def resolve(self, query: str | None, digest: str | None, query_hash: str | None) -> str | None:
        """The document to run, given what the request carried; raises PersistedQueryError."""
        if digest is not None:
            if query is None:
                found = self.lookup(digest)
                if found is None:
                    raise PersistedQueryError(NOT_FOUND, "PersistedQueryNotFound", 200)
                return found
            if query_hash != digest:
                raise PersistedQueryError(HASH_MISMATCH, "provided sha does not match query", 400)
            if self.only_registered:
                self._require_registered(digest)
            else:
                self.register(query)
            return query
        if query is not None and self.only_registered:
            assert query_hash is not None
            self._require_registered(query_hash)
        return query

    def _require_registered(self, digest: str) -> None:
        if self.lookup(digest) is None:
            raise PersistedQueryError(
                NOT_REGISTERED, "Only registered queries are served here.", 400
            )
