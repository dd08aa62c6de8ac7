"""The editors' layout workspace in a real Chromium, against the served demo app.

Nothing of our server is mocked: the editors sign in through the form with API tokens made in
the served app's database, and every edit goes through the GraphQL mutations the workspace's
scripts send. Each test starts from the demo portal as ``load_demo`` makes it (the tables are
emptied and the demo loaded again in the served app itself, so its caches follow).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from serving import served as serving

from portal_blocks import create_app
from portal_blocks.auth.tokens import create_token
from portal_blocks.db import db
from portal_blocks.demo import load_demo
from portal_blocks.models import Role

pytestmark = pytest.mark.browser

LAYOUT = "news-detail"
TOOLBAR = "Block_BanTin_Toolbar"
VIEWDATA = "Block_BanTin_ViewData"
TINKHAC = "Block_BanTin_TinKhac"
SLUG = "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
LEGACY_PATH = f"/Pages/{SLUG}.aspx"  # REFERENCE_LEGACY_PATH of tests/conftest.py
DATE = "10/11/2021"
NEW_FORMAT = "EEEE, dd/MM/yyyy"
NEW_DATE = "Thứ Tư, 10/11/2021"
SAVED = "Đã lưu."
EDITOR_A = "Biên tập viên An"
EDITOR_B = "Biên tập viên Bình"

DRAFT = """query($name: String!) { draftLayout(name: $name) { version publishedRevision
  placements { id region position blockType settings version } } }"""
HISTORY = """query($name: String!) { layoutHistory(name: $name, first: 50) { actor action } }"""

#: The block types the preview frame shows, in document order (null while it loads).
PREVIEW_ORDER = """() => {
  const doc = document.getElementById("pb-preview").contentDocument;
  if (!doc || doc.readyState !== "complete" || !doc.location.pathname.endsWith("/editor/preview"))
    return null;
  return [...doc.querySelectorAll(".pb-block[data-block-type]")].map((b) => b.dataset.blockType);
}"""


# --- The served app -------------------------------------------------------------------------


@dataclass
class Served:
    app: Flask
    url: str

    def token(self, name: str) -> str:
        """A new editor's API token, in the served app's database."""
        with self.app.app_context():
            _row, token = create_token(db.session, name=name, role=Role.EDITOR)
            db.session.commit()
            db.session.remove()
        return token


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The demo app on a migrated SQLite file, served on 127.0.0.1 in a thread (like
    ``live_server``, whose app the tests here need: they make tokens and reset the demo)."""
    database = tmp_path_factory.mktemp("workspace") / "demo.db"
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{database}",
            "PORTAL_BLOCKS_SECRET_KEY": "workspace-browser-tests-" + "k" * 32,
            # Rate limits have tests of their own.
            "PORTAL_BLOCKS_RATE_LIMIT_MUTATIONS": "1000000/minute",
            "PORTAL_BLOCKS_RATE_LIMIT_AUTH_FAILURES": "1000000/minute",
        }
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    try:
        with serving(app) as url:
            yield Served(app, url)
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def demo(served: Served) -> Served:
    """The demo portal exactly as ``load_demo`` makes it, whatever an earlier test changed:
    every table emptied (tokens and sessions too), the caches forgotten, the demo loaded."""
    with served.app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        served.app.extensions["portal_blocks"].front.persisted.forget_remembered()
        load_demo(db.session)
        db.session.remove()
    return served


# --- Browsers, editors and what their pages ask for -----------------------------------------


@dataclass
class Editor:
    """One editor's browser context and workspace page, with every request its pages made."""

    context: Any
    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> Any:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def new_page(self) -> Any:
        return self.watch(self.context.new_page())


@pytest.fixture
def editors(browser: Any, demo: Served) -> Iterator[Callable[[], Editor]]:
    """``editors()``: a fresh browser context (no cookies) and page; closed after the test."""
    made: list[Editor] = []

    def make() -> Editor:
        context = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(10_000)
        editor = Editor(context, context.new_page())
        editor.watch(editor.page)
        made.append(editor)
        return editor

    yield make
    for editor in made:
        editor.context.close()


def assert_only_our_origin(editor: Editor, origin: str) -> None:
    """Every request the editor's pages made (frames included) went to the served app."""
    assert any("/graphql" in url for url in editor.requests), editor.requests
    assert any("/editor/preview" in url for url in editor.requests), editor.requests
    elsewhere = [
        url
        for url in editor.requests
        if not url.startswith(f"{origin}/") and not url.startswith(("about:", "data:"))
    ]
    assert elsewhere == []
    assert editor.errors == []


def sign_in(editor: Editor, base: str, token: str) -> None:
    page = editor.page
    page.goto(f"{base}/editor/")
    page.wait_for_url(re.compile(r"/editor/sign-in"))  # not signed in: the form
    page.get_by_label("Mã truy cập (API token)").fill(token)
    page.locator("form.pb-editor__sign-in button[type=submit]").click()
    page.wait_for_url(f"{base}/editor/")
    assert page.locator(f"tr[data-layout={LAYOUT}]").count() == 1


def open_layout(page: Any, base: str) -> None:
    page.goto(f"{base}/editor/layouts/{LAYOUT}")
    page.wait_for_selector("#pb-workspace[data-ready=true]")
    wait_preview(page, lambda order: bool(order))


def wait_preview(page: Any, ready: Callable[[list[str]], bool]) -> list[str]:
    """The block types the preview frame shows once ``ready(them)`` holds."""
    page.wait_for_function(f"() => ({PREVIEW_ORDER})() !== null")
    deadline = 10_000
    step = 50
    for _ in range(deadline // step):
        order = page.evaluate(PREVIEW_ORDER)
        if order is not None and ready(order):
            return order
        page.wait_for_timeout(step)
    raise AssertionError(f"the preview shows {page.evaluate(PREVIEW_ORDER)}")


def preview_shows(page: Any, first: str, then: str) -> list[str]:
    return wait_preview(page, lambda o: first in o and then in o and o.index(first) < o.index(then))


def cards(page: Any, region: str) -> list[str]:
    return page.locator(
        f"#pb-regions .pb-region-col[data-region={region}] li.pb-card"
    ).evaluate_all("cards => cards.map((c) => c.dataset.blockType)")


def card(page: Any, block_type: str) -> Any:
    return page.locator(f"#pb-regions li.pb-card[data-block-type={block_type}]")


def gql(page: Any, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """A GraphQL request from the workspace page, as its scripts send them (cookie and CSRF)."""
    body = page.evaluate(
        """async ([query, variables]) => {
            const root = document.getElementById("pb-workspace");
            const response = await fetch(root.dataset.graphqlUrl, {
              method: "POST", credentials: "same-origin",
              headers: {"Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrfToken},
              body: JSON.stringify({query, variables}),
            });
            return await response.json();
        }""",
        [query, variables or {}],
    )
    assert not body.get("errors"), body
    return body["data"]


def draft(page: Any) -> dict[str, Any]:
    return gql(page, DRAFT, {"name": LAYOUT})["draftLayout"]


def placement(layout: dict[str, Any], block_type: str) -> dict[str, Any]:
    (found,) = [p for p in layout["placements"] if p["blockType"] == block_type]
    return found


def wait_status(page: Any, text: str) -> None:
    page.wait_for_function(
        "text => document.getElementById('pb-status').textContent === text", arg=text
    )


def publish(page: Any, screenshot: Path | None = None) -> list[str]:
    """Review the changes and publish them; the lines the review listed."""
    page.locator("#pb-publish").click()
    changes = page.locator("#pb-changes")
    changes.wait_for(state="visible")
    lines = page.locator("#pb-changes-list li").all_inner_texts()
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=True)
    page.locator("#pb-publish-confirm").click()
    changes.wait_for(state="hidden")
    wait_status(page, "Đã xuất bản.")
    return lines


def reader_toolbar_date(editor: Editor, base: str) -> tuple[str, list[str]]:
    """The reference article's page as readers see it: the toolbar's date, the blocks' order."""
    reader = editor.new_page()
    response = reader.goto(f"{base}{LEGACY_PATH}")
    assert response is not None and response.ok
    date = reader.locator(".pb-toolbar .pb-toolbar__date").inner_text()
    order = reader.locator(".pb-block[data-block-type]").evaluate_all(
        "blocks => blocks.map((b) => b.dataset.blockType)"
    )
    reader.close()
    return date, order


# --- The tests -------------------------------------------------------------------------------


def test_sign_in_then_drag_a_block_and_move_it_back_by_keyboard(demo, editors, output_dir):
    base = demo.url
    token = demo.token(EDITOR_A)
    editor = editors()
    page = editor.page
    sign_in(editor, base, token)

    # The token went in the form's body only: not in the address, not in any page; the session
    # cookie holds no token, and scripts cannot read it.
    assert token not in page.url
    assert token not in page.content()
    (cookie,) = [c for c in editor.context.cookies() if c["name"] == "pb_editor"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert token not in cookie["value"]
    assert "pb_editor" not in page.evaluate("document.cookie")

    page.get_by_role("link", name="Chi tiết bản tin").click()
    page.wait_for_url(f"{base}/editor/layouts/{LAYOUT}")
    page.wait_for_selector("#pb-workspace[data-ready=true]")
    assert token not in page.url
    assert token not in page.content()
    assert cards(page, "main") == [TOOLBAR, VIEWDATA]
    assert cards(page, "related") == [TINKHAC]
    preview_shows(page, TOOLBAR, VIEWDATA)
    assert token not in page.frame_locator("#pb-preview").locator("html").evaluate(
        "html => html.outerHTML"
    )
    page.screenshot(path=str(output_dir / "workspace-layout.png"), full_page=True)

    # Drag the toolbar below the article with the mouse (SortableJS's native drag and drop):
    # held by its title (a drag starting on a button is no drag), dropped on the article
    # card's lower half.
    target = card(page, VIEWDATA).bounding_box()
    assert target is not None
    with page.expect_response(
        lambda r: r.url.endswith("/graphql") and "moveBlock" in (r.request.post_data or "")
    ) as moved:
        card(page, TOOLBAR).drag_to(
            card(page, VIEWDATA),
            source_position={"x": 30, "y": 12},
            target_position={"x": 30, "y": target["height"] - 12},
        )
    assert moved.value.json()["data"]["moveBlock"]["errors"] == []
    wait_status(page, SAVED)
    assert cards(page, "main") == [VIEWDATA, TOOLBAR]
    assert preview_shows(page, VIEWDATA, TOOLBAR) == [VIEWDATA, TOOLBAR, TINKHAC]
    toolbar = placement(draft(page), TOOLBAR)
    assert (toolbar["region"], toolbar["position"]) == ("main", 1)

    # Back with the keyboard alone: focus the toolbar's "move up" button and press Enter.
    up = card(page, TOOLBAR).locator(".pb-card__up")
    assert re.fullmatch(r"Chuyển lên: .+ \(main 2\)", up.get_attribute("aria-label") or "")
    up.focus()
    assert page.evaluate("document.activeElement.classList.contains('pb-card__up')")
    page.keyboard.press("Enter")
    wait_status(page, SAVED)
    page.wait_for_function(
        "() => document.querySelector('#pb-regions [data-region=main] li.pb-card')"
        ".dataset.blockType === 'Block_BanTin_Toolbar'"
    )
    assert cards(page, "main") == [TOOLBAR, VIEWDATA]
    assert preview_shows(page, TOOLBAR, VIEWDATA) == [TOOLBAR, VIEWDATA, TINKHAC]
    toolbar = placement(draft(page), TOOLBAR)
    assert (toolbar["region"], toolbar["position"]) == ("main", 0)
    # The keyboard stays on the block that moved (its "move down" now, "move up" being off).
    focused = page.evaluate(
        "() => [document.activeElement.closest('li.pb-card')?.dataset.blockType,"
        " document.activeElement.className]"
    )
    assert focused == [TOOLBAR, "pb-card__down"], focused

    # Space works as well as Enter: down again, from the keyboard.
    down = card(page, TOOLBAR).locator(".pb-card__down")
    down.focus()
    page.keyboard.press("Space")
    wait_status(page, SAVED)
    page.wait_for_function(
        "() => document.querySelector('#pb-regions [data-region=main] li.pb-card')"
        ".dataset.blockType === 'Block_BanTin_ViewData'"
    )
    preview_shows(page, VIEWDATA, TOOLBAR)

    assert_only_our_origin(editor, base)


def test_settings_error_inline_then_saved_published_and_read(demo, editors, output_dir):
    base = demo.url
    editor = editors()
    page = editor.page
    sign_in(editor, base, demo.token(EDITOR_A))
    open_layout(page, base)
    before = placement(draft(page), TOOLBAR)
    assert before["settings"]["dateFormat"] == "dd/MM/yyyy"

    card(page, TOOLBAR).locator(".pb-card__edit").click()
    form = page.locator("#pb-settings-form")
    form.wait_for(state="visible")
    field = form.locator('.pb-form__field[data-path="settings.dateFormat"]')
    date_input = field.locator("input")
    assert date_input.input_value() == "dd/MM/yyyy"
    error = field.locator(".pb-form__error")
    assert error.is_hidden()

    # A pattern Babel cannot format: the schema's own checks pass it, the server refuses it.
    date_input.fill("dd/MM/qqqqqqq")
    with page.expect_response(
        lambda r: r.url.endswith("/graphql") and "configureBlock" in (r.request.post_data or "")
    ) as refused:
        form.locator(".pb-form__save").click()
    errors = refused.value.json()["data"]["configureBlock"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("settings.dateFormat", "INVALID_FORMAT")]
    error.wait_for(state="visible")
    # Said in the workspace's language, by the code (the server's message is English).
    assert error.inner_text() == "Không đúng định dạng."
    assert date_input.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in (date_input.get_attribute("aria-describedby") or "")
    # Only that field is marked, and the form says nothing was saved.
    assert form.locator(".pb-form__error:visible").count() == 1
    assert form.locator(".pb-form__summary").is_visible()
    page.screenshot(path=str(output_dir / "workspace-settings-error.png"), full_page=True)
    after = placement(draft(page), TOOLBAR)
    assert after["settings"] == before["settings"]
    assert after["version"] == before["version"]
    assert date_input.input_value() == "dd/MM/qqqqqqq"  # what was typed is kept to correct

    date_input.fill(NEW_FORMAT)
    form.locator(".pb-form__save").click()
    wait_status(page, SAVED)
    assert error.is_hidden()
    assert date_input.get_attribute("aria-invalid") is None
    assert placement(draft(page), TOOLBAR)["settings"]["dateFormat"] == NEW_FORMAT
    assert (
        f"dateFormat: {NEW_FORMAT}" in card(page, TOOLBAR).locator(".pb-card__summary").inner_text()
    )
    # The preview shows the draft's date already; readers do not, until it is published.
    page.frame_locator("#pb-preview").locator(".pb-toolbar__date", has_text=NEW_DATE).wait_for()
    assert reader_toolbar_date(editor, base)[0] == DATE

    lines = publish(page, screenshot=output_dir / "workspace-publish.png")
    configured = [line for line in lines if "dateFormat" in line]
    assert len(configured) == 1 and configured[0].startswith("Đã đổi thiết lập"), lines

    date, order = reader_toolbar_date(editor, base)
    assert date == NEW_DATE
    assert order == [TOOLBAR, VIEWDATA, TINKHAC]
    assert_only_our_origin(editor, base)


@pytest.mark.parametrize("b_does", ["configure", "move"])
def test_two_editors_conflict_then_reapply(demo, editors, b_does):
    """A moves the toolbar (or configures it); B, whose page still has the old versions,
    configures it (or moves it): B sees A's change, reapplies on top, and both are published."""
    base = demo.url
    a, b = editors(), editors()
    sign_in(a, base, demo.token(EDITOR_A))
    sign_in(b, base, demo.token(EDITOR_B))
    open_layout(a.page, base)
    open_layout(b.page, base)
    title = card(b.page, TOOLBAR).locator(".pb-card__title").inner_text()

    if b_does == "configure":
        # A: the toolbar below the article.
        card(a.page, TOOLBAR).locator(".pb-card__down").click()
        wait_status(a.page, SAVED)
        assert cards(a.page, "main") == [VIEWDATA, TOOLBAR]
        toolbar_change = f"Đã chuyển: {title} (main 1 → main 2)"
        # B, still showing the toolbar first: change its date format.
        card(b.page, TOOLBAR).locator(".pb-card__edit").click()
        b.page.locator(
            '#pb-settings-form .pb-form__field[data-path="settings.dateFormat"] input'
        ).fill(NEW_FORMAT)
        b.page.locator("#pb-settings-form .pb-form__save").click()
    else:
        # A: the toolbar's date format.
        card(a.page, TOOLBAR).locator(".pb-card__edit").click()
        a.page.locator(
            '#pb-settings-form .pb-form__field[data-path="settings.dateFormat"] input'
        ).fill(NEW_FORMAT)
        a.page.locator("#pb-settings-form .pb-form__save").click()
        wait_status(a.page, SAVED)
        toolbar_change = f"Đã đổi thiết lập: {title} (dateFormat)"
        # B, with the toolbar's old version: move it below the article.
        assert cards(b.page, "main") == [TOOLBAR, VIEWDATA]
        card(b.page, TOOLBAR).locator(".pb-card__down").click()

    conflict = b.page.locator("#pb-conflict")
    conflict.wait_for(state="visible")
    listed = b.page.locator("#pb-conflict-changes li").all_inner_texts()
    assert toolbar_change in listed, listed
    assert (
        b.page.locator("#pb-status").inner_text() == "Một biên tập viên khác đã thay đổi bố cục này"
    )
    # B now sees A's layout, and nothing of B's is saved yet.
    server = draft(b.page)
    if b_does == "configure":
        assert cards(b.page, "main") == [VIEWDATA, TOOLBAR]
        assert placement(server, TOOLBAR)["settings"]["dateFormat"] == "dd/MM/yyyy"
    else:
        assert placement(server, TOOLBAR)["position"] == 0
        assert placement(server, TOOLBAR)["settings"]["dateFormat"] == NEW_FORMAT

    b.page.locator("#pb-conflict-reapply").click()
    wait_status(b.page, SAVED)
    conflict.wait_for(state="hidden")
    assert cards(b.page, "main") == [VIEWDATA, TOOLBAR]
    preview_shows(b.page, VIEWDATA, TOOLBAR)

    lines = publish(b.page)
    assert any("dateFormat" in line for line in lines), lines
    assert any(line.startswith("Đã chuyển:") for line in lines), lines

    # What readers now get holds both editors' changes.
    published = draft(b.page)
    toolbar = placement(published, TOOLBAR)
    assert (toolbar["region"], toolbar["position"]) == ("main", 1)
    assert toolbar["settings"]["dateFormat"] == NEW_FORMAT
    assert published["publishedRevision"] is not None
    changes = gql(
        b.page, "query($n: String!) { layoutChanges(name: $n) { blocks { kind } } }", {"n": LAYOUT}
    )
    assert changes["layoutChanges"]["blocks"] == []  # the draft is what was published
    date, order = reader_toolbar_date(b, base)
    assert date == NEW_DATE
    assert order == [VIEWDATA, TOOLBAR, TINKHAC]

    # The history names both editors, in the workspace's list and in layoutHistory.
    b.page.locator("#pb-history-button").click()
    history = b.page.locator("#pb-history-list")
    history.locator("li.pb-history__entry").first.wait_for()
    text = history.inner_text()
    assert EDITOR_A in text and EDITOR_B in text, text
    actors = {
        (h["actor"], h["action"]) for h in gql(b.page, HISTORY, {"name": LAYOUT})["layoutHistory"]
    }
    a_did, b_did = ("move", "configure") if b_does == "configure" else ("configure", "move")
    assert (EDITOR_A, a_did) in actors, actors
    assert (EDITOR_B, b_did) in actors, actors

    assert_only_our_origin(a, base)
    assert_only_our_origin(b, base)
