"""The processes we serve from give large freed blocks back to the system (the growth itself
is measured by ``benchmarks/memory.py``: 437 MB without, 34 MB with, after 400 documents), and
freeze what startup built before gunicorn forks the workers (each worker's own memory is
measured by ``benchmarks/workers.py``)."""

from __future__ import annotations

import ctypes.util
import gc
import platform

import pytest

from portal_blocks import cli, create_app
from portal_blocks.memory import keep_large_blocks_off_the_heap, share_startup_objects


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
    monkeypatch.setattr(cli, "share_startup_objects", lambda: calls.append("frozen"))
    monkeypatch.setattr(cli, "configure_logging", lambda: None)
    served = create_app({"PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{tmp_path / 'memory.db'}"})
    cli._serve(served, "127.0.0.1", 0, 1)
    assert calls == ["fixed", "gunicorn built", "frozen", "gunicorn run"]


def test_what_startup_built_is_out_of_the_collectors_reach_and_its_garbage_gone():
    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the collector frees it

    was_enabled = gc.isenabled()
    gc.disable()  # no automatic collection may free the garbage first
    kept = Node()
    Node()  # garbage at once
    try:
        frozen = share_startup_objects()
        assert frozen == gc.get_freeze_count() > 0
        # Frozen objects are in no generation: the workers' collections never walk them.
        assert all(o is not kept for o in gc.get_objects())
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
    # The garbage was collected before the freeze, not frozen with what lives.
    assert [o for o in gc.get_objects() if type(o) is Node] == [kept]


def test_the_wsgi_module_fixes_it_too():
    import ast
    from pathlib import Path

    import portal_blocks

    # Read, not imported: importing it builds an app and freezes this process's objects.
    tree = ast.parse(Path(portal_blocks.__file__).with_name("wsgi.py").read_text(encoding="utf-8"))
    called = [
        node.value.func.id
        for node in tree.body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
    ]
    assert called == ["keep_large_blocks_off_the_heap", "share_startup_objects"]
    # The freeze comes after the app is built: it is what the workers share.
    assignments = [n for n in tree.body if isinstance(n, ast.Assign)]
    assert [t.id for n in assignments for t in n.targets if isinstance(t, ast.Name)] == ["app"]
    assert tree.body.index(assignments[0]) < len(tree.body) - 1
