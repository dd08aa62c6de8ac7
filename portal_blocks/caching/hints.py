"""What a response depends on, recorded by the resolvers while they read.

A response is only cached when every root field of the query declared its dependencies (tags)
through :meth:`CacheHints.depend_on`. A field that does not (a new one, a mutation) keeps the
whole response out of the cache, so forgetting the hint costs speed, never correctness.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import OperationType


@dataclass
class CacheHints:
    tags: set[str] = field(default_factory=set)
    max_age: int | None = None
    shareable: bool = True
    #: Seconds the response may be served from the cache at most, because it read what
    #: announces no changes (a CMS without a webhook); None: until invalidated.
    expires_in: int | None = None
    _declared: set[str] = field(default_factory=set)

    def depend_on(self, info: Any, tags: Iterable[str] = (), max_age: int | None = None) -> None:
        """Called by a root resolver of a query: its result depends on exactly ``tags``."""
        if info.operation.operation is not OperationType.QUERY:
            return
        self._declared.add(info.path.key)
        self.add_tags(tags)
        if max_age is not None:
            self.max_age = max_age if self.max_age is None else min(self.max_age, max_age)

    def add_tags(self, tags: Iterable[str]) -> None:
        self.tags.update(tags)

    def expire_within(self, seconds: int) -> None:
        self.expires_in = seconds if self.expires_in is None else min(self.expires_in, seconds)
        self.max_age = seconds if self.max_age is None else min(self.max_age, seconds)

    def forbid_sharing(self) -> None:
        """The response shows something not every reader may see (a draft, a preview)."""
        self.shareable = False

    def cacheable(self, data: Mapping[str, Any] | None) -> bool:
        if not self.shareable or not data or not self._declared:
            return False
        return all(key in self._declared or key == "__typename" for key in data)
