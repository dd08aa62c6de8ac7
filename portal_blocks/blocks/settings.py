"""A block type's marshmallow settings schema is the one source of truth for its settings.

From it come the validation of edits (:func:`validate_settings`), the JSON Schema published to
editor UIs (:func:`json_schema`) and, in the GraphQL layer, the typed GraphQL settings type
(:mod:`portal_blocks.graphql.block_settings`). Nothing about a setting is written down twice.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import RAISE, Schema, ValidationError, fields, post_load

from portal_blocks.problems import (
    Refused,
    camelize,
    flatten_messages,
    normalized_messages,
    refuse,
)

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
    body = spec.to_dict()["components"]["schemas"][name]
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{name}.schema.json",
        "title": name,
        "description": description,
        **body,
    }
