"""A kept, valid query runs straight through graphql-core and is answered exactly as before.

Each request is sent twice with the response cache emptied in between: the first time its
text is new, so strawberry's whole way parses and validates it; the second time the schema may
run it itself (``graphql.ready_queries``). Both answers must be the same, status and body, for
every kind of answer: data, errors a resolver raised on purpose, masked unexpected errors,
variables that do not fit, refusals before execution.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from graphql import parse

from portal_blocks.cache_tags import ALL
from portal_blocks.graphql import documents, schema
from portal_blocks.graphql.schema import PortalSchema
from portal_blocks.state import get_state

PATH = "/Pages/gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9.aspx"
TWO_OPERATIONS = "query A { blockTypes { name } } query B { blockTypes { name } }"
PAGE = "query Page($path: String!) { page(path: $path) { path regions { blocks { __typename } } } }"


@pytest.fixture
def set_ups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many requests went strawberry's way: it builds the schema's extension for each."""
    calls: list[int] = []
    real = PortalSchema.get_extensions

    def counted(self: PortalSchema, sync: bool = False) -> list[Any]:
        calls.append(1)
        return real(self, sync)

    monkeypatch.setattr(PortalSchema, "get_extensions", counted)
    return calls


def _new(text: str) -> str:
    """``text`` as no earlier request sent it (a comment of its own): not kept yet."""
    return f"# {uuid.uuid4().hex}\n{text}"


def _answer(app: Flask, send: Callable[[], Any]) -> tuple[int, Any]:
    get_state(app).front.store.invalidate(frozenset({ALL}))
    response = send()
    body = response.get_json()
    for error in (body or {}).get("errors", []):
        (error.get("extensions") or {}).pop("requestId", None)  # one per request
    return response.status_code, body


def _twice(app: Flask, send: Callable[[], Any], set_ups: list[int]) -> tuple[Any, Any, bool]:
    """Both answers, and whether the second one skipped strawberry's request set-up."""
    first = _answer(app, send)
    before = len(set_ups)
    second = _answer(app, send)
    return first, second, len(set_ups) == before


def _post(client: Any, query: str, variables: Any = None, name: str | None = None) -> Any:
    body = {"query": query, "variables": variables, "operationName": name}
    return lambda: client.post("/graphql", json={k: v for k, v in body.items() if v is not None})


def test_a_kept_query_is_answered_the_same_without_strawberrys_set_up(app, client, set_ups):
    query = _new(PAGE)
    first, second, ready = _twice(app, _post(client, query, {"path": PATH}), set_ups)
    assert ready
    assert first == second
    status, body = second
    assert status == 200
    assert "errors" not in body
    assert body["data"]["page"]["path"] == PATH
    blocks = body["data"]["page"]["regions"][0]["blocks"]
    assert [b["__typename"] for b in blocks] == ["Block_BanTin_Toolbar", "Block_BanTin_ViewData"]


CASES = {
    # name: (query, variables, operation name, whether the second request skips the set-up,
    #        the code of the answer's first error, or None for an answer with none)
    "an error raised on purpose": (PAGE, {"path": "/tin-tuc/khong-co"}, None, True, "NOT_FOUND"),
    "variables of the wrong type": (PAGE, {"path": 5}, None, True, "BAD_USER_INPUT"),
    "a required variable missing": (PAGE, {}, None, True, "BAD_USER_INPUT"),
    "a named operation of several": (TWO_OPERATIONS, None, "B", True, None),
    "several operations, none named": (
        TWO_OPERATIONS,
        None,
        None,
        False,
        "OPERATION_NAME_REQUIRED",
    ),
    "an operation name that names none": (TWO_OPERATIONS, None, "C", False, "BAD_REQUEST"),
    "NUL in the variables": (PAGE, {"path": "/tin-tuc/a\x00b"}, None, False, "INVALID_TEXT"),
    "a field the schema does not have": (
        "{ blockTypes { nosuchfield } }",
        None,
        None,
        False,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "a mutation": (
        "mutation { setDisplayPreferences(textSize: 120) { errors { code } } }",
        None,
        None,
        False,
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_every_kind_of_answer_is_the_same_either_way(app, client, set_ups, case):
    query, variables, name, expect_ready, code = CASES[case]
    first, second, ready = _twice(app, _post(client, _new(query), variables, name), set_ups)
    assert first == second
    assert ready is expect_ready
    errors = second[1].get("errors")
    assert (errors[0]["extensions"]["code"] if errors else None) == code
    if code == "BAD_USER_INPUT":
        assert second[1]["data"] is None


def test_a_mutation_over_get_is_refused_the_same_way(app, client, set_ups):
    query = _new("mutation { setDisplayPreferences(textSize: 120) { errors { code } } }")
    first, second, ready = _twice(
        app, lambda: client.get("/graphql", query_string={"query": query}), set_ups
    )
    assert not ready
    assert first == second
    assert first[0] == 400


def test_an_unexpected_error_is_logged_and_masked_the_same_way(
    app, client, set_ups, monkeypatch, caplog
):
    from portal_blocks.layout import routing

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("secret driver text")

    monkeypatch.setattr(routing, "match_route", broken)
    query = _new(PAGE)
    first, second, ready = _twice(app, _post(client, query, {"path": "/tin-tuc/x"}), set_ups)
    assert ready
    assert first == second
    [error] = second[1]["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in str(second)
    assert caplog.text.count("secret driver text") >= 2  # the cause logged both times


def test_execution_that_does_not_finish_synchronously_is_an_unexpected_error(
    app, client, set_ups, monkeypatch
):
    """No resolver of ours is async; if one were, the answer is a masked error, not a 500."""
    query = _new(PAGE)
    _answer(app, _post(client, query, {"path": PATH}))  # kept and validated

    async def never_sync() -> None:
        await asyncio.sleep(0)

    monkeypatch.setattr(schema, "execute", lambda *_a, **_k: never_sync())
    status, body = _answer(app, _post(client, query, {"path": PATH}))
    assert status == 200
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


def test_ready_gives_only_a_document_kept_and_valid_under_the_rules() -> None:
    cache = documents.DocumentCache()
    rules: documents.Rules = ()
    text = "{ blockTypes { name } }"
    assert cache.ready(text, rules) is None  # not kept
    node = cache.parse(text)
    assert cache.ready(text, rules) is None  # kept, not validated under these rules
    cache._entries[text].errors[rules] = []
    assert cache.ready(text, rules) is node
    cache._entries[text].errors[rules] = [documents.GraphQLError("invalid")]
    assert cache.ready(text, rules) is None
    assert cache.ready(text, (type(parse),)) is None  # other rules: not validated under them


def test_errors_reach_the_schemas_process_errors_either_way(app, client, set_ups, monkeypatch):
    """strawberry's way hands errors to ``Schema.process_errors`` (where a host hooks error
    reporting in); a ready query hands them there too."""
    seen: list[str] = []

    def recorded(self: PortalSchema, errors: list, execution_context: Any = None) -> None:
        seen.extend(error.message for error in errors)

    monkeypatch.setattr(PortalSchema, "process_errors", recorded)
    query = _new(PAGE)
    first, second, ready = _twice(app, _post(client, query, {"path": "/tin-tuc/khong-co"}), set_ups)
    assert ready
    assert first == second
    message = second[1]["errors"][0]["message"]
    assert seen == [message, message]
