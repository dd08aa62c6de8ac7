"""The committed contract (schema/) must be what the code produces for the built-in block
types, and the published JSON Schemas must agree with the marshmallow schemas they come from.

The contract is portal-blocks' own: block types of installed packages (the example's, when the
test command installs it) are in what an app serves, not in schema/
(tests/test_block_type_plugins.py)."""

from pathlib import Path

import jsonschema
import pytest

from portal_blocks import contract, create_app
from portal_blocks.block_types import BUILTIN
from portal_blocks.blocks.registry import registry
from portal_blocks.cli import builtin_schema
from portal_blocks.problems import Refused
from portal_blocks.state import get_state

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schema"
STALE = "run `portal-blocks export-schema --builtin-only` and commit schema/"
BUILT_IN_ONLY = ",".join(t.name for t in BUILTIN)


@pytest.fixture
def schema():
    """The schema an app serving only the built-in types builds at its creation."""
    app = create_app(
        {"PORTAL_BLOCKS_DATABASE_URL": "sqlite://", "PORTAL_BLOCKS_BLOCK_TYPES": BUILT_IN_ONLY}
    )
    return get_state(app).schema


def test_the_export_command_writes_the_same_built_in_contract(schema):
    """``export-schema --builtin-only`` writes what an app serving the built-ins alone serves."""
    assert contract.expected_files(builtin_schema()) == contract.expected_files(schema)


def test_sdl_is_current(schema):
    committed = (SCHEMA_DIR / contract.SDL_FILE).read_text(encoding="utf-8")
    assert committed == schema.as_str() + "\n", STALE


@pytest.mark.parametrize("block_type", [t.name for t in BUILTIN])
def test_block_json_schema_is_current(schema, block_type):
    name = f"blocks/{block_type}.schema.json"
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert committed == contract.expected_files(schema)[name], STALE


def test_no_stale_or_extra_contract_files(schema):
    assert contract.stale_files(SCHEMA_DIR, schema) == []


def test_drift_is_detected(schema, tmp_path):
    contract.write(tmp_path, schema)
    assert contract.stale_files(tmp_path, schema) == []
    sdl = tmp_path / contract.SDL_FILE
    sdl.write_text(sdl.read_text().replace("dateText", "dateLabel"))
    (tmp_path / "blocks" / "Block_Gone.schema.json").write_text("{}")
    assert contract.stale_files(tmp_path, schema) == [
        contract.SDL_FILE,
        "blocks/Block_Gone.schema.json",
    ]


def test_graphql_type_names_are_the_block_type_names(schema):
    for block_type in schema.block_types:
        assert f"type {block_type.name} implements Block" in schema.as_str()


SAMPLES = [
    ("Block_BanTin_Toolbar", {}, True),
    ("Block_BanTin_Toolbar", {"dateFormat": "EEEE, dd/MM/yyyy", "actions": ["print"]}, True),
    ("Block_BanTin_Toolbar", {"fontSizeMin": 10}, False),
    ("Block_BanTin_Toolbar", {"actions": ["share"]}, False),
    ("Block_BanTin_Toolbar", {"showTitle": "yes"}, False),
    ("Block_BanTin_Toolbar", {"colour": "red"}, False),
    ("Block_BanTin_Toolbar", {"fontSizeDefault": "100"}, False),
    ("Block_BanTin_Toolbar", {"fontSizeDefault": True}, False),
    ("Block_BanTin_Toolbar", {"fontSizeDefault": 100.5}, False),
    ("Block_BanTin_ViewData", {"showAuthor": 1}, False),
    ("Block_BanTin_ViewData", {"showAuthor": False}, True),
    ("Block_BanTin_ViewData", {"showAuthor": None}, False),
    ("Block_BanTin_ViewData", {"unknown": 1}, False),
]


@pytest.mark.parametrize(("block_type", "settings", "valid"), SAMPLES)
def test_json_schema_and_marshmallow_agree(block_type, settings, valid):
    definition = registry.get(block_type)
    published = jsonschema.Draft202012Validator(definition.json_schema())
    assert published.is_valid(settings) is valid
    if valid:
        definition.validate(settings)
    else:
        with pytest.raises(Refused):
            definition.validate(settings)
