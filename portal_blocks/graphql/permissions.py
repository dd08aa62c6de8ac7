"""Role checks for resolvers: refusals are GraphQL errors with a stable code, raised before
anything is read or written."""

from __future__ import annotations

from portal_blocks.auth.tokens import Identity
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.errors import PublicError


class Unauthenticated(PublicError):
    code = "UNAUTHENTICATED"


class Forbidden(PublicError):
    code = "FORBIDDEN"


def require_editor(info: Info) -> Identity:
    """Editors and admins may change content; anonymous or revoked tokens may not."""
    identity = info.context.identity
    if identity is None:
        raise Unauthenticated(
            "Sign in with an editor token (Authorization: Bearer ...) to change content."
        )
    if not identity.can_edit:
        raise Forbidden("Your role may not change content.")
    return identity


def require_preview(info: Info) -> Identity:
    """Drafts are for editors only; an anonymous preview request is forbidden outright."""
    identity = info.context.identity
    if identity is None or not identity.can_edit:
        raise Forbidden("Only editors may preview drafts.")
    return identity
