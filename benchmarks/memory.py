"""How much a worker grows on a flood of distinct documents it cannot keep.

Each of ``--documents`` requests sends a distinct GraphQL document padded with a comment to
``--size`` bytes (as a probe would, to fill the parser and validation caches), then a few
hundred distinct small documents. A worker may keep what its caches are bounded to
(``portal_blocks.graphql.documents.DOCUMENT_CACHE_BYTES``, 32 MB, and the response cache's
``PORTAL_BLOCKS_RESPONSE_CACHE_BYTES``, 64 MB); everything else must be given back. "caches
keep" is what those two hold at the end. Run in a fresh process each, with and without
:mod:`portal_blocks.memory`'s allocator setting (which ``portal-blocks serve`` and
``portal_blocks.wsgi`` apply), printing the resident
set size before and after. Run on demand; it is not part of the test suite.

    .venv/bin/python benchmarks/memory.py [--documents 400 --size 900000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

WORKER = """
import gc, json, logging, sys, tempfile
sys.path.insert(0, {repo!r})
logging.disable(logging.WARNING)
if {fix!r}:
    from portal_blocks.memory import keep_large_blocks_off_the_heap
    keep_large_blocks_off_the_heap()
from flask_migrate import upgrade
from portal_blocks import create_app

def rss_mb():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20

app = create_app({{"PORTAL_BLOCKS_DATABASE_URL": "sqlite:///{db}"}})
with app.app_context():
    upgrade()
client = app.test_client()
client.post("/graphql", json={{"query": "{{ blockTypes {{ name }} }}"}})
gc.collect()
before = rss_mb()
padding = " #" + "x" * {size}
for n in range({documents}):
    query = "query P%d {{ blockTypes {{ name }} }}" % n + padding
    assert client.post("/graphql", json={{"query": query}}).status_code == 200
for n in range(300):
    aliases = " ".join("a%d: blockTypes {{ name }}" % i for i in range(25))
    client.post("/graphql", json={{"query": "query A%d {{ %s }}" % (n, aliases)}})
gc.collect()
state = app.extensions["portal_blocks"]
kept = state.schema.documents.bytes + getattr(state.front.store, "bytes", 0)
print(json.dumps({{"before": before, "after": rss_mb(), "kept": kept / 2**20}}))
"""


def run(fix: bool, documents: int, size: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        code = WORKER.format(
            repo=str(REPO), fix=fix, db=f"{folder}/memory.db", documents=documents, size=size
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--size", type=int, default=900_000)
    args = parser.parse_args()
    print(f"{args.documents} distinct documents of {args.size} bytes, then 300 alias documents")
    print(f"{'allocator':<34}{'RSS before':>12}{'after':>10}{'growth':>10}{'caches keep':>13}")
    for fix in (False, True):
        r = run(fix, args.documents, args.size)
        label = "mmap threshold fixed (we serve)" if fix else "glibc default (dynamic)"
        print(
            f"{label:<34}{r['before']:>9.0f} MB{r['after']:>7.0f} MB"
            f"{r['after'] - r['before']:>7.0f} MB{r['kept']:>10.1f} MB"
        )


if __name__ == "__main__":
    main()
