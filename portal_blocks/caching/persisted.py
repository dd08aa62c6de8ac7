"""Persisted queries, compatible with Apollo's automatic persisted queries (APQ).

A client sends ``extensions.persistedQuery.sha256Hash``. With the hash alone (GET or POST) the
stored document is run, or ``PERSISTED_QUERY_NOT_FOUND`` comes back, and the client retries
with the query text and the hash, which registers it. A hash that is not the sha256 of the
text is refused. With ``PORTAL_BLOCKS_PERSISTED_QUERIES_ONLY`` nothing registers over HTTP and
only documents already registered (``portal-blocks persisted-queries add``) are served.

The store is shared by every process: a database table by default, Redis when configured.
Documents are content-addressed, so each process also keeps the ones it has seen in memory.

What a client registers is bounded, as anyone may register: only a document that parses and
validates against the schema, of at most ``MAX_DOCUMENT_CHARS``; at most ``MAX_REGISTERED``
rows in the table, and Redis keys that expire ``REGISTERED_TTL`` after registration. A document
that may not be registered still runs (APQ lets a server decline to keep one). Documents added
by ``portal-blocks persisted-queries add`` are checked the same way and never expire.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from redis.exceptions import RedisError
from sqlalchemy import Insert, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, scoped_session

from portal_blocks.models import PersistedQuery

log = logging.getLogger(__name__)

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
NOT_REGISTERED = "PERSISTED_QUERY_NOT_REGISTERED"
NOT_STORABLE = "PERSISTED_QUERY_NOT_STORABLE"
UNAVAILABLE = "SERVICE_UNAVAILABLE"
#: The longest document a client may register: a theme's largest is a few thousand.
MAX_DOCUMENT_CHARS = 64 * 1024
#: Documents the table takes from clients (``persisted-queries add`` is not counted against).
MAX_REGISTERED = 10_000
#: How long a client-registered document lives in Redis (its client registers it again).
REGISTERED_TTL = 30 * 24 * 3600
#: Characters of documents each process keeps in memory.
MEMO_CHARS = 8 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


class StoreUnavailable(Exception):
    """The shared store did not answer (Redis down): not the same as "not registered"."""


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

    def add(self, digest: str, query: str, *, lasting: bool = False) -> None:
        """Store ``query``; ``lasting``: an operator's document, outside the store's bounds."""


class DatabaseQueryStore:
    """The ``persisted_query`` table, through the request's session (one short commit)."""

    def __init__(self, session: Session | scoped_session[Any]) -> None:
        self.session = session

    def get(self, digest: str) -> str | None:
        return self.session.scalar(select(PersistedQuery.query).where(PersistedQuery.id == digest))

    def add(self, digest: str, query: str, *, lasting: bool = False) -> None:
        session = self.session
        if not lasting and self._count() >= MAX_REGISTERED:
            log.warning("persisted queries: %d stored, not registering more", MAX_REGISTERED)
            return
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

    def _count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(PersistedQuery)) or 0


class RedisQueryStore:
    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = prefix + "pq:"

    def get(self, digest: str) -> str | None:
        try:
            raw = self.client.get(self.prefix + digest)
        except RedisError as exc:  # logged once by the client's guard
            raise StoreUnavailable(f"Redis: {exc}") from exc
        return raw.decode() if raw is not None else None

    def add(self, digest: str, query: str, *, lasting: bool = False) -> None:
        key, value = self.prefix + digest, query.encode()
        try:
            if lasting:  # also clears the expiry a client's registration of it set
                self.client.set(key, value)
            else:
                self.client.set(key, value, nx=True, ex=REGISTERED_TTL)
        except RedisError as exc:
            raise StoreUnavailable(f"Redis: {exc}") from exc


class PersistedQueries:
    def __init__(
        self,
        store: QueryStore,
        *,
        only_registered: bool,
        memo_chars: int = MEMO_CHARS,
        document_problem: Callable[[str], str | None] | None = None,
    ) -> None:
        self.store = store
        self.only_registered = only_registered
        self.memo_chars = memo_chars
        #: Why a document cannot run on the app's schema (None: it can); set once the schema
        #: is built. Without it nothing is registered.
        self.document_problem = document_problem
        self._memo: OrderedDict[str, str] = OrderedDict()
        self._memo_size = 0

    def lookup(self, digest: str) -> str | None:
        """The document registered under ``digest``; raises StoreUnavailable."""
        query = self._memo.get(digest)
        if query is None and _SHA256.fullmatch(digest):
            query = self.store.get(digest)
            if query is not None:
                self._remember(digest, query)
        return query

    def register(self, query: str, *, lasting: bool = False) -> str:
        """Check and store ``query``; raises PersistedQueryError (NOT_STORABLE) saying why a
        document may not be kept, or StoreUnavailable. Always written through: a client
        registers only after some process missed it."""
        problem = self.problem(query)
        if problem is not None:
            raise PersistedQueryError(NOT_STORABLE, problem, 400)
        digest = sha256_hex(query)
        self._remember(digest, query)  # a valid document, whether or not the store answers
        self.store.add(digest, query, lasting=lasting)
        return digest

    def problem(self, query: str) -> str | None:
        """Why ``query`` may not be registered, or None."""
        if len(query) > MAX_DOCUMENT_CHARS:
            return f"A persisted document may hold at most {MAX_DOCUMENT_CHARS} characters."
        if self.document_problem is None:
            return "Persisted documents are checked against the schema, which is not built yet."
        return self.document_problem(query)

    def forget_remembered(self) -> None:
        """For when the store behind was emptied (a restored database, a flushed Redis): what
        this process remembers would still serve ids no longer registered."""
        self._memo.clear()
        self._memo_size = 0

    def _remember(self, digest: str, query: str) -> None:
        if digest in self._memo or len(query) > self.memo_chars // 8:
            return
        self._memo[digest] = query
        self._memo_size += len(query)
        while self._memo_size > self.memo_chars:
            _, dropped = self._memo.popitem(last=False)
            self._memo_size -= len(dropped)

    def resolve(self, query: str | None, digest: str | None, query_hash: str | None) -> str | None:
        """The document to run, given what the request carried; raises PersistedQueryError."""
        if digest is not None:
            if query is None:
                found = self._lookup_or_unavailable(digest)
                if found is None:
                    raise PersistedQueryError(NOT_FOUND, "PersistedQueryNotFound", 200)
                return found
            if query_hash != digest:
                raise PersistedQueryError(HASH_MISMATCH, "provided sha does not match query", 400)
            if self.only_registered:
                self._require_registered(digest)
            else:
                self._register_if_storable(query)
            return query
        if query is not None and self.only_registered:
            assert query_hash is not None
            self._require_registered(query_hash)
        return query

    def _lookup_or_unavailable(self, digest: str) -> str | None:
        """With a store that does not answer, an APQ client is told "not found" and sends the
        text, which runs; where only registered documents run, the answer is "try again"
        (503), not "not registered", which would send an operator looking for a bad deploy."""
        try:
            return self.lookup(digest)
        except StoreUnavailable:
            if self.only_registered:
                raise PersistedQueryError(
                    UNAVAILABLE, "Registered queries cannot be looked up; try again shortly.", 503
                ) from None
            return None

    def _require_registered(self, digest: str) -> None:
        if self._lookup_or_unavailable(digest) is None:
            raise PersistedQueryError(
                NOT_REGISTERED, "Only registered queries are served here.", 400
            )

    def _register_if_storable(self, query: str) -> None:
        """A client's registration: a document that may not be kept still runs, and its
        answer says what is wrong with it."""
        try:
            self.register(query)
        except PersistedQueryError as refused:
            log.info("persisted queries: not registered: %s", refused.message)
        except StoreUnavailable:
            pass  # logged once by the client's guard; the client registers it next time
