"""The remote source an app's settings name (``PORTAL_BLOCKS_SOURCE`` and its companions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal_blocks.config import PREFIX, source_fields
from portal_blocks.content.remote.client import GraphQLClient
from portal_blocks.content.remote.dialects import DEFAULT_TYPES, DIALECTS, PRESETS
from portal_blocks.content.remote.records import FieldMap
from portal_blocks.content.remote.source import RemoteSource


def remote_source(config: Mapping[str, Any]) -> RemoteSource | None:
    """None for ``database`` (our table); otherwise one source for the app's process, whose
    client keeps its connections and its circuit across requests."""
    name = str(config[PREFIX + "SOURCE"])
    if name == "database":
        return None
    fields = FieldMap(
        {**PRESETS[name], **source_fields(config[PREFIX + "SOURCE_FIELDS"])},
        naive_dates_are_utc=name == "wpgraphql",  # dateGmt: UTC, said nowhere in the value
    )
    dialect = DIALECTS[name](str(config[PREFIX + "SOURCE_TYPE"]) or DEFAULT_TYPES[name], fields)
    client = GraphQLClient(
        str(config[PREFIX + "SOURCE_URL"]),
        token=str(config[PREFIX + "SOURCE_TOKEN"]) or None,
        connect_timeout=float(config[PREFIX + "SOURCE_CONNECT_TIMEOUT"]),
        read_timeout=float(config[PREFIX + "SOURCE_READ_TIMEOUT"]),
    )
    announces = bool(config[PREFIX + "WEBHOOK_SECRET"])
    return RemoteSource(
        client,
        dialect,
        announces_changes=announces,
        max_age=None if announces else int(config[PREFIX + "SOURCE_MAX_AGE"]),
    )
