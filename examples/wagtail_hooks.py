"""The few lines a Wagtail site adds so that portal-blocks hears at once of each page it
publishes or unpublishes, instead of waiting for its cache to expire.

Copy this file into one of the site's apps and connect it from that app's ``AppConfig``::

    def ready(self):
        from . import wagtail_hooks

        wagtail_hooks.connect(
            settings.PORTAL_BLOCKS_WEBHOOK_URL, settings.PORTAL_BLOCKS_WEBHOOK_SECRET
        )

Each publish or unpublish then POSTs ``{"ids": ["<page id>"], "slugs": ["<slug>"], "lists":
<bool>}`` to the webhook (e.g. ``http://127.0.0.1:5000/hooks/content-changed``), signed with the
shared secret. ``"lists": false`` says the publish cannot have moved the page into or out of a
list: the page was live already and none of :data:`LIST_FIELDS` changed (portal-blocks' lists of
Wagtail pages are ordered by first publication and filtered by category), so portal-blocks keeps
the lists that do not show the page; a first publish, an unpublish or a change of those fields
drops every list. The page's row holds its live version (drafts live in revisions), so what the
site showed until the publish is read from it just before Wagtail saves the new one.

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
from django.db.models.signals import pre_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

log = logging.getLogger(__name__)
#: Seconds to wait for portal-blocks: the editor who clicked "Publish" waits as long.
TIMEOUT = 3.0
#: The page fields that decide which lists hold a page, besides whether it is live: the
#: category its lists filter by, and the slug its address (and so its routes) is made of.
LIST_FIELDS = ("category", "slug")


def notify(url: str, secret: str, page_id: int, slug: str, *, lists: bool = True) -> None:
    """POST one signed change notice; log a failure instead of raising it."""
    body = json.dumps({"ids": [str(page_id)], "slugs": [slug], "lists": lists}).encode()
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


def listed_as(page: Any) -> tuple[Any, ...]:
    return tuple(getattr(page, name, None) for name in LIST_FIELDS)


def connect(url: str, secret: str) -> None:
    """Call :func:`notify` after each page publish and unpublish, once the change is committed."""
    #: Page id -> how its lists saw it until now (None: it was not live), read as Wagtail
    #: saves the page and taken by the publish that follows. A publish with no entry (one
    #: that saved nothing first) counts as one that may have moved the page.
    live_before: dict[int, tuple[Any, ...] | None] = {}

    def saving(sender: Any, instance: Any, **kwargs: Any) -> None:
        if not isinstance(instance, Page) or instance.pk is None:
            return
        stored = type(instance)._default_manager.filter(pk=instance.pk).first()
        live_before[instance.pk] = listed_as(stored) if stored is not None and stored.live else None

    def notify_after_commit(page_id: int, slug: str, lists: bool) -> None:
        # After the commit: portal-blocks reads the page back at once and must see the change.
        transaction.on_commit(lambda: notify(url, secret, page_id, slug, lists=lists))

    def published(sender: Any, instance: Any, **kwargs: Any) -> None:
        before = live_before.pop(instance.pk, None)
        moved = before is None or before != listed_as(instance)
        notify_after_commit(instance.pk, instance.slug, moved)

    def unpublished(sender: Any, instance: Any, **kwargs: Any) -> None:
        live_before.pop(instance.pk, None)
        notify_after_commit(instance.pk, instance.slug, True)

    # weak=False: the receivers are closures that nothing else keeps alive.
    pre_save.connect(saving, weak=False, dispatch_uid="portal_blocks_page_saving")
    page_published.connect(published, weak=False, dispatch_uid="portal_blocks_page_published")
    page_unpublished.connect(unpublished, weak=False, dispatch_uid="portal_blocks_page_unpublished")
