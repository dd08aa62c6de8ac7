"""The page-data cache: a response-cache miss on a page whose route, layout and article are
cached costs no SQL, and every write those came from drops them (in memory and in Redis)."""

from __future__ import annotations

from datetime import UTC, datetime

from cache_support import PAGE_QUERY, register
from conftest import (
    REFERENCE_LEGACY_PATH,
    REFERENCE_SLUG,
    _token,
    count_statements,
    demo_content,
    publish_draft,
)

from portal_blocks import create_app
from portal_blocks.caching.front import BYPASS, STORED
from portal_blocks.caching.page_data import (
    WITH_ARTICLE,
    decode_resolved,
    encode_resolved,
    path_key,
)
from portal_blocks.cli import cli
from portal_blocks.content.queries import Category
from portal_blocks.content.records import ArticleRecord
from portal_blocks.db import db
from portal_blocks.layout.routing import ResolvedPath, RouteMatch
from portal_blocks.layout.snapshots import LayoutSnapshot, PlacedBlock
from portal_blocks.models import Article, Placement, Route

#: A document the response cache has never seen: each use is a response-cache miss.
TITLE_QUERY = """query Title($path: String!) { page(path: $path) {
  regions { blocks { ... on Block_BanTin_ViewData { article { title } } } } } }"""
DATE_QUERY = """query Date($path: String!) { page(path: $path) {
  regions { blocks { ... on Block_BanTin_Toolbar { dateText } } } } }"""
PREVIEW_DATE_QUERY = """query PreviewDate($path: String!) { page(path: $path, preview: true) {
  regions { blocks { ... on Block_BanTin_Toolbar { dateText } } } } }"""


def ask(client, query: str, path: str = REFERENCE_LEGACY_PATH, **headers):
    response = client.post(
        "/graphql", json={"query": query, "variables": {"path": path}}, headers=headers
    )
    body = response.get_json()
    assert "errors" not in body, body
    return response, body["data"]["page"]["regions"][0]["blocks"]


def test_a_response_cache_miss_on_a_cached_page_runs_no_sql(cached_app):
    client = cached_app.test_client()
    with count_statements() as first:
        ask(client, PAGE_QUERY)
    assert len(first) == 3  # routes; the published layout with its blocks; the article
    with count_statements() as other_document:
        response, blocks = ask(client, TITLE_QUERY)
    assert response.headers["Cache-Status"] == STORED  # executed, not answered from a response
    assert other_document == []
    assert blocks[1]["article"]["title"].startswith("Giá trị sản xuất công nghiệp")


def test_every_spelling_of_a_path_shares_one_entry(cached_app):
    client = cached_app.test_client()
    ask(client, TITLE_QUERY)
    spellings = [
        f"{REFERENCE_LEGACY_PATH}?utm_source=zalo",
        # The request's own host (the test client's); another host may have another page.
        f"https://localhost{REFERENCE_LEGACY_PATH}",
        REFERENCE_LEGACY_PATH.replace("-", "%2D"),
        # SharePoint answered its addresses whatever their case.
        REFERENCE_LEGACY_PATH.replace("/Pages/", "/PAGES/").replace(".aspx", ".ASPX"),
    ]
    with count_statements() as statements:
        for path in spellings:
            ask(client, TITLE_QUERY, path)
    assert statements == []


def test_an_article_edit_reaches_a_document_never_cached(cached_app):
    client = cached_app.test_client()
    register(client)  # the page's data is cached from here on
    article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    article.title = "Tiêu đề đã biên tập"
    db.session.commit()
    _response, blocks = ask(client, TITLE_QUERY)
    assert blocks[1]["article"]["title"] == "Tiêu đề đã biên tập"


def test_after_an_article_edit_only_the_article_is_read_again(cached_app):
    """The route and the published layout are kept apart from the article: the first read
    after an article's edit (the most common write) asks for the article alone; a publish
    reads the layout again as well."""
    client = cached_app.test_client()
    register(client)
    article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    article.title = "Tiêu đề đã biên tập"
    db.session.commit()
    with count_statements() as after_edit:
        _response, blocks = ask(client, TITLE_QUERY)
    assert blocks[1]["article"]["title"] == "Tiêu đề đã biên tập"
    assert len(after_edit) == 1 and "FROM article" in after_edit[0].sql, after_edit
    with count_statements() as again:
        ask(client, TITLE_QUERY.replace("Title(", "TitleAgain("))
    assert again == []
    placement = db.session.query(Placement).filter_by(block_type="Block_BanTin_Toolbar").one()
    placement.settings = {**placement.settings, "dateFormat": "yyyy-MM-dd"}
    db.session.commit()
    publish_draft()
    with count_statements() as after_publish:
        assert ask(client, DATE_QUERY)[1][0]["dateText"] == "2021-11-10"
    assert len(after_publish) == 3  # routes, the published layout, the article


def test_a_path_with_no_page_keeps_no_entry(cached_app):
    """A flood of made-up article addresses matches a route pattern but names no article:
    none of them takes room from the pages that exist."""
    client = cached_app.test_client()
    store = cached_app.extensions["portal_blocks"].pages.store
    paths = [f"/tin-tuc/khong-co-{n}" for n in range(5)]
    for path in paths:
        body = client.post(
            "/graphql", json={"query": TITLE_QUERY, "variables": {"path": path}}
        ).get_json()
        assert body["data"]["page"] is None
    for path in paths:  # neither the route and layout nor the whole resolution
        for key in (path_key(path, "localhost"), path_key(path, "localhost") + WITH_ARTICLE):
            assert store.lookup(key)[0] is None, path
    ask(client, TITLE_QUERY)  # a page that exists is kept, under the same keys
    assert store.lookup(path_key(REFERENCE_LEGACY_PATH, "localhost"))[0] is not None


def test_a_published_layout_reaches_a_document_never_cached(cached_app):
    client = cached_app.test_client()
    register(client)
    placement = db.session.query(Placement).filter_by(block_type="Block_BanTin_Toolbar").one()
    placement.settings = {**placement.settings, "dateFormat": "yyyy-MM-dd"}
    db.session.commit()
    assert ask(client, DATE_QUERY)[1][0]["dateText"] == "10/11/2021"  # a draft: not yet shown
    publish_draft()
    assert ask(client, TITLE_QUERY)[1][0] == {}  # another miss, for the next one to differ
    assert ask(client, DATE_QUERY.replace("Date(", "DateAgain("))[1][0]["dateText"] == (
        "2021-11-10"
    )


def test_a_removed_route_takes_its_page_away(cached_app):
    client = cached_app.test_client()
    register(client)
    route = db.session.query(Route).filter_by(pattern="/Pages/<slug>.aspx").one()
    db.session.delete(route)
    db.session.commit()
    body = client.post(
        "/graphql", json={"query": TITLE_QUERY, "variables": {"path": REFERENCE_LEGACY_PATH}}
    ).get_json()
    assert body["data"]["page"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_previews_neither_read_nor_fill_the_page_data_cache(cached_app):
    """An editor's preview shows the draft layout; readers keep the published one."""
    client = cached_app.test_client()
    token = _token("editor", "Biên tập viên xem trước")
    placement = db.session.query(Placement).filter_by(block_type="Block_BanTin_Toolbar").one()
    placement.settings = {**placement.settings, "dateFormat": "yyyy-MM-dd"}
    db.session.commit()
    assert ask(client, DATE_QUERY)[1][0]["dateText"] == "10/11/2021"  # fills the cache
    auth = {"Authorization": f"Bearer {token}"}
    response, blocks = ask(client, PREVIEW_DATE_QUERY, **auth)
    assert blocks[0]["dateText"] == "2021-11-10"
    assert response.headers["Cache-Status"] == BYPASS  # executed, and stored nowhere
    assert ask(client, TITLE_QUERY)[1][0] == {}
    assert ask(client, DATE_QUERY.replace("Date(", "Reader("))[1][0]["dateText"] == "10/11/2021"


def test_a_resolution_survives_the_trip_through_redis_unchanged():
    resolved = ResolvedPath(
        route=RouteMatch(
            route_id=2, layout_id=1, article_id=None, slug="gia-tri", host="sokhdt.example.vn"
        ),
        layout=LayoutSnapshot(id=1, name="news-detail", title="Chi tiết bản tin", version=4),
        regions=("main", "aside"),
        placements=(
            PlacedBlock(7, "main", 0, "Block_BanTin_Toolbar", {"dateFormat": "dd/MM/yyyy"}, 3),
        ),
        article=ArticleRecord(
            id="5",
            slug="gia-tri",
            title="Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%",
            lead="Tháng 10/2021, giá trị sản xuất ước đạt 1.234,5 tỷ đồng.",
            body_html="<p>Hương Dịu</p>",
            published_at=datetime(2021, 11, 10, 1, 30, tzinfo=UTC),
            author="Hương Dịu",
        ),
        category=Category(slug="kinh-te", name="Kinh tế"),
    )
    raw = encode_resolved(resolved)
    assert "Hương Dịu".encode() in raw  # readable JSON, not pickle
    decoded = decode_resolved(raw)
    assert decoded == resolved
    assert decoded.placements[0].settings_key == resolved.placements[0].settings_key
    assert decoded.article.published_at.utcoffset() is not None


def test_clearing_the_caches_drops_every_entry(cached_app):
    """For writes no session saw (a statement run by hand): the next reads go to the database."""
    client = cached_app.test_client()
    register(client)
    db.session.remove()
    with db.engine.begin() as connection:  # no session: the caches do not hear of it
        connection.execute(
            Article.__table__.update()
            .where(Article.__table__.c.slug == REFERENCE_SLUG)
            .values(title="Sửa thẳng trong cơ sở dữ liệu")
        )
    assert ask(client, TITLE_QUERY)[1][1]["article"]["title"].startswith("Giá trị")
    result = cached_app.test_cli_runner().invoke(cli, ["caches", "clear"])
    assert result.exit_code == 0, result.output
    response, blocks = ask(client, TITLE_QUERY)
    assert blocks[1]["article"]["title"] == "Sửa thẳng trong cơ sở dữ liệu"
    assert response.headers["Cache-Status"] == STORED


def test_the_page_data_and_viewer_caches_can_be_turned_off(database_url, migrated_app):
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
            "PORTAL_BLOCKS_PAGE_CACHE_SIZE": 0,
            "PORTAL_BLOCKS_VIEWER_CACHE_SIZE": 0,
            "TESTING": True,
        }
    )
    state = app.extensions["portal_blocks"]
    assert state.pages is None and state.caches.preferences is None
    with demo_content(app):
        client = app.test_client()
        for query in (TITLE_QUERY, DATE_QUERY):  # two documents: two response-cache misses
            with count_statements() as statements:
                ask(client, query)
            assert len(statements) == 3
