"""Documents built to be expensive, ambiguous or unreadable are refused quickly and clearly:
a GraphQL error or a JSON 400, never a 500 or a traceback, and the server keeps serving."""

import json
import time
import uuid

import pytest
from graphql import parse

from portal_blocks.block_types import BUILTIN
from portal_blocks.graphql.limits import limit_errors

OK_QUERY = {"query": "{ blockTypes { name } }"}
TOO_COMPLEX = "QUERY_TOO_COMPLEX"


def still_serving(client) -> None:
    response = client.post("/graphql", json=OK_QUERY)
    assert response.status_code == 200
    assert len(response.get_json()["data"]["blockTypes"]) == len(BUILTIN)


def fragment_bomb(levels: int) -> str:
    """About 1 KB whose fragments each spread the next one twice: 2^levels paths. The comment
    makes the text new to the parser and validation caches of this process."""
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return (
        f"# {uuid.uuid4()}\nquery {{ ...F0 }} {fragments} "
        f"fragment F{levels} on Query {{ __typename }}"
    )


def refusals(body: dict) -> list[dict]:
    """The errors of a limit (strawberry's limiters gave theirs no extensions)."""
    return [e for e in body["errors"] if e.get("extensions", {}).get("code") == TOO_COMPLEX]


# 1. Fragment spreads


def test_a_fragment_bomb_is_refused_in_milliseconds(client):
    still_serving(client)  # the app is warm: what is timed is the document
    query = fragment_bomb(28)
    assert len(query) < 1200
    started = time.perf_counter()
    response = client.post("/graphql", json={"query": query})
    elapsed = time.perf_counter() - started
    # Linear, not exponential: 28 levels of doubled spreads expand to 2**28 (hours); counted
    # once per fragment they take milliseconds. The bound leaves a slow machine room.
    assert elapsed < 2, f"{elapsed * 1000:.0f} ms"
    body = response.get_json()
    assert response.status_code == 200
    assert body["data"] is None
    [error] = refusals(body)
    assert error["extensions"]["limit"] == "maxFragmentSpreads"
    assert "fragment spreads" in error["message"]
    still_serving(client)


def test_fragments_used_several_times_still_pass(graphql):
    result = graphql(
        """
        query Types {
          all: blockTypes { ...Described }
          again: blockTypes { ...Named }
          one: blockType(name: "Block_BanTin_Toolbar") { ...Described }
        }
        fragment Described on BlockType { ...Named description }
        fragment Named on BlockType { name }
        """
    )
    assert "errors" not in result
    assert len(result["data"]["all"]) == len(result["data"]["again"]) == len(BUILTIN)
    assert result["data"]["one"]["name"] == "Block_BanTin_Toolbar"
    assert result["data"]["one"]["description"]


def test_depth_is_counted_through_fragments(client):
    chain = " ".join(f"fragment L{i} on Query {{ x {{ ...L{i + 1} }} }}" for i in range(14))
    query = f"query Deep {{ ...L0 }} {chain} fragment L14 on Query {{ __typename }}"
    body = client.post("/graphql", json={"query": query}).get_json()
    [error] = refusals(body)
    assert error["message"] == "'Deep' exceeds maximum operation depth of 12"
    assert error["extensions"]["limit"] == "maxDepth"


def test_aliases_are_counted_every_time_their_fragment_is_spread(client):
    aliases = " ".join(f"a{i}: __typename" for i in range(10))
    query = (
        "{ ...A ...B } fragment A on Query { ...B ...B ...B } "
        f"fragment B on Query {{ {aliases} }}"
    )
    body = client.post("/graphql", json={"query": query}).get_json()
    [error] = body["errors"]
    assert error["message"] == "40 aliases found. Allowed: 30"
    assert error["extensions"] == {"code": TOO_COMPLEX, "limit": "maxAliases"}


def test_a_long_fragment_chain_is_refused_not_a_crash(client):
    """Under the token limit, yet strawberry's depth limiter recursed through it to a
    RecursionError: an "Unexpected error" and a logged traceback."""
    chain = " ".join(f"fragment C{i} on Query {{ ...C{i + 1} }}" for i in range(600))
    query = f"{{ ...C0 }} {chain} fragment C600 on Query {{ __typename }}"
    body = client.post("/graphql", json={"query": query}).get_json()
    [error] = refusals(body)
    assert error["extensions"]["limit"] == "maxFragmentSpreads"
    assert "INTERNAL_SERVER_ERROR" not in json.dumps(body)


def test_a_fragment_chain_longer_than_the_recursion_limit_is_counted():
    chain = " ".join(f"fragment C{i} on Query {{ ...C{i + 1} }}" for i in range(3000))
    document = parse(
        f"{{ ...C0 }} {chain} fragment C3000 on Query {{ a: __typename }}", max_tokens=None
    )
    [error] = limit_errors(document, max_depth=12, max_aliases=30, max_fragment_spreads=500)
    assert error.message == "'anonymous' expands to 3001 fragment spreads. Allowed: 500"


# 2. Several operations


def test_several_operations_need_an_operation_name(client):
    query = "query A { __typename } query B { blockTypes { name } }"
    response = client.post("/graphql", json={"query": query})
    assert response.status_code in (200, 400)
    body = response.get_json()
    assert body.get("data") is None
    assert "operationName" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "OPERATION_NAME_REQUIRED"

    over_get = client.get("/graphql", query_string={"query": query})
    assert "operationName" in over_get.get_json()["errors"][0]["message"]

    named = client.post("/graphql", json={"query": query, "operationName": "B"}).get_json()
    assert "errors" not in named
    assert len(named["data"]["blockTypes"]) == len(BUILTIN)
    still_serving(client)


# 3. Malformed requests

DEEP = "[" * 5000 + "]" * 5000
PAGE = "query($p: String!) { page(path: $p) { path } }"


def post_body(text: str | bytes):
    return {"data": text, "content_type": "application/json"}


MALFORMED_POSTS = {
    "deep variables": '{"query": "{ __typename }", "variables": {"a": ' + DEEP + "}}",
    "deep extensions": '{"query": "{ __typename }", "extensions": {"a": ' + DEEP + "}}",
    "deep query value": '{"query": ' + DEEP + "}",
    "deep body": DEEP,
    "variables a little too deep": json.dumps(
        {"query": "{ __typename }", "variables": {"a": json.loads("[" * 100 + "]" * 100)}}
    ),
    "surrogate in the query": '{"query": "{ __typename } # \\ud800"}',
    "surrogate in a string literal": '{"query": "{ page(path: \\"\\udfff\\") { path } }"}',
    "surrogate in a variable": '{"query": "' + PAGE + '", "variables": {"p": "\\ud800"}}',
    "surrogate in a variable name": '{"query": "{ __typename }", "variables": {"\\ud800": 1}}',
    "surrogate in the operation name": '{"query": "query A { __typename }", '
    '"operationName": "\\ud800"}',
    "surrogate in the extensions": '{"query": "{ __typename }", '
    '"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "\\ud800"}}}',
    "not UTF-8": b'{"query": "{ __typename } # \xff\xfe"}',
    "Latin-1": '{"query": "{ page(path: \\"/ph\xf4\\") { path } }"}'.encode("latin-1"),
}


def assert_bad_request(response) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text[:300]
    assert "Traceback" not in text
    [error] = response.get_json()["errors"]
    assert error["message"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}


@pytest.mark.parametrize("body", MALFORMED_POSTS.values(), ids=MALFORMED_POSTS.keys())
def test_a_malformed_post_is_a_400(client, body):
    assert_bad_request(client.post("/graphql", **post_body(body)))
    still_serving(client)


MALFORMED_GETS = {
    "deep variables": {"query": "{ __typename }", "variables": '{"a": ' + DEEP + "}"},
    "deep extensions": {"query": "{ __typename }", "extensions": '{"a": ' + DEEP + "}"},
    "surrogate in a variable": {"query": PAGE, "variables": '{"p": "\\ud800"}'},
    "surrogate in the extensions": {
        "query": "{ __typename }",
        "extensions": '{"persistedQuery": {"version": 1, "sha256Hash": "\\udc00"}}',
    },
}


@pytest.mark.parametrize("params", MALFORMED_GETS.values(), ids=MALFORMED_GETS.keys())
def test_a_malformed_get_is_a_400(client, params):
    assert_bad_request(client.get("/graphql", query_string=params))
    still_serving(client)


def test_other_request_errors_answer_in_the_same_shape(client):
    """strawberry's own refusals (unreadable JSON, a batch, a mutation over GET) as well."""
    for response in (
        client.post("/graphql", **post_body("{not json")),
        client.post("/graphql", json=[OK_QUERY, OK_QUERY]),
        client.get("/graphql", query_string={"query": "{ __typename }", "variables": "{bad"}),
    ):
        assert_bad_request(response)


def test_moderately_nested_variables_are_still_read(graphql):
    settings = json.loads('{"a": ' * 30 + "1" + "}" * 30)
    result = graphql(
        'query($s: JSON!) { validateBlockSettings(blockType: "Block_BanTin_Toolbar", settings: $s) '
        "{ valid } }",
        {"s": settings},
    )
    assert result["data"]["validateBlockSettings"] is not None


def test_text_beyond_the_basic_plane_is_fine(client):
    """An escaped surrogate pair is one character (here U+1F600): nothing lone about it."""
    body = '{"query": "' + PAGE + '", "variables": {"p": "/tin-tuc/\\ud83d\\ude00"}}'
    response = client.post("/graphql", **post_body(body))
    assert response.status_code == 200
    [error] = response.get_json()["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "/tin-tuc/\U0001f600" in error["message"]
