"""The committed SDL and block settings schemas match the code for the built-in block types
(run `portal-blocks export-schema --builtin-only` if not)."""

from conftest import REPO

from portal_blocks import contract
from portal_blocks.cli import builtin_schema


def test_committed_contract_is_current():
    stale = contract.stale_files(REPO / "schema", builtin_schema())
    assert stale == [], "run `portal-blocks export-schema --builtin-only`"
