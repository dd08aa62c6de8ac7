"""The layout workspace's server side: signing in with a token, the session cookie, CSRF,
revocation, who may open which page, the Content-Security-Policy, the publish summary, and a
host app's own identities. (The workspace in a browser: tests/browser/test_workspace.py.)"""

from __future__ import annotations

import logging
import re
from http.cookies import SimpleCookie
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import REFERENCE_SLUG
from editing import DRAFT_LAYOUT, MOVE, block
from flask import Flask, Request

from portal_blocks.auth.tokens import Identity, revoke_token
from portal_blocks.db import db
from portal_blocks.extension import PortalBlocks
from portal_blocks.models import ApiToken, EditorSession, Placement, Role
from portal_blocks.web.editor import CONTENT_SECURITY_POLICY
from portal_blocks.web.editor_session import COOKIE, CSRF_HEADER, SIGN_IN_COOKIE

PAGES = [
    "/editor/",
    "/editor/layouts/news-detail",
    f"/editor/preview?path=/tin-tuc/{REFERENCE_SLUG}",
]
CHANGES = """query { layoutChanges(name: "news-detail") { version publishedRevision
  regionsAdded regionsRemoved blocks { kind blockType region position fromRegion fromPosition
  settings } } }"""


def sign_in_form(client) -> str:
    page = client.get("/editor/sign-in")
    assert page.status_code == 200
    return BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one(
        "input[name=csrf_token]"
    )["value"]


def sign_in(client, token: str):
    csrf = sign_in_form(client)
    return client.post("/editor/sign-in", data={"token": token, "csrf_token": csrf})


def set_cookie_headers(response) -> dict[str, str]:
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        found[name] = header
    return found


def workspace_csrf(client) -> str:
    page = client.get("/editor/layouts/news-detail")
    assert page.status_code == 200
    return BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one("#pb-workspace")[
        "data-csrf-token"
    ]


def gql(client, query: str, variables: dict[str, Any] | None = None, **headers: str):
    return client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    ).get_json()


def move_toolbar_down(client, **headers: str) -> dict[str, Any]:
    """The draft is read with the session's CSRF token; the move is sent with ``headers``."""
    csrf = db.session.query(EditorSession).one().csrf_token
    draft = gql(client, DRAFT_LAYOUT, {"name": "news-detail"}, **{CSRF_HEADER: csrf})
    toolbar = block(draft["data"]["draftLayout"], "Block_BanTin_Toolbar")
    return gql(
        client,
        MOVE,
        {"id": toolbar["id"], "version": toolbar["version"], "region": "main", "position": 1},
        **headers,
    )


@pytest.fixture
def signed_in(client, editor_token):
    response = sign_in(client, editor_token)
    assert response.status_code == 303
    return client


def test_signing_in_gives_a_strict_http_only_session_cookie_and_no_token_anywhere(
    client, editor_token, caplog
):
    caplog.set_level(logging.DEBUG)
    response = sign_in(client, editor_token)
    assert response.status_code == 303 and response.headers["Location"].endswith("/editor/")
    cookie = set_cookie_headers(response)[COOKIE]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=43200" in cookie
    value = SimpleCookie(cookie)[COOKIE].value
    assert editor_token not in value
    pages = [client.get(path) for path in PAGES]
    assert [p.status_code for p in pages] == [200, 200, 200]
    for page in pages:
        assert editor_token not in page.get_data(as_text=True)
    assert editor_token not in response.headers["Location"]
    assert editor_token not in caplog.text
    # Stored as a hash, like tokens.
    stored = db.session.query(EditorSession).one()
    assert stored.session_hash != value and len(stored.session_hash) == 64


def test_a_wrong_or_revoked_token_or_a_forged_form_is_refused(client, app, editor_token):
    assert sign_in(client, "pbt_not-a-token").status_code == 401
    # Without the sign-in form's own cookie (a form posted from another site): refused.
    other = app.test_client()
    forged = other.post("/editor/sign-in", data={"token": editor_token, "csrf_token": "x"})
    assert forged.status_code == 400
    assert COOKIE not in set_cookie_headers(forged)
    revoke_token(db.session, db.session.query(ApiToken).one().id)
    db.session.commit()
    assert sign_in(client, editor_token).status_code == 401
    assert db.session.query(EditorSession).count() == 0


def test_anonymous_requests_to_every_workspace_page_are_sent_to_sign_in(client):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 303, path
        assert "/editor/sign-in" in response.headers["Location"]
    assert client.post("/editor/sign-out").status_code == 403


def test_a_forged_cookie_is_anonymous(client, signed_in):
    client.set_cookie(COOKIE, "forged.value.sig", path="/")
    assert client.get("/editor/").status_code == 303


def test_the_session_edits_through_graphql_only_with_the_csrf_token(signed_in):
    client = signed_in
    csrf = workspace_csrf(client)
    before = gql(client, DRAFT_LAYOUT, {"name": "news-detail"}, **{CSRF_HEADER: csrf})["data"][
        "draftLayout"
    ]["version"]
    # A query without the token is anonymous too.
    anonymous = gql(client, DRAFT_LAYOUT, {"name": "news-detail"})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # Without the header the cookie counts for nothing: the mutation is refused, nothing moves.
    refused = move_toolbar_down(client)
    assert refused["errors"][0]["extensions"]["code"] in {"UNAUTHENTICATED", "FORBIDDEN"}
    wrong = move_toolbar_down(client, **{CSRF_HEADER: "not-the-token"})
    assert wrong["errors"][0]["extensions"]["code"] in {"UNAUTHENTICATED", "FORBIDDEN"}
    after_refusals = gql(client, DRAFT_LAYOUT, {"name": "news-detail"}, **{CSRF_HEADER: csrf})
    assert after_refusals["data"]["draftLayout"]["version"] == before
    moved = move_toolbar_down(client, **{CSRF_HEADER: csrf})
    assert moved["data"]["moveBlock"]["errors"] == []
    history = gql(
        client, '{ layoutHistory(name: "news-detail") { actor action } }', **{CSRF_HEADER: csrf}
    )
    assert history["data"]["layoutHistory"][0] == {"actor": "Biên tập viên Hương", "action": "move"}


def test_an_editors_graphql_answers_are_never_shared(signed_in):
    client = signed_in
    csrf = workspace_csrf(client)
    query = f'{{ page(path: "/tin-tuc/{REFERENCE_SLUG}") {{ path }} }}'
    first = client.post("/graphql", json={"query": query}, headers={CSRF_HEADER: csrf})
    assert first.headers["Cache-Status"].endswith("bypass")


def test_revoking_the_token_ends_its_sessions_at_once(signed_in, editor_token):
    client = signed_in
    assert client.get("/editor/").status_code == 200
    row = db.session.query(ApiToken).one()
    revoke_token(db.session, row.id)
    db.session.commit()
    assert client.get("/editor/").status_code == 303
    csrf = db.session.query(EditorSession).one().csrf_token
    toolbar = db.session.query(Placement).filter_by(block_type="Block_BanTin_Toolbar").one()
    refused = gql(
        client,
        MOVE,
        {"id": str(toolbar.id), "version": toolbar.version, "region": "main", "position": 1},
        **{CSRF_HEADER: csrf},
    )
    assert refused["errors"][0]["extensions"]["code"] in {"UNAUTHENTICATED", "FORBIDDEN"}
    db.session.refresh(toolbar)
    assert toolbar.position == 0


def test_signing_out_revokes_the_session_and_needs_the_form(signed_in):
    client = signed_in
    cookie = client.get_cookie(COOKIE).value
    assert client.post("/editor/sign-out").status_code == 403  # no CSRF token
    csrf = workspace_csrf(client)
    response = client.post("/editor/sign-out", data={"csrf_token": csrf})
    assert response.status_code == 303 and "/editor/sign-in" in response.headers["Location"]
    assert db.session.query(EditorSession).one().revoked_at is not None
    # The old cookie, replayed, opens nothing.
    client.set_cookie(COOKIE, cookie, path="/")
    assert client.get("/editor/").status_code == 303


def test_workspace_pages_have_a_strict_content_security_policy_and_no_inline_script(signed_in):
    for path in [*PAGES, "/editor/sign-in"]:
        response = signed_in.get(path)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "script-src 'self'" in CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
        assert response.headers["Cache-Control"] == "no-store"
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        for script in soup.find_all("script"):
            # Scripts come from files; the only inline blocks are JSON data, never run.
            assert script.get("src") or script.get("type") == "application/json", script
        assert not soup.find_all(attrs={re.compile(r"^on"): True})


def test_the_layout_list_says_which_drafts_differ(signed_in):
    client = signed_in

    def row():
        return BeautifulSoup(client.get("/editor/").get_data(as_text=True), "html.parser")

    state = row().select_one("tr[data-layout=news-detail] .pb-editor__state").get_text()
    assert state == "Đã xuất bản, không có thay đổi nháp"
    move_toolbar_down(client, **{CSRF_HEADER: workspace_csrf(client)})
    state = row().select_one("tr[data-layout=news-detail] .pb-editor__state").get_text()
    assert state == "Bản nháp khác với bản bạn đọc đang xem"
    routes = row().select_one("tr[data-layout=news-detail]").get_text()
    assert "/tin-tuc/<slug>" in routes and "/Pages/<slug>.aspx" in routes


def test_the_publish_summary_lists_what_changes_for_readers(as_editor):
    assert as_editor(CHANGES)["data"]["layoutChanges"]["blocks"] == []
    draft = as_editor(DRAFT_LAYOUT, {"name": "news-detail"})["data"]["draftLayout"]
    toolbar = block(draft, "Block_BanTin_Toolbar")
    as_editor(
        MOVE, {"id": toolbar["id"], "version": toolbar["version"], "region": "main", "position": 1}
    )
    changes = as_editor(CHANGES)["data"]["layoutChanges"]
    assert changes["publishedRevision"] == 1
    moved = {c["blockType"]: c for c in changes["blocks"]}
    assert moved["Block_BanTin_Toolbar"] == {
        "kind": "MOVED",
        "blockType": "Block_BanTin_Toolbar",
        "region": "main",
        "position": 1,
        "fromRegion": "main",
        "fromPosition": 0,
        "settings": [],
    }
    assert moved["Block_BanTin_ViewData"]["kind"] == "MOVED"


def test_the_publish_summary_is_for_editors_only(graphql):
    assert graphql(CHANGES)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_english_on_request(signed_in):
    html = signed_in.get("/editor/?lang=en").get_data(as_text=True)
    assert "<h1>Layouts</h1>" in html and 'lang="en"' in html


def test_in_a_host_app_the_hosts_identities_open_the_workspace_with_no_sign_in(
    migrated_app: Flask, tmp_path
):
    def host_identity(request: Request) -> Identity | None:
        return (
            Identity("Biên tập viên của CMS", Role.EDITOR)
            if request.headers.get("X-User")
            else None
        )

    host = Flask("host", instance_path=str(tmp_path))
    host.config.update(
        {k: v for k, v in migrated_app.config.items() if k.startswith("PORTAL_BLOCKS_")}
    )
    PortalBlocks(host, identity_loader=host_identity)
    client = host.test_client()
    assert client.get("/editor/sign-in").status_code == 404
    assert client.get("/editor/").status_code == 403
    listed = client.get("/editor/", headers={"X-User": "1"})
    assert listed.status_code == 200
    assert "Biên tập viên của CMS" in listed.get_data(as_text=True)
    assert SIGN_IN_COOKIE not in listed.headers.get("Set-Cookie", "")
