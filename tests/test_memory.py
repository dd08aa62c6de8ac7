"""The processes we serve from give large freed blocks back to the system (the growth itself
is measured by ``benchmarks/memory.py``: 437 MB without, 34 MB with, after 400 documents)."""

from __future__ import annotations

import ctypes.util
import platform

import pytest

from portal_blocks import cli, create_app
from portal_blocks.memory import keep_large_blocks_off_the_heap


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="mallopt is glibc's; other C libraries have no such threshold to fix",
)
def test_the_threshold_is_fixed_on_glibc():
    assert ctypes.util.find_library("c") is not None
    assert keep_large_blocks_off_the_heap() is True


def test_serve_fixes_it_before_gunicorn_forks_the_workers(tmp_path, monkeypatch):
    calls: list[str] = []

    class Gunicorn:
        def __init__(self, _app, _options) -> None:
            calls.append("gunicorn built")

        def run(self) -> None:
            calls.append("gunicorn run")

    monkeypatch.setattr(cli, "_Gunicorn", Gunicorn)
    monkeypatch.setattr(cli, "keep_large_blocks_off_the_heap", lambda: calls.append("fixed"))
    monkeypatch.setattr(cli, "configure_logging", lambda: None)
    served = create_app({"PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{tmp_path / 'memory.db'}"})
    cli._serve(served, "127.0.0.1", 0, 1)
    assert calls == ["fixed", "gunicorn built", "gunicorn run"]


def test_the_wsgi_module_fixes_it_too():
    import ast
    from pathlib import Path

    import portal_blocks.wsgi as wsgi

    tree = ast.parse(Path(wsgi.__file__).read_text(encoding="utf-8"))
    called = [
        node.value.func.id
        for node in tree.body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
    ]
    assert called == ["keep_large_blocks_off_the_heap"]
