"""Rate limits on changes and on failed token checks, shared by every app process.

Counts live in the `limits` storage named by ``PORTAL_BLOCKS_RATE_LIMIT_STORAGE`` (memory by
default; ``redis://...`` so that several processes share one count). `limits` is the engine
under Flask-Limiter; it is used directly because GraphQL sends queries and mutations to one
route, so a route decorator cannot tell them apart, and because an embedded extension must not
read or set the host's own ``RATELIMIT_*`` config.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from strawberry.types.graphql import OperationType

from portal_blocks.config import PREFIX
from portal_blocks.graphql.errors import PublicError
from portal_blocks.observability import observed


class RateLimited(PublicError):
    code = "RATE_LIMITED"


@dataclass
class RateLimits:
    limiter: MovingWindowRateLimiter
    mutations: RateLimitItem
    auth_failures: RateLimitItem

    @classmethod
    def from_config(cls, config: Any) -> RateLimits:
        uri = config[PREFIX + "RATE_LIMIT_STORAGE"] or config[PREFIX + "REDIS_URL"] or "memory://"
        storage = storage_from_string(uri)
        return cls(
            limiter=MovingWindowRateLimiter(storage),
            mutations=parse(config[PREFIX + "RATE_LIMIT_MUTATIONS"]),
            auth_failures=parse(config[PREFIX + "RATE_LIMIT_AUTH_FAILURES"]),
        )

    def take_mutation(self, who: str) -> bool:
        return self.limiter.hit(self.mutations, "mutation", who)

    def auth_blocked(self, address: str) -> bool:
        return not self.limiter.test(self.auth_failures, "auth-failure", address)

    def auth_failed(self, address: str) -> None:
        self.limiter.hit(self.auth_failures, "auth-failure", address)

    def retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        reset_at, _remaining = self.limiter.get_window_stats(item, *identifiers)
        return max(1, int(reset_at - time.time()))


def current_limits() -> RateLimits:
    return current_app.extensions["portal_blocks"].rate_limits


def client_address() -> str:
    if not has_request_context():
        return "offline"
    return request.remote_addr or "unknown"


def flag_too_many(retry_after: int) -> None:
    record = observed()
    if record is not None:
        record.status = 429
        record.retry_after = retry_after


def limit_mutations(execution_context: Any) -> None:
    """Every mutation request counts against its author (editor name, else client address)."""
    context = execution_context.context
    if execution_context.operation_type == OperationType.MUTATION and context is not None:
        identity = getattr(context, "identity", None)
        who = f"editor:{identity.name}" if identity else f"address:{client_address()}"
        limits = current_limits()
        if not limits.take_mutation(who):
            wait = limits.retry_after(limits.mutations, "mutation", who)
            flag_too_many(wait)
            raise RateLimited(f"Too many changes; try again in {wait} s.", retryAfter=wait)
