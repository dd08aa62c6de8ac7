"""Tokens, identities and the role check in front of every mutation and editor query."""

from __future__ import annotations

import json

import pytest
from editing import (
    CONFIGURE,
    CREATE_ARTICLE,
    CREATE_LAYOUT,
    DELETE_ARTICLE,
    MOVE,
    PLACE,
    PUBLISH_ARTICLE,
    PUBLISH_LAYOUT,
    REMOVE,
    REVERT_ARTICLE,
    REVERT_LAYOUT,
    ROUTE_PATH,
    SET_REGIONS,
    UNPUBLISH_ARTICLE,
    UPDATE_ARTICLE,
    block,
    draft,
    ok,
)
from flask import Flask
from sqlalchemy import select

from portal_blocks.auth.tokens import Identity, hash_token
from portal_blocks.cli import cli
from portal_blocks.db import db
from portal_blocks.models import ApiToken, Article, AuditEntry, Role

SLUG = "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
TOOLBAR = "Block_BanTin_Toolbar"
VIEWDATA = "Block_BanTin_ViewData"


def _state() -> str:
    """Everything an edit could touch, as one comparable text."""
    dump = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        dump[table.name] = [[str(v) for v in row] for row in rows]
    db.session.rollback()
    return json.dumps(dump, sort_keys=True)


def _version_of_article(slug: str = SLUG) -> int:
    version = db.session.scalar(select(Article.version).where(Article.slug == slug))
    db.session.rollback()
    return version


#: Each mutation with valid arguments for the demo content (given the news-detail draft).
MUTATIONS = {
    "createLayout": lambda d: (CREATE_LAYOUT, {"name": "trang-chu", "regions": ["main"]}),
    "setRegions": lambda d: (
        SET_REGIONS,
        {"layout": "news-detail", "version": d["version"], "regions": ["main", "side"]},
    ),
    "placeBlock": lambda d: (
        PLACE,
        {"layout": "news-detail", "version": d["version"], "region": "main", "type": TOOLBAR},
    ),
    "moveBlock": lambda d: (
        MOVE,
        {"id": block(d, TOOLBAR)["id"], "version": 1, "region": "main", "position": 1},
    ),
    "configureBlock": lambda d: (
        CONFIGURE,
        {"id": block(d, TOOLBAR)["id"], "version": 1, "settings": {"showDate": False}},
    ),
    "removeBlock": lambda d: (REMOVE, {"id": block(d, VIEWDATA)["id"], "version": 1}),
    "publishLayout": lambda d: (
        PUBLISH_LAYOUT,
        {"layout": "news-detail", "version": d["version"]},
    ),
    "revertLayout": lambda d: (
        REVERT_LAYOUT,
        {"layout": "news-detail", "version": d["version"], "revision": 1},
    ),
    "routePath": lambda d: (ROUTE_PATH, {"pattern": "/tin/<slug>", "layout": "news-detail"}),
    "createArticle": lambda d: (CREATE_ARTICLE, {"input": {"title": "Bản tin mới"}}),
    "updateArticle": lambda d: (
        UPDATE_ARTICLE,
        {"slug": SLUG, "version": _version_of_article(), "input": {"lead": "Sapo mới"}},
    ),
    "publishArticle": lambda d: (
        PUBLISH_ARTICLE,
        {"slug": SLUG, "version": _version_of_article()},
    ),
    "unpublishArticle": lambda d: (
        UNPUBLISH_ARTICLE,
        {"slug": SLUG, "version": _version_of_article()},
    ),
    "revertArticle": lambda d: (
        REVERT_ARTICLE,
        {"slug": SLUG, "version": _version_of_article(), "entry": _demo_publish_entry()},
    ),
    "deleteArticle": lambda d: (DELETE_ARTICLE, {"slug": SLUG, "version": _version_of_article()}),
}


def _demo_publish_entry() -> str:
    """The demo article was imported, not published through an edit: publish it once here."""
    from portal_blocks.content.editing import publish_article

    publish_article(db.session, "setup", slug=SLUG, version=_version_of_article())
    db.session.commit()
    entry = db.session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.action == "publish", AuditEntry.subject_type == "article"
        )
    )
    db.session.rollback()
    return str(entry)


def _revoked_token() -> str:
    from portal_blocks.auth.tokens import create_token, revoke_token

    row, token = create_token(db.session, name="Cựu biên tập viên", role=Role.EDITOR)
    revoke_token(db.session, row.id)
    db.session.commit()
    return token


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_every_mutation_is_allowed_for_editors(mutation, as_editor):
    query, variables = MUTATIONS[mutation](draft(as_editor))
    before = _state()
    assert ok(as_editor(query, variables))["errors"] == []
    assert _state() != before


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@pytest.mark.parametrize("who", ["anonymous", "revoked", "unknown"])
def test_every_mutation_is_refused_without_a_valid_token(mutation, who, as_editor, bearer, graphql):
    query, variables = MUTATIONS[mutation](draft(as_editor))
    run = {
        "anonymous": graphql,
        "revoked": bearer(_revoked_token()),
        "unknown": bearer("pbt_not-a-token"),
    }[who]
    before = _state()
    result = run(query, variables)
    assert result["data"] is None
    [error] = result["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert _state() == before


@pytest.mark.parametrize(
    "query",
    [
        '{ draftLayout(name: "news-detail") { version } }',
        '{ layoutHistory(name: "news-detail") { action } }',
        f'{{ articleHistory(slug: "{SLUG}") {{ action }} }}',
        f'{{ draftArticle(slug: "{SLUG}") {{ version }} }}',
    ],
)
def test_editor_queries_are_refused_for_anonymous(query, graphql, as_editor):
    assert graphql(query)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "errors" not in as_editor(query)


def test_anonymous_preview_is_forbidden(graphql):
    query = "query($p: String!) { page(path: $p, preview: true) { path } }"
    result = graphql(query, {"p": f"/tin-tuc/{SLUG}"})
    assert result["data"] == {"page": None}
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_admin_tokens_may_edit(app, bearer):
    from conftest import _token

    admin = bearer(_token("admin", "Quản trị"))
    result = admin(CREATE_LAYOUT, {"name": "trang-chu", "regions": ["main", "side"]})
    assert ok(result)["layout"]["regions"] == ["main", "side"]


def test_token_is_stored_only_as_its_hash(app):
    runner = app.test_cli_runner()
    result = runner.invoke(cli, args=["create-token", "--role", "editor", "--name", "Toà soạn"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("pbt_") and len(token) > 40
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hash_token(token)
    stored = json.dumps([str(v) for v in db.session.execute(select(ApiToken.__table__)).one()])
    assert token not in stored
    assert row.role is Role.EDITOR and row.name == "Toà soạn" and row.revoked_at is None


def test_cli_lists_and_revokes_tokens(app, graphql):
    runner = app.test_cli_runner()
    token = runner.invoke(cli, args=["create-token", "--role", "admin", "--name", "CMS"]).output
    token = token.strip().splitlines()[-1]
    listed = runner.invoke(cli, args=["list-tokens"]).output
    [line] = listed.strip().splitlines()
    token_id, role, name, _created, state = line.split("\t")
    assert (role, name, state) == ("admin", "CMS", "active")
    assert token not in listed

    headers = {"Authorization": f"Bearer {token}"}
    query = '{ draftLayout(name: "news-detail") { version } }'
    assert "errors" not in graphql(query, headers=headers)
    revoked = runner.invoke(cli, args=["revoke-token", token_id])
    assert revoked.exit_code == 0, revoked.output
    assert runner.invoke(cli, args=["list-tokens"]).output.split("\t")[-1].strip() != "active"
    assert graphql(query, headers=headers)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert runner.invoke(cli, args=["revoke-token", "999"]).exit_code != 0


def test_host_identity_loader_replaces_tokens(app, database_url):
    """A host CMS says who is asking (here from its own header); our tokens are not consulted."""
    from portal_blocks import PortalBlocks

    def host_identity(request):
        user = request.headers.get("X-Host-User")
        return Identity(name=user, role=Role.EDITOR) if user else None

    host = Flask("host_cms")
    host.config.update(PORTAL_BLOCKS_DATABASE_URL=database_url, TESTING=True)
    PortalBlocks(host, identity_loader=host_identity)
    client = host.test_client()
    query = '{ draftLayout(name: "news-detail") { name } }'
    with host.app_context():
        anonymous = client.post("/graphql", json={"query": query}).get_json()
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        signed_in = client.post(
            "/graphql", json={"query": query}, headers={"X-Host-User": "nguyen.van.a"}
        ).get_json()
        assert signed_in["data"]["draftLayout"]["name"] == "news-detail"
        created = client.post(
            "/graphql",
            json={"query": CREATE_LAYOUT, "variables": {"name": "host-page", "regions": ["a"]}},
            headers={"X-Host-User": "nguyen.van.a"},
        ).get_json()
        assert ok(created)["layout"]["name"] == "host-page"
        history = client.post(
            "/graphql",
            json={"query": '{ layoutHistory(name: "host-page") { actor action } }'},
            headers={"X-Host-User": "nguyen.van.a"},
        ).get_json()
        assert history["data"]["layoutHistory"] == [{"actor": "nguyen.van.a", "action": "create"}]
        db.session.remove()
