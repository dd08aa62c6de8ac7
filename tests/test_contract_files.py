"""The committed SDL and block settings schemas match the code (run export-schema if not)."""

from conftest import REPO

from portal_blocks import contract


def test_committed_contract_is_current():
    assert contract.stale_files(REPO / "schema") == [], "run `portal-blocks export-schema`"
