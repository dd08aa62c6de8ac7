"""The suite's copy of the reference page must be the shared seed, byte for byte."""

import pytest
from conftest import SEED, SHARED_SEED


def test_reference_page_copy_is_the_shared_seed():
    if not SHARED_SEED.exists():
        pytest.skip(f"the shared seed is not beside this checkout ({SHARED_SEED})")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()
