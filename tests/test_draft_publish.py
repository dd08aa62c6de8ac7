"""Draft, preview, publish and revert, end to end through GraphQL."""

from __future__ import annotations

from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG, count_statements
from editing import (
    CONFIGURE,
    CREATE_ARTICLE,
    LAYOUT_HISTORY,
    PAGE_BLOCKS,
    PLACE,
    PUBLISH_ARTICLE,
    PUBLISH_LAYOUT,
    REVERT_LAYOUT,
    block,
    codes,
    draft,
    ok,
)

from portal_blocks.db import db
from portal_blocks.layout.publishing import publish
from portal_blocks.layout.service import place_block
from portal_blocks.models import Layout

TOOLBAR = "Block_BanTin_Toolbar"
PATH = f"/tin-tuc/{REFERENCE_SLUG}"


def _page(run, path: str = PATH, preview: bool = False) -> dict:
    result = run(PAGE_BLOCKS, {"path": path, "preview": preview})
    assert "errors" not in result, result
    return result["data"]["page"]


def _blocks(page: dict) -> list[dict]:
    return [b for region in page["regions"] for b in region["blocks"]]


def _date(page: dict) -> str:
    return _blocks(page)[0]["dateText"]


def test_draft_preview_publish_revert_round_trip(graphql, as_editor):
    assert _date(_page(graphql)) == "10/11/2021"
    original = draft(as_editor)
    assert original["publishedRevision"] == 1
    toolbar = block(original, TOOLBAR)

    # Editors change the draft: readers see nothing of it, the preview shows all of it.
    ok(
        as_editor(
            CONFIGURE,
            {
                "id": toolbar["id"],
                "version": toolbar["version"],
                "settings": {"dateFormat": "EEEE, dd/MM/yyyy"},
            },
        )
    )
    placed = ok(
        as_editor(
            PLACE,
            {
                "layout": "news-detail",
                "version": draft(as_editor)["version"],
                "region": "main",
                "type": TOOLBAR,
                "settings": {"showDate": False},
            },
        )
    )
    reader = _page(graphql)
    assert _date(reader) == "10/11/2021" and len(_blocks(reader)) == 2
    preview = _page(as_editor, preview=True)
    assert _date(preview) == "Thứ Tư, 10/11/2021" and len(_blocks(preview)) == 3
    assert _page(as_editor) == reader  # an editor without preview reads like everyone

    # Publishing names the draft the editor reviewed; a newer draft is not published unseen.
    stale = as_editor(PUBLISH_LAYOUT, {"layout": "news-detail", "version": original["version"]})
    assert codes(stale) == ["CONFLICT"]
    assert _date(_page(graphql)) == "10/11/2021"
    published = ok(
        as_editor(PUBLISH_LAYOUT, {"layout": "news-detail", "version": placed["layout"]["version"]})
    )
    assert published["layout"]["publishedRevision"] == 2
    reader = _page(graphql)
    assert _date(reader) == "Thứ Tư, 10/11/2021" and len(_blocks(reader)) == 3
    assert _blocks(reader)[2]["id"] == placed["placement"]["id"]

    # Reverting to revision 1 publishes it again, as a new revision 3.
    reverted = ok(
        as_editor(
            REVERT_LAYOUT,
            {"layout": "news-detail", "version": published["layout"]["version"], "revision": 1},
        )
    )
    layout = reverted["layout"]
    assert layout["publishedRevision"] == 3
    assert [(r["number"], r["revertedFrom"]) for r in layout["revisions"]] == [
        (3, 1),
        (2, None),
        (1, None),
    ]
    reader = _page(graphql)
    assert _date(reader) == "10/11/2021" and len(_blocks(reader)) == 2
    assert [b["id"] for b in _blocks(reader)] == [p["id"] for p in original["placements"]]
    restored = draft(as_editor)
    assert [
        (p["id"], p["region"], p["position"], p["settings"]) for p in restored["placements"]
    ] == [(p["id"], p["region"], p["position"], p["settings"]) for p in original["placements"]]
    assert _page(as_editor, preview=True) == reader

    # The history says who did what, newest first, with the state before and after.
    history = as_editor(LAYOUT_HISTORY)["data"]["layoutHistory"]
    assert [(h["action"], h["entityType"]) for h in history] == [
        ("revert", "layout"),
        ("publish", "layout"),
        ("place", "placement"),
        ("configure", "placement"),
        ("publish", "layout"),
    ]
    assert {h["actor"] for h in history[:4]} == {"Biên tập viên Hương"}
    assert history[-1]["actor"] == "demo"
    configure = history[3]
    assert configure["before"]["settings"]["dateFormat"] == "dd/MM/yyyy"
    assert configure["after"]["settings"]["dateFormat"] == "EEEE, dd/MM/yyyy"
    assert history[0]["after"]["revision"] == 3 and history[0]["after"]["revertedFrom"] == 1


def test_revert_to_unknown_revision(as_editor):
    layout = draft(as_editor)
    result = as_editor(
        REVERT_LAYOUT, {"layout": "news-detail", "version": layout["version"], "revision": 9}
    )
    assert codes(result) == ["NOT_FOUND"]
    assert draft(as_editor) == layout


def test_preview_shows_draft_articles_readers_do_not_see(graphql, as_editor):
    created = ok(
        as_editor(
            CREATE_ARTICLE,
            {
                "input": {
                    "title": "Khánh thành cầu Đông Hồ",
                    "bodyHtml": "<p>Nội dung bản nháp.</p>",
                }
            },
        )
    )
    article = created["article"]
    for path in (article["url"], article["legacyPath"]):
        hidden = graphql(PAGE_BLOCKS, {"path": path})
        assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        preview = _page(as_editor, path, preview=True)
        assert preview["article"] == {
            "slug": article["slug"],
            "title": "Khánh thành cầu Đông Hồ",
            "status": "draft",
        }
        assert _blocks(preview)[1]["paragraphs"] == ["Nội dung bản nháp."]
    ok(as_editor(PUBLISH_ARTICLE, {"slug": article["slug"], "version": article["version"]}))
    for path in (f"/tin-tuc/{article['slug']}", f"/Pages/{article['slug']}.aspx"):
        assert _page(graphql, path)["article"]["status"] == "published"


def test_unpublished_layout_is_invisible_to_readers(graphql, as_editor, app):
    layout = db.session.query(Layout).one()
    layout.published_revision_id = None
    db.session.commit()
    assert graphql(PAGE_BLOCKS, {"path": PATH})["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert len(_blocks(_page(as_editor, preview=True))) == 2


def _grow_to(blocks: int) -> None:
    """The demo layout holds 2 blocks; append toolbars up to ``blocks`` and publish."""
    layout = db.session.query(Layout).one()
    for position in range(2, blocks):
        place_block(db.session, layout, "main", TOOLBAR, position=position)
    publish(db.session, layout, actor="test")
    db.session.commit()


def _statements(run, preview: bool) -> tuple[int, int]:
    with count_statements() as statements:
        page = _page(run, REFERENCE_LEGACY_PATH, preview=preview)
    return len(statements), len(_blocks(page))


def test_page_statement_count_does_not_grow_with_blocks(graphql, as_editor, app):
    reader_small, preview_small = _statements(graphql, False), _statements(as_editor, True)
    _grow_to(40)
    reader_large, preview_large = _statements(graphql, False), _statements(as_editor, True)
    assert reader_small == (3, 2) and reader_large == (3, 40)
    # The preview also resolves the editor's token: one statement more, still constant.
    assert preview_small == (4, 2) and preview_large == (4, 40)
