"""Time the layout workspace in Chromium on a layout of 200 blocks.

Usage: .venv/bin/python benchmarks/workspace.py [--blocks 200] [--loads 5] [--moves 10]

Serves the demo (a fresh SQLite database in a temporary folder) on 127.0.0.1 with werkzeug in
a thread, adds a layout ``bench-workspace`` of ``--blocks`` blocks in two regions (routed at
``/bench/<slug>``, published), signs an editor in through the form and measures, in the page's
own clock (``performance.now()``, from the navigation's start):

- time to interactive: navigation to ``#pb-workspace[data-ready=true]`` (draft and block types
  loaded, every card rendered), and to the preview frame's first load event;
- for ``--moves`` moves from the keyboard (Enter on a card's "move down" button, which keeps the
  focus on the moved card): click to the move saved (``#pb-status`` says so, the cards are
  rendered again), and click to the preview frame's load event.

Prints the median and the max of each. Uses the system Chromium (``PORTAL_BLOCKS_CHROMIUM``,
default ``/usr/bin/chromium``), as the browser tests do.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from portal_blocks import create_app
from portal_blocks.auth.tokens import create_token
from portal_blocks.db import db
from portal_blocks.demo import load_demo
from portal_blocks.layout.publishing import publish
from portal_blocks.layout.service import ensure_layout, ensure_route, place_block
from portal_blocks.models import Role

CHROMIUM = os.environ.get("PORTAL_BLOCKS_CHROMIUM", "/usr/bin/chromium")
LAYOUT = "bench-workspace"
REGIONS = ["main", "aside"]
#: The block types placed, in turn: every built-in one, so the preview renders a real mix.
TYPES = [
    "Block_BanTin_Toolbar",
    "Block_BanTin_ViewData",
    "Block_BanTin_TinKhac",
    "Block_BanTin_DanhSach",
    "Block_BanTin_NoiBat",
    "Block_LienKet_Website",
]
SAVED = "Đã lưu."

#: Marks in the page's clock: when the workspace said it was ready, every preview load, the
#: last click on a card button and the last time #pb-status said "saved".
PROBES = """(() => {
  window.__bench = { ready: null, previewLoads: [], click: null, saved: null };
  const watch = () => {
    const root = document.getElementById("pb-workspace");
    if (!root) return false;
    new MutationObserver(() => {
      if (root.dataset.ready === "true" && window.__bench.ready === null)
        window.__bench.ready = performance.now();
    }).observe(root, { attributes: true, attributeFilter: ["data-ready"] });
    const frame = document.getElementById("pb-preview");
    frame.addEventListener("load", () => {
      const loads = window.__bench.previewLoads;
      if (frame.src.includes("/editor/preview")) loads.push(performance.now());
    });
    const status = document.getElementById("pb-status");
    new MutationObserver(() => {
      if (status.textContent === %(saved)s) window.__bench.saved = performance.now();
    }).observe(status, { childList: true, characterData: true, subtree: true });
    document.addEventListener("click", (event) => {
      if (event.target.closest && event.target.closest(".pb-card__down"))
        window.__bench.click = performance.now();
    }, true);
    return true;
  };
  if (!watch()) document.addEventListener("DOMContentLoaded", watch);
})();""".replace("%(saved)s", repr(SAVED))


def build(app, blocks: int) -> str:
    """The benchmark's layout and an editor's token."""
    with app.app_context():
        load_demo(db.session)
        layout = ensure_layout(db.session, LAYOUT, title="Benchmark", regions=REGIONS)
        per_region = {region: 0 for region in REGIONS}
        for index in range(blocks):
            region = REGIONS[0] if index < blocks * 3 // 4 else REGIONS[1]
            place_block(
                db.session,
                layout,
                region,
                TYPES[index % len(TYPES)],
                position=per_region[region],
            )
            per_region[region] += 1
        ensure_route(db.session, "/bench/<slug>", layout)
        publish(db.session, layout, actor="bench")
        _row, token = create_token(db.session, name="Biên tập viên đo", role=Role.EDITOR)
        db.session.commit()
        db.session.remove()
    return token


def summary(name: str, values: list[float]) -> str:
    return f"{name:<44} {statistics.median(values):>9.0f} {max(values):>9.0f}   (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=200)
    parser.add_argument("--loads", type=int, default=5, help="workspace loads timed")
    parser.add_argument("--moves", type=int, default=10, help="keyboard moves timed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "PORTAL_BLOCKS_SECRET_KEY": "benchmark-workspace-" + "k" * 32,
                "PORTAL_BLOCKS_RATE_LIMIT_MUTATIONS": "1000000/minute",
            }
        )
        with app.app_context():
            upgrade()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        token = build(app, args.blocks)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            run(base, token, args)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()


def run(base: str, token: str, args: argparse.Namespace) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(30_000)
        context.add_init_script(PROBES)
        page = context.new_page()
        page.goto(f"{base}/editor/sign-in")
        page.fill("#pb-token", token)
        page.click("form.pb-editor__sign-in button[type=submit]")
        page.wait_for_url(f"{base}/editor/")

        url = f"{base}/editor/layouts/{LAYOUT}"
        ready, preview = [], []
        for _ in range(args.loads + 1):  # the first load warms the server's caches: not counted
            page.goto(url)
            page.wait_for_function("() => window.__bench && window.__bench.ready !== null")
            page.wait_for_function("() => window.__bench.previewLoads.length > 0")
            marks = page.evaluate("window.__bench")
            ready.append(marks["ready"])
            preview.append(marks["previewLoads"][0])
        ready, preview = ready[1:], preview[1:]
        shown = page.locator("#pb-regions li.pb-card").count()
        assert shown == args.blocks, f"{shown} cards for {args.blocks} blocks"

        saved, loaded = [], []
        page.locator("#pb-regions [data-region=main] li.pb-card").first.locator(
            ".pb-card__down"
        ).focus()
        moved_id = page.evaluate("document.activeElement.closest('li.pb-card').dataset.id")
        for step in range(args.moves):
            page.evaluate(
                """() => { window.__bench.click = null; window.__bench.saved = null;
                window.__bench.previewLoads = [];
                document.getElementById("pb-status").textContent = ""; }"""
            )
            page.keyboard.press("Enter")
            page.wait_for_function("() => window.__bench.saved !== null")
            page.wait_for_function(
                "() => window.__bench.previewLoads.some((t) => t > window.__bench.click)"
            )
            marks = page.evaluate("window.__bench")
            saved.append(marks["saved"] - marks["click"])
            loaded.append(max(marks["previewLoads"]) - marks["click"])
            position = page.locator(
                f"#pb-regions [data-region=main] li.pb-card[data-id='{moved_id}']"
            ).evaluate("card => [...card.parentNode.querySelectorAll('li.pb-card')].indexOf(card)")
            assert position == step + 1, f"move {step + 1}: the card is at {position}"
            assert page.evaluate(
                "id => document.activeElement.closest('li.pb-card')?.dataset.id === id", moved_id
            ), "the keyboard lost the moved card"
        browser.close()

    print(f"workspace with {args.blocks} blocks ({base})")
    print(f"{'ms':<44} {'median':>9} {'max':>9}")
    print(summary("navigation -> data-ready (interactive)", ready))
    print(summary("navigation -> first preview load", preview))
    print(summary("move down (Enter) -> saved, cards re-rendered", saved))
    print(summary("move down (Enter) -> preview load event", loaded))


if __name__ == "__main__":
    main()
