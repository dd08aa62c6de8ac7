"""Repository hygiene that CI enforces: lint, and the README commands that CI runs."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL)][:2]


def ruff() -> list[str]:
    local = Path(sys.executable).with_name("ruff")
    found = str(local) if local.exists() else shutil.which("ruff")
    if found is None:
        pytest.skip("ruff is not installed (it is in the test extra)")
    return [found]


def test_ruff_check_is_clean():
    result = subprocess.run([*ruff(), "check", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = subprocess.run(
        [*ruff(), "format", "--check", "."], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_opens_with_demo_and_test_commands():
    demo, tests = readme_commands()
    assert "portal-blocks demo" in demo and "python3 -m venv .venv" in demo
    assert "pytest" in tests and "python3 -m venv .venv" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()
    assert ci.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in ci


def test_the_sdist_carries_the_tests_the_contract_and_the_licence(tmp_path):
    """Unpacked, the source archive runs its own suite: every tracked file of the package,
    the tests (conftest, helpers, fixtures), the committed contract and the examples."""
    copy = tmp_path / "src"
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    for name in tracked:  # a copy: building writes egg-info next to the sources
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, copy / name)
    build = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from setuptools import build_meta; build_meta.build_sdist({str(tmp_path)!r})",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (archive,) = tmp_path.glob("*.tar.gz")
    listing = subprocess.run(["tar", "tzf", str(archive)], capture_output=True, text=True)
    inside = {line.split("/", 1)[1] for line in listing.stdout.split() if "/" in line}
    wanted = {
        name
        for name in tracked
        if name.split("/")[0] in {"portal_blocks", "tests", "schema", "examples", "benchmarks"}
        or name in {"LICENSE", "README.md", "pyproject.toml", "babel.cfg"}
    }
    assert {"LICENSE", "tests/conftest.py", "schema/portal_blocks.graphql"} <= wanted
    assert wanted - inside == set()
    assert not any(name.endswith((".db", ".pyc")) for name in inside)
