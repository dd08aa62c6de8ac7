"""The portal-blocks command: load-demo is idempotent, export-schema --check guards the contract."""

from pathlib import Path

from portal_blocks.cli import cli
from portal_blocks.db import db
from portal_blocks.models import Article, Layout, Placement, Route

REPO = Path(__file__).resolve().parents[1]


def counts() -> tuple[int, ...]:
    return tuple(db.session.query(m).count() for m in (Article, Layout, Placement, Route))


def test_load_demo_is_idempotent(app):
    before = counts()
    result = app.test_cli_runner().invoke(cli, ["load-demo"])
    assert result.exit_code == 0, result.output
    assert "1 article" in result.output
    db.session.expire_all()
    assert counts() == before == (1, 1, 2, 2)


def test_export_schema_check_passes_on_the_committed_contract(app):
    result = app.test_cli_runner().invoke(
        cli, ["export-schema", "--check", "--dir", str(REPO / "schema")]
    )
    assert result.exit_code == 0, result.output


def test_export_schema_check_fails_on_drift(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["export-schema", "--dir", str(tmp_path)]).exit_code == 0
    (tmp_path / "portal_blocks.graphql").write_text("type Query { old: Int }\n")
    result = runner.invoke(cli, ["export-schema", "--check", "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "portal_blocks.graphql" in result.output
