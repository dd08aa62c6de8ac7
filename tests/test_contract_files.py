"""The committed SDL and block settings schemas match the code (run export-schema if not)."""

from conftest import REPO

from portal_blocks import contract
from portal_blocks.state import get_state


def test_committed_contract_is_current(app):
    stale = contract.stale_files(REPO / "schema", get_state(app).schema)
    assert stale == [], "run `portal-blocks export-schema`"
