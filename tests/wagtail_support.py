"""A real Wagtail site, serving wagtail-grapple's GraphQL on loopback, for the tests to read.

The site is ``tests/wagtail_site`` (one page type, ``news.NewsPage``), seeded with the demo
articles of ``portal_blocks/demo/content.json`` (the reference article first) in a fresh SQLite
file, and served by ``manage.py runserver`` on a free port. It runs in a virtualenv of its own:
grapple's graphene needs graphql-core < 3.3 and portal-blocks needs 3.3, so the two cannot share
one. That virtualenv is built on first use from ``tests/wagtail_site/requirements.txt`` in the
user's cache folder, keyed by the requirements and the Python version, and reused after;
``PORTAL_BLOCKS_WAGTAIL_PYTHON`` names an interpreter that already has them instead.

Where it cannot be built or the site does not start, the tests that use it are skipped with the
reason, except under ``CI=true``, where that is a failure.

A test module takes the fixture with ``pytest_plugins = ["wagtail_support"]`` and a parameter
``wagtail_site`` (pytest registers the plugin once, so every such module shares the one site);
:func:`create_site` starts a site of its own (e.g. one whose server process has the webhook
configured from the start). PYTEST_DONT_REWRITE: the modules import this one before pytest
loads it as their plugin, and it has no asserts to rewrite.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
SITE_DIR = REPO / "tests" / "wagtail_site"
REQUIREMENTS = SITE_DIR / "requirements.txt"
CONTENT = REPO / "portal_blocks" / "demo" / "content.json"
#: The demo articles as the site is seeded with them; ``ARTICLES[0]`` is the reference article.
ARTICLES: list[dict[str, Any]] = json.loads(CONTENT.read_text(encoding="utf-8"))["articles"]
IN_CI = os.environ.get("CI", "").lower() == "true"
#: Seconds for one ``manage.py`` call and for the server to answer after it is started.
MANAGE_TIMEOUT = 180
START_TIMEOUT = 60
INSTALL_TIMEOUT = 900


class WagtailUnavailable(Exception):
    """The Wagtail site cannot be installed or started on this machine; the message says why."""


def _unavailable(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(f"the Wagtail site cannot run under CI: {reason}")
    pytest.skip(reason)


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.splitlines()[-lines:])


def site_python() -> Path:
    """An interpreter that has the site's pinned requirements, building its virtualenv once.

    Built under a lock (two pytest runs at once wait for one build) and marked complete only
    after pip succeeded, so an interrupted build is redone, not used half-installed.
    """
    named = os.environ.get("PORTAL_BLOCKS_WAGTAIL_PYTHON")
    if named:
        return Path(named)
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + sys.version.encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "portal-blocks"
    venv = cache / f"wagtail-site-{key}"
    python = venv / "bin" / "python"
    complete = venv / ".complete"
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if complete.exists():
            return python
        shutil.rmtree(venv, ignore_errors=True)
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)],
        ]
        for step in steps:
            try:
                done = subprocess.run(
                    step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                raise WagtailUnavailable(f"building the site's virtualenv: {error}") from None
            if done.returncode != 0:
                raise WagtailUnavailable(
                    f"building the site's virtualenv ({' '.join(step[1:4])}) failed:\n"
                    + _tail(done.stdout + done.stderr)
                )
        complete.write_text(REQUIREMENTS.read_text(encoding="utf-8"), encoding="utf-8")
    return python


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class WagtailSite:
    """One running site: its addresses, its pages, and what an editor would do in it.

    Content changes go through ``manage.py news_page`` calls on the same SQLite file, which the
    running server sees at once. Wagtail sends ``page_published`` / ``page_unpublished`` in the
    process that publishes, so the webhook settings are passed to those calls (and to the server,
    which publishes when someone uses its admin).
    """

    python: Path
    workdir: Path
    port: int
    #: slug → page id (Wagtail's primary key; GraphQL returns it as a string).
    pages: dict[str, int] = field(default_factory=dict)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    _server: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql/"

    @property
    def database(self) -> Path:
        return self.workdir / "wagtail.sqlite3"

    @property
    def server_log(self) -> Path:
        return self.workdir / "server.log"

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.poll() is None

    def env(self, *, webhook: bool = True) -> dict[str, str]:
        """The environment of the site's processes (a developer's own webhook settings never
        leak into it: they are replaced, or removed)."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PORTAL_BLOCKS_WEBHOOK_", "DJANGO_", "PYTHON"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="newsroom.settings",
            WAGTAIL_SITE_DB=str(self.database),
            WAGTAIL_SITE_BASE_URL=self.base_url,
            PYTHONUTF8="1",
        )
        if webhook and self.webhook_url:
            env["PORTAL_BLOCKS_WEBHOOK_URL"] = self.webhook_url
            env["PORTAL_BLOCKS_WEBHOOK_SECRET"] = self.webhook_secret or ""
        return env

    def manage(self, *args: str, webhook: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``manage.py`` with the site's interpreter; a failure raises with its output."""
        done = subprocess.run(
            [str(self.python), "manage.py", *args],
            cwd=SITE_DIR,
            env=self.env(webhook=webhook),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=MANAGE_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args[:2])} failed:\n{_tail(done.stdout + done.stderr)}"
            )
        return done

    def start(self) -> None:
        """Serve the site on its port (the same one after a :meth:`stop`) and wait for GraphQL."""
        if self.running:
            return
        self._log = self.server_log.open("ab")
        self._server = subprocess.Popen(
            [str(self.python), "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=SITE_DIR,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                break
            try:
                if "data" in self.query("{ __typename }", timeout=2):
                    return
            except (OSError, ValueError):  # not listening yet, or not answering GraphQL yet
                pass
            time.sleep(0.2)
        self.stop()
        log = self.server_log.read_text(encoding="utf-8", errors="replace")
        raise WagtailUnavailable(f"the Wagtail site did not start on {self.port}:\n{_tail(log)}")

    def stop(self) -> None:
        """Stop the server, as a CMS that went down: connections to its port are refused."""
        if self._server is not None:
            self._server.terminate()
            try:
                self._server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait(timeout=10)
            self._server = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def query(
        self, document: str, variables: dict[str, Any] | None = None, *, timeout: float = 10
    ) -> dict[str, Any]:
        """POST one GraphQL document; the JSON response (``data`` and/or ``errors``)."""
        payload = json.dumps({"query": document, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            self.graphql_url,
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:  # graphene answers 400 with the errors in JSON
            body = error.read()
        result: dict[str, Any] = json.loads(body)
        return result

    def edit(self, slug: str, **fields: Any) -> subprocess.CompletedProcess[str]:
        """Change fields of a NewsPage and publish that as a new revision (``page_published``).

        Values are NewsPage field values (``body`` is HTML, ``published_at`` a datetime or ISO
        string). The result's ``stderr`` holds what the site logged, e.g. a failed webhook call.
        """
        values = {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in fields.items()
        }
        done = self.manage("news_page", "edit", slug, "--fields", json.dumps(values))
        if "slug" in fields and fields["slug"] != slug:
            self.pages[fields["slug"]] = self.pages.pop(slug)
        return done

    def publish(self, slug: str) -> subprocess.CompletedProcess[str]:
        """Publish the page's latest revision (``page_published``)."""
        return self.manage("news_page", "publish", slug)

    def unpublish(self, slug: str) -> subprocess.CompletedProcess[str]:
        """Take the page off the site (``page_unpublished``): GraphQL no longer returns it."""
        return self.manage("news_page", "unpublish", slug)

    @contextmanager
    def webhook(self, url: str, secret: str) -> Iterator[None]:
        """Within the block, :meth:`edit`, :meth:`publish` and :meth:`unpublish` call the
        webhook (the running server keeps the settings it started with)."""
        before = self.webhook_url, self.webhook_secret
        self.webhook_url, self.webhook_secret = url, secret
        try:
            yield
        finally:
            self.webhook_url, self.webhook_secret = before


def create_site(
    workdir: Path, *, webhook_url: str | None = None, webhook_secret: str | None = None
) -> WagtailSite:
    """Migrate a fresh database in ``workdir``, seed the demo articles and start the server.

    Raises :class:`WagtailUnavailable` when the site cannot be installed or started.
    """
    site = WagtailSite(
        python=site_python(),
        workdir=workdir,
        port=free_port(),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
    )
    try:
        site.manage("migrate", "--no-input", "-v", "0", webhook=False)
        seeded = site.manage("seed_news", str(CONTENT), webhook=False)
    except (OSError, subprocess.TimeoutExpired, RuntimeError) as error:
        raise WagtailUnavailable(
            f"setting up the Wagtail site with {site.python}: {error}"
        ) from None
    site.pages = json.loads(seeded.stdout.strip().splitlines()[-1])
    site.start()
    return site


@pytest.fixture(scope="session")
def wagtail_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WagtailSite]:
    """The session's Wagtail site, seeded with the demo articles, no webhook configured.

    Tests that change content restore it, or change articles no other test reads exactly.
    """
    try:
        site = create_site(tmp_path_factory.mktemp("wagtail-site"))
    except WagtailUnavailable as error:
        _unavailable(str(error))
    try:
        yield site
    finally:
        site.stop()
