"""How fast ``portal-blocks import`` takes in a whole archive, and how fast a rerun skips it.

Generates an archive of mixed pages in a temporary directory (by default 50,000 records: page
text of the 2018–2020 template, main portal and department sub-sites in each variation the
importer reads; page text of the 2021 template; JSON Lines files), then, on a new SQLite file
and (with ``--postgres-url``, if reachable) on PostgreSQL, times:

  dry run   reading and checking every record, writing nothing
  import    the first import, into an empty database
  rerun     the same import again: every record already in, counted as unchanged

and prints records per second for each. The import runs in-process through the command itself
(the progress bar off), as ``portal-blocks import --quiet ARCHIVE`` would.

The PostgreSQL database given is emptied (its ``public`` schema dropped and rebuilt): give one
of its own. Run on demand; it is not part of the test suite.

    .venv/bin/python benchmarks/import_archive.py [--records 50000]
    .venv/bin/python benchmarks/import_archive.py --postgres-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from portal_blocks import create_app  # noqa: E402
from portal_blocks.db import db  # noqa: E402
from portal_blocks.import_command import import_command  # noqa: E402
from portal_blocks.models import Article  # noqa: E402
from portal_blocks.text.fold import fold  # noqa: E402

SEED = REPO / "tests" / "fixtures" / "reference_page.txt"
HOSTS = (
    "https://backan.gov.vn",
    "https://sokhdt.backan.gov.vn",
    "http://ubmttq.backan.gov.vn",
    "http://giamngheo.backan.gov.vn",
    "https://hoinongdan.backan.gov.vn",
)
CATEGORIES = (
    ("tin-tuc-su-kien-1", "kinh-te-5"),
    ("tin-tuc-3", "hoat-dong-cua-so-12", "doanh-nghiep-27"),
    ("hoat-dong-mat-tran-2",),
)
STAMPS = (
    "(Cập nhật lúc: {d} {t} )",
    "( Cập nhật lúc: {d} {t}  )",
    "(Cập nhật lúc: {d})",
    None,
)
CHROME_BEFORE = (
    "Skip Ribbon Commands\nSkip to main content\n"
    "Chào mừng bạn đến với Cổng thông tin điện tử tỉnh Bắc Kạn\n"
    "Trang chủ | Giới thiệu | Tin tức - Sự kiện | Văn bản | Liên hệ\nSign In\n"
)
CHROME_AFTER = (
    "Tin bài mới\nKhai mạc Hội chợ thương mại tỉnh (13/05/2019)\n"
    "Tập huấn nghiệp vụ thống kê cho cán bộ cấp xã (10/05/2019)\n\n"
    "Cổng thông tin điện tử tỉnh Bắc Kạn\nCơ quan chủ quản: Văn phòng UBND tỉnh Bắc Kạn\n"
)
BODY = (
    "Sáng {day}/5, UBND tỉnh tổ chức hội nghị số {n}; thu ngân sách đạt 1.152,5 tỷ đồng, "
    "tăng 4,7% so với cùng kỳ.",
    "Theo báo cáo, tổng sản phẩm trên địa bàn tỉnh tăng 6,2%; các nghành tập trung tháo gỡ "
    "khó khăn cho doanh nghiệp ngay từ tháng 5/2019./.",
)


def old_slug(title: str) -> str:
    """The 2018–2020 portal's slug: folded, punctuation dropped, spaces made hyphens, 40 long."""
    return re.sub(r"[^a-z0-9 ]", "", fold(title)).replace(" ", "-")[:40].strip("-")


def old_page(n: int) -> str:
    variant = n // 7
    title = f"Hội nghị số {n} - triển khai nhiệm vụ phát triển kinh tế"
    host = HOSTS[variant % len(HOSTS)]
    categories = "/".join(CATEGORIES[variant % len(CATEGORIES)])
    page_id = f"{n:015x}" if n % 2 else f"{n:016x}"
    url = f"{host}/Pages/{categories}/{old_slug(title)}-{page_id}.aspx"
    stamp = STAMPS[variant % len(STAMPS)]
    day = n % 28 + 1
    lines = [f"URL: {url}", CHROME_BEFORE, title]
    if stamp is not None:
        lines.append(stamp.format(d=f"{day:02d}/05/2019", t="08:41:00"))
    lines += ["", BODY[0].format(day=day, n=n), "", "Ảnh: Quang cảnh hội nghị", "", BODY[1], ""]
    if variant % 2:
        lines += ["Tác giả:  Lan Hương", "Nguồn:  " + ("" if variant % 4 == 1 else "Sở KHĐT")]
    else:
        lines.append("Lan Hương")
    return "\n".join([*lines, "", CHROME_AFTER])


def page_2021(n: int, seed: str) -> str:
    title = f"Giá trị sản xuất công nghiệp tháng {n % 12 + 1}/2021 tăng 4,7% (bản {n})"
    page = seed.replace("Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%", title).replace(
        "10/11/2021", f"{n % 28 + 1:02d}/11/2021"
    )
    return f"URL: https://backan.gov.vn/Pages/ban-tin-2021-so-{n}-{n:04x}.aspx\n{page}"


def jsonl_record(n: int) -> str:
    return json.dumps(
        {
            "title": f"Bản tin JSON số {n}",
            "legacy_path": f"/Pages/ban-tin-json-{n}-{n:04x}.aspx",
            "status": "published",
            "published_at": f"2020-{n % 12 + 1:02d}-{n % 28 + 1:02d}T08:00:00+07:00",
            "body_html": f"<p>Đoạn một của bản tin {n}.</p>\n<p>Đoạn hai.</p>",
            "author": "Hương Dịu",
            "category": "Kinh tế",
        },
        ensure_ascii=False,
    )


def generate(root: Path, records: int) -> dict[str, int]:
    """About two fifths old pages, one fifth 2021 pages, two fifths JSON Lines records."""
    old, new = records * 2 // 5, records // 5
    jsonl = records - old - new
    seed = SEED.read_text(encoding="utf-8")
    for n in range(old):
        folder = root / "old" / f"{n // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{n}.txt").write_text(old_page(n), encoding="utf-8")
    (root / "2021").mkdir()
    for n in range(new):
        (root / "2021" / f"{n}.txt").write_text(page_2021(n, seed), encoding="utf-8")
    (root / "jsonl").mkdir()
    per_file = 5000
    for start in range(0, jsonl, per_file):
        lines = [jsonl_record(n) for n in range(start, min(start + per_file, jsonl))]
        (root / "jsonl" / f"{start}.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return {"2018–2020 template": old, "2021 template": new, "JSONL": jsonl}


def build_app(database_url: str) -> Flask:
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": database_url, "PORTAL_BLOCKS_THEME": False})
    with app.app_context():
        upgrade()
    return app


def timed(app: Flask, args: list[str]) -> tuple[float, str]:
    runner = app.test_cli_runner()
    start = time.perf_counter()
    result = runner.invoke(import_command, args)
    elapsed = time.perf_counter() - start
    if result.exit_code != 0:
        raise SystemExit(f"import failed ({result.exit_code}): {result.output[-2000:]}")
    return elapsed, result.stdout.strip().splitlines()[-1]


def run(name: str, database_url: str, archive: Path, records: int) -> None:
    app = build_app(database_url)
    print(f"\n{name}")
    for label, args in (
        ("dry run", ["--quiet", "--dry-run", str(archive)]),
        ("import", ["--quiet", str(archive)]),
        ("rerun", ["--quiet", str(archive)]),
    ):
        elapsed, summary = timed(app, args)
        print(f"  {label:8} {records / elapsed:8.0f} records/s  ({elapsed:6.1f} s)  {summary}")
    with app.app_context():
        stored = db.session.scalar(select(func.count(Article.id)))
        db.session.remove()
        db.engine.dispose()
    print(f"  articles stored: {stored}")


def reset_postgres(url: str) -> bool:
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except OperationalError as exc:
        print(f"\nPostgreSQL unreachable at {url} ({exc.orig}); skipped")
        return False
    finally:
        engine.dispose()
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument(
        "--postgres-url", help="a PostgreSQL database of its own: it is emptied first"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-archive-") as tmp:
        root = Path(tmp)
        archive = root / "archive"
        start = time.perf_counter()
        shapes = generate(archive, args.records)
        print(
            f"generated {args.records} records in {time.perf_counter() - start:.1f} s: "
            + ", ".join(f"{count} {shape}" for shape, count in shapes.items())
        )
        run("SQLite (a new file)", f"sqlite:///{root / 'archive.db'}", archive, args.records)
        if args.postgres_url and reset_postgres(args.postgres_url):
            run("PostgreSQL", args.postgres_url, archive, args.records)


if __name__ == "__main__":
    main()
