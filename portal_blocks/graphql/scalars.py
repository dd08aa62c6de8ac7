"""The ``DateTime`` scalar as strawberry defines it, with every refusal of a value typed.

strawberry's parser turns only a ``ValueError`` into a GraphQL error, and one without a code:
``"9999-12-31T24:00:00Z"`` (midnight after the last day) overflows instead, and came out as an
unexpected error; ``"10000-01-01T00:00:00Z"`` was refused with no ``extensions.code``. Here
every value the parser cannot read is INVALID_ARGUMENT, and graphql-core keeps the code on the
error it reports for a variable or a literal. Text is parsed as before (ISO 8601 by dateutil),
and the SDL is unchanged: same name, same description.

Whether a date that parses is one we store (it has a UTC form, it is aware) is the article
schema's check, so that GraphQL and the importer refuse it alike, as a field problem.
"""

from __future__ import annotations

import datetime as dt

# python-dateutil ships no type stubs; it is the parser strawberry's own DateTime uses.
from dateutil.parser import isoparse  # type: ignore[import-untyped]
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

from portal_blocks.graphql.errors import InvalidArgument


def _parse_datetime(value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise _invalid(f'Value cannot represent a DateTime: "{value}". Expected a string.')
    try:
        parsed: dt.datetime = isoparse(value)
    except (ValueError, OverflowError) as exc:
        raise _invalid(f'Value cannot represent a DateTime: "{value}". {exc}') from None
    return parsed


def _invalid(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": InvalidArgument.code})


DATETIME = ScalarDefinition(
    name="DateTime",
    description="Date with time (isoformat)",
    specified_by_url=None,
    serialize=dt.datetime.isoformat,
    parse_value=_parse_datetime,
    parse_literal=None,
    origin=dt.datetime,
)

#: ``scalar_overrides`` of the schema.
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.datetime: DATETIME}
