"""Schemathesis generates GraphQL queries from the schema and sends them to the app: no answer
may be a server error, and no error may be one the server did not mean (a masked crash); and
a query answers the same whichever way the schema runs it (strawberry's, or as a ready query)."""

import os

import graphql
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from portal_blocks.state import get_state

#: Per operation; PORTAL_BLOCKS_TEST_FUZZ_EXAMPLES raises it for a longer probe run on demand.
EXAMPLES_PER_OPERATION = int(os.environ.get("PORTAL_BLOCKS_TEST_FUZZ_EXAMPLES", "60"))


def _field(name: str, value: graphql.ValueNode) -> graphql.ObjectFieldNode:
    return graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)


_json_leaf = st.one_of(
    st.booleans().map(nodes.Boolean),
    st.integers(-1000, 1000).map(nodes.Int),
    st.text(max_size=12).map(nodes.String),
    st.just(graphql.NullValueNode()),
)
_settings_keys = st.sampled_from(
    [
        "dateFormat",
        "actions",
        "showTitle",
        "fontSizeMin",
        "fontSizeMax",
        "fontSizeStep",
        "showImage",
        "x",
    ]
)
schemathesis.graphql.scalar(
    "JSON",
    st.one_of(
        _json_leaf,
        st.lists(st.tuples(_settings_keys, _json_leaf), max_size=4).map(
            lambda pairs: nodes.Object([_field(k, v) for k, v in dict(pairs).items()])
        ),
    ),
)


def operations(app) -> dict:
    loaded = schemathesis.graphql.from_wsgi("/graphql", app)
    return {op.ok().label: op.ok() for op in loaded.get_all_operations()}


def test_every_root_field_is_fuzzed(app):
    root = graphql.build_schema(get_state(app).schema.as_str())
    expected = {
        f"{kind.name}.{field}"
        for kind in (root.query_type, root.mutation_type)
        if kind
        for field in kind.fields
    }
    assert set(operations(app)) == expected


def fuzz_operation(
    label: str, operation, checked: dict[str, int], headers: dict[str, str] | None = None
) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def fuzz(case) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, (label, case.body, response.text)
        for error in response.json().get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            assert code != "INTERNAL_SERVER_ERROR", (label, case.body, error)
        checked[label] = checked.get(label, 0) + 1

    fuzz()


def test_no_server_errors(app):
    checked: dict[str, int] = {}
    for label, operation in operations(app).items():
        fuzz_operation(label, operation, checked)
    assert set(checked) == set(operations(app))
    print("schemathesis examples per operation:", checked)


def test_no_server_errors_for_an_editor(app, editor_token):
    """The same, signed in: mutations then really run (and must refuse bad input cleanly)."""
    checked: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {editor_token}"}
    for label, operation in operations(app).items():
        if label.startswith("Mutation."):
            fuzz_operation(label, operation, checked, headers)
    assert checked
    print("schemathesis examples per mutation, as an editor:", checked)


def _without_request_ids(body: dict) -> dict:
    for error in body.get("errors") or []:
        (error.get("extensions") or {}).pop("requestId", None)  # one per request
    return body


def test_a_query_answers_the_same_when_it_runs_as_a_ready_query(app, monkeypatch):
    """A document's first request goes strawberry's whole way; once the document is kept and
    valid, the schema may run it itself (``graphql.ready_queries``). Whatever the fuzzer
    sends, the second answer (the response cache emptied) must be the first one."""
    from portal_blocks.cache_tags import ALL
    from portal_blocks.graphql.schema import PortalSchema

    set_ups: list[int] = []
    real = PortalSchema.get_extensions

    def counted(self: PortalSchema, sync: bool = False) -> list:
        set_ups.append(1)
        return real(self, sync)

    monkeypatch.setattr(PortalSchema, "get_extensions", counted)
    store = get_state(app).front.store
    ready: dict[str, int] = {}

    def check(label: str, operation) -> None:
        @settings(
            max_examples=EXAMPLES_PER_OPERATION // 2,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def twice(case) -> None:
            answers = []
            for _ in range(2):
                store.invalidate(frozenset({ALL}))
                before = len(set_ups)
                response = case.call()
                answers.append((response.status_code, _without_request_ids(response.json())))
            assert answers[0] == answers[1], (label, case.body)
            ready[label] = ready.get(label, 0) + (len(set_ups) == before)

        twice()

    for label, operation in operations(app).items():
        if label.startswith("Query."):
            check(label, operation)
    assert ready and all(ready.values()), ready  # every root field ran as a ready query too
    print("ready-query examples per query field:", ready)
