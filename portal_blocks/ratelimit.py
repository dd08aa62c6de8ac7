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

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from portal_blocks.config import PREFIX


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


def mutation_author(identity_name: str | None, address: str | None) -> str:
    """Whose count a mutation takes from: the editor's, else the client address's."""
    return f"editor:{identity_name}" if identity_name else f"address:{address or 'unknown'}"
