"""Block types from other packages (entry points ``portal_blocks.block_types``).

The example package (examples/notice_block, installed by README command 2) is served like a
built-in type: in ``blockTypes``, the SDL, its JSON Schema and on a page, with nothing in
``portal_blocks/`` naming it. Broken or clashing packages stop the start, naming the entry
point and its distribution, and register nothing; ``PORTAL_BLOCKS_BLOCK_TYPES`` chooses.

Broken packages are real ones: a ``*.dist-info`` directory with an ``entry_points.txt`` and a
module beside it, on ``sys.path`` for one test, found by ``importlib.metadata`` as any
installed distribution is.
"""

from __future__ import annotations

import json
import re
import textwrap
import uuid
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup
from conftest import REFERENCE_SLUG, REPO, demo_content
from editing import PLACE, PUBLISH_LAYOUT, draft, ok, payload
from flask import Flask

from portal_blocks import create_app
from portal_blocks.block_types import BUILTIN, toolbar, viewdata
from portal_blocks.block_types.loading import GROUP, BlockTypeError
from portal_blocks.blocks.registry import registry
from portal_blocks.cli import cli
from portal_blocks.config import SettingsError
from portal_blocks.db import db
from portal_blocks.state import get_state

NOTICE = "Block_ThongBao"
DISTRIBUTION = "portal-blocks-example-notice"
PACKAGE = "portal_blocks_example_notice"
ENTRY_POINT = "notice"
BUILT_IN_ONLY = ",".join(t.name for t in BUILTIN)
PAGE_PATH = f"/tin-tuc/{REFERENCE_SLUG}"
SETTINGS = {"title": "Lịch tiếp dân", "text": "Thứ Năm hằng tuần.", "level": "urgent"}


@pytest.fixture(scope="module", autouse=True)
def example_installed():
    """Every test here is about the installed example: without it they cannot say anything."""
    found = [e for e in entry_points(group=GROUP) if e.dist and e.dist.name == DISTRIBUTION]
    if not found:
        pytest.fail(
            f"{DISTRIBUTION} is not installed: README command 2 installs it "
            "(.venv/bin/pip install -e examples/notice_block)"
        )


_apps: dict[str, Flask] = {}


@pytest.fixture
def app(database_url: str, migrated_app: Flask) -> Iterator[Flask]:
    """The demo content served by an app with every installed block type (the suite's shared
    app serves the built-in ones alone); conftest's client, graphql and editor fixtures use it."""
    if database_url not in _apps:
        settings = {k: v for k, v in migrated_app.config.items() if k.startswith("PORTAL_BLOCKS_")}
        _apps[database_url] = create_app(
            {**settings, "PORTAL_BLOCKS_BLOCK_TYPES": [], "TESTING": True}
        )
    with demo_content(_apps[database_url]) as ready:
        yield ready


def new_app(**settings):
    """An app on an in-memory database, for what is decided at its creation."""
    return create_app({"PORTAL_BLOCKS_DATABASE_URL": "sqlite://", **settings})


# --- the example, as an app serves it --------------------------------------------------------


def test_nothing_in_portal_blocks_names_the_example():
    """The example is served with no change to portal_blocks/: no file there names it."""
    names = (NOTICE, "ThongBao", DISTRIBUTION, PACKAGE, "notice_block")
    naming = [
        f"{path.relative_to(REPO)}: {name}"
        for path in sorted((REPO / "portal_blocks").rglob("*"))
        if path.is_file() and path.suffix not in {".pyc", ".db"}
        for name in names
        if name.lower() in path.read_text(encoding="utf-8", errors="replace").lower()
    ]
    assert naming == []


def test_it_comes_from_the_example_distribution():
    (entry_point,) = [e for e in entry_points(group=GROUP) if e.name == ENTRY_POINT]
    assert entry_point.dist is not None and entry_point.dist.name == DISTRIBUTION
    assert entry_point.value == f"{PACKAGE}:BLOCK"
    assert (REPO / "examples" / "notice_block" / "pyproject.toml").is_file()


BLOCK_TYPES = "{ blockTypes { name description settingsSchema defaults } }"


def test_block_types_lists_it_with_its_settings_schema_and_defaults(graphql):
    listed = {t["name"]: t for t in graphql(BLOCK_TYPES)["data"]["blockTypes"]}
    assert set(listed) == {NOTICE, *(t.name for t in BUILTIN)}
    notice = listed[NOTICE]
    assert notice["description"].startswith("Thông báo")
    assert notice["defaults"] == {"title": "", "text": "", "level": "info", "showIcon": True}
    assert notice["settingsSchema"]["$id"] == f"{NOTICE}.schema.json"
    assert notice["settingsSchema"]["properties"]["level"]["enum"] == ["info", "warning", "urgent"]


def test_export_schema_writes_it_into_the_sdl_and_its_json_schema(app, tmp_path):
    result = app.test_cli_runner().invoke(cli, ["export-schema", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    sdl = (tmp_path / "portal_blocks.graphql").read_text(encoding="utf-8")
    assert f"type {NOTICE} implements Block {{" in sdl
    assert "type ThongBaoSettings implements BlockSettings {" in sdl
    assert "enum ThongBaoLevel {" in sdl
    written = json.loads((tmp_path / "blocks" / f"{NOTICE}.schema.json").read_text())
    assert written == registry.get(NOTICE).json_schema()
    validator = jsonschema.Draft202012Validator(written)
    assert validator.is_valid(SETTINGS)
    assert not validator.is_valid({"level": "loud"})


def test_the_committed_contract_is_the_built_in_types_alone(app, tmp_path):
    """schema/ is portal-blocks' own contract: `--builtin-only` checks it whatever is
    installed; the plain check compares it with what this app serves, the example's too."""
    runner = app.test_cli_runner()
    committed = ["export-schema", "--check", "--dir", str(REPO / "schema")]
    assert runner.invoke(cli, [*committed, "--builtin-only"]).exit_code == 0
    served = runner.invoke(cli, committed)
    assert served.exit_code == 1
    assert f"missing: blocks/{NOTICE}.schema.json" in served.output
    assert "stale (differ from the code): portal_blocks.graphql" in served.output
    assert f"installed packages ({NOTICE}): for the built-in ones alone, add --builtin-only" in (
        served.output
    )
    assert (
        runner.invoke(cli, ["export-schema", "--builtin-only", "--dir", str(tmp_path)]).exit_code
        == 0
    )
    assert not (tmp_path / "blocks" / f"{NOTICE}.schema.json").exists()
    assert NOTICE not in (tmp_path / "portal_blocks.graphql").read_text(encoding="utf-8")


VALIDATE = """query($type: String!, $settings: JSON!) {
  validateBlockSettings(blockType: $type, settings: $settings) {
    valid settings errors { field code } } }"""


def test_its_settings_are_validated(graphql):
    bad = graphql(VALIDATE, {"type": NOTICE, "settings": {"level": "loud", "showIcon": "yes"}})
    checked = bad["data"]["validateBlockSettings"]
    assert checked["valid"] is False and checked["settings"] is None
    assert sorted((e["field"], e["code"]) for e in checked["errors"]) == [
        ("settings.level", "INVALID_CHOICE"),
        ("settings.showIcon", "INVALID_TYPE"),
    ]
    good = graphql(VALIDATE, {"type": NOTICE, "settings": SETTINGS})["data"]
    assert good["validateBlockSettings"] == {
        "valid": True,
        "settings": {**SETTINGS, "showIcon": True},
        "errors": [],
    }


PAGE = """query($path: String!) { page(path: $path) { regions { blocks {
  __typename position html
  ... on Block_ThongBao { title paragraphs level levelLabel icon
    settings { ... on ThongBaoSettings { level showIcon } } } } } } }"""


def place_notice(as_editor, settings, position=0):
    return as_editor(
        PLACE,
        {
            "layout": "news-detail",
            "version": draft(as_editor)["version"],
            "region": "main",
            "type": NOTICE,
            "settings": settings,
            "position": position,
        },
    )


def test_an_editor_places_it_and_readers_see_it_over_graphql_and_on_the_theme_page(
    as_editor, graphql, client
):
    placed = ok(place_notice(as_editor, SETTINGS))
    assert placed["placement"]["settings"] == {**SETTINGS, "showIcon": True}
    ok(as_editor(PUBLISH_LAYOUT, {"layout": "news-detail", "version": draft(as_editor)["version"]}))

    result = graphql(PAGE, {"path": PAGE_PATH})
    assert "errors" not in result, result
    blocks = result["data"]["page"]["regions"][0]["blocks"]
    assert [b["__typename"] for b in blocks][:1] == [NOTICE]
    notice = blocks[0]
    assert (notice["title"], notice["paragraphs"]) == ("Lịch tiếp dân", ["Thứ Năm hằng tuần."])
    assert (notice["level"], notice["levelLabel"], notice["icon"]) == ("URGENT", "Khẩn", "❗")
    assert notice["settings"] == {"level": "URGENT", "showIcon": True}
    assert 'role="note"' in notice["html"] and "Lịch tiếp dân" in notice["html"]

    theme_page = client.get(PAGE_PATH)
    assert theme_page.status_code == 200
    soup = BeautifulSoup(theme_page.get_data(as_text=True), "html.parser")
    shown = soup.select_one(f"main [data-block-type={NOTICE}]")
    assert shown is not None and shown.select_one("h2").get_text() == "Lịch tiếp dân"
    # Before the toolbar and the article, where the editor put it.
    order = [tag["data-block-type"] for tag in soup.select("main [data-block-type]")]
    assert order == [NOTICE, toolbar.NAME, viewdata.NAME]


def test_placing_it_with_bad_settings_is_refused_by_field(as_editor):
    refused = payload(place_notice(as_editor, {"level": "loud"}))
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("settings.level", "INVALID_CHOICE")
    ]


# --- PORTAL_BLOCKS_BLOCK_TYPES -------------------------------------------------------------


def served(app) -> set[str]:
    return {t.name for t in get_state(app).schema.block_types}


@pytest.mark.parametrize(
    ("setting", "with_notice"),
    [
        ([], True),
        ("", True),
        (BUILT_IN_ONLY, False),
        (BUILTIN[0].name, False),  # built-ins are always served: naming one names no other
        (ENTRY_POINT, True),
        ([NOTICE], True),
        (f" {BUILTIN[0].name} , {NOTICE} ", True),
    ],
)
def test_the_setting_chooses_by_block_type_or_entry_point_name(setting, with_notice):
    app = new_app(PORTAL_BLOCKS_BLOCK_TYPES=setting)
    builtins = {t.name for t in BUILTIN}
    assert served(app) == (builtins | {NOTICE} if with_notice else builtins)
    assert (f"type {NOTICE} implements Block" in get_state(app).schema.as_str()) is with_notice


def test_an_unknown_name_in_the_setting_stops_the_start_naming_it():
    with pytest.raises(SettingsError) as refused:
        new_app(PORTAL_BLOCKS_BLOCK_TYPES=f"{NOTICE},Block_ThongBoa")
    message = str(refused.value)
    assert message.startswith("PORTAL_BLOCKS_BLOCK_TYPES names no installed block type")
    assert "'Block_ThongBoa'" in message and f"{NOTICE} (entry point 'notice'" in message


def test_a_setting_that_is_no_list_is_refused():
    with pytest.raises(SettingsError, match="PORTAL_BLOCKS_BLOCK_TYPES must be a list"):
        new_app(PORTAL_BLOCKS_BLOCK_TYPES=5)


PAGE_TYPES = "query($path: String!) { page(path: $path) { regions { blocks { __typename } } } }"


def page_types(client) -> list[str]:
    result = client.post("/graphql", json={"query": PAGE_TYPES, "variables": {"path": PAGE_PATH}})
    body = result.get_json()
    assert "errors" not in body, body
    return [b["__typename"] for b in body["data"]["page"]["regions"][0]["blocks"]]


def test_two_apps_of_one_process_serve_their_own_block_types(
    app, migrated_app, as_editor, editor_token
):
    """The registry is the process's; what an app serves (its schema, blockTypes, its pages,
    what its editors may place) is its own. Both apps here share one database."""
    ok(place_notice(as_editor, SETTINGS))
    ok(as_editor(PUBLISH_LAYOUT, {"layout": "news-detail", "version": draft(as_editor)["version"]}))
    plain = migrated_app  # the suite's app: PORTAL_BLOCKS_BLOCK_TYPES names the built-ins
    assert NOTICE in registry and NOTICE in served(app) and NOTICE not in served(plain)
    assert NOTICE in page_types(app.test_client())
    with plain.app_context():
        reader = plain.test_client()
        listed = reader.post("/graphql", json={"query": "{ blockTypes { name } }"}).get_json()
        assert {t["name"] for t in listed["data"]["blockTypes"]} == {t.name for t in BUILTIN}
        # The notice placement is left out of this app's page, not an unknown GraphQL type.
        assert NOTICE not in page_types(reader) and page_types(reader)
        checked = reader.post(
            "/graphql", json={"query": VALIDATE, "variables": {"type": NOTICE, "settings": {}}}
        ).get_json()
        assert checked["errors"][0]["extensions"]["code"] == "UNKNOWN_BLOCK_TYPE"
        placing = reader.post(
            "/graphql",
            json={
                "query": PLACE,
                "variables": {
                    "layout": "news-detail",
                    "version": draft(as_editor)["version"],
                    "region": "main",
                    "type": NOTICE,
                },
            },
            headers={"Authorization": f"Bearer {editor_token}"},
        ).get_json()
        assert [e["code"] for e in payload(placing)["errors"]] == ["UNKNOWN_BLOCK_TYPE"]
        db.session.remove()


# --- packages that cannot be served ----------------------------------------------------------

#: A block type module, as a package would write one; {name} and {package} filled in.
MODULE = """
import strawberry

from portal_blocks.blocks.registry import BlockType
from portal_blocks.blocks.settings import SettingsSchema, StrictBoolean
from portal_blocks.blocks.view import BlockView, view_fields
from portal_blocks.graphql.block_settings import settings_object, settings_type
from portal_blocks.graphql.blocks import Block, block_fields


class Settings(SettingsSchema):
    shown = StrictBoolean(load_default=True)


SCHEMA = Settings()
SettingsType = settings_type("{name}Settings", SCHEMA, "")


@strawberry.type(name="{name}")
class GraphQLType(Block):
    settings: SettingsType

    @classmethod
    def from_view(cls, view):
        return cls(**block_fields(view, settings_object(SettingsType, SCHEMA, view)))


def build(placement, page, settings):
    return BlockView(**view_fields(placement, page, settings))


BLOCK = BlockType(
    name="{name}",
    description="A block type of a test package.",
    schema=SCHEMA,
    graphql_type=GraphQLType,
    template="{package}/block.html",
    template_package="{package}",
    build=build,
)
"""


class FakePackages:
    """Distributions made for one test: a dist-info directory and a package each."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.tag = uuid.uuid4().hex[:8]
        monkeypatch.syspath_prepend(str(root))
        # A test's registrations are its own (a type that loads is registered in the process).
        monkeypatch.setattr(registry, "_types", dict(registry._types))

    def package(
        self, name: str, extra: str = "", *, block_name: str | None = None, templates=()
    ) -> str:
        """A package whose ``BLOCK`` is a good block type, then ``extra`` run on it; its
        templates folder holds its own ``<package>/block.html`` and ``templates``."""
        package = f"{name}_{self.tag}"
        folder = self.root / package / "templates"
        for template in (f"{package}/block.html", *templates):
            (folder / template).parent.mkdir(parents=True, exist_ok=True)
            (folder / template).write_text("<p>x</p>")
        source = MODULE.replace("{name}", block_name or f"Block_{name.title()}_{self.tag}")
        source = source.replace("{package}", package)
        (self.root / package / "__init__.py").write_text(source + textwrap.dedent(extra))
        return package

    def distribution(self, name: str, **entry_points: str) -> str:
        """A distribution declaring ``entry_points`` (name = value) in our group."""
        dist = f"{name}-{self.tag}"
        info = self.root / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
        (info / "entry_points.txt").write_text(f"[{GROUP}]\n{lines}")
        return dist


@pytest.fixture
def packages(tmp_path, monkeypatch) -> FakePackages:
    return FakePackages(tmp_path, monkeypatch)


def refused(**settings) -> str:
    with pytest.raises(BlockTypeError) as error:
        new_app(**settings)
    return str(error.value)


def test_an_entry_point_may_name_a_callable_giving_several_types(packages):
    package = packages.package(
        "several",
        """
        import dataclasses

        @strawberry.type(name=BLOCK.name + "_Two")
        class Two(GraphQLType):
            pass

        def several():
            return [BLOCK, dataclasses.replace(BLOCK, name=BLOCK.name + "_Two", graphql_type=Two)]
        """,
    )
    packages.distribution("several", several=f"{package}:several")
    name = f"Block_Several_{packages.tag}"
    app = new_app(PORTAL_BLOCKS_BLOCK_TYPES="several")
    assert served(app) == {name, f"{name}_Two", *(t.name for t in BUILTIN)}
    assert f"type {name}_Two implements Block" in get_state(app).schema.as_str()
    # Called once per process: another app gets the same definitions, not a clash with them.
    again = new_app(PORTAL_BLOCKS_BLOCK_TYPES="several")
    assert get_state(again).schema is get_state(app).schema


def test_a_package_whose_types_load_is_served_and_renders_from_its_templates(packages):
    package = packages.package("served")
    packages.distribution("served", block=f"{package}:BLOCK")
    name = f"Block_Served_{packages.tag}"
    app = new_app(PORTAL_BLOCKS_BLOCK_TYPES="block")
    assert served(app) == {name, *(t.name for t in BUILTIN)}
    with app.app_context():
        template = app.jinja_env.get_template(f"{package}/block.html")
        assert template.render() == "<p>x</p>"


BROKEN = [
    # (what the package does wrong, its module's extra code, the entry point's target, message)
    ("import", "import a_module_nobody_wrote", "BLOCK", "cannot be imported: ModuleNotFoundError"),
    ("attribute", "", "NO_SUCH_NAME", "cannot be imported: AttributeError"),
    ("object", "NOT_A_BLOCK = 42", "NOT_A_BLOCK", "names 42, which is neither a BlockType"),
    (
        "call",
        "def make():\n    raise RuntimeError('no database')",
        "make",
        "failed when called: RuntimeError: no database",
    ),
    ("gives", "def make():\n    return []", "make", "gave [], not a BlockType"),
    (
        "name",
        "import dataclasses\nBAD = dataclasses.replace(BLOCK, name='Block-Bad')",
        "BAD",
        "its name 'Block-Bad' is not a GraphQL type name",
    ),
    (
        "typename",
        "import dataclasses\nBAD = dataclasses.replace(BLOCK, name=BLOCK.name + '_Other')",
        "BAD",
        "its graphql_type is named",
    ),
    (
        "graphql",
        "import dataclasses\nBAD = dataclasses.replace(BLOCK, graphql_type=Settings)",
        "BAD",
        "is not a strawberry type implementing portal_blocks.graphql.blocks.Block",
    ),
    (
        "template",
        "import dataclasses\nBAD = dataclasses.replace(BLOCK, template='nowhere.html')",
        "BAD",
        "its template 'nowhere.html' is not in",
    ),
    (
        "default",
        """
        from marshmallow import fields

        class NoDefault(SettingsSchema):
            needed = fields.String(required=True)

        import dataclasses
        BAD = dataclasses.replace(BLOCK, schema=NoDefault())
        """,
        "BAD",
        "its settings need a default each (load_default); without one: settings.needed",
    ),
    (
        "schema",
        """
        import strawberry as _s

        @_s.type(name="ToolbarSettings")
        class Clash:
            x: int

        @_s.type(name=BLOCK.name)
        class Clashing(GraphQLType):
            other: Clash

        import dataclasses
        BAD = dataclasses.replace(BLOCK, graphql_type=Clashing)
        """,
        "BAD",
        "makes no valid GraphQL schema",
    ),
]


@pytest.mark.parametrize(("case", "extra", "target", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_package_stops_the_start_naming_it_and_registers_nothing(
    packages, case, extra, target, message
):
    good = packages.package("good")
    broken = packages.package(case, extra)
    dist = packages.distribution(case, fine=f"{good}:BLOCK", broken=f"{broken}:{target}")
    before = dict(registry._types)
    refusal = refused()
    assert f"entry point 'broken' ({broken}:{target}) of {dist} 1.0" in refusal
    assert message in refusal
    assert "entry point 'fine'" not in refusal  # only the broken one is blamed
    assert registry._types == before  # the good type of the same package is not registered


def test_a_template_named_as_one_of_ours_is_refused(packages):
    """Ours are looked up first: the package's own would never be shown."""
    ours = "portal_blocks/region.html"
    package = packages.package(
        "shadowed",
        f"import dataclasses\nBAD = dataclasses.replace(BLOCK, template={ours!r})",
        templates=[ours],
    )
    packages.distribution("shadowed", shadowed=f"{package}:BAD")
    assert f"its template {ours!r} has the name of one of portal-blocks' own" in refused()


def test_a_broken_package_is_refused_even_when_the_setting_leaves_it_out(packages):
    broken = packages.package("unchosen", "import a_module_nobody_wrote")
    packages.distribution("unchosen", unchosen=f"{broken}:BLOCK")
    assert "cannot be imported" in refused(PORTAL_BLOCKS_BLOCK_TYPES=ENTRY_POINT)


def test_every_broken_package_is_named_at_once(packages):
    first = packages.distribution("first", a="nowhere_at_all:BLOCK")
    second = packages.distribution("second", b="nowhere_either:BLOCK")
    refusal = refused()
    assert refusal.startswith(f"Block types cannot be loaded ({GROUP}), 2 problems:\n  ")
    assert f"of {first} 1.0" in refusal and f"of {second} 1.0" in refusal


def test_two_packages_with_one_block_type_name_stop_the_start_naming_both(packages):
    name = f"Block_Twice_{packages.tag}"
    one = packages.package("one", block_name=name)
    other = packages.package("other", block_name=name)
    first = packages.distribution("first", one=f"{one}:BLOCK")
    second = packages.distribution("second", other=f"{other}:BLOCK")
    refusal = refused()
    assert re.search(
        rf"entry point 'other' \({other}:BLOCK\) of {second} 1\.0: block type '{name}' is "
        rf"already defined by entry point 'one' \({one}:BLOCK\) of {first} 1\.0",
        refusal,
    ), refusal


def test_a_package_taking_a_built_in_name_stops_the_start(packages):
    taken = packages.package("taken", block_name=BUILTIN[0].name)
    dist = packages.distribution("taken", taken=f"{taken}:BLOCK")
    refusal = refused()
    assert f"of {dist} 1.0: block type '{BUILTIN[0].name}' is already defined by portal-blocks" in (
        refusal
    )


def test_the_command_line_says_it_in_one_line(packages):
    dist = packages.distribution("cli", broken="nowhere_at_all:BLOCK")
    result = new_app_cli(["export-schema", "--check"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"Error: A block type cannot be loaded ({GROUP}): entry point 'broken'" in result.output
    assert f"of {dist} 1.0 cannot be imported" in result.output


def new_app_cli(args):
    from click.testing import CliRunner

    return CliRunner().invoke(cli, args, env={"PORTAL_BLOCKS_DATABASE_URL": "sqlite://"})
