"""The load script's verdict on a small fabricated run: it must see every kind of loss.

The script itself runs gunicorn against its own database (benchmarks/load.py, on demand); here
only its comparison of acknowledged mutations with the stored state is checked, so no database is
needed.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "load.py"


@pytest.fixture(scope="module")
def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def run(load: ModuleType) -> tuple[list, object]:
    """Four configures (one a no-op that keeps version 3, one a no-op on the state the run began
    with), two updates, prefs of two viewers; and the database state that matches them."""
    acks = [
        load.Ack(load.CONFIGURE_KIND, 1, "dd/MM/yyyy"),
        load.Ack(load.CONFIGURE_KIND, 2, "EEEE, dd/MM/yyyy"),
        load.Ack(load.UPDATE_KIND, 5, "lead · lượt 7"),
        load.Ack(load.CONFIGURE_KIND, 3, "dd/MM/yyyy"),
        load.Ack(load.CONFIGURE_KIND, 3, "dd/MM/yyyy"),
        load.Ack(load.UPDATE_KIND, 6, "lead · lượt 12"),
        load.Ack(load.PREFS_KIND, None, 90, viewer="viewer-a"),
        load.Ack(load.PREFS_KIND, None, 110, viewer="viewer-a"),
        load.Ack(load.PREFS_KIND, None, 120, viewer="viewer-b"),
    ]
    stored = load.Stored(
        article_version=6,
        article_lead="lead · lượt 12",
        toolbar_before=(1, "dd/MM/yyyy"),
        toolbar=(3, "dd/MM/yyyy"),
        configure_entries=[(2, "EEEE, dd/MM/yyyy"), (3, "dd/MM/yyyy")],
        update_entries=[(5, "lead · lượt 7"), (6, "lead · lượt 12")],
        preferences={"viewer-a": 110, "viewer-b": 120},
    )
    return acks, stored


def test_a_complete_run_passes(load: ModuleType) -> None:
    acks, stored = run(load)
    verdict = load.verify(acks, stored)
    assert verdict.problems == []
    assert (verdict.acknowledged, verdict.found, verdict.history_entries) == (9, 9, 4)


@pytest.mark.parametrize(
    ("change", "expected", "found"),
    [
        (
            {"configure_entries": [(2, "EEEE, dd/MM/yyyy")]},
            "configureBlock version 3 ('dd/MM/yyyy') not in the history",
            7,
        ),
        (
            {"configure_entries": [(2, "EEEE, dd/MM/yyyy"), (3, "dd/MM/yyyy"), (3, "dd/MM/yyyy")]},
            "configureBlock version 3 ('dd/MM/yyyy') in the history 2x",
            9,
        ),
        (
            {"configure_entries": [(2, "EEEE, dd/MM/yyyy"), (3, "dd/MM/yyyy"), (4, "x")]},
            "configureBlock: 1 history entries never acknowledged",
            9,
        ),
        ({"toolbar_before": (1, "EEEE, dd/MM/yyyy")}, "version 1 ('dd/MM/yyyy') not in", 8),
        ({"update_entries": [(6, "lead · lượt 12")]}, "updateArticle version 5", 8),
        (
            {"update_entries": [(5, "lead · lượt 7"), (6, "lead · lượt 13")]},
            "updateArticle version 6 ('lead · lượt 12') not in the history",
            8,
        ),
        (
            {"update_entries": [(5, "lead · lượt 7"), (6, "lead · lượt 12"), (7, "x")]},
            "3 history entries for 2 acknowledged",
            9,
        ),
        ({"article_version": 5, "article_lead": "lead · lượt 7"}, "article is at version 5", 9),
        ({"toolbar": (2, "EEEE, dd/MM/yyyy")}, "toolbar is at (2,", 9),
        ({"preferences": {"viewer-a": 90, "viewer-b": 120}}, "text size 90 stored, 110", 7),
        ({"preferences": {"viewer-a": 110}}, "text size None stored, 120", 8),
    ],
)
def test_each_kind_of_loss_is_reported(
    load: ModuleType, change: dict, expected: str, found: int
) -> None:
    acks, stored = run(load)
    verdict = load.verify(acks, dataclasses.replace(stored, **change))
    assert any(expected in problem for problem in verdict.problems), verdict.problems
    assert (verdict.acknowledged, verdict.found) == (9, found)
