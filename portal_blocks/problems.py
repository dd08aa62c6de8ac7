"""Field problems: the one shape every refusal of input takes, whoever refuses it.

Block settings, article input and layout edits are all refused the same way: a list of
problems, each a dotted path of JSON keys (``settings.fontSizeMax``, ``input.title``), a stable
code clients can switch on, and a message. marshmallow's nested error messages are flattened
into that list in one place (:func:`flatten_messages`), so the same bad value is reported at the
same path by every caller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from marshmallow import Schema, ValidationError, validate
from marshmallow.fields import Field, List, Nested


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid input: where (a dotted path of JSON keys), a stable code, and a message."""

    field: str
    code: str
    message: str


class Refused(Exception):
    """The input or edit cannot be applied as asked; nothing of it is kept."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def refuse(field: str, code: str, message: str) -> Refused:
    return Refused([FieldProblem(field, code, message)])


def camelize(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


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
_CODES_BY_VALIDATOR: tuple[tuple[type[validate.Validator], str], ...] = (
    (validate.Range, "OUT_OF_RANGE"),
    (validate.Length, "INVALID_LENGTH"),
    (validate.OneOf, "INVALID_CHOICE"),
    (validate.Regexp, "INVALID_FORMAT"),
    (validate.URL, "INVALID_FORMAT"),
)


def _matches(message: str, template: str) -> bool:
    """marshmallow messages are templates such as "Must be one of: {choices}."."""
    return message == template or ("{" in template and message.startswith(template.split("{")[0]))


def _field_named(schema: Schema, key: str) -> Field[Any] | None:
    return next((f for name, f in schema.fields.items() if (f.data_key or name) == key), None)


def _field_at(schema: Schema, keys: tuple[str, ...]) -> Field[Any] | None:
    """The field a path of (raw) keys names, through list items (keyed by their index) and
    nested schemas; None when a key names no field."""
    field = _field_named(schema, keys[0]) if keys else None
    for key in keys[1:]:
        if field is None:
            return None
        if key.isdigit() and isinstance(field, List):
            field = field.inner
        elif key.isdigit() and isinstance(field, Nested) and field.many:
            continue
        elif isinstance(field, Nested):
            field = _field_named(field.schema, key)
        else:
            return None
    return field


def _code_for(schema: Schema, keys: tuple[str, ...], message: str) -> str:
    """Give each marshmallow message a stable code, so clients need not parse English text.

    The code is the one of the field the path names (``links.1.url``: the ``url`` of the
    nested link), else of the top-level field the path starts at."""
    if message == _UNKNOWN_FIELD_MESSAGE:
        return "UNKNOWN_FIELD"
    field = _field_at(schema, keys) or (_field_named(schema, keys[0]) if keys else None)
    if field is None:
        return "INVALID"
    inner: Field[Any] | None = getattr(field, "inner", None)
    candidates: list[Mapping[str, Any]] = [
        f.error_messages for f in ((field, inner) if inner is not None else (field,))
    ]
    if isinstance(field, Nested):
        # A nested object's own errors (not an object at all) are its schema's messages.
        candidates.append(field.schema.error_messages)
    for error_messages in candidates:
        for error_key, template in error_messages.items():
            if _matches(message, str(template)):
                return _CODES_BY_ERROR_KEY.get(error_key, "INVALID")
    validators = [*field.validators, *(inner.validators if inner is not None else [])]
    known = [
        (validator, code)
        for validator in validators
        for validator_cls, code in _CODES_BY_VALIDATOR
        if isinstance(validator, validator_cls)
    ]
    # Prefer the validator whose message this is (a field may have Length and Regexp).
    for validator, code in known:
        templates = [getattr(validator, attr, None) for attr in _VALIDATOR_MESSAGES]
        if any(t and _matches(message, str(t)) for t in templates):
            return code
    if len(known) < len(validators):
        # A validator of the field's own (a function: "not a CLDR pattern") refused the value's
        # form; it is none of the known ones, whose messages did not match.
        return "INVALID_FORMAT"
    return known[0][1] if known else "INVALID"


def normalized_messages(error: ValidationError) -> dict[str, Any]:
    """``error.normalized_messages()``, with the type marshmallow leaves off it.

    The method is unannotated, so a strict type checker refuses the call; it returns the
    messages keyed by field (a schema's own errors under ``_schema``), a dict always.
    """
    messages = cast(Callable[[], dict[str, Any]], error.normalized_messages)
    return messages()


def flatten_messages(
    schema: Schema,
    messages: Mapping[Any, Any],
    *,
    under: str,
    key_name: Callable[[str], str] = str,
) -> list[FieldProblem]:
    """marshmallow's nested error messages as a flat list of problems with stable codes.

    Paths start at ``under`` (``settings``, ``input``); a problem of the whole object
    (marshmallow's ``_schema`` key) is reported at ``under`` itself. ``key_name`` spells a
    top-level key as clients know it (article input: camelCase of the attribute).
    """
    problems: list[FieldProblem] = []

    def walk(node: Mapping[Any, Any], keys: tuple[str, ...], path: tuple[str, ...]) -> None:
        """``keys``: the raw keys down to ``node`` (fields are found by them); ``path``: the
        same as clients spell them. List items are keyed by their index (``links.1.url``)."""
        for key, value in node.items():
            if key == "_schema":
                here, raw = path, keys
            else:
                here = (*path, key_name(str(key)) if not keys else str(key))
                raw = (*keys, str(key))
            if isinstance(value, Mapping):
                walk(value, raw, here)
            else:
                dotted = ".".join((under, *here)) if under else ".".join(here)
                problems.extend(FieldProblem(dotted, _code_for(schema, raw, m), m) for m in value)

    walk(messages, (), ())
    return problems
