"""Running an editor's change from a mutation: one way, whatever the change.

Every mutation does the same four things: require an editor, run a service
``(session, actor, **arguments)`` in one transaction (:func:`portal_blocks.edits.apply_edit`),
turn a refusal into the payload's typed ``errors``, and load what changed into the payload.
A :class:`PayloadKind` holds the two steps that differ between payload types, so a resolver is
one call naming the service and its arguments; :func:`by_row_id` reads an ``ID`` argument
naming one of our rows for the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from portal_blocks.edits import apply_edit
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.editor_types import user_errors
from portal_blocks.graphql.errors import UserError
from portal_blocks.graphql.permissions import require_editor
from portal_blocks.problems import Refused, refuse
from portal_blocks.text.ranges import row_id

K = TypeVar("K")
P = TypeVar("P")


@dataclass(frozen=True)
class PayloadKind(Generic[K, P]):
    #: What the service's result is remembered by, taken inside the transaction (ids: the
    #: objects themselves are expired by the commit).
    keep: Callable[[Any], K]
    #: The payload of a change that was applied.
    loaded: Callable[[Session, K], P]
    #: The payload of a change that was refused.
    refused: Callable[[list[UserError]], P]

    def run(
        self,
        info: Info,
        service: Callable[..., Any],
        /,
        *,
        keep: Callable[[Any], K] | None = None,
        **arguments: Any,
    ) -> P:
        """``keep`` overrides the kind's, for a service that returns something else."""
        actor = require_editor(info).name
        session = info.context.session
        remember = keep or self.keep
        try:
            key = apply_edit(session, lambda: remember(service(session, actor, **arguments)))
        except Refused as exc:
            return self.refused(user_errors(exc.problems))
        return self.loaded(session, key)


def by_row_id(
    service: Callable[..., Any],
    *,
    argument: str,
    into: str,
    thing: str,
    field: str | None = None,
) -> Callable[..., Any]:
    """``service``, given the GraphQL ``ID`` argument ``argument`` as the int ``into``.

    Every ``ID`` argument naming one of our rows is read here: digits within the id column's
    range (:func:`portal_blocks.text.ranges.row_id`). Anything else (not digits, or an 18-digit
    id that no ``INTEGER`` column holds, which PostgreSQL would refuse and abort the transaction
    for) can name no row, so it is the refusal an unknown id gets, NOT_FOUND at ``field``
    (``argument`` by default). The check runs inside the edit, so it is a typed refusal in the
    payload like every other.
    """
    where = field or argument

    def change(session: Session, actor: str, **arguments: Any) -> Any:
        raw = arguments.pop(argument)
        parsed = row_id(raw)
        if parsed is None:
            raise refuse(where, "NOT_FOUND", f"No {thing} with id {raw}.")
        return service(session, actor, **{into: parsed}, **arguments)

    return change
