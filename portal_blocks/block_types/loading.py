"""Block types from other packages, loaded when an app is created.

A package declares its block types under the entry-point group ``portal_blocks.block_types``;
each entry point names a :class:`~portal_blocks.blocks.registry.BlockType`, or a callable
taking no argument that returns one or several. The app serves the built-in types and, of the
installed ones, every one or those ``PORTAL_BLOCKS_BLOCK_TYPES`` names.

Every installed entry point is loaded and checked, enabled or not, before anything is
registered: a broken package or two packages claiming one name stop the start with a message
naming each entry point and its distribution, rather than an app that serves half of its
block types, or a page that fails when it first shows a block. The built-in types are not
entry points: they are served whatever is installed or chosen (the demo layout and the
committed contract rely on them), also from a source tree that was never installed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from marshmallow import Schema
from strawberry.types.base import get_object_definition

from portal_blocks.block_types import BUILTIN
from portal_blocks.blocks.registry import BlockType, registry
from portal_blocks.config import PREFIX, SettingsError, name_list
from portal_blocks.graphql.blocks import Block
from portal_blocks.graphql.schema import Limits, PortalSchema, schema_for
from portal_blocks.problems import Refused
from portal_blocks.render.templates import template_problem

log = logging.getLogger(__name__)

GROUP = "portal_blocks.block_types"
SETTING = PREFIX + "BLOCK_TYPES"
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


@dataclass(frozen=True)
class Source:
    """Where a block type is declared: an entry point of a distribution, or portal-blocks."""

    distribution: str
    #: The entry point's name and value (``module:attribute``); None for a built-in type.
    entry_point: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        if self.entry_point is None:
            return f"{self.distribution} (built in)"
        return f"entry point {self.entry_point!r} ({self.value}) of {self.distribution}"


BUILT_IN = Source("portal-blocks")


@dataclass(frozen=True)
class LoadedBlockType:
    block_type: BlockType
    source: Source

    @property
    def name(self) -> str:
        return self.block_type.name


class BlockTypeError(Exception):
    """Installed block types that cannot be served, each named with where it comes from.
    Raised before anything is registered."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = f"A block type cannot be loaded ({GROUP}): {self.problems[0]}"
        else:
            message = f"Block types cannot be loaded ({GROUP}), {len(self.problems)} problems:\n"
            message += "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(message)


def _source(entry_point: EntryPoint) -> Source:
    dist = entry_point.dist
    distribution = f"{dist.name} {dist.version}" if dist is not None else "an unknown distribution"
    return Source(distribution, entry_point.name, entry_point.value)


#: What each entry point gave, by (distribution, name, value): an entry point is loaded once
#: per process, like its module, so every app of the process gets the same definitions.
_LOADED: dict[tuple[str, str, str], tuple[BlockType, ...]] = {}


def _block_types_of(entry_point: EntryPoint) -> tuple[BlockType, ...]:
    """Raises ``ValueError`` saying what is wrong with the entry point."""
    key = (_source(entry_point).distribution, entry_point.name, entry_point.value)
    if key in _LOADED:
        return _LOADED[key]
    try:
        target = entry_point.load()
    except Exception as exc:  # whatever importing a package's module raises
        raise ValueError(f"cannot be imported: {type(exc).__name__}: {exc}") from exc
    given = target
    if not isinstance(target, BlockType):
        if not callable(target):
            raise ValueError(
                f"names {target!r}, which is neither a BlockType nor a callable returning some"
            )
        try:
            given = target()
        except Exception as exc:  # the package's own code
            raise ValueError(f"failed when called: {type(exc).__name__}: {exc}") from exc
    found = (given,) if isinstance(given, BlockType) else given
    if (
        isinstance(found, str | bytes)
        or not isinstance(found, Iterable)
        or not (found := tuple(found))
        or not all(isinstance(item, BlockType) for item in found)
    ):
        raise ValueError(f"gave {given!r}, not a BlockType or a non-empty list of them")
    _LOADED[key] = found
    return found


def block_type_problems(block_type: BlockType) -> list[str]:
    """What keeps ``block_type`` from being served, or nothing: each thing the app relies on
    when it builds the schema, lists block types to editors and renders a page."""
    name = block_type.name
    if not isinstance(name, str) or not _GRAPHQL_NAME.fullmatch(name) or name.startswith("__"):
        return [f"its name {name!r} is not a GraphQL type name (letters, digits and _)"]
    problems = []
    if not isinstance(block_type.description, str):
        problems.append(f"its description must be a string (got {block_type.description!r})")
    problems += _graphql_type_problems(block_type)
    problems += _settings_problems(block_type)
    if not callable(block_type.build):
        problems.append(f"its build must be a function (got {block_type.build!r})")
    if block_type.text_size_bounds is not None and not callable(block_type.text_size_bounds):
        problems.append("its text_size_bounds must be a function or None")
    age = block_type.cache_max_age
    if isinstance(age, bool) or not isinstance(age, int) or age < 0:
        problems.append(f"its cache_max_age must be an integer of seconds >= 0 (got {age!r})")
    for assets in (block_type.assets_css, block_type.assets_js):
        if not isinstance(assets, tuple) or not all(isinstance(a, str) for a in assets):
            problems.append(f"its assets must be tuples of file names (got {assets!r})")
    template = template_problem(block_type)
    if template is not None:
        problems.append(template)
    return problems


def _graphql_type_problems(block_type: BlockType) -> list[str]:
    graphql_type = block_type.graphql_type
    if not isinstance(graphql_type, type) or not issubclass(graphql_type, Block):
        return [
            f"its graphql_type {graphql_type!r} is not a strawberry type implementing "
            "portal_blocks.graphql.blocks.Block"
        ]
    definition = get_object_definition(graphql_type)
    if definition is None or definition.is_interface:
        return [f"its graphql_type {graphql_type.__name__} is not a strawberry object type"]
    if definition.name != block_type.name:
        return [
            f"its graphql_type is named {definition.name!r} in GraphQL, not {block_type.name!r} "
            "(a block's __typename is its block type)"
        ]
    if not callable(getattr(graphql_type, "from_view", None)):
        return [f"its graphql_type {graphql_type.__name__} has no from_view classmethod"]
    return []


def _settings_problems(block_type: BlockType) -> list[str]:
    if not isinstance(block_type.schema, Schema):
        return [f"its schema must be a marshmallow Schema instance (got {block_type.schema!r})"]
    try:
        block_type.defaults  # noqa: B018  # a new block starts from them
    except Refused as exc:
        fields = ", ".join(f"{p.field} ({p.code})" for p in exc.problems)
        return [f"its settings need a default each (load_default); without one: {fields}"]
    except Exception as exc:  # the package's own schema
        return [f"its settings schema cannot give defaults: {type(exc).__name__}: {exc}"]
    try:
        block_type.json_schema()
    except Exception as exc:  # apispec meeting a field it cannot describe
        return [f"its settings have no JSON Schema: {type(exc).__name__}: {exc}"]
    return []


def installed_block_types() -> list[LoadedBlockType]:
    """The built-in types and those of every installed entry point, each checked; raises
    :class:`BlockTypeError` naming every entry point that is broken or claims a taken name."""
    found = [LoadedBlockType(t, BUILT_IN) for t in BUILTIN]
    problems: list[str] = []
    for entry_point in sorted(entry_points(group=GROUP), key=lambda e: (e.name, e.value)):
        source = _source(entry_point)
        try:
            found.extend(LoadedBlockType(t, source) for t in _block_types_of(entry_point))
        except ValueError as exc:
            problems.append(f"{source} {exc}")
    by_name: dict[str, LoadedBlockType] = {}
    for loaded in found:
        problems.extend(
            f"{loaded.source}: block type {loaded.name!r}: {problem}"
            for problem in block_type_problems(loaded.block_type)
        )
        first = by_name.setdefault(loaded.name, loaded)
        if first.block_type is not loaded.block_type:
            problems.append(
                f"{loaded.source}: block type {loaded.name!r} is already defined by "
                f"{first.source}; each block type needs a name of its own"
            )
    if problems:
        raise BlockTypeError(problems)
    return list(by_name.values())


def select(installed: Sequence[LoadedBlockType], selection: Any) -> list[LoadedBlockType]:
    """The built-in types plus those ``selection`` (``PORTAL_BLOCKS_BLOCK_TYPES``) names by
    block type or entry-point name; every installed one when it names none. A name that
    matches nothing is refused: a typo would otherwise quietly leave a block type out."""
    names = [str(name).strip() for name in name_list(selection or [])]
    if not names:
        return list(installed)
    unknown = [
        name for name in names if not any(name in (t.name, t.source.entry_point) for t in installed)
    ]
    if unknown:
        choices = ", ".join(
            t.name if t.source.entry_point is None else f"{t.name} ({t.source})" for t in installed
        )
        raise SettingsError(
            {
                SETTING: f"names no installed block type or entry point: "
                f"{', '.join(map(repr, unknown))}; installed: {choices}"
            }
        )
    return [
        t
        for t in installed
        if t.source.entry_point is None or t.name in names or t.source.entry_point in names
    ]


def load_block_types(selection: Any) -> list[LoadedBlockType]:
    """What an app serves: see :func:`installed_block_types` and :func:`select`."""
    return select(installed_block_types(), selection)


def serve(limits: Limits, block_types: Sequence[LoadedBlockType]) -> PortalSchema:
    """The app's schema over ``block_types``, which are then registered in the process's
    registry; if the schema cannot be built, :class:`BlockTypeError` names the entry points
    whose types break it and nothing is registered."""
    taken = [
        f"{t.source}: another definition of block type {t.name!r} is served by another app "
        "of this process"
        for t in block_types
        if registry.find(t.name) not in (None, t.block_type)
    ]
    if taken:
        raise BlockTypeError(taken)
    definitions = tuple(sorted((t.block_type for t in block_types), key=lambda t: t.name))
    try:
        schema = schema_for(limits, definitions)
    except Exception as exc:  # strawberry's and graphql-core's many errors
        raise BlockTypeError(_schema_problems(limits, block_types, exc)) from exc
    registry.add_all(definitions)
    plugins = [t for t in block_types if t.source.entry_point is not None]
    if plugins:
        log.info("block types of installed packages: %s", ", ".join(map(_named, plugins)))
    return schema


def _named(loaded: LoadedBlockType) -> str:
    return f"{loaded.name} from {loaded.source}"


def _schema_problems(
    limits: Limits, block_types: Sequence[LoadedBlockType], error: Exception
) -> list[str]:
    """Which block types break the schema: each one that does with the built-ins alone, else
    (two that clash, e.g. over a GraphQL type name) all of those from packages together."""
    plugins = [t for t in block_types if t.source.entry_point is not None]
    problems = []
    for loaded in plugins:
        try:
            schema_for(limits, tuple(sorted((*BUILTIN, loaded.block_type), key=lambda t: t.name)))
        except Exception as exc:  # as above
            problems.append(
                f"{loaded.source}: block type {loaded.name!r} makes no valid GraphQL schema: "
                f"{type(exc).__name__}: {exc}"
            )
    if problems:
        return problems
    together = "; ".join(map(_named, plugins)) or "the built-in types"
    return [f"together, {together} make no valid GraphQL schema: {type(error).__name__}: {error}"]
