"""A block type's marshmallow settings schema is the one source of truth for its settings.

From it come the validation of edits (:func:`validate_settings`), the typed GraphQL settings
type (:func:`graphql_settings_type`) and the JSON Schema published to editor UIs
(:func:`json_schema`). Nothing about a setting is written down twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from portal_blocks.blocks.base import BlockSettings

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def camelize(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


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

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        if field_obj.data_key is None:
            field_obj.data_key = camelize(field_name)

    @post_load
    def _lists_not_tuples(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """List defaults are declared as tuples (shared, immutable); loaded values are lists."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


@dataclass(frozen=True)
class FieldProblem:
    """One invalid input: where (a dotted path of JSON keys), a stable code, and a message."""

    field: str
    code: str
    message: str


class SettingsInvalid(Exception):
    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


_UNKNOWN_FIELD_MESSAGE = "Unknown field."
_CODES_BY_ERROR_KEY = {
    "required": "REQUIRED",
    "null": "NULL_NOT_ALLOWED",
    "invalid": "INVALID_TYPE",
    "type": "INVALID_TYPE",
    "unknown": "INVALID_CHOICE",
    "format": "INVALID_FORMAT",
}
_VALIDATOR_MESSAGES = ("error", "message_min", "message_max", "message_all", "message_equal")
_CODES_BY_VALIDATOR = {
    validate.Range: "OUT_OF_RANGE",
    validate.Length: "INVALID_LENGTH",
    validate.OneOf: "INVALID_CHOICE",
    validate.Regexp: "INVALID_FORMAT",
}


def _matches(message: str, template: str) -> bool:
    """marshmallow messages are templates such as "Must be one of: {choices}."."""
    return message == template or ("{" in template and message.startswith(template.split("{")[0]))


def _code_for(schema: Schema, key: str, message: str) -> str:
    """Give each marshmallow message a stable code, so clients need not parse English text."""
    if message == _UNKNOWN_FIELD_MESSAGE:
        return "UNKNOWN_FIELD"
    field = next((f for name, f in schema.fields.items() if (f.data_key or name) == key), None)
    if field is None:
        return "INVALID"
    inner = getattr(field, "inner", None)
    for candidate in (field, inner) if inner else (field,):
        for error_key, template in candidate.error_messages.items():
            if _matches(message, str(template)):
                return _CODES_BY_ERROR_KEY.get(error_key, "INVALID")
    validators = [*field.validators, *(inner.validators if inner else [])]
    known = [
        (validator, code)
        for validator in validators
        for validator_cls, code in _CODES_BY_VALIDATOR.items()
        if isinstance(validator, validator_cls)
    ]
    # Prefer the validator whose message this is (a field may have Length and Regexp).
    for validator, code in known:
        templates = [getattr(validator, attr, None) for attr in _VALIDATOR_MESSAGES]
        if any(t and _matches(message, str(t)) for t in templates):
            return code
    return known[0][1] if known else "INVALID"


def flatten_messages(
    schema: Schema, messages: dict[Any, Any], top: str | None = None, path: tuple[str, ...] = ()
) -> list[FieldProblem]:
    """marshmallow's nested error messages as a flat list of problems with stable codes."""
    problems = []
    for key, value in messages.items():
        here = (*path, "settings" if key == "_schema" else str(key))
        top_key = top or str(key)
        if isinstance(value, dict):
            problems += flatten_messages(schema, value, top_key, here)
        else:
            problems += [
                FieldProblem(".".join(here), _code_for(schema, top_key, m), m) for m in value
            ]
    return problems


def validate_settings(schema: Schema, raw: Any) -> dict[str, Any]:
    """Load settings through the schema; the result is the full, defaulted, typed settings."""
    if not isinstance(raw, dict):
        raise SettingsInvalid(
            [FieldProblem("settings", "INVALID_TYPE", "Settings must be an object.")]
        )
    try:
        return schema.load(raw)
    except ValidationError as exc:
        raise SettingsInvalid(flatten_messages(schema, exc.normalized_messages())) from None


def _python_type(field: fields.Field) -> Any:
    if isinstance(field, fields.Enum):
        return field.enum
    if isinstance(field, fields.List):
        return list[_python_type(field.inner)]  # type: ignore[misc]
    for field_cls, python_type in (
        (fields.Boolean, bool),
        (fields.Integer, int),
        (fields.Float, float),
        (fields.String, str),
    ):
        if isinstance(field, field_cls):
            return python_type
    raise TypeError(f"no GraphQL mapping for settings field {field!r}")


def graphql_settings_type(name: str, schema: Schema, description: str) -> type:
    """Build the typed GraphQL settings object of a block type from its marshmallow schema."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for attr, field in schema.fields.items():
        python_type = _python_type(field)
        annotations[attr] = python_type | None if field.allow_none else python_type
        namespace[attr] = strawberry.field(
            name=field.data_key, description=field.metadata.get("description")
        )
    namespace["__annotations__"] = annotations
    namespace["__module__"] = __name__
    cls = type(name, (BlockSettings,), namespace)
    return strawberry.type(cls, name=name, description=description)


def settings_object(graphql_type: type, schema: Schema, settings: dict[str, Any]) -> Any:
    return graphql_type(as_json=schema.dump(settings), **settings)


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
