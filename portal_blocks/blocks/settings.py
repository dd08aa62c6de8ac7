"""A block type's marshmallow settings schema is the one source of truth for its settings.

From it come the validation of edits (:func:`validate_settings`), the JSON Schema published to
editor UIs (:func:`json_schema`) and, in the GraphQL layer, the typed GraphQL settings type
(:mod:`portal_blocks.graphql.block_settings`). Nothing about a setting is written down twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from babel.dates import format_datetime
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from portal_blocks.problems import (
    Refused,
    camelize,
    flatten_messages,
    normalized_messages,
    refuse,
)
from portal_blocks.text.slug import CATEGORY_SLUG_MAX_LENGTH, SLUG_MAX_LENGTH, SLUG_PATTERN

#: A whole slug, in the regex dialect both Python and JSON Schema (ECMA-262) read.
SLUG_RE = rf"^{SLUG_PATTERN}$"


class _WholeSlug(validate.Regexp):
    """:data:`SLUG_RE`, also refusing the final newline Python's ``$`` lets through (a
    Regexp still: the JSON Schema gets its pattern, a refusal its INVALID_FORMAT code)."""

    def __init__(self) -> None:
        super().__init__(SLUG_RE, error="Not a slug (lowercase letters and digits, hyphens).")

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str) and "\n" in value:
            raise ValidationError(self._format_error(value))
        return super().__call__(value)


JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class StrictBoolean(fields.Boolean):
    """Only JSON true/false: marshmallow's Boolean also takes "yes", "on" and 1, which the
    published JSON Schema rejects; the two must agree."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class StrictInteger(fields.Integer):
    """Only JSON integers: not "5", not 5.0, not true (a bool is an int in Python)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class SettingsSchema(Schema):
    """Base of every block settings schema: camelCase keys outside, unknown keys rejected."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        if field_obj.data_key is None:
            field_obj.data_key = camelize(field_name)

    @post_load
    def _lists_not_tuples(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """List defaults are declared as tuples (shared, immutable); loaded values are lists."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def valid_date_pattern(pattern: str) -> None:
    """A marshmallow validator: ``pattern`` is a CLDR date pattern Babel can format with."""
    try:
        format_datetime(datetime(2021, 11, 10, tzinfo=UTC), pattern, locale="vi")
    except Exception as exc:  # Babel raises several types for a bad CLDR pattern
        raise ValidationError(f"Not a valid CLDR date pattern: {exc}") from None


def validate_settings(schema: Schema, raw: Any) -> dict[str, Any]:
    """Load settings through the schema; the result is the full, defaulted, typed settings."""
    if not isinstance(raw, dict):
        raise refuse("settings", "INVALID_TYPE", "Settings must be an object.")
    try:
        settings: dict[str, Any] = schema.load(raw)  # marshmallow gives load() no return type
    except ValidationError as exc:
        raise Refused(
            flatten_messages(schema, normalized_messages(exc), under="settings")
        ) from None
    return settings


def json_schema(name: str, schema: Schema, description: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) an editor UI uses to render and pre-check a settings form."""
    spec = APISpec(
        title="portal-blocks", version="1", openapi_version="3.1.0", plugins=[MarshmallowPlugin()]
    )
    spec.components.schema(name, schema=schema)
    components = spec.to_dict()["components"]["schemas"]
    body = _local_refs(components.pop(name))
    nested = {key: _local_refs(value) for key, value in sorted(components.items())}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{name}.schema.json",
        "title": name,
        "description": description,
        **body,
        **({"$defs": nested} if nested else {}),
    }


_COMPONENT_REF = "#/components/schemas/"


def _local_refs(node: Any) -> Any:
    """``node`` with apispec's references to nested schemas (OpenAPI components) pointing into
    the document's own ``$defs``: a published JSON Schema must resolve without the spec."""
    if isinstance(node, dict):
        return {
            key: (
                "#/$defs/" + value.removeprefix(_COMPONENT_REF)
                if key == "$ref" and isinstance(value, str) and value.startswith(_COMPONENT_REF)
                else _local_refs(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_local_refs(item) for item in node]
    return node


class CategorySlug(fields.String):
    """A category by its slug (``kinh-te``), or null for the page's own. Whether some article
    belongs to it is checked when the settings are saved
    (:mod:`portal_blocks.layout.references`): the schema alone cannot know."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            load_default=None,
            allow_none=True,
            validate=[validate.Length(max=CATEGORY_SLUG_MAX_LENGTH), _WholeSlug()],
            **kwargs,
        )


class ArticleSlugs(fields.List[str]):
    """Articles chosen by their slugs, in order; that each names an article is checked when
    the settings are saved, as for :class:`CategorySlug`."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        slug = fields.String(validate=[validate.Length(max=SLUG_MAX_LENGTH), _WholeSlug()])
        super().__init__(slug, load_default=(), validate=validate.Length(max=max_length), **kwargs)
