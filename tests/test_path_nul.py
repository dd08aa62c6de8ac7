"""A requested path holding NUL, encoded or not, names no page, on every route that takes one.

werkzeug decodes ``/tin-tuc/%00`` to a NUL; ``/tin-tuc/%2500`` reaches us as the text ``%00``,
which routing decodes once more. PostgreSQL text cannot hold NUL, so either one sent to SQL was a
driver error (a 500, the request's transaction aborted). Every page lookup goes through
``layout.routing.requested_path``, which refuses it before any SQL: the theme and the print view
answer their 404 page, the fragment endpoints their JSON 404, GraphQL ``page`` null with
NOT_FOUND, as for any unknown path.
"""

from __future__ import annotations

import pytest
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG, count_statements

from portal_blocks.db import db
from portal_blocks.layout.routing import match_route, normalise_path, requested_path

PAGE = "query($path: String!) { page(path: $path) { article { slug } } }"

#: As a browser would send them in a page's address (werkzeug decodes them once).
ENCODED_PATHS = [
    "/tin-tuc/%00",
    "/tin-tuc/%2500",
    f"/tin-tuc/{REFERENCE_SLUG}%2500",
    "/Pages/%2500.aspx",
    "/%2500",
    "/tin-tuc/%252500",  # decoded twice is still "%00" text: no NUL, and no page either
]
#: As a query argument's value (``?path=...``) or a GraphQL argument gives them, decoded.
DECODED_PATHS = [
    "/tin-tuc/\x00",
    "/tin-tuc/%00",
    f"/tin-tuc/{REFERENCE_SLUG}%00",
    "/Pages/%00.aspx",
    "http://portal.example.vn/tin-tuc/%00",
    "/tin-tuc/x?y=%00",  # the query string is no part of the path: just an unknown slug
]


def reference_page_still_shows(client) -> None:
    response = client.get(REFERENCE_LEGACY_PATH)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ENCODED_PATHS)
@pytest.mark.parametrize("query", [{}, {"view": "print"}])
def test_theme_pages_answer_404(client, path, query):
    response = client.get(path, query_string=query)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    reference_page_still_shows(client)


@pytest.mark.parametrize("path", DECODED_PATHS)
@pytest.mark.parametrize("endpoint", ["/fragments/page", "/fragments/block/1", "/print"])
def test_fragments_and_the_print_view_answer_404(client, path, endpoint):
    response = client.get(endpoint, query_string={"path": path})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "NOT_FOUND"
    reference_page_still_shows(client)


@pytest.mark.parametrize("path", [p for p in DECODED_PATHS if "\x00" not in p])
def test_graphql_page_is_null_and_not_found(graphql, client, path):
    result = graphql(PAGE, {"path": path})
    assert result["data"] == {"page": None}
    [error] = result["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND", error
    reference_page_still_shows(client)


def test_graphql_refuses_a_nul_in_its_variables_up_front(graphql, client):
    """A NUL itself never reaches ``page``: every variable holding one is refused first."""
    result = graphql(PAGE, {"path": "/tin-tuc/\x00"})
    assert result["errors"][0]["extensions"]["code"] == "INVALID_TEXT"
    reference_page_still_shows(client)


def test_text_that_is_no_url_names_no_page(app, client, graphql):
    """``//[::1`` (here ``/%2F%5B...``: werkzeug decodes it, the theme adds its '/') is no URL:
    urlsplit raised ValueError, a 500."""
    assert client.get("/%2F%5B%3A%3A1").status_code == 404
    for path in ("//[::1", "http://[x/tin-tuc/a"):
        assert graphql(PAGE, {"path": path})["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert normalise_path(path) == path  # a cache key still, never an error
    reference_page_still_shows(client)


@pytest.mark.parametrize(
    "path",
    [
        "/tin-tuc/\x00",
        "/tin-tuc/%00",
        "\x00/tin-tuc/a",  # urlsplit drops a leading NUL: refused as given as well
        "/tin-tuc/\ud800",  # a lone surrogate: no UTF-8 encoder, so no driver, takes it
        "//[::1",
    ],
)
def test_routing_runs_no_sql_for_a_path_no_database_can_store(app, path):
    assert requested_path(path) is None
    with count_statements() as statements:
        assert match_route(db.session, path) is None
    assert statements == []


def test_requested_path_keeps_every_other_path(app):
    assert requested_path("/tin-tuc/abc") == "/tin-tuc/abc"
    # An encoded surrogate decodes to replacement characters: text like any other.
    assert requested_path("/tin-tuc/%ED%A0%80") == "/tin-tuc/\ufffd\ufffd\ufffd"
    assert requested_path("http://h/tin-tuc/%C4%91?x=1") == "/tin-tuc/đ"
    assert match_route(db.session, REFERENCE_LEGACY_PATH) is not None
