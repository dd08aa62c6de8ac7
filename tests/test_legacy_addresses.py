"""Every old address keeps working (issue #16): a page imported from a sub-site answers at its
legacy path on that sub-site's host only, the portal's own pages on every host; one path on two
hosts is two pages; SharePoint's case and query variants resolve the same; theme pages name the
canonical address, and serve the old one or send readers on with a 301; the toolbar shows the
old page's time of day when it had one."""

from __future__ import annotations

import json
import unicodedata
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from conftest import (
    OLD_ROWS_TIME,
    REFERENCE_LEGACY_PATH,
    REFERENCE_SLUG,
    SEED,
    count_statements,
    publish_draft,
)
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import IntegrityError

from portal_blocks import create_app
from portal_blocks.cache_tags import ALL
from portal_blocks.caching.invalidation import invalidate
from portal_blocks.db import db
from portal_blocks.importing.legacy_text import suffix_for
from portal_blocks.layout.routing import match_route, normalise_host, route_key
from portal_blocks.layout.service import ensure_route
from portal_blocks.migrate import VERSION_TABLE
from portal_blocks.models import Article, Layout, Placement, Route

FIXTURES = Path(__file__).parent / "fixtures" / "old_template"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MAIN = "backan.gov.vn"
SOKHDT = "sokhdt.backan.gov.vn"
UBMTTQ = "ubmttq.backan.gov.vn"
#: A sub-site that holds another page at the path of sokhdt's.
HOINONGDAN = "hoinongdan.backan.gov.vn"
#: A host none of the pages came from.
ELSEWHERE = "giamngheo.backan.gov.vn"

MAIN_PATH = (
    "/Pages/tin-tuc-su-kien-1/kinh-te-5/"
    "hoi-nghi-trien-khai-nhiem-vu-phat-trien-5a1e3c9b2f4d6e80.aspx"
)
SOKHDT_PATH = (
    "/Pages/tin-tuc-3/hoat-dong-cua-so-12/doanh-nghiep-27/"
    "so-ke-hoach-va-dau-tu-doi-thoai-voi-doan-3f9c0a7e51b2d48.aspx"
)
UBMTTQ_PATH = (
    "/Pages/hoat-dong-mat-tran-2/mat-tran--cau-noi-giua-dang-voi-nhan-dan-0b7d44e9a1c3f265.aspx"
)
MAIN_TITLE = "Hội nghị triển khai nhiệm vụ phát triển kinh tế năm 2019"
SOKHDT_TITLE = "Sở Kế hoạch và Đầu tư đối thoại với doanh nghiệp về thủ tục đầu tư"
UBMTTQ_TITLE = "Mặt trận - cầu nối giữa Đảng với Nhân dân"
#: The page of hoinongdan at sokhdt's path, and sokhdt's own page at the main portal's path.
OTHER_AUTHOR = "Nông Thị Hoa"
SOKHDT_AT_MAIN_AUTHOR = "Hà Văn Sơn"

SEED_TEXT = SEED.read_text(encoding="utf-8")
NEW_2021_SLUG = "ban-tin-thang-11-2021-c3d4"

PAGE_QUERY = """query Page($path: String!) { page(path: $path) {
  article { slug title author url }
  regions { blocks { __typename ... on Block_BanTin_Toolbar { dateText timeText } } } } }"""


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """The main portal's page, two sub-sites' pages, a third sub-site's page at the path of
    sokhdt's, and sokhdt's page at the path of the main portal's."""
    root = tmp_path / "pages"
    root.mkdir()
    for name in ("main_portal.txt", "sokhdt_three_levels.txt", "ubmttq_date_only.txt"):
        (root / name).write_text(fixture_text(name), encoding="utf-8")
    (root / "hoinongdan_same_path.txt").write_text(
        fixture_text("sokhdt_three_levels.txt")
        .replace(f"http://{SOKHDT}", f"https://{HOINONGDAN}")
        .replace("Minh Tuấn", OTHER_AUTHOR),
        encoding="utf-8",
    )
    (root / "sokhdt_at_main_path.txt").write_text(
        fixture_text("main_portal.txt")
        .replace(f"https://{MAIN}", f"https://{SOKHDT}")
        .replace("Lan Hương", SOKHDT_AT_MAIN_AUTHOR),
        encoding="utf-8",
    )
    return root


@pytest.fixture
def imported(app, run_import, pages):
    result = run_import(pages, args=["--main-host", MAIN])
    assert "Imported 5 file(s): 5 created, 0 updated, 0 unchanged, 0 failed" in result.output
    return result


def get(client, path: str, host: str, **kwargs):
    return client.get(path, base_url=f"https://{host}", **kwargs)


def shown(response) -> dict[str, str]:
    """What a theme page shows: its title, author line, toolbar date and canonical link."""
    assert response.status_code == 200, response.status_code
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    canonical = soup.select_one('link[rel="canonical"]')
    return {
        "title": soup.select_one(".pb-toolbar__title").get_text(),
        "date": soup.select_one(".pb-toolbar__date").get_text(),
        "text": " ".join(
            soup.select_one('[data-block-type="Block_BanTin_ViewData"]').stripped_strings
        ),
        "canonical": canonical["href"] if canonical else None,
    }


def slug_at(path: str, host: str | None) -> str:
    db.session.expire_all()
    return db.session.scalar(
        select(Article.slug).where(
            Article.legacy_path == path,
            Article.legacy_host.is_(None) if host is None else Article.legacy_host == host,
        )
    )


# --- each old address on its own host -----------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "path", "title"),
    [(SOKHDT, SOKHDT_PATH, SOKHDT_TITLE), (UBMTTQ, UBMTTQ_PATH, UBMTTQ_TITLE)],
)
def test_a_sub_site_page_answers_on_its_host_only(imported, client, host, path, title):
    assert shown(get(client, path, host))["title"] == title
    for other in (ELSEWHERE, MAIN, "localhost"):
        assert get(client, path, other).status_code == 404, other
    # The port and the case of the Host do not make it another host.
    assert get(client, path, f"{host.upper()}:8443").status_code == 200


def test_the_portals_own_pages_answer_on_every_host_but_where_a_sub_site_has_its_own(
    imported, client
):
    for host in (MAIN, "localhost", "www.backan.gov.vn", ELSEWHERE, UBMTTQ):
        page = shown(get(client, MAIN_PATH, host))
        assert (page["title"], "Lan Hương" in page["text"]) == (MAIN_TITLE, True), host
    # sokhdt has a page of its own at that path: its host shows it.
    assert SOKHDT_AT_MAIN_AUTHOR in shown(get(client, MAIN_PATH, SOKHDT))["text"]


def test_one_path_on_two_hosts_is_two_pages(imported, client):
    ours, theirs = slug_at(SOKHDT_PATH, SOKHDT), slug_at(SOKHDT_PATH, HOINONGDAN)
    # Read first (files in name order), hoinongdan's page has the address's own slug; the
    # other is told apart by its host, the same on every run.
    assert theirs == "so-ke-hoach-va-dau-tu-doi-thoai-voi-doan-3f9c0a7e51b2d48"
    assert ours == f"{theirs}-{suffix_for(SOKHDT)}"
    assert "Minh Tuấn" in shown(get(client, SOKHDT_PATH, SOKHDT))["text"]
    assert OTHER_AUTHOR in shown(get(client, SOKHDT_PATH, HOINONGDAN))["text"]
    routes = db.session.execute(
        select(Route.host, Route.article_id).where(Route.pattern == SOKHDT_PATH)
    ).all()
    assert sorted(host for host, _ in routes) == [HOINONGDAN, SOKHDT]
    assert len({article for _, article in routes}) == 2


def test_reimporting_finds_each_hosts_page_again(imported, run_import, pages):
    result = run_import(pages, args=["--main-host", MAIN])
    assert "0 created, 0 updated, 5 unchanged, 0 failed" in result.output
    assert db.session.scalar(select(db.func.count(Route.id)).where(Route.host.is_not(None))) == 4


def test_without_main_host_the_portals_pages_are_bound_to_their_host(app, client, run_import):
    run_import(FIXTURES / "main_portal.txt")
    assert get(client, MAIN_PATH, MAIN).status_code == 200
    assert get(client, MAIN_PATH, "localhost").status_code == 404


def test_a_main_host_that_is_no_host_is_a_usage_error(app, run_import):
    result = run_import(
        FIXTURES / "main_portal.txt", args=["--main-host", "https://x/y"], expect_exit=2
    )
    assert "'https://x/y' is not a host name such as backan.gov.vn" in result.output + result.stderr


# --- case and query variants ------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        SOKHDT_PATH + "?Source=%2FPages%2FDefault.aspx&ID=12",
        SOKHDT_PATH.upper(),
        SOKHDT_PATH.replace("/Pages/", "/pages/").replace(".aspx", ".ASPX") + "?source=x",
        SOKHDT_PATH + "/",
        SOKHDT_PATH.replace("-", "%2D"),
    ],
)
def test_sharepoint_spellings_of_an_address_resolve_the_same(imported, client, spelling):
    assert shown(get(client, spelling, SOKHDT))["title"] == SOKHDT_TITLE


def test_the_2021_addresses_take_any_case_too_and_new_ones_do_not(app, client):
    upper = REFERENCE_LEGACY_PATH.upper()
    assert client.get(upper).status_code == 200
    assert client.get(f"/Tin-Tuc/{REFERENCE_SLUG}").status_code == 404  # werkzeug's, as ever


def test_route_keys():
    assert route_key("/Pages/Foo-Bar-0123ABCD.ASPX") == "/pages/foo-bar-0123abcd.aspx"
    assert route_key("/tin-tuc/Pages/Giá Trị.aspx/") == "/tin-tuc/pages/giá trị.aspx/"
    assert route_key("/Pages/<slug>.ASPX") == "/pages/<slug>.aspx"
    assert route_key("/Pages/<int:Id>.aspx") == "/pages/<int:Id>.aspx"
    assert route_key("/Tin-Tuc/Bai-Viet") == "/Tin-Tuc/Bai-Viet"  # not SharePoint's


@pytest.mark.parametrize(
    ("given", "host"),
    [
        ("SoKhDT.BacKan.gov.vn:8080", SOKHDT),
        ("sokhdt.backan.gov.vn.", SOKHDT),
        ("[::1]:5000", "::1"),
        ("localhost", "localhost"),
        ("", None),
        ("bad host", None),
        ("a\x00b", None),
        ("x" * 300, None),
    ],
)
def test_hosts_are_read_as_routes_hold_them(given, host):
    assert normalise_host(given) == host


# --- canonical address and redirects ------------------------------------------------------------


def test_the_canonical_link_names_the_articles_canonical_address(
    imported, client, app, monkeypatch
):
    slug = slug_at(SOKHDT_PATH, SOKHDT)
    assert shown(get(client, SOKHDT_PATH, SOKHDT))["canonical"] == f"/tin-tuc/{slug}"
    monkeypatch.setitem(app.config, "PORTAL_BLOCKS_PUBLIC_URL", "https://backan.gov.vn")
    invalidate({ALL})  # a setting changes with a restart: pages rendered before are gone
    # Absolute with a public URL; never after the Host the request sent.
    page = shown(get(client, SOKHDT_PATH, SOKHDT, headers={"Host": SOKHDT}))
    assert page["canonical"] == f"https://backan.gov.vn/tin-tuc/{slug}"
    assert shown(get(client, f"/tin-tuc/{slug}", "evil.example"))["canonical"] == (
        f"https://backan.gov.vn/tin-tuc/{slug}"
    )


def test_redirect_sends_old_addresses_to_the_canonical_one(imported, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BLOCKS_LEGACY_ADDRESSES", "redirect")
    slug = slug_at(SOKHDT_PATH, SOKHDT)
    for spelling in (SOKHDT_PATH + "?Source=abc", SOKHDT_PATH.upper()):
        response = get(client, spelling, SOKHDT)
        assert (response.status_code, response.headers["Location"]) == (301, f"/tin-tuc/{slug}")
    assert get(client, SOKHDT_PATH, ELSEWHERE).status_code == 404  # still its host's only
    # The canonical address itself is served, on any host (no loop).
    assert shown(get(client, f"/tin-tuc/{slug}", SOKHDT))["title"] == SOKHDT_TITLE
    # A 2021 page's legacy address is an old address too.
    response = client.get(REFERENCE_LEGACY_PATH + "?x=1")
    assert (response.status_code, response.headers["Location"]) == (
        301,
        f"/tin-tuc/{REFERENCE_SLUG}",
    )
    monkeypatch.setitem(app.config, "PORTAL_BLOCKS_PUBLIC_URL", "https://backan.gov.vn")
    assert get(client, SOKHDT_PATH, SOKHDT).headers["Location"] == (
        f"https://backan.gov.vn/tin-tuc/{slug}"
    )


def test_no_redirect_where_the_canonical_address_is_the_old_form(client, app, monkeypatch):
    """A portal may keep the old address form as its canonical one: no 301 to itself."""
    monkeypatch.setitem(app.config, "PORTAL_BLOCKS_LEGACY_ADDRESSES", "redirect")
    monkeypatch.setitem(app.config, "PORTAL_BLOCKS_ARTICLE_PATH", "/Pages/<slug>.aspx")
    page = shown(client.get(REFERENCE_LEGACY_PATH.replace(".aspx", ".ASPX")))
    assert page["canonical"] == REFERENCE_LEGACY_PATH
    response = client.get(f"/tin-tuc/{REFERENCE_SLUG}")  # not an old address: served
    assert response.status_code == 200


def test_serve_is_the_default_and_the_setting_is_checked(imported, client):
    from portal_blocks.config import SettingsError

    assert get(client, SOKHDT_PATH, SOKHDT).status_code == 200
    with pytest.raises(SettingsError, match="LEGACY_ADDRESSES must be one of serve, redirect"):
        create_app({"PORTAL_BLOCKS_LEGACY_ADDRESSES": "301", "TESTING": True})


# --- GraphQL and fragments ----------------------------------------------------------------------


def test_graphql_page_by_full_url_selects_its_host(imported, graphql):
    page = graphql(PAGE_QUERY, {"path": f"https://{SOKHDT}{SOKHDT_PATH}"})["data"]["page"]
    slug = slug_at(SOKHDT_PATH, SOKHDT)
    assert page["article"] == {
        "slug": slug,
        "title": SOKHDT_TITLE,
        "author": "Minh Tuấn",
        "url": f"/tin-tuc/{slug}",  # Article.url stays the canonical path
    }
    other = graphql(PAGE_QUERY, {"path": f"http://{HOINONGDAN}:80{SOKHDT_PATH.upper()}?a=1"})
    assert other["data"]["page"]["article"]["author"] == OTHER_AUTHOR
    nowhere = graphql(PAGE_QUERY, {"path": f"https://{ELSEWHERE}{SOKHDT_PATH}"})
    assert nowhere["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_graphql_page_by_path_is_the_request_hosts(imported, client):
    """The same document and variables on two hosts are two answers, not one cached."""

    def author_on(host: str):
        response = client.post(
            "/graphql",
            json={"query": PAGE_QUERY, "variables": {"path": SOKHDT_PATH}},
            base_url=f"https://{host}",
        )
        page = response.get_json()["data"]["page"]
        return page["article"]["author"] if page else None

    assert author_on(SOKHDT) == "Minh Tuấn"
    assert author_on(HOINONGDAN) == OTHER_AUTHOR
    assert author_on(ELSEWHERE) is None
    assert author_on(SOKHDT) == "Minh Tuấn"
    # A persisted GET is keyed by its query string: the host is part of its key too.
    params = {"query": PAGE_QUERY, "variables": f'{{"path": "{SOKHDT_PATH}"}}'}
    first = client.get("/graphql", query_string=params, base_url=f"https://{SOKHDT}")
    second = client.get("/graphql", query_string=params, base_url=f"https://{HOINONGDAN}")
    assert first.get_json()["data"]["page"]["article"]["author"] == "Minh Tuấn"
    assert second.get_json()["data"]["page"]["article"]["author"] == OTHER_AUTHOR


def test_fragments_take_a_full_url_or_the_request_host(imported, client):
    url = f"https://{HOINONGDAN}{SOKHDT_PATH}"
    assert OTHER_AUTHOR in client.get("/fragments/page", query_string={"path": url}).get_data(
        as_text=True
    )
    on_host = get(client, "/fragments/page", SOKHDT, query_string={"path": SOKHDT_PATH})
    assert "Minh Tuấn" in on_host.get_data(as_text=True)
    assert client.get("/fragments/page", query_string={"path": SOKHDT_PATH}).status_code == 404


def test_the_page_data_cache_keeps_each_hosts_page(cached_app, tmp_path):
    """Another document each time (a response-cache miss): the page data comes from the
    page-data cache, which must not hand one host's page to another."""
    client = cached_app.test_client()
    runner = cached_app.test_cli_runner()
    from portal_blocks.import_command import import_command

    root = tmp_path / "pages"
    root.mkdir()
    (root / "a.txt").write_text(fixture_text("sokhdt_three_levels.txt"), encoding="utf-8")
    (root / "b.txt").write_text(
        fixture_text("sokhdt_three_levels.txt")
        .replace(f"http://{SOKHDT}", f"https://{HOINONGDAN}")
        .replace("Minh Tuấn", OTHER_AUTHOR),
        encoding="utf-8",
    )
    result = runner.invoke(import_command, [str(root)])
    assert result.exit_code == 0, result.output
    for number, (host, author) in enumerate(
        [(SOKHDT, "Minh Tuấn"), (HOINONGDAN, OTHER_AUTHOR), (SOKHDT, "Minh Tuấn")]
    ):
        query = PAGE_QUERY.replace("query Page(", f"query Page{number}(")
        with count_statements() as statements:
            response = client.post(
                "/graphql",
                json={"query": query, "variables": {"path": SOKHDT_PATH}},
                base_url=f"https://{host}",
            )
        assert response.get_json()["data"]["page"]["article"]["author"] == author, host
        if number == 2:
            assert statements == []  # sokhdt's page data, from the cache


# --- statements ---------------------------------------------------------------------------------


def test_a_host_aware_lookup_is_one_statement(imported):
    for host in (SOKHDT, HOINONGDAN, None):
        with count_statements() as statements:
            match_route(db.session, SOKHDT_PATH.upper(), host)
        assert len(statements) == 1


def test_a_sub_site_page_costs_the_same_statements(imported, client):
    with count_statements() as statements:
        assert get(client, SOKHDT_PATH, SOKHDT).status_code == 200
    assert len(statements) == 3  # routes; the published layout with its blocks; the article


def test_an_unbound_route_is_not_taken_for_a_bound_one(app):
    layout = db.session.query(Layout).filter_by(name="news-detail").one()
    bound = ensure_route(db.session, "/Pages/gioi-thieu.aspx", layout, host=SOKHDT)
    unbound = ensure_route(db.session, "/Pages/Gioi-Thieu.aspx", layout)
    assert bound.id != unbound.id and unbound.path_key == bound.path_key
    assert ensure_route(db.session, "/PAGES/GIOI-THIEU.ASPX", layout).id == unbound.id
    db.session.commit()
    assert match_route(db.session, "/Pages/gioi-thieu.aspx", SOKHDT).route_id == bound.id
    assert match_route(db.session, "/Pages/gioi-thieu.aspx", UBMTTQ).route_id == unbound.id
    assert match_route(db.session, "/Pages/gioi-thieu.aspx").route_id == unbound.id


# --- the time of day ----------------------------------------------------------------------------


def set_toolbar(**settings) -> None:
    placement = db.session.query(Placement).filter_by(block_type="Block_BanTin_Toolbar").one()
    placement.settings = {**placement.settings, **settings}
    db.session.commit()
    publish_draft()


def test_the_time_is_known_for_full_stamps_only(imported, run_import, tmp_path):
    def known(path: str, host: str | None) -> bool:
        return db.session.scalar(
            select(Article.published_time_known).where(Article.slug == slug_at(path, host))
        )

    assert known(MAIN_PATH, None) is True  # (Cập nhật lúc: 14/05/2019 16:25:00 )
    assert known(UBMTTQ_PATH, UBMTTQ) is False  # (Cập nhật lúc: 03/09/2018)
    # Imported before the flag was kept (the migration says "known" for every article): a
    # re-import of the page says what its date holds; a time set since is left alone.
    article = db.session.scalar(select(Article).where(Article.slug == slug_at(UBMTTQ_PATH, UBMTTQ)))
    article.published_time_known = True
    db.session.commit()
    assert "0 created, 1 updated" in run_import(FIXTURES / "ubmttq_date_only.txt").output
    assert known(UBMTTQ_PATH, UBMTTQ) is False
    article = db.session.scalar(select(Article).where(Article.slug == slug_at(UBMTTQ_PATH, UBMTTQ)))
    article.published_at, article.published_time_known = (
        datetime(2018, 9, 3, 9, 30, tzinfo=HANOI),
        True,
    )
    db.session.commit()
    assert (
        "0 created, 0 updated, 1 unchanged" in run_import(FIXTURES / "ubmttq_date_only.txt").output
    )
    assert known(UBMTTQ_PATH, UBMTTQ) is True
    run_import(FIXTURES / "giamngheo_no_stamp.txt")  # no stamp: dated at import
    assert (
        known(
            "/Pages/tin-hoat-dong-4/ho-tro-sinh-ke-cho-ho-ngheo-o-pac-nam-7e2a90c4d18b3f56.aspx",
            ELSEWHERE,
        )
        is False
    )


def test_the_toolbar_shows_the_time_when_set_and_known(
    imported, client, graphql, run_import, tmp_path
):
    def toolbar(path: str, host: str):
        page = graphql(PAGE_QUERY, {"path": f"https://{host}{path}"})["data"]["page"]
        block = page["regions"][0]["blocks"][0]
        return block["dateText"], block["timeText"], shown(get(client, path, host))["date"]

    # By default no time, as the reference page shows none.
    assert toolbar(MAIN_PATH, MAIN) == ("14/05/2019", None, "14/05/2019")
    set_toolbar(timeFormat="HH:mm")
    assert toolbar(MAIN_PATH, MAIN) == ("14/05/2019", "16:25", "14/05/2019 16:25")
    assert toolbar(UBMTTQ_PATH, UBMTTQ) == ("03/09/2018", None, "03/09/2018")
    # A 2021 page is dated by its day only.
    page_2021 = tmp_path / "trang_2021.txt"
    page_2021.write_text(f"URL: https://{UBMTTQ}/Pages/{NEW_2021_SLUG}.aspx\n" + SEED_TEXT, "utf-8")
    run_import(page_2021)
    assert toolbar(f"/Pages/{NEW_2021_SLUG}.aspx", UBMTTQ) == ("10/11/2021", None, "10/11/2021")


def test_no_date_means_no_time(imported, client, graphql):
    set_toolbar(timeFormat="HH:mm", showDate=False)
    soup = BeautifulSoup(get(client, MAIN_PATH, MAIN).get_data(as_text=True), "html.parser")
    assert soup.select_one(".pb-toolbar__date") is None
    page = graphql(PAGE_QUERY, {"path": f"https://{MAIN}{MAIN_PATH}"})["data"]["page"]
    assert page["regions"][0]["blocks"][0] == {
        "__typename": "Block_BanTin_Toolbar",
        "dateText": None,
        "timeText": None,
    }


def test_an_editors_date_is_a_date_and_time(imported, as_editor):
    slug = slug_at(UBMTTQ_PATH, UBMTTQ)
    version = db.session.scalar(select(Article.version).where(Article.slug == slug))
    result = as_editor(
        """mutation($slug: String!, $version: Int!) {
          updateArticle(slug: $slug, version: $version,
                        input: {publishedAt: "2018-09-03T09:30:00+07:00"}) { errors { code } } }""",
        {"slug": slug, "version": version},
    )
    assert result["data"]["updateArticle"]["errors"] == []
    db.session.expire_all()
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    assert article.published_time_known is True
    assert article.published_at == datetime(2018, 9, 3, 9, 30, tzinfo=HANOI)


def test_a_bad_time_pattern_is_refused(app, graphql):
    result = graphql(
        """query { validateBlockSettings(blockType: "Block_BanTin_Toolbar",
                     settings: {timeFormat: "HH:mm:ssssss"}) { valid errors { field } } }"""
    )
    assert result["data"]["validateBlockSettings"] == {
        "valid": False,
        "errors": [{"field": "settings.timeFormat"}],
    }


# --- the migration, on both databases -----------------------------------------------------------

BEFORE = "5b2d0c7e9a41"
#: The schema the PostgreSQL runs migrate in: apart from the suite's own tables.
MIGRATION_SCHEMA = "legacy_addresses_migration"


@contextmanager
def database_before(database_url: str, tmp_path: Path):
    """An app on a database of its own at the revision before host-bound routes: a new SQLite
    file, or a schema of its own in the PostgreSQL test database."""
    postgres = database_url.startswith("postgresql")
    url = database_url if postgres else f"sqlite:///{tmp_path / 'before.db'}"
    if postgres:
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {MIGRATION_SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {MIGRATION_SCHEMA}"))
            # Alembic's own table, made first so that the suite's, in public, is not the one
            # it finds (public stays on the path for the pg_trgm operator classes).
            connection.execute(
                text(
                    f"CREATE TABLE {MIGRATION_SCHEMA}.{VERSION_TABLE} (version_num VARCHAR(32) "
                    f"NOT NULL, CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
                )
            )
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": url, "TESTING": True})
    try:
        with app.app_context():
            if postgres:

                @event.listens_for(db.engine, "connect")
                def _in_own_schema(dbapi_connection, _record):
                    cursor = dbapi_connection.cursor()
                    # public last: the pg_trgm operator classes live there.
                    cursor.execute(f"SET search_path TO {MIGRATION_SCHEMA}, public")
                    cursor.close()
                    dbapi_connection.commit()

                db.engine.dispose()  # connections made at the app's start have no such path

            upgrade(revision=BEFORE)
            db.session.execute(
                text(
                    "INSERT INTO layout (id, name, title, regions, created_at, updated_at, "
                    "version) VALUES (1, 'news-detail', '', '[\"main\"]', :now, :now, 1)"
                ),
                {"now": OLD_ROWS_TIME},
            )
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        if postgres:
            with admin.connect() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {MIGRATION_SCHEMA} CASCADE"))
            admin.dispose()


def old_rows() -> None:
    db.session.execute(
        text(
            "INSERT INTO article (id, slug, title, lead, body_html, status, legacy_path, "
            "created_at, updated_at, version, search_folded, search_exact) VALUES "
            "(1, 'tin-mot-0a1b', 'Tin một', '', '', 'published', '/Pages/Tin-Mot-0A1B.aspx', "
            ":now, :now, 1, 'tin mot', 'tin một')"
        ),
        {"now": OLD_ROWS_TIME},
    )
    db.session.execute(
        text(
            "INSERT INTO route (id, pattern, is_pattern, layout_id, article_id, created_at) "
            "VALUES (1, '/tin-tuc/<slug>', :yes, 1, NULL, :now), "
            "(2, '/Pages/<slug>.aspx', :yes, 1, NULL, :now), "
            "(3, '/Pages/Tin-Mot-0A1B.aspx', :no, 1, 1, :now)"
        ),
        {"now": OLD_ROWS_TIME, "yes": True, "no": False},
    )
    db.session.commit()


def test_the_migration_upgrades_and_downgrades(database_url, tmp_path, caplog):
    with database_before(database_url, tmp_path):
        old_rows()
        upgrade()
        routes = db.session.execute(
            text("SELECT id, pattern, path_key, host FROM route ORDER BY id")
        ).all()
        assert [tuple(r) for r in routes] == [
            (1, "/tin-tuc/<slug>", "/tin-tuc/<slug>", None),
            (2, "/Pages/<slug>.aspx", "/pages/<slug>.aspx", None),
            (3, "/Pages/Tin-Mot-0A1B.aspx", "/pages/tin-mot-0a1b.aspx", None),
        ]
        article = db.session.execute(
            text("SELECT legacy_host, published_time_known, category_path FROM article")
        ).one()
        assert (article.legacy_host, bool(article.published_time_known)) == (None, True)
        assert article.category_path is None  # not known for the articles already there
        assert match_route(db.session, "/PAGES/TIN-MOT-0A1B.ASPX?x=1", SOKHDT).article_id == 1
        if db.engine.dialect.name == "sqlite":  # the rebuilt table keeps its search triggers
            db.session.execute(
                text(
                    "INSERT INTO article (id, slug, title, lead, body_html, status, created_at, "
                    "updated_at, version, search_folded, search_exact, published_time_known) "
                    "VALUES (2, 'tin-hai-0c1d', 'Tin hai', '', '', 'draft', :now, :now, 1, "
                    "'tin hai', 'tin hai', :yes)"
                ),
                {"now": OLD_ROWS_TIME, "yes": True},
            )
            found = db.session.execute(
                text("SELECT rowid FROM article_fts WHERE article_fts MATCH 'hai'")
            ).scalars()
            assert list(found) == [2]
            db.session.rollback()
        # Routes and articles survive the rebuild of their tables (SQLite), and search too.
        found = db.session.execute(text("SELECT COUNT(*) FROM route WHERE article_id = 1")).scalar()
        assert found == 1
        layout = db.session.get(Layout, 1)
        db.session.add(Route(id=10, pattern="/Pages/Tin-Mot-0A1B.aspx", host=SOKHDT, layout_id=1))
        db.session.commit()  # one path, two hosts
        for duplicate in (
            Route(id=11, pattern="/pages/tin-mot-0a1b.ASPX", host=SOKHDT, layout_id=layout.id),
            Route(id=12, pattern="/pages/tin-mot-0a1b.ASPX", host=None, layout_id=layout.id),
        ):
            db.session.add(duplicate)
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()
        db.session.add(
            Article(id=10, slug="tin-hai", title="Tin hai", legacy_path="/Pages/Tin-Mot-0A1B.aspx")
        )
        with pytest.raises(IntegrityError):  # the hostless one is taken
            db.session.flush()
        db.session.rollback()
        db.session.add(
            Article(
                id=11,
                slug="tin-hai",
                title="Tin hai",
                legacy_path="/Pages/Tin-Mot-0A1B.aspx",
                legacy_host=SOKHDT,
            )
        )
        db.session.commit()

        # Two hosts' rows at one path cannot go back to one path: refused, nothing changed.
        with pytest.raises(SystemExit):  # Flask-Migrate's: the error is logged in one line
            downgrade(revision=BEFORE)
        assert "route pattern(s) are held once per host" in caplog.text
        db.session.rollback()
        assert db.session.execute(text("SELECT COUNT(*) FROM route")).scalar() == 4
        db.session.execute(text("DELETE FROM route WHERE host IS NOT NULL"))
        db.session.execute(text("DELETE FROM article WHERE legacy_host IS NOT NULL"))
        db.session.commit()
        downgrade(revision=BEFORE)
        assert "host" not in list(db.session.execute(text("SELECT * FROM route")).keys())
        columns = list(db.session.execute(text("SELECT * FROM article")).keys())
        assert "legacy_host" not in columns and "category_path" not in columns
        assert db.session.execute(text("SELECT COUNT(*) FROM route")).scalar() == 3
        with pytest.raises(IntegrityError):  # the pattern is unique again
            db.session.execute(
                text(
                    "INSERT INTO route (id, pattern, is_pattern, layout_id, created_at) "
                    "VALUES (13, '/Pages/Tin-Mot-0A1B.aspx', :no, 1, :now)"
                ),
                {"now": OLD_ROWS_TIME, "no": False},
            )
        db.session.rollback()


def test_the_migration_refuses_routes_that_become_one_address(database_url, tmp_path, caplog):
    with database_before(database_url, tmp_path):
        old_rows()
        db.session.execute(
            text(
                "INSERT INTO route (id, pattern, is_pattern, layout_id, created_at) "
                "VALUES (4, '/pages/tin-mot-0a1b.ASPX', :no, 1, :now)"
            ),
            {"now": OLD_ROWS_TIME, "no": False},
        )
        db.session.commit()
        with pytest.raises(SystemExit):  # Flask-Migrate's: the error is logged in one line
            upgrade()
        assert (
            "route 3 (/Pages/Tin-Mot-0A1B.aspx) and route 4 (/pages/tin-mot-0a1b.ASPX)"
        ) in caplog.text
        db.session.rollback()
        # Nothing changed: the same upgrade runs once one of the two is gone.
        db.session.execute(text("DELETE FROM route WHERE id = 4"))
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT COUNT(*) FROM route")).scalar() == 3


# --- the category's parents, hosts on every write path, 2021 pages of sub-sites ----------------

CATEGORY_QUERY = """query Page($path: String!) { page(path: $path) {
  article { slug category categoryPath } } }"""


def test_an_old_address_gives_the_category_and_its_parents(imported, graphql):
    """``tin-tuc-3/hoat-dong-cua-so-12/doanh-nghiep-27``: the deepest is the category, the
    whole path (numbers off, root first) is kept with it."""
    article = db.session.scalar(select(Article).where(Article.slug == slug_at(SOKHDT_PATH, SOKHDT)))
    assert (article.category, article.category_path) == (
        "doanh-nghiep",
        "tin-tuc/hoat-dong-cua-so/doanh-nghiep",
    )
    page = graphql(CATEGORY_QUERY, {"path": f"https://{SOKHDT}{SOKHDT_PATH}"})["data"]["page"]
    assert page["article"]["categoryPath"] == ["tin-tuc", "hoat-dong-cua-so", "doanh-nghiep"]
    assert page["article"]["category"] == "doanh-nghiep"
    # One level: the path is the category alone. An article written here has none.
    main = graphql(CATEGORY_QUERY, {"path": f"https://{MAIN}{MAIN_PATH}"})["data"]["page"]
    assert main["article"]["categoryPath"] == ["tin-tuc-su-kien", "kinh-te"]
    reference = graphql(CATEGORY_QUERY, {"path": REFERENCE_LEGACY_PATH})["data"]["page"]
    assert reference["article"]["categoryPath"] is None


def test_a_records_category_path_survives_the_shared_cache():
    from portal_blocks.content.records import ArticleRecord

    record = ArticleRecord(
        id="1", slug="a-0000", title="A", lead="", body_html="", published_at=None,
        category="doanh-nghiep", category_path=("tin-tuc", "doanh-nghiep"),
    )  # fmt: skip
    assert ArticleRecord.from_json(json.loads(json.dumps(record.to_json()))) == record


def jsonl(tmp_path: Path, *records: dict) -> Path:
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    return path


JSONL_PATH = "/Pages/thong-bao-5/lich-tiep-cong-dan-9a8b7c6d5e4f3a2b.aspx"


def test_jsonl_records_give_a_category_path_and_a_host(app, client, run_import, tmp_path):
    decomposed = unicodedata.normalize("NFD", "thông-báo")
    result = run_import(
        jsonl(
            tmp_path,
            {
                "title": "Lịch tiếp công dân",
                "status": "published",
                "legacy_path": JSONL_PATH,
                "legacy_host": "SoKHDT.backan.gov.vn:8443",
                "category": "lich",
                "category_path": [decomposed, "lich"],
            },
        ),
        args=["--main-host", MAIN],
    )
    assert "1 created" in result.output, result.output
    article = db.session.scalar(select(Article).where(Article.legacy_path == JSONL_PATH))
    assert (article.legacy_host, article.category_path) == (
        SOKHDT,
        unicodedata.normalize("NFC", "thông-báo") + "/lich",
    )
    assert get(client, JSONL_PATH, SOKHDT).status_code == 200
    assert get(client, JSONL_PATH, MAIN).status_code == 404
    route = db.session.scalar(select(Route).where(Route.article_id == article.id))
    assert route.host == SOKHDT


def test_a_jsonl_record_of_a_main_host_is_unbound(app, client, run_import, tmp_path):
    records = jsonl(
        tmp_path,
        {"title": "Tin", "status": "published", "legacy_path": JSONL_PATH, "legacy_host": MAIN},
    )
    assert "1 created" in run_import(records, args=["--main-host", MAIN]).output
    article = db.session.scalar(select(Article).where(Article.legacy_path == JSONL_PATH))
    assert article.legacy_host is None
    assert get(client, JSONL_PATH, ELSEWHERE).status_code == 200


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"legacy_path": JSONL_PATH, "legacy_host": "https://sokhdt.backan.gov.vn/"}, "host name"),
        ({"legacy_host": SOKHDT}, "Only with a legacy_path"),
        ({"category_path": ["tin-tuc/kinh-te"]}, "holds no '/'"),
        ({"category_path": [""]}, "category_path.0"),
    ],
)
def test_jsonl_hosts_and_category_paths_are_checked(app, run_import, tmp_path, record, message):
    result = run_import(
        jsonl(tmp_path, {"title": "Tin", **record}), expect_exit=1, args=["--main-host", MAIN]
    )
    assert "0 created" in result.output and message in result.output, result.output
    assert db.session.scalar(select(Article).where(Article.title == "Tin")) is None


def test_a_2021_page_of_a_sub_site_answers_on_its_host_only(app, client, run_import, tmp_path):
    """``/Pages/<slug>.aspx`` of a sub-site: an exact route bound to its host, and a slug the
    shared pattern does not give it, so the main portal's hosts answer 404 there."""
    path = f"/Pages/{NEW_2021_SLUG}.aspx"
    page = tmp_path / "trang_2021.txt"
    page.write_text(f"URL: https://{UBMTTQ}{path}\n" + SEED_TEXT, "utf-8")
    assert "1 created" in run_import(page, args=["--main-host", MAIN]).output
    article = db.session.scalar(select(Article).where(Article.legacy_path == path))
    assert article.legacy_host == UBMTTQ
    assert article.slug == f"{NEW_2021_SLUG}-{suffix_for(UBMTTQ)}"
    assert db.session.scalar(select(Route.host).where(Route.article_id == article.id)) == UBMTTQ
    assert (
        shown(get(client, path, UBMTTQ))["title"]
        == "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%"
    )
    for other in (MAIN, ELSEWHERE, "localhost"):
        assert get(client, path, other).status_code == 404, other
    # Re-imported: found again, nothing changes.
    assert "1 unchanged" in run_import(page, args=["--main-host", MAIN]).output
    # The main portal's 2021 pages stay the pattern's, on every host.
    main_page = tmp_path / "main_2021.txt"
    main_page.write_text(f"URL: https://{MAIN}/Pages/tin-khac-a1b2.aspx\n" + SEED_TEXT, "utf-8")
    assert "1 created" in run_import(main_page, args=["--main-host", MAIN]).output
    assert db.session.scalar(select(Article.slug).where(Article.slug == "tin-khac-a1b2"))
    assert (
        db.session.scalar(
            select(Route)
            .join(Article, Route.article_id == Article.id)
            .where(Article.slug == "tin-khac-a1b2")
        )
        is None
    )
    for host in (MAIN, ELSEWHERE, UBMTTQ):
        assert get(client, "/Pages/tin-khac-a1b2.aspx", host).status_code == 200, host
