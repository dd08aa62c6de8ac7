"""``portal-blocks import`` of a whole archive: directory trees, the dry run, batches that skip
what is already in, the progress bar, and imports interrupted (SIGKILL, Ctrl-C) then resumed."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SEED, clear_tables, count_statements
from sqlalchemy import create_engine, func, select, text
from terminal import run_on_terminal

from portal_blocks.db import db
from portal_blocks.models import Article, Route

PORTAL_BLOCKS = str(Path(sys.executable).with_name("portal-blocks"))
FIXTURES = Path(__file__).parent / "fixtures" / "old_template"
PREFIX = "PORTAL_BLOCKS_"
ARCHIVE = "/Pages/luu-tru-9/"


def record(n: int) -> dict:
    """One generated archive record: an article and, through its legacy path, a route."""
    return {
        "title": f"Bài lưu trữ số {n}: tỉnh đạt 1.152,5 tỷ đồng",
        "legacy_path": f"{ARCHIVE}bai-luu-tru-so-{n}-{n:016x}.aspx",
        "status": "published",
        "published_at": f"2019-{n % 12 + 1:02d}-{n % 28 + 1:02d}T08:00:00+07:00",
        "body_html": f"<p>Đoạn một của bài {n}.</p>\n<p>Đoạn hai, ngày 10/11/2019.</p>",
        "author": f"Tác giả {n % 17}",
        "category": "lưu trữ",
    }


def write_records(path: Path, count: int) -> Path:
    path.write_text("".join(json.dumps(record(n)) + "\n" for n in range(count)), "utf-8")
    return path


def table_rows() -> dict[str, list]:
    """Every row of every table: the whole database, to compare before and after."""
    db.session.expire_all()
    return {
        table.name: sorted(map(repr, db.session.execute(select(table)).all()))
        for table in db.metadata.sorted_tables
    }


def command_env(database_url: str) -> dict[str, str]:
    """This environment without the shell's PORTAL_BLOCKS_* settings, then the database's."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(PREFIX)}
    return {**env, f"{PREFIX}DATABASE_URL": database_url}


# --- directory trees --------------------------------------------------------------------------


def archive_tree(root: Path) -> Path:
    (root / "2019" / "kinh-te").mkdir(parents=True)
    (root / "2021").mkdir()
    shutil.copy(FIXTURES / "main_portal.txt", root / "2019" / "kinh-te" / "hoi-nghi.txt")
    shutil.copy(FIXTURES / "ubmttq_date_only.txt", root / "2019" / "MAT-TRAN.TXT")
    shutil.copy(SEED, root / "2021" / "ref.txt")
    write_records(root / "2021" / "records.jsonl", 3)
    (root / "2021" / "notes.md").write_text("# not an archive file\n", "utf-8")
    return root


def test_a_directory_tree_is_read_recursively(app, run_import, tmp_path):
    clear_tables()
    root = archive_tree(tmp_path / "archive")
    result = run_import(root)
    assert "Imported 4 file(s): 6 created, 0 updated, 0 unchanged, 0 failed." in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Article.id))) == 6
    assert "0 created, 0 updated, 6 unchanged" in run_import(root).output


def test_files_and_directories_may_be_mixed(app, run_import, tmp_path):
    clear_tables()
    root = archive_tree(tmp_path / "archive")
    result = run_import(root / "2019", FIXTURES / "sokhdt_three_levels.txt")
    assert "Imported 3 file(s): 3 created" in result.output


# --- the dry run ------------------------------------------------------------------------------


def test_dry_run_counts_each_template_lists_every_error_and_writes_nothing(
    app, run_import, tmp_path
):
    clear_tables()  # not even the default layout is written
    root = archive_tree(tmp_path / "archive")
    broken = root / "2019" / "cut.txt"
    broken.write_text(
        (FIXTURES / "main_portal.txt").read_text("utf-8").split("(Cập nhật")[0], "utf-8"
    )
    neither = root / "neither.txt"
    neither.write_text("Trang chủ\n\nDanh sách tin\n", "utf-8")
    bad_jsonl = root / "bad.jsonl"
    bad_jsonl.write_text(
        json.dumps({"title": "Tốt"}) + "\n{hỏng\n" + json.dumps({}) + "\n", "utf-8"
    )
    before = table_rows()
    result = run_import(root, args=["--dry-run"], expect_exit=1)
    assert result.stdout == (
        "Dry run, nothing written: 7 file(s), 1 page(s) of the 2021 template, "
        "3 page(s) of the 2018–2020 template, 6 JSONL record(s), "
        "1 file(s) read as neither template; 4 with errors.\n"
    )
    errors = result.stderr.splitlines()
    assert f"{bad_jsonl}:2: not JSON: Expecting property name enclosed in double quotes: " in (
        result.stderr
    )
    assert f"{bad_jsonl}:3: title: Missing data for required field." in errors
    assert any(e.startswith(f"{neither}:1: expected a page of the 2021 template") for e in errors)
    assert (
        f"{broken}:8: expected the body and the author line after the title, found the end"
        in errors
    )
    assert table_rows() == before


def test_a_clean_dry_run_exits_zero_and_still_writes_nothing(app, run_import, tmp_path):
    root = archive_tree(tmp_path / "archive")
    before = table_rows()
    result = run_import(root, args=["--dry-run"])
    assert "1 page(s) of the 2021 template, 2 page(s) of the 2018–2020 template" in result.output
    assert "3 JSONL record(s); 0 with errors." in result.output
    assert table_rows() == before


# --- batches ----------------------------------------------------------------------------------


def test_a_rerun_skips_imported_records_with_statements_per_batch_not_per_record(
    app, run_import, tmp_path
):
    path = write_records(tmp_path / "records.jsonl", 1000)
    assert "1000 created" in run_import(path, args=["--batch-size", "200"]).output
    with count_statements() as statements:
        result = run_import(path, args=["--batch-size", "200"])
    assert "0 created, 0 updated, 1000 unchanged, 0 failed" in result.output
    # Per batch: the articles, their routes, and the commit; never a statement per record.
    assert len(statements) <= 5 * 3 + 5, [s.sql for s in statements]


def test_batches_commit_one_at_a_time(app, run_import, tmp_path, monkeypatch):
    """A failure past the first batch leaves the first batch in: what an interruption does."""
    from portal_blocks.importing import importer

    path = write_records(tmp_path / "records.jsonl", 30)
    real = importer.Importer.add_batch
    calls = []

    def add_batch(self, records):
        calls.append(len(records))
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(self, records)

    monkeypatch.setattr(importer.Importer, "add_batch", add_batch)
    result = run_import(path, args=["--batch-size", "10"], expect_exit=130)
    assert "Interrupted after 20 record(s) of 1 file(s): 20 created" in result.stderr
    assert "run the same command again to import the rest" in result.stderr
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count(Article.id)).where(Article.legacy_path.like(f"{ARCHIVE}%"))
        )
        == 20
    )
    monkeypatch.setattr(importer.Importer, "add_batch", real)
    assert "10 created, 0 updated, 20 unchanged" in run_import(path).output


def test_an_interrupted_batch_leaves_none_of_its_records(app, run_import, tmp_path, monkeypatch):
    """A batch is one transaction: records written before the interruption in the same batch
    are rolled back with it (on SQLite too, where each record's savepoint could otherwise be
    a commit of its own)."""
    from portal_blocks.importing import importer

    path = write_records(tmp_path / "records.jsonl", 30)
    real = importer.Importer._route
    calls = []

    def route(self, article, legacy_path):
        calls.append(legacy_path)
        if len(calls) == 15:  # the fifth record of the second batch
            raise KeyboardInterrupt
        real(self, article, legacy_path)

    monkeypatch.setattr(importer.Importer, "_route", route)
    result = run_import(path, args=["--batch-size", "10"], expect_exit=130)
    assert "Interrupted after 10 record(s) of 1 file(s): 10 created" in result.stderr
    db.session.expire_all()
    assert archive_state() == (10, 10, 10)


def test_postgres_statistics_are_refreshed_after_a_bulk_import(app, run_import, tmp_path):
    """Else the planner keeps the empty table's statistics and scans every route for the few
    patterns, on each record's look-up and each reader's page."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    clear_tables()
    db.session.execute(text("ANALYZE route"))  # the statistics of an empty table
    db.session.commit()
    run_import(write_records(tmp_path / "records.jsonl", 1500), args=["--quiet"])
    tuples = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'route'"))
    assert tuples >= 1500


def test_quiet_shows_no_progress(app, run_import, tmp_path):
    path = write_records(tmp_path / "records.jsonl", 50)
    result = run_import(path, args=["--quiet"])
    assert "Importing" not in result.stderr
    assert "50 created" in result.output


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_bar_on_a_terminal_only_unless_quiet(app, database_url, tmp_path, quiet):
    path = write_records(tmp_path / "records.jsonl", 100)
    db.session.remove()
    run, terminal = run_on_terminal(
        [PORTAL_BLOCKS, "import", *(["--quiet"] if quiet else []), str(path)],
        env=command_env(database_url),
        stream="stderr",
        timeout=120,
    )
    assert run.returncode == 0, terminal
    assert "100 created" in run.stdout.decode()
    if quiet:
        assert terminal == ""
    else:
        assert re.search(r"Importing\s+\[#+\]\s+100%", terminal), terminal


# --- interrupted imports ----------------------------------------------------------------------


#: Enough that an import is still running well after its first 100 records (the slowest
#: machine so far imports ~160 a second), few enough that the rerun and the check of every
#: record stay short.
TOTAL = 1500


def start_import(path: Path, database_url: str) -> subprocess.Popen:
    db.session.remove()  # no connection of ours holds the database while the command writes
    return subprocess.Popen(
        [PORTAL_BLOCKS, "import", "--quiet", "--batch-size", "20", str(path)],
        env=command_env(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for_some(process: subprocess.Popen, database_url: str, at_least: int = 100) -> None:
    """Until the command has committed ``at_least`` records (it must still be running)."""
    options = {"connect_args": {"timeout": 10}} if database_url.startswith("sqlite") else {}
    engine = create_engine(database_url, **options)
    count = text("SELECT count(*) FROM article WHERE legacy_path LIKE :prefix")
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            assert process.poll() is None, "the import ended before it could be interrupted"
            with engine.connect() as conn:
                if conn.scalar(count, {"prefix": f"{ARCHIVE}%"}) >= at_least:
                    return
            time.sleep(0.01)
        raise AssertionError("the import wrote nothing in two minutes")
    finally:
        engine.dispose()


def archive_state() -> tuple[int, int, int]:
    """(archive articles, of them those with their route, distinct legacy paths)."""
    db.session.expire_all()
    archive = Article.legacy_path.like(f"{ARCHIVE}%")
    articles = db.session.scalar(select(func.count(Article.id)).where(archive))
    routed = db.session.scalar(
        select(func.count(Article.id))
        .join(Route, (Route.article_id == Article.id) & (Route.pattern == Article.legacy_path))
        .where(archive)
    )
    paths = db.session.scalar(select(func.count(func.distinct(Article.legacy_path))).where(archive))
    return articles, routed, paths


def assert_whole_records() -> int:
    """Every archive record in the database is whole: its article, its fields, its route."""
    articles, routed, paths = archive_state()
    assert articles == routed == paths
    for article in db.session.scalars(
        select(Article).where(Article.legacy_path.like(f"{ARCHIVE}%"))
    ):
        n = int(article.legacy_path.rsplit("-", 1)[1].removesuffix(".aspx"), 16)
        expected = record(n)
        assert (article.title, article.body_html, article.author) == (
            expected["title"],
            expected["body_html"],
            expected["author"],
        )
    return articles


def test_a_killed_import_leaves_whole_records_and_a_rerun_completes_it(
    app, database_url, run_import, tmp_path
):
    path = write_records(tmp_path / "archive.jsonl", TOTAL)
    process = start_import(path, database_url)
    try:
        wait_for_some(process, database_url)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    done = assert_whole_records()
    assert 100 <= done < TOTAL
    result = run_import(path, args=["--quiet"])
    assert f"{TOTAL - done} created, 0 updated, {done} unchanged, 0 failed" in result.output
    assert assert_whole_records() == TOTAL


def test_ctrl_c_stops_with_a_message_and_leaves_whole_records(
    app, database_url, run_import, tmp_path
):
    path = write_records(tmp_path / "archive.jsonl", TOTAL)
    process = start_import(path, database_url)
    try:
        wait_for_some(process, database_url)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err.decode()
    message = err.decode()
    found = re.search(r"Interrupted after (\d+) record\(s\) of 1 file\(s\): (\d+) created", message)
    assert found, message
    assert "Every record is either imported whole or not at all" in message
    assert "Traceback" not in message
    done = assert_whole_records()
    # What the message counts is in (a Ctrl-C during a commit may leave one batch more).
    assert int(found[2]) <= done <= int(found[2]) + 20
    result = run_import(path, args=["--quiet"])
    assert f"{TOTAL - done} created, 0 updated, {done} unchanged, 0 failed" in result.output
    assert assert_whole_records() == TOTAL


def test_a_ctrl_c_that_lands_in_a_finalizer_still_stops_the_import(
    app, run_import, tmp_path, monkeypatch
):
    """Python raises a Ctrl-C's KeyboardInterrupt wherever the interpreter is; inside a
    finalizer (SQLAlchemy runs thousands during an import) it is printed as "Exception ignored"
    and lost, and the import ran on to the end and exited 0. Here the Ctrl-C arrives inside
    one, after the 50th record: the import stops after that batch all the same."""
    import portal_blocks.import_command as command

    class SignalsWhenCollected:
        def __del__(self) -> None:
            signal.raise_signal(signal.SIGINT)

    real_read_file = command.read_file

    def read_file(path, **kwargs):
        for n, read in enumerate(real_read_file(path, **kwargs), start=1):
            if n == 50:
                SignalsWhenCollected()  # collected at once: the signal lands in __del__
            yield read

    monkeypatch.setattr(command, "read_file", read_file)
    path = write_records(tmp_path / "archive.jsonl", 400)
    result = run_import(path, expect_exit=130, args=["--quiet", "--batch-size", "20"])
    assert "Interrupted after 60 record(s) of 1 file(s): 60 created" in result.stderr
    assert assert_whole_records() == 60
