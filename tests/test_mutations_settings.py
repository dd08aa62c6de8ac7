"""Block settings through configureBlock: typed errors for every built-in type, and a
property-based test that random settings never cause a 500 or a stored invalid value."""

from __future__ import annotations

import pytest
from editing import CONFIGURE, PLACE, block, draft, payload
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal_blocks.blocks.registry import registry
from portal_blocks.db import db
from portal_blocks.models import Placement

TOOLBAR = "Block_BanTin_Toolbar"
VIEWDATA = "Block_BanTin_ViewData"

#: (block type, settings, expected (field, code) pairs)
INVALID = [
    (TOOLBAR, {"fontSizeMin": "big"}, [("settings.fontSizeMin", "INVALID_TYPE")]),
    (TOOLBAR, {"showDate": [1]}, [("settings.showDate", "INVALID_TYPE")]),
    (TOOLBAR, {"fontSizeMax": 1000}, [("settings.fontSizeMax", "OUT_OF_RANGE")]),
    (TOOLBAR, {"fontSizeStep": 0}, [("settings.fontSizeStep", "OUT_OF_RANGE")]),
    (TOOLBAR, {"colour": "red"}, [("settings.colour", "UNKNOWN_FIELD")]),
    (TOOLBAR, {"actions": ["share"]}, [("settings.actions.0", "INVALID_CHOICE")]),
    (TOOLBAR, {"dateFormat": ""}, [("settings.dateFormat", "INVALID_LENGTH")]),
    # Not a CLDR pattern: the form is wrong, whatever its length (was INVALID_LENGTH).
    (TOOLBAR, {"dateFormat": "dd/qqqqqqq"}, [("settings.dateFormat", "INVALID_FORMAT")]),
    (TOOLBAR, {"timeFormat": "HH:ZZZZZZZZZ"}, [("settings.timeFormat", "INVALID_FORMAT")]),
    (
        TOOLBAR,
        {"fontSizeDefault": 200, "fontSizeMax": 150},
        [("settings.fontSizeDefault", "OUT_OF_RANGE")],
    ),
    (TOOLBAR, {"showTitle": None}, [("settings.showTitle", "NULL_NOT_ALLOWED")]),
    (VIEWDATA, {"showImage": "maybe"}, [("settings.showImage", "INVALID_TYPE")]),
    (VIEWDATA, {"showAuthor": {"a": 1}}, [("settings.showAuthor", "INVALID_TYPE")]),
    (VIEWDATA, {"showAuthour": True}, [("settings.showAuthour", "UNKNOWN_FIELD")]),
    (VIEWDATA, [True], [("settings", "INVALID_TYPE")]),
    (VIEWDATA, {"relatedCount": 0}, [("settings.relatedCount", "OUT_OF_RANGE")]),
    (VIEWDATA, {"relatedCount": 2.5}, [("settings.relatedCount", "INVALID_TYPE")]),
]


@pytest.mark.parametrize(("block_type", "settings_", "expected"), INVALID)
def test_invalid_settings_give_typed_errors(as_editor, block_type, settings_, expected):
    layout = draft(as_editor)
    target = block(layout, block_type)
    result = payload(
        as_editor(CONFIGURE, {"id": target["id"], "version": 1, "settings": settings_})
    )
    assert [(e["field"], e["code"]) for e in result["errors"]] == expected
    assert all(e["message"] for e in result["errors"])
    assert result["placement"] is None
    assert draft(as_editor) == layout


@pytest.mark.parametrize(("block_type", "settings_", "expected"), INVALID)
def test_invalid_settings_are_refused_when_placing_too(as_editor, block_type, settings_, expected):
    layout = draft(as_editor)
    result = payload(
        as_editor(
            PLACE,
            {
                "layout": "news-detail",
                "version": layout["version"],
                "region": "main",
                "type": block_type,
                "settings": settings_,
            },
        )
    )
    assert [(e["field"], e["code"]) for e in result["errors"]] == expected
    assert draft(as_editor) == layout


_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
_json = st.recursive(
    _json_leaf,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)


def _keys(block_type: str) -> st.SearchStrategy[str]:
    known = sorted(f.data_key for f in registry.get(block_type).schema.fields.values())
    return st.sampled_from(known) | st.text(max_size=12)


def _values(block_type: str) -> st.SearchStrategy:
    """Mostly plausible values (so valid settings happen too), sometimes anything."""
    plausible = (
        st.booleans()
        | st.integers(min_value=-10, max_value=400)
        | st.sampled_from(["dd/MM/yyyy", "EEEE, dd/MM/yyyy", "''", "yyyy-", "{", "Q"])
        | st.lists(
            st.sampled_from(["print", "increase_text_size", "decrease_text_size", "x"]),
            max_size=4,
        )
    )
    return plausible | _json


@st.composite
def settings_for(draw, block_type: str):
    if draw(st.integers(0, 9)) == 0:
        # Not even an object. (A bare null is refused by GraphQL itself: settings is JSON!.)
        return draw(_json.filter(lambda v: v is not None))
    return draw(st.dictionaries(_keys(block_type), _values(block_type), max_size=6))


@pytest.mark.parametrize("block_type", [TOOLBAR, VIEWDATA])
def test_random_settings_never_fail_or_store_invalid(app, as_editor, block_type):
    definition = registry.get(block_type)
    placement_id = db.session.query(Placement.id).filter_by(block_type=block_type).scalar()
    db.session.rollback()

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(raw=settings_for(block_type))
    def check(raw):
        row = db.session.get(Placement, placement_id)
        version, before = row.version, dict(row.settings)
        db.session.rollback()
        result = as_editor(
            CONFIGURE, {"id": str(placement_id), "version": version, "settings": raw}
        )
        if "errors" in result:
            # Only the up-front refusal of text no database can store (NUL), typed, with
            # nothing stored; never an unexpected (500-like) error.
            assert [e["extensions"]["code"] for e in result["errors"]] == ["INVALID_TEXT"]
            assert dict(db.session.get(Placement, placement_id).settings) == before
            db.session.rollback()
            return
        answer = result["data"]["configureBlock"]
        row = db.session.get(Placement, placement_id)
        stored = dict(row.settings)
        db.session.rollback()
        if answer["errors"]:
            assert all(e["field"].startswith("settings") and e["code"] for e in answer["errors"])
            assert stored == before
        else:
            assert stored == answer["placement"]["settings"]
        # Whatever is stored loads cleanly and is already in its canonical, defaulted form.
        assert definition.dump(definition.validate(stored)) == stored

    check()
