"""``POST <prefix>/hooks/content-changed``: a CMS says which articles changed.

Signed with ``PORTAL_BLOCKS_WEBHOOK_SECRET`` (see :mod:`portal_blocks.content.webhooks`);
without a secret configured the endpoint does not exist. A bad or missing signature or an old
timestamp is 401 and changes nothing; a signed body that breaks the contract is 400 naming
the field; otherwise every process drops what read the named articles and any list, and the
answer says how many names it took.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.wrappers import Response

from portal_blocks.caching.invalidation import invalidate
from portal_blocks.config import PREFIX
from portal_blocks.content.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    BadBody,
    BadSignature,
    changed_tags,
    verify,
)

PATH = "/hooks/content-changed"


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule(PATH, "content_changed", content_changed, methods=["POST"])


def _refusal(status: int, code: str, message: str, **extra: str) -> tuple[Response, int]:
    return jsonify(error={"code": code, "message": message, **extra}), status


def content_changed() -> tuple[Response, int]:
    secret = str(current_app.config.get(PREFIX + "WEBHOOK_SECRET") or "")
    if not secret:
        return _refusal(404, "NOT_FOUND", f"Set {PREFIX}WEBHOOK_SECRET to receive changes.")
    body = request.get_data(cache=False)
    try:
        verify(
            secret,
            request.headers.get(TIMESTAMP_HEADER, ""),
            request.headers.get(SIGNATURE_HEADER, ""),
            body,
        )
    except BadSignature as exc:
        return _refusal(401, "BAD_SIGNATURE", f"Refused: {exc}.")
    try:
        tags = changed_tags(body)
    except BadBody as exc:
        return _refusal(400, "BAD_REQUEST", str(exc), field=exc.field)
    invalidate(tags)
    return jsonify(invalidated=sorted(tags)), 200
