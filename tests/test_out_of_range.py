"""Input beyond what our columns hold is a typed refusal, never an unexpected error, and never
reaches SQL: on PostgreSQL an id past INTEGER (or BIGINT) or a date with no UTC form raised in
the driver and aborted the request's transaction.

Every ID argument naming a row (moveBlock, configureBlock, removeBlock ``id``; revertArticle
``historyEntry``) answers an id that no INTEGER column holds as it answers an unknown id:
NOT_FOUND in the payload. A listing cursor is opaque: one this list could not have given out
is INVALID_ARGUMENT on ``after``. Route patterns, dates and cursors are held to what can be
stored and matched."""

from __future__ import annotations

import base64
import json

import pytest
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG
from editing import (
    CONFIGURE,
    CREATE_ARTICLE,
    MOVE,
    PUBLISH_ARTICLE,
    REMOVE,
    REVERT_ARTICLE,
    ROUTE_PATH,
    UPDATE_ARTICLE,
    block,
    codes,
    draft,
    ok,
    payload,
)
from sqlalchemy import text

from portal_blocks.content import editing as article_editing
from portal_blocks.content.records import ArticleRecord
from portal_blocks.content.source import SqlAlchemyArticleSource
from portal_blocks.db import db
from portal_blocks.layout import editing as layout_editing
from portal_blocks.problems import Refused
from portal_blocks.text.ranges import MAX_ROW_ID, row_id

LIST = """query($after: String, $search: String) {
  articles(first: 2, after: $after, search: $search) { edges { cursor node { slug } } } }"""
PAGE = "query($path: String!) { page(path: $path) { article { slug } } }"

#: Ids that are digits (or look like them) but name no row an INTEGER column can hold.
IDS_NAMING_NO_ROW = [
    "123456789012345678",  # 18 digits: was past INTEGER, within BIGINT
    "99999999999999999999999",  # past BIGINT
    str(MAX_ROW_ID + 1),
    "0",
    "-1",
    "1e3",
    "١",  # an Arabic-Indic digit: str.isdigit() is true, yet no id of ours
    "",
]


def cursor(*fields) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(fields)).encode()).decode()


def raw_cursor(text_: str) -> str:
    return base64.urlsafe_b64encode(text_.encode()).decode()


def still_serving(graphql) -> None:
    """The request after a refusal works: its transaction was not aborted (PostgreSQL)."""
    result = graphql(PAGE, {"path": REFERENCE_LEGACY_PATH})
    assert result["data"]["page"]["article"]["slug"] == REFERENCE_SLUG, result


# 1. Listing cursors


@pytest.mark.parametrize(
    "after",
    [
        cursor(0, "2021-11-10T01:00:00+00:00", 10**19),  # past BIGINT
        cursor(0, "2021-11-10T01:00:00+00:00", 3_000_000_000),  # past INTEGER
        cursor(0, "2021-11-10T01:00:00+00:00", 0),
        cursor(0, "2021-11-10T01:00:00+00:00", -5),
        cursor(0, "2021-11-10T01:00:00+00:00", 1.5),
        cursor(0, "2021-11-10T01:00:00+00:00", True),
        cursor(0, "2021-11-10T01:00:00+00:00", "7"),
        cursor(2, "2021-11-10T01:00:00+00:00", 1),  # no tier has rank 2
        cursor(10**19, "2021-11-10T01:00:00+00:00", 1),
        cursor(0, "0001-01-01T00:00:00+05:00", 1),  # no UTC form: the driver overflowed
        cursor(0, "9999-12-31T23:59:59-05:00", 1),
        cursor(0, "2021-11-10T01:00:00", 1),  # naive
        cursor(0, "10000-01-01T00:00:00+00:00", 1),
        raw_cursor('[0, "2021-11-10T01:00:00+00:00", 1e400]'),  # float('inf')
        raw_cursor('[0, "2021-11-10T01:00:00+00:00", ' + "9" * 5000 + "]"),
        raw_cursor("[" * 100_000 + "]" * 100_000),  # nests past the recursion limit
        raw_cursor('{"rank": 0}'),
        raw_cursor('[0, "2021-11-10T01:00:00+00:00", 1, 4]'),
    ],
)
@pytest.mark.parametrize("search", [None, "sản xuất"])
def test_a_cursor_this_list_could_not_have_given_out_is_invalid(app, graphql, after, search):
    result = graphql(LIST, {"after": after, "search": search})
    assert result["data"] is None
    [error] = result["errors"]
    assert error["extensions"] == {"code": "INVALID_ARGUMENT", "argument": "after"}, error
    still_serving(graphql)


def test_the_cursors_the_list_gives_out_still_page(app, graphql):
    first = graphql(LIST, {})["data"]["articles"]["edges"]
    assert first
    after = graphql(LIST, {"after": first[-1]["cursor"]})
    assert "errors" not in after, after


# 2. ID arguments of mutations


@pytest.mark.parametrize("raw", IDS_NAMING_NO_ROW)
def test_every_block_id_argument_answers_an_unstorable_id_as_unknown(as_editor, raw):
    version = block(draft(as_editor), "Block_BanTin_Toolbar")["version"]
    for document, variables in (
        (MOVE, {"region": "main", "position": 0}),
        (CONFIGURE, {"settings": {}}),
        (REMOVE, {}),
    ):
        result = as_editor(document, {"id": raw, "version": version, **variables})
        [problem] = payload(result)["errors"]
        assert (problem["field"], problem["code"]) == ("id", "NOT_FOUND"), problem
    assert len(draft(as_editor)["placements"]) == 2  # nothing was changed


@pytest.mark.parametrize("raw", IDS_NAMING_NO_ROW)
def test_a_history_entry_id_past_the_column_is_not_found(as_editor, graphql, raw):
    article = ok(as_editor(CREATE_ARTICLE, {"input": {"title": "Bản tin thử"}}))["article"]
    result = as_editor(
        REVERT_ARTICLE, {"slug": article["slug"], "version": article["version"], "entry": raw}
    )
    [problem] = payload(result)["errors"]
    assert (problem["field"], problem["code"]) == ("historyEntry", "NOT_FOUND"), problem
    still_serving(graphql)


def test_the_services_refuse_an_id_past_the_column_before_any_sql(app):
    """Callers other than GraphQL (a host's own code) get the same refusal."""
    with pytest.raises(Refused) as refused:
        layout_editing.move_block(
            db.session, "test", placement_id=2**40, version=1, region="main", position=0
        )
    assert [p.code for p in refused.value.problems] == ["NOT_FOUND"]
    with pytest.raises(Refused) as refused:
        article_editing.revert_article(
            db.session, "test", slug=REFERENCE_SLUG, version=1, entry_id=2**40
        )
    assert [(p.field, p.code) for p in refused.value.problems] == [("historyEntry", "NOT_FOUND")]
    db.session.rollback()
    assert db.session.execute(text("SELECT 1")).scalar() == 1  # the transaction is usable


def test_the_article_source_reads_no_id_past_the_column(app):
    source = SqlAlchemyArticleSource(db.session)
    assert source.by_ids(["99999999999", "123456789012345678", "-1", "x"]) == {}
    record = ArticleRecord(
        id="123456789012345678",
        slug="x",
        title="x",
        lead="",
        body_html="",
        published_at=None,
        category="Công nghiệp",
    )
    assert isinstance(source.related(record, limit=5), list)
    assert db.session.execute(text("SELECT 1")).scalar() == 1


def test_row_id_reads_only_ids_an_integer_column_holds():
    assert row_id("1") == 1
    assert row_id(str(MAX_ROW_ID)) == MAX_ROW_ID
    assert row_id("007") == 7
    for raw in IDS_NAMING_NO_ROW:
        assert row_id(raw) is None, raw


# 3. Route patterns


@pytest.mark.parametrize(
    "pattern",
    [
        "/a/<slug>/<slug>",  # werkzeug raised SyntaxError: an unexpected error
        "/<slug>/<path:slug>",
        "/<int(x=1):y>",  # TypeError from the converter
        "/<string(minlength=5,maxlength=2):x>",  # compiles, then fails every page's match
        "/<string(length=99999999999999999999):x>",
        '/<float(min="a"):x>',  # compiles, then a TypeError when a number is matched
        "/<int:slug>",  # a slug is text
        "/<uuid:slug>",
        "/<a:b>",
        "/<1x>",
        "/<None>",
    ],
)
def test_a_pattern_that_cannot_be_matched_is_a_field_problem(as_editor, graphql, pattern):
    result = as_editor(ROUTE_PATH, {"pattern": pattern, "layout": "news-detail"})
    [problem] = payload(result)["errors"]
    assert (problem["field"], problem["code"]) == ("pattern", "INVALID_FORMAT"), problem
    still_serving(graphql)


@pytest.mark.parametrize(
    "pattern", ["/chuyen-muc/<slug>", "/tin/<int:year>/<slug>", "/kho/<path:slug>"]
)
def test_patterns_with_plain_converters_are_still_routed(as_editor, pattern):
    assert ok(as_editor(ROUTE_PATH, {"pattern": pattern, "layout": "news-detail"}))["route"]


def test_a_stored_pattern_with_a_number_for_a_slug_names_no_page(app, client, graphql):
    """A route stored before patterns were checked (here by SQL) gives the slug as text."""
    db.session.execute(
        text(
            "INSERT INTO route (pattern, path_key, layout_id, is_pattern, created_at) "
            "SELECT '/so/<int:slug>', '/so/<int:slug>', id, true, CURRENT_TIMESTAMP FROM layout "
            "WHERE name = 'news-detail'"
        )
    )
    db.session.commit()
    assert client.get("/so/5").status_code == 404
    assert graphql(PAGE, {"path": "/so/5"})["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    still_serving(graphql)


# 4. Dates


@pytest.mark.parametrize(
    "value",
    [
        "10000-01-01T00:00:00Z",
        "+10000-01-01T00:00:00Z",
        "9999-12-31T24:00:00Z",  # overflowed in the parser: an unexpected error
        "9999-W53-1",
        "0000-01-01T00:00:00Z",
        "not a date",
    ],
)
def test_a_date_no_datetime_can_hold_is_an_invalid_argument(as_editor, value):
    variables = as_editor(CREATE_ARTICLE, {"input": {"title": "x", "publishedAt": value}})
    literal = as_editor(
        f'mutation {{ createArticle(input: {{title: "x", publishedAt: "{value}"}}) '
        "{ errors { code } } }"
    )
    for result in (variables, literal):
        assert result["data"] is None
        [error] = result["errors"]
        assert error["extensions"]["code"] == "INVALID_ARGUMENT", error


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59-05:00",  # no UTC form: the driver overflowed
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T00:00:00+00:00",  # stored, but in year 10000 in the portal's timezone
        "0001-01-01T00:00:00+00:00",
    ],
)
def test_a_date_we_cannot_store_or_show_is_a_field_problem(as_editor, graphql, value):
    created = as_editor(CREATE_ARTICLE, {"input": {"title": "x", "publishedAt": value}})
    [problem] = payload(created)["errors"]
    assert (problem["field"], problem["code"]) == ("input.publishedAt", "OUT_OF_RANGE")
    article = ok(as_editor(CREATE_ARTICLE, {"input": {"title": "Bản tin có ngày"}}))["article"]
    updated = as_editor(
        UPDATE_ARTICLE,
        {"slug": article["slug"], "version": article["version"], "input": {"publishedAt": value}},
    )
    assert codes(updated) == ["OUT_OF_RANGE"]
    still_serving(graphql)


@pytest.mark.parametrize("value", ["9999-12-30T23:00:00Z", "0001-01-02T00:00:00Z"])
def test_the_first_and_last_dates_we_store_are_shown(as_editor, client, value):
    """In the portal's timezone (UTC+7) too: the page's toolbar prints the date there."""
    created = as_editor(CREATE_ARTICLE, {"input": {"title": "Cuối lịch", "publishedAt": value}})
    article = ok(created)["article"]
    ok(as_editor(PUBLISH_ARTICLE, {"slug": article["slug"], "version": article["version"]}))
    response = client.get(f"/tin-tuc/{article['slug']}")
    assert response.status_code == 200
    assert "Cuối lịch" in response.get_data(as_text=True)


def test_the_importer_refuses_a_date_we_cannot_store(app, run_import, tmp_path):
    path = tmp_path / "dates.jsonl"
    path.write_text(
        json.dumps({"title": "Tin", "published_at": "9999-12-31T23:59:59-05:00"}) + "\n",
        encoding="utf-8",
    )
    result = run_import(path, expect_exit=1)
    assert f"{path}:1: published_at: Must be a date and time" in result.stderr
    assert "0 created, 0 updated, 0 unchanged, 1 failed" in result.output
