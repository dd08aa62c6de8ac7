"""The few lines a Wagtail site adds so that portal-blocks hears at once of each page it
publishes or unpublishes, instead of waiting for its cache to expire.

Copy this file into one of the site's apps and connect it from that app's ``AppConfig``::

    def ready(self):
        from . import wagtail_hooks

        wagtail_hooks.connect(
            settings.PORTAL_BLOCKS_WEBHOOK_URL, settings.PORTAL_BLOCKS_WEBHOOK_SECRET
        )

Each publish or unpublish then POSTs ``{"ids": ["<page id>"], "slugs": ["<slug>"]}`` to the
webhook (e.g. ``http://127.0.0.1:5000/hooks/content-changed``), signed with the shared secret:
``X-Portal-Blocks-Timestamp`` holds the Unix time in seconds and ``X-Portal-Blocks-Signature``
is ``sha256=`` + the hex HMAC-SHA256 of ``"<timestamp>." + body``. Only the standard library is
used. A failed call is logged, never raised: publishing in Wagtail must not fail because
portal-blocks is down (its cache then catches up when its entries expire).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.request
from typing import Any

from django.db import transaction
from wagtail.signals import page_published, page_unpublished

log = logging.getLogger(__name__)
#: Seconds to wait for portal-blocks: the editor who clicked "Publish" waits as long.
TIMEOUT = 3.0


def notify(url: str, secret: str, page_id: int, slug: str) -> None:
    """POST one signed change notice; log a failure instead of raising it."""
    body = json.dumps({"ids": [str(page_id)], "slugs": [slug]}).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Portal-Blocks-Timestamp": timestamp,
            "X-Portal-Blocks-Signature": f"sha256={digest.hexdigest()}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()
    except (OSError, ValueError) as error:  # refused, timed out, an HTTP error status, a bad URL
        log.warning("portal-blocks webhook %s failed for page %s: %s", url, page_id, error)


def connect(url: str, secret: str) -> None:
    """Call :func:`notify` after each page publish and unpublish, once the change is committed."""

    def changed(sender: Any, instance: Any, **kwargs: Any) -> None:
        # After the commit: portal-blocks reads the page back at once and must see the change.
        page_id, slug = instance.pk, instance.slug
        transaction.on_commit(lambda: notify(url, secret, page_id, slug))

    # weak=False: ``changed`` is a closure that nothing else keeps alive.
    page_published.connect(changed, weak=False, dispatch_uid="portal_blocks_page_published")
    page_unpublished.connect(changed, weak=False, dispatch_uid="portal_blocks_page_unpublished")
