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
from marshmallow.fields import Field


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
)


def _matches(message: str, template: str) -> bool:
    """marshmallow messages are templates such as "Must be one of: {choices}."."""
    return message == template or ("{" in template and message.startswith(template.split("{")[0]))


def _field_named(schema: Schema, key: str) -> Field[Any] | None:
    return next((f for name, f in schema.fields.items() if (f.data_key or name) == key), None)


def _code_for(schema: Schema, key: str, message: str) -> str:
    """Give each marshmallow message a stable code, so clients need not parse English text."""
    if message == _UNKNOWN_FIELD_MESSAGE:
        return "UNKNOWN_FIELD"
    field = _field_named(schema, key)
    if field is None:
        return "INVALID"
    inner: Field[Any] | None = getattr(field, "inner", None)
    for candidate in (field, inner) if inner is not None else (field,):
        for error_key, template in candidate.error_messages.items():
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

    def walk(node: Mapping[Any, Any], top: str | None, path: tuple[str, ...]) -> None:
        for key, value in node.items():
            if key == "_schema":
                here = path
            else:
                here = (*path, key_name(str(key)) if top is None else str(key))
            top_key = top if top is not None else str(key)
            if isinstance(value, Mapping):
                walk(value, top_key, here)
            else:
                dotted = ".".join((under, *here)) if under else ".".join(here)
                problems.extend(
                    FieldProblem(dotted, _code_for(schema, top_key, m), m) for m in value
                )

    walk(messages, None, ())
    return problems
