"""Search and listing at portal scale: 100,000 articles on SQLite and on PostgreSQL.

Generates synthetic Vietnamese-like articles (fixed random seed, so every run writes the same
rows), loads them into a scratch SQLite file and a PostgreSQL database built through the
migrations, then times GraphQL requests through the Flask test client and prints the median and
95th percentile latency of each kind, plus the SQL statement count of an article page that
shows related news. Then the lists of a page with four list blocks (other news of a category,
a category's second page, three chosen articles, the newest of every category), read in one
statement by ``read_lists``: its plan (``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL,
``EXPLAIN QUERY PLAN`` on SQLite), checked for an index in every branch, its latency, and the
plan of a category page's ``category_by_slug``.

    .venv/bin/python benchmarks/search.py                      # both databases, 100,000 rows
    .venv/bin/python benchmarks/search.py --articles 20000 --skip-postgres

PostgreSQL: ``--postgres URL`` (default the local ``bench_articles`` database, created if
missing; its public schema is dropped and rebuilt).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from portal_blocks import create_app
from portal_blocks.block_types import viewdata
from portal_blocks.content.page_lists import category_by_slug, read_lists
from portal_blocks.content.queries import ArticleQuery
from portal_blocks.content.search import SearchQuery
from portal_blocks.content.visibility import VISIBLE_TO_READERS
from portal_blocks.db import ExecutedStatement, db, recorded_statements
from portal_blocks.demo import load_demo
from portal_blocks.layout.publishing import publish
from portal_blocks.models import Article, Layout, Placement
from portal_blocks.text.search_text import search_columns
from portal_blocks.text.slug import category_slug

SEED = 20211110
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_articles"
BATCH = 2000
#: How often the lists of the four-list page are read for their latency.
LIST_ROUNDS = 200

SYLLABLES = (  # noqa: SIM905 - a word list reads better as text
    "anh ba bài bản bảo bắc bằng biển bình bộ cán cao cấp cầu chế chỉ chính chủ chương có công "
    "cơ của cùng cuộc dân dịch diễn doanh du dục dự dựng đã đại đạo đảm đầu đất để đến điều điện "
    "định đoàn đô đồng đơn được đường gia giá giải giáo giao giữa hạ hành hiện hình hoạch học "
    "hội hợp huyện hướng kế khai khách khoa khu kiểm kinh kỳ lâm lao lãnh lập liên lý lực lượng "
    "mạnh mới môi một năm nâng nghiệp nghị người nhân nhà nhiều nông nước phát phần phòng phố "
    "phục phương quả quan quản quốc quy sản sở sự tác tài tâm tập tế thác thành thế thị thông "
    "thủy thực tiêu tỉnh tình tổ tổng trị triển trình trong trung trường từ tư văn vốn vụ vực xã "
    "xây xuất y yêu"
).split()
PLACES = (
    "Bắc Kạn",
    "Đồng Nai",
    "Hòa Bình",
    "Thanh Hoá",
    "Đắk Lắk",
    "Hà Giang",
    "Quảng Ninh",
    "Điện Biên",
    "Cà Mau",
    "Lào Cai",
    "Ba Bể",
    "Chợ Đồn",
)
CATEGORIES = (
    "Kinh tế",
    "Xã hội",
    "Văn hóa",
    "Giáo dục",
    "Y tế",
    "Nông nghiệp",
    "Du lịch",
    "Quốc phòng",
    "Thể thao",
    "Khoa học",
    "Môi trường",
    "Chính sách",
)
SEARCHES = (
    "gia tri san xuat",
    "dong nai",
    "hòa bình",
    "hoà bình",
    "cong nghiep",
    "Bắc Kạn",
    "phat trien kinh te",
    "dien bien",
    "ba be",
    "xay dung ha tang",
    "tỉnh",
    "quy hoach chi tiet",
)
LISTING = """query($first: Int, $after: String, $category: String, $search: String) {
  articles(first: $first, after: $after, category: $category, search: $search) {
    edges { cursor node { slug title publishedAt category } }
    pageInfo { hasNextPage endCursor } } }"""
PAGE_HTML = """query($p: String!) { page(path: $p) { regions { html blocks { id html } } } }"""
PAGE = """query($p: String!) { page(path: $p) { regions { html blocks { id html
  ... on Block_BanTin_ViewData { relatedArticles { title url } } } } } }"""


def sentence(rng: random.Random, words: int) -> str:
    parts = [rng.choice(SYLLABLES) for _ in range(words)]
    if rng.random() < 0.5:
        parts.insert(rng.randrange(len(parts)), rng.choice(PLACES))
    text_ = " ".join(parts)
    return text_[0].upper() + text_[1:]


def article_rows(count: int):
    rng = random.Random(SEED)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(count):
        title = sentence(rng, rng.randint(8, 14))
        lead = sentence(rng, rng.randint(25, 40)) + "."
        body = "\n".join(
            f"<p>{sentence(rng, rng.randint(40, 70))}.</p>" for _ in range(rng.randint(2, 4))
        )
        row = {
            "slug": f"bai-{n:06d}",
            "title": title,
            "lead": lead,
            "body_html": body,
            "category": rng.choice(CATEGORIES),
            "status": "published" if rng.random() < 0.95 else "draft",
            "published_at": start
            + timedelta(seconds=rng.randrange(int((now - start).total_seconds()))),
            "created_at": now,
            "updated_at": now,
            "version": 1,
            **search_columns(title, lead, body),
        }
        # Core inserts skip the model's before_insert hook, which derives the slug.
        row["category_slug"] = category_slug(row["category"])
        yield row


def load(count: int) -> float:
    began = time.perf_counter()
    batch = []
    for row in article_rows(count):
        batch.append(row)
        if len(batch) == BATCH:
            db.session.execute(insert(Article), batch)
            batch = []
    if batch:
        db.session.execute(insert(Article), batch)
    db.session.commit()
    # What autovacuum does on a live server: statistics, and GIN pending lists merged.
    command = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(command))
    return time.perf_counter() - began


def fill_category_slugs() -> None:
    """Rows an earlier run of this benchmark loaded without their category slug (``--reuse``)."""
    table = Article.__table__
    missing = select(table.c.category).where(
        table.c.category.is_not(None), table.c.category_slug.is_(None)
    )
    for name in db.session.scalars(missing.distinct()).all():
        db.session.execute(
            table.update()
            .where(table.c.category == name, table.c.category_slug.is_(None))
            .values(category_slug=category_slug(name))
        )
    db.session.commit()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(client, variables: dict, query: str = LISTING) -> tuple[float, dict]:
    began = time.perf_counter()
    response = client.post("/graphql", json={"query": query, "variables": variables})
    elapsed = (time.perf_counter() - began) * 1000
    body = response.get_json()
    if "errors" in body:
        raise RuntimeError(body["errors"])
    return elapsed, body


def statements():
    return recorded_statements(db.engine)


def measure(client, rounds: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {
        "listing, first page": [],
        "listing, page 50 (cursor)": [],
        "listing by category": [],
        "search, first page": [],
        "search, second page (cursor)": [],
    }
    # Cursors for deep pages are collected once (walking there is not what is timed).
    after = None
    for _ in range(49):
        after = timed(client, {"first": 20, "after": after})[1]["data"]["articles"]["pageInfo"][
            "endCursor"
        ]
    deep_cursor = after
    search_cursors = {}
    for q in SEARCHES:
        info = timed(client, {"search": q})[1]["data"]["articles"]["pageInfo"]
        search_cursors[q] = info["endCursor"] if info["hasNextPage"] else None
    for _ in range(rounds):
        results["listing, first page"].append(timed(client, {"first": 20})[0])
        results["listing, page 50 (cursor)"].append(
            timed(client, {"first": 20, "after": deep_cursor})[0]
        )
        for category in CATEGORIES[:4]:
            results["listing by category"].append(timed(client, {"category": category})[0])
        for q in SEARCHES:
            results["search, first page"].append(timed(client, {"search": q})[0])
            if search_cursors[q]:
                results["search, second page (cursor)"].append(
                    timed(client, {"search": q, "after": search_cursors[q]})[0]
                )
    return results


def related_page_statements(client) -> tuple[int, int]:
    """Statements of the reference article page with related news shown, and without."""
    path = "/tin-tuc/gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"

    def count(query: str) -> tuple[int, dict]:
        with statements() as seen:
            body = timed(client, {"p": path}, query)[1]
        return len(seen), body

    placement = db.session.scalars(
        select(Placement).where(Placement.block_type == viewdata.NAME)
    ).one()

    def configure(**settings: object) -> None:
        """Readers see the published layout: change the block, then publish it."""
        placement.settings = {**placement.settings, **settings}
        publish(db.session, db.session.get(Layout, placement.layout_id), actor="benchmark")
        db.session.commit()

    configure(showRelated=False)
    without, _ = count(PAGE_HTML)
    configure(showRelated=True, relatedCount=5)
    with_related, body = count(PAGE)
    block = body["data"]["page"]["regions"][0]["blocks"][1]
    assert block["relatedArticles"] and "Tin khác" in block["html"], "no related news shown"
    return with_related, without


def match_counts() -> dict[str, int]:
    counts = {}
    for q in SEARCHES:
        query = SearchQuery.parse(q)
        counts[q] = db.session.scalar(select(func.count(Article.id)).where(query.matches()))
    return counts


def explain(dialect: str, words: str) -> str:
    """The plan of the statement behind a search's first page."""
    from portal_blocks.content import listing

    with recorded_statements(db.engine) as captured:
        listing.list_articles(db.session, search=words)
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    plans = []
    for number, (statement, parameters) in enumerate(captured, start=1):
        rows = db.session.connection().exec_driver_sql(prefix + statement, parameters).all()
        plans.append(f"statement {number}:\n      " + "\n      ".join(str(r[-1]) for r in rows))
    return "\n    ".join(plans)


def page_queries() -> list[ArticleQuery]:
    """The lists of a page with four list blocks, on real rows of the synthetic data.

    Tin khác under the newest article of one category (that article excluded), the second page
    of another category's listing (the cursor its first page gave), three featured articles
    chosen by slug, and the newest of every category.
    """
    own_category, listed_category = (category_slug(name) for name in CATEGORIES[:2])
    own = read_lists(db.session, [ArticleQuery(limit=1, category=own_category)])[0].records[0]
    first_page = read_lists(db.session, [ArticleQuery(limit=10, category=listed_category)])[0]
    assert first_page.end_cursor, "a category with a single page"
    table = Article.__table__
    visible = select(table.c.slug).where(VISIBLE_TO_READERS).order_by(table.c.id)
    total = db.session.scalar(select(func.count()).select_from(visible.subquery()))
    chosen = tuple(
        db.session.scalar(visible.offset(total * share // 100).limit(1)) for share in (10, 50, 90)
    )
    return [
        ArticleQuery(limit=5, category=own_category, exclude=str(own.id)),
        ArticleQuery(limit=10, category=listed_category, after=first_page.end_cursor),
        ArticleQuery(limit=4, slugs=chosen),
        ArticleQuery(limit=10),
    ]


def captured(call) -> tuple[list[ExecutedStatement], object]:
    """The statements ``call`` runs (through our engine), and what it returns."""
    with recorded_statements(db.engine) as seen:
        result = call()
    return seen, result


def statement_plan(dialect: str, statement: ExecutedStatement) -> str:
    """The plan of one captured statement, run again with its own parameters."""
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    connection = db.session.connection()
    rows = connection.exec_driver_sql(prefix + statement.sql, statement.parameters).all()
    if dialect == "sqlite":  # (id, parent, notused, detail): indent by depth
        depth: dict[int, int] = {0: -1}
        lines = []
        for node, parent, _unused, detail in rows:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
        return "\n".join(lines)
    return "\n".join(row[0] for row in rows)


#: Sorts the lists may do: a branch's few chosen rows (their index gives no order to read in).
SMALL_SORT = 100


def _plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


def postgres_branch_check(statement: ExecutedStatement) -> list[str]:
    """Per ``UNION ALL`` branch: the index it reads, or what it does instead of one."""
    connection = db.session.connection()
    document = connection.exec_driver_sql(
        "EXPLAIN (ANALYZE, FORMAT JSON) " + statement.sql, statement.parameters
    ).scalar()
    root = document[0]["Plan"]
    branches = root["Plans"] if root["Node Type"] == "Append" else [root]
    verdicts = []
    for number, branch in enumerate(branches, start=1):
        scans, problems = [], []
        for node in _plan_nodes(branch):
            kind = node["Node Type"]
            if node.get("Relation Name") == "article" and kind == "Seq Scan":
                problems.append("Seq Scan on article")
            if "Index Name" in node:
                direction = " Backward" if node.get("Scan Direction") == "Backward" else ""
                scans.append(f"{kind}{direction} using {node['Index Name']}")
            if kind == "Sort" and node.get("Actual Rows", 0) > SMALL_SORT:
                problems.append(f"Sort over {node['Actual Rows']} rows")
            if kind == "Sort":
                scans.append(f"Sort of {node.get('Actual Rows')} rows")
        if not any("Index" in s for s in scans):
            problems.append("no index")
        verdict = "; ".join(scans) or "?"
        verdicts.append(
            f"branch {number}: {verdict}" + (f"  <-- {', '.join(problems)}" if problems else "")
        )
    return verdicts


def sqlite_branch_check(plan: str) -> list[str]:
    """The SQLite plan's lines that read ``article`` and how, and any temporary sort."""
    return [
        line.strip()
        for line in plan.splitlines()
        if ("article" in line and ("SCAN" in line or "SEARCH" in line)) or "TEMP B-TREE" in line
    ]


def lists_report(dialect: str) -> None:
    """The four-list page: its one statement's plan, a check of each branch, its latency."""
    queries = page_queries()
    seen, lists = captured(lambda: read_lists(db.session, queries))
    print(f"\npage with 4 list blocks: read_lists ran {len(seen)} SQL statement(s)")
    assert len(seen) == 1, f"read_lists ran {len(seen)} statements"
    for query, answer in zip(queries, lists, strict=True):
        print(f"    {len(answer.records):2d} rows, next page {answer.has_next!s:5}  {query}")
    plan = statement_plan(dialect, seen[0])
    print("plan of the lists statement:\n    " + plan.replace("\n", "\n    "))
    check = postgres_branch_check(seen[0]) if dialect == "postgresql" else sqlite_branch_check(plan)
    print("index check:\n    " + "\n    ".join(check))
    category = queries[0].category
    assert category is not None
    seen, found = captured(lambda: category_by_slug(db.session, category))
    assert found is not None and len(seen) == 1
    plan = statement_plan(dialect, seen[0])
    print(f"plan of category_by_slug({category!r}):\n    " + plan.replace("\n", "\n    "))
    timings = []
    for _ in range(LIST_ROUNDS):
        began = time.perf_counter()
        read_lists(db.session, queries)
        timings.append((time.perf_counter() - began) * 1000)
    print(
        f"{'read_lists, 4 lists, 1 statement':40} {len(timings):5d} "
        f"{statistics.median(timings):10.2f} {percentile(timings, 0.95):8.2f}"
        "   (median ms, p95 ms; in-process, no GraphQL)"
    )
    db.session.rollback()


def run(url: str, count: int, rounds: int, reuse: bool) -> None:
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": url, "PORTAL_BLOCKS_GRAPHIQL": False})
    with app.app_context():
        upgrade()
        load_demo(db.session)
        total = db.session.scalar(select(func.count(Article.id)))
        generated = db.session.scalar(
            select(func.count(Article.id)).where(Article.slug.like("bai-%"))
        )
        if reuse and generated == count:  # the demo's own articles are not counted
            print(f"\n== {db.engine.dialect.name}: {total} articles, already loaded")
            fill_category_slugs()
        else:
            seconds = load(count)
            total = db.session.scalar(select(func.count(Article.id)))
            print(f"\n== {db.engine.dialect.name}: {total} articles, loaded in {seconds:.0f} s")
        for words in ("dong nai", "xay dung ha tang"):
            print(f"plan of search {words!r}:\n    {explain(db.engine.dialect.name, words)}")
        print("matches:", ", ".join(f"{q!r}: {n}" for q, n in match_counts().items()))
        client = app.test_client()
        results = measure(client, rounds)
        print(
            f"{'request (GraphQL, Flask test client)':40} {'n':>5} {'median ms':>10} {'p95 ms':>8}"
        )
        for name, values in results.items():
            print(
                f"{name:40} {len(values):5d} {statistics.median(values):10.1f} "
                f"{percentile(values, 0.95):8.1f}"
            )
        with_related, without = related_page_statements(client)
        print(
            f"article page: {with_related} SQL statements with related news (html showing "
            f"'Tin khác' + relatedArticles), {without} without (html, showRelated off)"
        )
        lists_report(db.engine.dialect.name)
        db.session.remove()
        db.engine.dispose()


def reset_postgres(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sqlite", type=Path, help="SQLite file (default: a temporary one)")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the data of an earlier run with as many articles (give --sqlite)",
    )
    args = parser.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as scratch:
            path = args.sqlite or Path(scratch) / "bench.db"
            if not args.reuse:  # the file and its write-ahead log: a new file takes none
                for stale in (path, *(path.with_name(path.name + e) for e in ("-wal", "-shm"))):
                    stale.unlink(missing_ok=True)
            run(f"sqlite:///{path}", args.articles, args.rounds, args.reuse)
    if not args.skip_postgres:
        if not args.reuse:
            reset_postgres(args.postgres)
        run(args.postgres, args.articles, args.rounds, args.reuse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
