"""``strawberry.field`` and ``strawberry.mutation`` with a description, typed as the decorators
they are when they decorate a resolver.

Called with keyword arguments only, strawberry types both as ``Any``, because the same call
also declares a plain field (``lead: str = strawberry.field(description=...)``); a resolver
under ``@strawberry.field(description=...)`` is then an untyped decorator to a strict type
checker (strawberry#1929). These return the very object strawberry returns, a
``StrawberryField``, which takes the resolver when called, typed as such.
"""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.types.field import StrawberryField


def field(*, description: str) -> StrawberryField:
    """``@strawberry.field(description=...)`` for a resolver."""
    return cast(StrawberryField, strawberry.field(description=description))


def mutation(*, description: str) -> StrawberryField:
    """``@strawberry.mutation(description=...)`` for a resolver."""
    return cast(StrawberryField, strawberry.mutation(description=description))
