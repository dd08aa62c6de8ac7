"""Settings are validated by each block type's marshmallow schema, with typed errors."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal_blocks.blocks.registry import registry
from portal_blocks.problems import Refused

VALIDATE = """query($t: String!, $s: JSON!) { validateBlockSettings(blockType: $t, settings: $s) {
  valid settings errors { field code message } } }"""


@pytest.mark.parametrize(
    ("block_type", "settings_in", "field", "code"),
    [
        ("Block_BanTin_Toolbar", {"showTitle": "no"}, "settings.showTitle", "INVALID_TYPE"),
        ("Block_BanTin_Toolbar", {"fontSizeStep": 0}, "settings.fontSizeStep", "OUT_OF_RANGE"),
        ("Block_BanTin_Toolbar", {"fontSizeMax": 1000}, "settings.fontSizeMax", "OUT_OF_RANGE"),
        ("Block_BanTin_Toolbar", {"colour": "red"}, "settings.colour", "UNKNOWN_FIELD"),
        ("Block_BanTin_Toolbar", {"actions": ["share"]}, "settings.actions.0", "INVALID_CHOICE"),
        ("Block_BanTin_Toolbar", {"dateFormat": ""}, "settings.dateFormat", "INVALID_LENGTH"),
        (
            "Block_BanTin_Toolbar",
            {"fontSizeMin": 150, "fontSizeDefault": 100},
            "settings.fontSizeDefault",
            "OUT_OF_RANGE",
        ),
        ("Block_BanTin_ViewData", {"showImage": 1}, "settings.showImage", "INVALID_TYPE"),
        ("Block_BanTin_ViewData", {"showAuthor": None}, "settings.showAuthor", "NULL_NOT_ALLOWED"),
        ("Block_BanTin_ViewData", {"layout": "wide"}, "settings.layout", "UNKNOWN_FIELD"),
    ],
)
def test_invalid_settings_give_typed_errors(graphql, block_type, settings_in, field, code):
    result = graphql(VALIDATE, {"t": block_type, "s": settings_in})["data"]["validateBlockSettings"]
    assert result["valid"] is False
    assert result["settings"] is None
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in result["errors"]
    ], result["errors"]


def test_settings_must_be_an_object(graphql):
    result = graphql(VALIDATE, {"t": "Block_BanTin_ViewData", "s": [1, 2]})
    errors = result["data"]["validateBlockSettings"]["errors"]
    assert errors == [
        {
            "field": "settings",
            "code": "INVALID_TYPE",
            "message": "Settings must be an object.",
        }
    ]


def test_valid_settings_come_back_complete(graphql):
    result = graphql(VALIDATE, {"t": "Block_BanTin_Toolbar", "s": {"dateFormat": "dd.MM.yyyy"}})
    validation = result["data"]["validateBlockSettings"]
    assert validation["valid"] is True
    assert validation["settings"]["dateFormat"] == "dd.MM.yyyy"
    assert validation["settings"]["fontSizeStep"] == 10


def test_bad_date_pattern_is_refused():
    with pytest.raises(Refused) as caught:
        registry.get("Block_BanTin_Toolbar").validate({"dateFormat": "dd/MM/qqqqqqq"})
    assert caught.value.problems[0].field == "settings.dateFormat"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    block=st.sampled_from([t.name for t in registry]),
    raw=st.dictionaries(
        st.sampled_from(
            [
                "dateFormat",
                "actions",
                "showTitle",
                "fontSizeMin",
                "fontSizeMax",
                "fontSizeDefault",
                "fontSizeStep",
                "showImage",
                "showAuthor",
                "extra",
            ]
        ),
        json_values,
        max_size=4,
    ),
)
def test_validation_either_accepts_a_complete_valid_value_or_explains(block, raw):
    definition = registry.get(block)
    try:
        loaded = definition.validate(raw)
    except Refused as exc:
        assert exc.problems
        assert all(p.field and p.code and p.message for p in exc.problems)
        return
    # Accepted settings survive a round trip through their stored (JSON) form unchanged.
    assert definition.validate(definition.dump(loaded)) == loaded
