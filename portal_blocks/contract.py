"""The committed contract: the GraphQL SDL and each block type's settings JSON Schema.

Tests compare these files with what the code produces, so a change to the API is always a
visible diff in review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from portal_blocks.graphql.schema import PortalSchema

SDL_FILE = "portal_blocks.graphql"


def expected_files(schema: PortalSchema) -> dict[str, str]:
    """Relative path under ``schema/`` -> file content, for a schema and its block types."""
    files = {SDL_FILE: schema.as_str() + "\n"}
    for block_type in schema.block_types:
        files[f"blocks/{block_type.name}.schema.json"] = (
            json.dumps(block_type.json_schema(), ensure_ascii=False, indent=2) + "\n"
        )
    return files


@dataclass(frozen=True)
class Drift:
    """How the files under a directory differ from what the code produces, by kind: each
    kind asks something else of whoever reads the message (export, review, delete)."""

    #: Produced by the code, not in the directory.
    missing: list[str] = field(default_factory=list)
    #: In the directory with other content than the code produces.
    stale: list[str] = field(default_factory=list)
    #: Block schemas in the directory that the code no longer produces.
    extra: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale or self.extra)

    def describe(self) -> str:
        """E.g. ``missing: portal_blocks.graphql; stale (differ from the code): blocks/X``."""
        parts = [
            f"{label}: {', '.join(names)}"
            for label, names in (
                ("missing", self.missing),
                ("stale (differ from the code)", self.stale),
                ("not produced by the code", self.extra),
            )
            if names
        ]
        return "; ".join(parts)


def compare(directory: Path, schema: PortalSchema) -> Drift:
    drift = Drift()
    expected = expected_files(schema)
    for name, content in expected.items():
        path = directory / name
        if not path.is_file():
            drift.missing.append(name)
        elif path.read_text(encoding="utf-8") != content:
            drift.stale.append(name)
    drift.extra.extend(
        str(p.relative_to(directory))
        for p in sorted((directory / "blocks").glob("*.json"))
        if str(p.relative_to(directory)) not in expected
    )
    return drift


def stale_files(directory: Path, schema: PortalSchema) -> list[str]:
    """Files under ``directory`` that differ from what the code produces (or are missing)."""
    drift = compare(directory, schema)
    differing = set(drift.missing) | set(drift.stale)
    return [name for name in expected_files(schema) if name in differing] + drift.extra


def write(directory: Path, schema: PortalSchema) -> list[str]:
    (directory / "blocks").mkdir(parents=True, exist_ok=True)
    for path in (directory / "blocks").glob("*.json"):
        path.unlink()
    written = []
    for name, content in expected_files(schema).items():
        (directory / name).write_text(content, encoding="utf-8")
        written.append(name)
    return written
