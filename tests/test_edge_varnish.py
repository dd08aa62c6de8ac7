"""Varnish 7 with xkey in front of a served app, with varnish/default.vcl as it is: a page read
twice is a Varnish hit the second time; an editor's publish purges exactly what changed, at
once, and the next read through Varnish shows the edit; previews and readers with a text-size
cookie never get a shared entry; only the allowed addresses may purge; with the origin down,
readers get the last good copy past its max-age.

Debian's varnish and varnish-modules (.ci/run installs them); skipped with the reason where
absent, a failure under CI=true."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from conftest import REFERENCE_SLUG, REPO
from flask import Flask
from serving import free_port, free_ports, served

from portal_blocks import create_app
from portal_blocks.auth.tokens import create_token
from portal_blocks.db import db
from portal_blocks.demo import load_demo
from portal_blocks.migrate import upgrade_database
from portal_blocks.models import Article, Role
from portal_blocks.state import get_state

IN_CI = os.environ.get("CI", "").lower() == "true"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
PAGE = f'{{ page(path: "/tin-tuc/{REFERENCE_SLUG}") {{ article {{ title }} }} }}'
SITE_VCL = """backend default {{ .host = "127.0.0.1"; .port = "{port}"; {probe} }}
acl portal_blocks_purgers {{ {purgers} }}
"""
#: The example site file's probe, quicker: the origin is found sick within half a second.
PROBE = (
    '.probe = { .url = "/readyz"; .interval = 0.1s; .timeout = 0.5s; .window = 3;'
    " .threshold = 2; .initial = 2; }"
)


@functools.cache
def has_xkey() -> bool:
    return any(Path("/usr/lib").rglob("libvmod_xkey.so"))


@dataclass
class Varnish:
    url: str
    process: subprocess.Popen[bytes]


def start_varnish(
    workdir: Path,
    origin_port: int,
    purgers: str,
    port: int | None = None,
    *,
    probe: str = "",
    parameters: tuple[str, ...] = (),
) -> Varnish:
    """varnishd with varnish/default.vcl as it is, and a site file of the test's own (the
    origin's port, its probe if any, the purge ACL), on ``port`` (a free one when None), with
    ``parameters`` of varnishd's own (``name=value``)."""
    reason = None
    if not os.access(VARNISHD, os.X_OK):
        reason = "no varnishd (apt-get install -y varnish varnish-modules)"
    elif not has_xkey():
        reason = "no xkey module for Varnish (apt-get install -y varnish-modules)"
    if reason is not None:
        if IN_CI:
            pytest.fail(f"the edge test cannot run under CI: {reason}")
        pytest.skip(reason)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "portal_blocks_site.vcl").write_text(
        SITE_VCL.format(port=origin_port, purgers=purgers, probe=probe)
    )
    port = port or free_port()
    process = subprocess.Popen(
        [
            VARNISHD,
            "-F",
            "-j", "none",
            "-n", str(workdir / "state"),
            "-a", f"127.0.0.1:{port}",
            "-f", str(REPO / "varnish" / "default.vcl"),
            "-p", f"vcl_path={workdir}:{REPO / 'varnish'}",
            "-s", "malloc,32m",
            *(arg for parameter in parameters for arg in ("-p", parameter)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"varnishd stopped: {output[-2000:]}")
        try:
            httpx.get(url + "/healthz", timeout=0.5)
            return Varnish(url, process)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("varnishd did not answer in 10 s")


@dataclass
class Edge:
    app: Flask
    origin: str
    varnish: str
    token: str


@pytest.fixture
def edge(tmp_path: Path) -> Iterator[Edge]:
    origin_port, varnish_port = free_ports(2)
    # Varnish first: the loading below is a commit, whose purge must find it.
    varnish = start_varnish(tmp_path / "varnish", origin_port, '"127.0.0.1";', varnish_port)
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{tmp_path / 'origin.db'}",
            "PORTAL_BLOCKS_EDGE_PURGE_URLS": [f"http://127.0.0.1:{varnish_port}/"],
            "PORTAL_BLOCKS_BLOCK_TYPES": ["Block_BanTin_Toolbar"],
            "TESTING": True,
        }
    )
    with app.app_context():
        upgrade_database()
        load_demo(db.session)
        _row, token = create_token(db.session, name="Toà soạn", role=Role.EDITOR)
        db.session.commit()
        db.session.remove()
    try:
        with served(app, origin_port) as origin:
            purger = get_state(app).caches.edge
            assert purger is not None and purger.wait_until_sent(5) and purger.failed == 0
            for _ in range(50):  # the origin answers through Varnish before any test reads
                if httpx.get(varnish.url + "/healthz", timeout=2).status_code == 200:
                    break
                time.sleep(0.1)
            yield Edge(app, origin, varnish.url, token)
    finally:
        purger = get_state(app).caches.edge
        if purger is not None:  # later tests' commits must not purge a stopped Varnish
            purger.close()
        varnish.process.terminate()
        varnish.process.wait(10)


def edge_get(edge: Edge, path: str, **kwargs: object) -> httpx.Response:
    return httpx.get(edge.varnish + path, timeout=5, **kwargs)  # type: ignore[arg-type]


def retitle(edge: Edge, title: str) -> None:
    """An editor's edit, committed at the origin (published articles are edited in place)."""
    with edge.app.app_context():
        article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
        article.title = title
        db.session.commit()
        db.session.remove()


def test_a_page_is_a_varnish_hit_and_a_publish_purges_it_at_once(edge):
    query = {"query": PAGE}
    first = edge_get(edge, "/graphql", params=query)
    assert first.status_code == 200 and first.headers["X-Edge-Cache"] == "miss"
    assert "xkey" not in first.headers  # the keys are for Varnish, not readers
    assert {"article:1", "portal-blocks"} <= set(first.headers["Surrogate-Key"].split())
    second = edge_get(edge, "/graphql", params=query)
    assert second.headers["X-Edge-Cache"] == "hit"
    fragment_path = "/fragments/page"
    fragment_query = {"path": f"/tin-tuc/{REFERENCE_SLUG}"}
    edge_get(edge, fragment_path, params=fragment_query)
    assert edge_get(edge, fragment_path, params=fragment_query).headers["X-Edge-Cache"] == "hit"
    theme_page = f"/tin-tuc/{REFERENCE_SLUG}"
    edge_get(edge, theme_page)
    assert edge_get(edge, theme_page).headers["X-Edge-Cache"] == "hit"

    started = time.monotonic()
    retitle(edge, "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7% (đính chính)")
    purger = get_state(edge.app).caches.edge
    assert purger is not None and purger.wait_until_sent(5)
    after = edge_get(edge, "/graphql", params=query)
    visible = (time.monotonic() - started) * 1000
    assert after.headers["X-Edge-Cache"] == "miss"
    assert after.json()["data"]["page"]["article"]["title"].endswith("(đính chính)")
    fresh_fragment = edge_get(edge, fragment_path, params=fragment_query)
    assert "(đính chính)" in fresh_fragment.text
    assert "(đính chính)" in edge_get(edge, theme_page).text
    assert purger.failed == 0 and visible < 3000, visible


def test_every_browser_language_shares_the_edge_copy_of_a_theme_page(edge):
    """And of an answer whose address names its language; a fragment without is kept per
    language header."""
    theme_page = f"/tin-tuc/{REFERENCE_SLUG}"
    first = edge_get(edge, theme_page, headers={"Accept-Language": "vi-VN,vi;q=0.9"})
    assert first.headers["X-Edge-Cache"] == "miss"
    for language in ("en-US,en;q=0.5", "fr-FR", "vi"):
        again = edge_get(edge, theme_page, headers={"Accept-Language": language})
        assert again.headers["X-Edge-Cache"] == "hit", language
    # A fragment speaks the reader's language: one copy per language header.
    fragment = ("/fragments/page", {"path": theme_page})
    edge_get(edge, fragment[0], params=fragment[1], headers={"Accept-Language": "vi"})
    english = edge_get(edge, fragment[0], params=fragment[1], headers={"Accept-Language": "en"})
    assert english.headers["X-Edge-Cache"] == "miss"
    assert english.headers["Content-Language"] == "en"
    # Unless its address names the language: then one copy for every browser.
    named = {"query": PAGE, "lang": "vi"}
    assert edge_get(edge, "/graphql", params=named).headers["X-Edge-Cache"] == "miss"
    for language in ("en-US,en;q=0.5", "fr-FR"):
        again = edge_get(edge, "/graphql", params=named, headers={"Accept-Language": language})
        assert again.headers["X-Edge-Cache"] == "hit", language
        assert again.headers["Content-Language"] == "vi"


def test_another_articles_change_leaves_an_answer_at_the_edge_that_did_not_read_it(edge):
    # One article alone (the page, with "Tin khác", reads every list: any change purges it).
    query = {"query": f'{{ article(slug: "{REFERENCE_SLUG}") {{ title }} }}'}
    first = edge_get(edge, "/graphql", params=query)
    assert first.headers["X-Edge-Cache"] == "miss"
    with edge.app.app_context():
        other = db.session.query(Article).filter(Article.slug != REFERENCE_SLUG).first()
        other.lead = other.lead + " "
        db.session.commit()
        db.session.remove()
    assert get_state(edge.app).caches.edge.wait_until_sent(5)
    assert edge_get(edge, "/graphql", params=query).headers["X-Edge-Cache"] == "hit"
    page = edge_get(edge, "/graphql", params={"query": PAGE})
    assert page.headers["X-Edge-Cache"] == "miss"


def test_previews_and_readers_with_a_text_size_never_share_an_entry(edge):
    preview = {"query": PAGE.replace("page(path:", "page(preview: true, path:")}
    headers = {"Authorization": f"Bearer {edge.token}"}
    for _ in range(2):
        answer = edge_get(edge, "/graphql", params=preview, headers=headers)
        assert answer.headers["X-Edge-Cache"] == "miss"
    sized = {"Cookie": "pb_viewer=abcdefghijklmnopqrstuvwx"}
    for _ in range(2):
        answer = edge_get(edge, "/graphql", params={"query": PAGE}, headers=sized)
        assert answer.headers["X-Edge-Cache"] == "miss"
    # Neither left an entry an anonymous reader then gets.
    anonymous = edge_get(edge, "/graphql", params={"query": PAGE})
    assert anonymous.headers["X-Edge-Cache"] == "miss"


def test_only_allowed_addresses_may_purge(tmp_path, edge):
    origin_port = int(edge.origin.rsplit(":", 1)[1])
    strict = start_varnish(tmp_path / "strict", origin_port, '"192.0.2.1";')
    try:
        refused = httpx.request("PURGE", strict.url + "/", headers={"xkey-purge": "article:1"})
        assert refused.status_code == 403
    finally:
        strict.process.terminate()
        strict.process.wait(10)
    unnamed = httpx.request("PURGE", edge.varnish + "/")
    assert unnamed.status_code == 400


def test_readers_get_the_last_good_page_while_the_origin_is_down(tmp_path):
    origin_port, varnish_port = free_ports(2)
    # No grace of Varnish's own (10 s by default): what keeps the copy is the VCL's.
    varnish = start_varnish(
        tmp_path / "varnish",
        origin_port,
        '"127.0.0.1";',
        varnish_port,
        probe=PROBE,
        parameters=("default_grace=0s",),
    )
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{tmp_path / 'origin.db'}",
            "PORTAL_BLOCKS_BLOCK_TYPES": ["Block_BanTin_Toolbar"],
            "PORTAL_BLOCKS_CACHE_MAX_AGE": 1,  # expired at the edge a second after
            "TESTING": True,
        }
    )
    with app.app_context():
        upgrade_database()
        load_demo(db.session)
        db.session.remove()
    theme_page, never_read = f"/tin-tuc/{REFERENCE_SLUG}", "/chuyen-muc/kinh-te"
    try:
        with served(app, origin_port):
            time.sleep(0.5)  # the probe finds the origin healthy
            first = httpx.get(varnish.url + theme_page, timeout=5)
            assert first.status_code == 200 and first.headers["X-Edge-Cache"] == "miss"
            assert httpx.get(varnish.url + theme_page).headers["X-Edge-Cache"] == "hit"
        time.sleep(1.5)  # the copy expired, and the probe found the origin gone
        for _ in range(3):
            kept = httpx.get(varnish.url + theme_page, timeout=5)
            assert kept.status_code == 200 and kept.headers["X-Edge-Cache"] == "stale"
            assert kept.text == first.text
        # What the edge never kept is the origin's to answer: it cannot.
        assert httpx.get(varnish.url + never_read, timeout=5).status_code == 503
    finally:
        varnish.process.terminate()
        varnish.process.wait(10)
