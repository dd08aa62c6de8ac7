"""Readers' saved display preferences by viewer id, so a returning reader's warm hit runs no SQL.

Only saved preferences are kept: an id with none (a new or a forged cookie) is asked of the
database each time, so made-up ids cannot fill the cache. Saving drops the viewer's entry in
every process (tag ``viewer:<id>``), like any other committed write.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from portal_blocks.cache_tags import viewer_tag
from portal_blocks.caching.stores import TaggedStore
from portal_blocks.preferences import load_preferences

Preferences = dict[str, Any]


class PreferenceCache:
    def __init__(self, store: TaggedStore[Preferences]) -> None:
        self.store = store

    def load(self, session: Session, viewer: str | None) -> Preferences:
        if viewer is None:
            return {}
        found, token = self.store.lookup(viewer)
        if found is not None:
            return dict(found)  # entries are shared: the caller gets its own copy
        preferences = load_preferences(session, viewer)
        if preferences:
            self.store.put(viewer, dict(preferences), frozenset({viewer_tag(viewer)}), token)
        return preferences


def encode_preferences(preferences: Preferences) -> bytes:
    return json.dumps(preferences, separators=(",", ":")).encode()


def decode_preferences(raw: bytes) -> Preferences:
    preferences: Preferences = json.loads(raw)  # what encode_preferences wrote
    return preferences
