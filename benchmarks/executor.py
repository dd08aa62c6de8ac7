"""What the schema's executor saves on a cold POST, against graphql-core's own.

The cold case of ``benchmarks/page.py``: the demo article's page query over POST, each request
with variables of its own (a response-cache miss that runs GraphQL; the page data cached).
Rounds alternate the schema's executor (``portal_blocks.graphql.executor.PortalExecutor``),
strawberry's execution context (graphql-core unchanged) and the static floor route, in one
process, so a machine's drift hits all three alike. Prints the median per request of each,
and the saving. Run on demand; it is not part of the test suite.

    .venv/bin/python benchmarks/executor.py [--rounds 40 --per-round 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from page import FLOOR_URL, GET_URL, build_app, cold_payload, page_json, prepare_database  # noqa: E402
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext  # noqa: E402

from portal_blocks.graphql.executor import PortalExecutor  # noqa: E402
from portal_blocks.state import get_state  # noqa: E402

CASES = {"ours": PortalExecutor, "graphql-core": StrawberryGraphQLCoreExecutionContext}


def measure(rounds: int, per_round: int, database_url: str) -> dict[str, float]:
    app = build_app(database_url)
    with app.app_context():
        body, _etag = page_json(app)
    app.config["BENCH_FLOOR"].update(body)
    schema = get_state(app).schema
    client = app.test_client()
    floor_url = f"{FLOOR_URL}?{GET_URL.split('?', 1)[1]}"
    serial = iter(range(10**9))
    times: dict[str, list[float]] = {name: [] for name in (*CASES, "floor")}
    clock = time.perf_counter
    for round_number in range(rounds):
        for name in times:
            if name in CASES:
                schema.execution_context_class = CASES[name]
            for _ in range(per_round):
                start = clock()
                if name == "floor":
                    response = client.get(floor_url)
                else:
                    response = client.post("/graphql", json=cold_payload(next(serial)))
                elapsed = clock() - start
                assert response.status_code == 200, response.get_data(as_text=True)
                if round_number:  # the first round warms up
                    times[name].append(elapsed)
    schema.execution_context_class = PortalExecutor
    return {name: statistics.median(values) * 1e6 for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--per-round", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{tmp}/bench.db"
        prepare_database(database_url)
        medians = measure(args.rounds, args.per_round, database_url)
    floor = medians["floor"]
    print(f"cold POST, {args.rounds} rounds of {args.per_round} requests per case, alternated")
    print(f"{'case':28} {'median µs':>10} {'× floor':>8}")
    for name, label in (
        ("floor", "floor (static dict)"),
        ("graphql-core", "graphql-core's executor"),
        ("ours", "the schema's executor"),
    ):
        print(f"{label:28} {medians[name]:10.0f} {medians[name] / floor:8.2f}")
    saved = medians["graphql-core"] - medians["ours"]
    print(f"saved: {saved:.0f} µs per request ({saved / medians['graphql-core']:.0%})")


if __name__ == "__main__":
    main()
