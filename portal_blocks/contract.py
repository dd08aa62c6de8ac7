"""The committed contract: the GraphQL SDL and each block type's settings JSON Schema.

Tests compare these files with what the code produces, so a change to the API is always a
visible diff in review.
"""

from __future__ import annotations

import json
from pathlib import Path

from portal_blocks.blocks.registry import registry
from portal_blocks.graphql.schema import PortalSchema

SDL_FILE = "portal_blocks.graphql"


def expected_files(schema: PortalSchema) -> dict[str, str]:
    """Relative path under ``schema/`` -> file content, for an app's schema and block types."""
    files = {SDL_FILE: schema.as_str() + "\n"}
    for block_type in registry:
        files[f"blocks/{block_type.name}.schema.json"] = (
            json.dumps(block_type.json_schema(), ensure_ascii=False, indent=2) + "\n"
        )
    return files


def stale_files(directory: Path, schema: PortalSchema) -> list[str]:
    """Files under ``directory`` that differ from what the code produces (or are missing)."""
    stale = []
    expected = expected_files(schema)
    for name, content in expected.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            stale.append(name)
    known = set(expected)
    stale += [
        str(p.relative_to(directory))
        for p in sorted((directory / "blocks").glob("*.json"))
        if str(p.relative_to(directory)) not in known
    ]
    return stale


def write(directory: Path, schema: PortalSchema) -> list[str]:
    (directory / "blocks").mkdir(parents=True, exist_ok=True)
    for path in (directory / "blocks").glob("*.json"):
        path.unlink()
    written = []
    for name, content in expected_files(schema).items():
        (directory / name).write_text(content, encoding="utf-8")
        written.append(name)
    return written
