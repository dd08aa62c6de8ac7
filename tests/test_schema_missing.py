"""A database whose schema was never created, or is behind the code: every route says so and
names the command that creates it; none answers a bare 500 or a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask
from flask_migrate import upgrade

from portal_blocks import create_app
from portal_blocks.hostcli import blocks_cli

PAGE = "/tin-tuc/gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
#: The revision before the newest: what a database not upgraded since the last release is at.
PREVIOUS = "01659aa3e7b1"


@pytest.fixture
def never_migrated(tmp_path) -> Flask:
    return create_app({"PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})


def test_readiness_says_the_schema_is_missing_and_what_creates_it(never_migrated):
    response = never_migrated.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "schema missing"
    assert "portal-blocks db upgrade" in body["message"]


def test_readiness_says_a_schema_behind_the_code_is_out_of_date(tmp_path):
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"})
    with app.app_context():
        upgrade(revision=PREVIOUS)
    behind = app.test_client().get("/readyz")
    assert behind.status_code == 503
    assert behind.get_json()["database"] == "schema out of date"
    with app.app_context():
        upgrade()
    assert app.test_client().get("/readyz").status_code == 200


@pytest.mark.parametrize(
    "url", [PAGE, "/", f"/fragments/page?path={PAGE}", f"/print?path={PAGE}", f"{PAGE}?view=print"]
)
def test_pages_and_fragments_answer_503_naming_the_command(never_migrated, url):
    response = never_migrated.test_client().get(url)
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "portal-blocks db upgrade" in text
    assert "Traceback" not in text
    if response.is_json:
        assert response.get_json()["error"]["code"] == "SCHEMA_MISSING"


def test_a_host_apps_commands_say_which_command_creates_the_schema(never_migrated):
    runner = CliRunner()
    with never_migrated.app_context():
        result = runner.invoke(blocks_cli, ["load-demo"])
    assert result.exit_code == 1
    assert "run `flask blocks upgrade`" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1
