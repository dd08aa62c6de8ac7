"""Every script, style and font of every page we serve comes from our own origin.

Portals run on intranets with no internet access, and a reader's browser is not to be sent to
a third party (a CDN learns who reads what). So each HTML page (the demo portal's pages, the
print view, the fragments, GraphiQL) is parsed, with every stylesheet it links, and every
address it loads (``src``/``href`` of script, link, img, iframe..., CSS ``url()`` and
``@import``, and the assets a fragment announces in its headers) must be on our origin:
relative, or absolute to the app's own host, or a ``data:`` URI. Each one is fetched too, so a
vendored file that went missing fails as well. The vendored libraries themselves
(``static/vendor/``) must be the bytes their manifest names, each with its licence.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
from base64 import b64encode
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import strawberry
from bs4 import BeautifulSoup, Tag
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG
from flask import Flask
from flask.testing import FlaskClient

from portal_blocks import create_app
from portal_blocks.web.fragments import ASSETS_HEADER

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "portal_blocks" / "render" / "static"
VENDOR = STATIC / "vendor"
MANIFEST = json.loads((VENDOR / "manifest.json").read_text(encoding="utf-8"))
#: The origin of Flask's test client.
OWN_ORIGIN = "http://localhost"
ARTICLE = f"/tin-tuc/{REFERENCE_SLUG}"
HTML = {"Accept": "text/html"}

#: Every page we serve, on the demo portal: (address, request headers, HTTP status).
PAGES = [
    ("/", {}, 200),
    ("/chuyen-muc/kinh-te", {}, 200),
    (ARTICLE, {}, 200),
    (f"{ARTICLE}?view=print", {}, 200),
    (REFERENCE_LEGACY_PATH, {}, 200),
    (f"/print?path={ARTICLE}", {}, 200),
    ("/tin-tuc/khong-ton-tai", {}, 404),
    ("/graphql", HTML, 200),
    (f"/fragments/page?path={ARTICLE}", {}, 200),
    ("/fragments/page?path=/", {}, 200),
    ("/fragments/page?path=/chuyen-muc/kinh-te", {}, 200),
]
Page = tuple[str, dict[str, str], int]

#: Elements and the attributes by which a browser loads something (``<a href>`` only links).
LOADING_ATTRIBUTES = {
    "script": ("src",),
    "link": ("href", "imagesrcset"),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "base": ("href",),  # every relative address of the page would be resolved against it
}
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.IGNORECASE)
CSS_IMPORT = re.compile(
    r"""@import\s+(?:url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|"([^"]*)"|'([^']*)')""",
    re.IGNORECASE,
)
LINK_HEADER = re.compile(r"<([^>]*)>\s*((?:;[^,<]*)*)")


def css_addresses(css: str) -> tuple[list[str], list[str]]:
    """The ``@import`` addresses and the other ``url()`` addresses of a stylesheet."""
    css = CSS_COMMENT.sub("", css)
    imports = ["".join(match) for match in CSS_IMPORT.findall(css)]
    urls = ["".join(match) for match in CSS_URL.findall(CSS_IMPORT.sub("", css))]
    return imports, urls


def srcset_addresses(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


def normalised(address: str) -> str:
    """As a browser reads the address: outer spaces and control characters stripped, tabs and
    newlines removed, ``\\`` taken for ``/`` (so ``/\\cdn.example`` is protocol-relative)."""
    address = address.strip("".join(chr(code) for code in range(33)))
    return re.sub(r"[\t\n\r]", "", address).replace("\\", "/")


@dataclass
class SameOriginCheck:
    """Walks pages and what they load, by a test client; ``problems`` says what is wrong."""

    client: FlaskClient
    problems: list[str] = field(default_factory=list)
    fetched: dict[str, int] = field(default_factory=dict)

    def page(self, path: str, headers: dict[str, str], status: int) -> None:
        response = self.client.get(path, headers=headers)
        url = OWN_ORIGIN + path
        if response.status_code != status:
            self.problems.append(f"{path}: HTTP {response.status_code}, not {status}")
            return
        assert response.mimetype == "text/html", (path, response.mimetype)
        self.html(url, response.get_data(as_text=True))
        for link, parameters in LINK_HEADER.findall(response.headers.get("Link", "")):
            kind = "script" if "as=script" in parameters else "stylesheet"
            self.load(url, link, kind, f"{path} (Link header)")
        announced = json.loads(response.headers.get(ASSETS_HEADER, "{}"))
        for kind, key in (("stylesheet", "css"), ("script", "js")):
            for asset in announced.get(key, []):
                self.load(url, asset, kind, f"{path} ({ASSETS_HEADER})")

    def html(self, url: str, text: str) -> None:
        soup = BeautifulSoup(text, "html.parser")
        where = urlsplit(url).path
        for tag in soup.find_all(True):
            for attribute in LOADING_ATTRIBUTES.get(tag.name, ()):
                value = tag.get(attribute)
                if value is None:
                    continue
                addresses = srcset_addresses(value) if "srcset" in attribute else [value]
                for address in addresses:
                    self.load(url, address, self.kind(tag), f"{where} <{tag.name}>")
            if tag.get("style"):
                self.css(url, tag["style"], f"{where} <{tag.name} style>")
        for style in soup.find_all("style"):
            self.css(url, style.get_text(), f"{where} <style>")

    @staticmethod
    def kind(tag: Tag) -> str:
        """ "stylesheet" (read for its own addresses), "script" or "other"."""
        if tag.name == "script":
            return "script"
        rel = {value.lower() for value in tag.get_attribute_list("rel") if value}
        if tag.name == "link" and ("stylesheet" in rel or tag.get("as") == "style"):
            return "stylesheet"
        return "other"

    def css(self, url: str, text: str, where: str) -> None:
        imports, urls = css_addresses(text)
        for address in imports:
            self.load(url, address, "stylesheet", f"{where} @import")
        for address in urls:
            self.load(url, address, "other", f"{where} url()")

    def load(self, base: str, address: str, kind: str, where: str) -> None:
        """Check one address (relative to ``base``), and fetch it if it is ours."""
        target = urljoin(base, normalised(address))
        parts = urlsplit(target)
        if parts.scheme == "data":
            return
        if normalised(address).startswith("//") or f"{parts.scheme}://{parts.netloc}" != (
            OWN_ORIGIN
        ):
            self.problems.append(f"{where}: {address[:120]} is not of our origin")
            return
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in self.fetched:
            return
        response = self.client.get(path)
        self.fetched[path] = response.status_code
        if response.status_code != 200:
            self.problems.append(f"{where}: {path} answers HTTP {response.status_code}")
        elif kind == "stylesheet":
            self.css(target, response.get_data(as_text=True), path)


def check_pages(app: Flask, pages: list[Page]) -> SameOriginCheck:
    check = SameOriginCheck(app.test_client())
    for path, headers, status in pages:
        check.page(path, headers, status)
    return check


@pytest.mark.parametrize("page", PAGES, ids=[page[0] for page in PAGES])
def test_a_page_loads_nothing_from_another_origin(portal, page):
    check = check_pages(portal, [page])
    assert check.problems == []
    # Each page loads a stylesheet, and the walk read it: a walk that saw nothing proves nothing.
    assert any(fetched.endswith(".css") for fetched in check.fetched), check.fetched


#: The editors' workspace, signed in (each page loads its own scripts and styles).
WORKSPACE_PAGES = [
    ("/editor/sign-in", {}, 200),
    ("/editor/", {}, 200),
    ("/editor/layouts/news-detail", {}, 200),
    ("/editor/layouts/home", {}, 200),
    (f"/editor/preview?path={ARTICLE}", {}, 200),
    ("/editor/preview?path=/", {}, 200),
]


def test_the_workspace_loads_nothing_from_another_origin(portal):
    from bs4 import BeautifulSoup

    from portal_blocks.auth.tokens import create_token
    from portal_blocks.db import db
    from portal_blocks.models import Role

    _row, token = create_token(db.session, name="editor", role=Role.EDITOR)
    db.session.commit()
    check = SameOriginCheck(portal.test_client())
    form = check.client.get("/editor/sign-in").get_data(as_text=True)
    csrf = BeautifulSoup(form, "html.parser").select_one("input[name=csrf_token]")["value"]
    signed = check.client.post("/editor/sign-in", data={"token": token, "csrf_token": csrf})
    assert signed.status_code == 303
    for path, headers, status in WORKSPACE_PAGES:
        check.page(path, headers, status)
    assert check.problems == []
    fetched = set(check.fetched)
    assert any(f.endswith("vendor/sortablejs/Sortable.min.js") for f in fetched), fetched
    assert any(f.endswith("editor/workspace.js") for f in fetched), fetched


def test_the_walk_reads_the_css_of_every_page_and_what_graphiql_loads(portal):
    check = check_pages(portal, PAGES)
    assert "/_blocks/static/portal_blocks.css" in check.fetched
    assert "/_blocks/static/print.css" in check.fetched
    vendored = {
        f"/_blocks/static/vendor/{file['path']}"
        for package in MANIFEST
        if package["name"] != "sortablejs"  # the editor's; no reader's page loads it
        for file in package["files"]
        if not Path(file["path"]).name.startswith("LICENSE")
    }
    assert vendored <= set(check.fetched)
    assert "/_blocks/static/graphiql-boot.js" in check.fetched


def test_the_check_finds_what_loads_from_elsewhere():
    """A page and a stylesheet loading from elsewhere in every way the check knows: each found."""
    app = Flask(__name__, static_folder=None)
    foreign = [
        '<script src="https://unpkg.com/react@18.2.0/umd/react.production.min.js"></script>',
        '<link rel="stylesheet" href="//cdn.example.com/x.css">',
        '<link rel="preload" as="font" href="https://fonts.gstatic.com/s/roboto.woff2">',
        '<img src="/\\tracker.example.com/p.gif">',
        '<img srcset="/ok.png 1x, https://images.example.com/a.png 2x">',
        '<iframe src="https://www.youtube.com/embed/x"></iframe>',
        '<div style="background: url(https://bg.example.com/b.png)"></div>',
        "<style>@import 'https://fonts.googleapis.com/css?family=Roboto';</style>",
        '<script src="javascript:alert(1)"></script>',
        '<base href="https://base.example.com/">',
    ]
    page = "<!doctype html><link rel=stylesheet href=/ours.css>" + "".join(foreign)
    css = (
        "/* url(https://in-a-comment.example.com/x.png) */\n"
        '@import url("https://cdn.example.com/more.css");\n'
        "@font-face { src: url(//fonts.example.com/f.woff2), url(data:font/woff2;base64,AA) }\n"
        ".a { background: url('/ok.png') }"
    )
    app.add_url_rule("/", "page", lambda: page)
    app.add_url_rule("/ours.css", "css", lambda: (css, 200, {"Content-Type": "text/css"}))
    app.add_url_rule("/ok.png", "png", lambda: ("", 200, {"Content-Type": "image/png"}))

    check = check_pages(app, [("/", {}, 200)])

    found = "\n".join(check.problems)
    for address in (
        "unpkg.com",
        "//cdn.example.com/x.css",
        "fonts.gstatic.com",
        "/\\tracker.example.com",
        "images.example.com",
        "youtube.com",
        "bg.example.com",
        "fonts.googleapis.com",
        "javascript:",
        "cdn.example.com/more.css",
        "//fonts.example.com/f.woff2",
        "base.example.com",
    ):
        assert address in found, (address, check.problems)
    assert "in-a-comment" not in found and "/ok.png" not in found
    assert len(check.problems) == 12
    assert {"/ours.css", "/ok.png"} <= set(check.fetched)


def test_graphiql_runs_no_inline_script_and_its_policy_allows_our_origin_only(client):
    response = client.get("/graphql", headers=HTML)
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    scripts = soup.find_all("script")
    assert scripts and all(
        script.get("src") and not script.get_text().strip() for script in scripts
    )
    assert not soup.find_all("style")
    assert not [
        (tag.name, name) for tag in soup.find_all(True) for name in tag.attrs if name[:2] == "on"
    ]
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response.headers["Content-Security-Policy"].split(";")
    }
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    sources = {source for values in policy.values() for source in values}
    assert sources <= {"'self'", "'none'", "'unsafe-inline'", "data:"}


def test_graphiql_under_a_url_prefix_loads_and_queries_under_it(tmp_path):
    prefix = "/cong-thong-tin"
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            "PORTAL_BLOCKS_URL_PREFIX": prefix,
        }
    )
    check = check_pages(app, [(f"{prefix}/graphql", HTML, 200)])
    assert check.problems == []
    assert all(path.startswith(f"{prefix}/_blocks/static/") for path in check.fetched)
    assert f"{prefix}/_blocks/static/vendor/graphiql/graphiql.min.js" in check.fetched
    page = app.test_client().get(f"{prefix}/graphql", headers=HTML).get_data(as_text=True)
    endpoint = BeautifulSoup(page, "html.parser").find(id="graphiql")["data-endpoint"]
    assert endpoint == f"{prefix}/graphql"
    body = app.test_client().post(endpoint, json={"query": "{ blockTypes { name } }"}).get_json()
    assert {"name": "Block_BanTin_ViewData"} in body["data"]["blockTypes"]


# --- the vendored files ---------------------------------------------------------------------

#: What each licence's text says, by the manifest's ``license``.
LICENCE_TEXTS = {"MIT": "Permission is hereby granted, free of charge"}
#: What strawberry's page loads that ours does not, and why.
NOT_VENDORED = {
    # Reads Django's csrftoken cookie; this Flask app sets none, so the page sends no such header.
    "js-cookie",
}


def test_every_vendored_file_is_the_one_its_manifest_names():
    listed = set()
    for package in MANIFEST:
        assert {"name", "version", "license", "files"} <= set(package)
        for file in package["files"]:
            path = VENDOR / file["path"]
            assert path.is_file(), file["path"]
            assert hashlib.sha256(path.read_bytes()).hexdigest() == file["sha256"], file["path"]
            listed.add(file["path"])
    on_disk = {path.relative_to(VENDOR).as_posix() for path in VENDOR.rglob("*") if path.is_file()}
    assert on_disk - {"manifest.json", "README.md"} == listed  # nothing unlisted ships


@pytest.mark.parametrize("package", MANIFEST, ids=[package["name"] for package in MANIFEST])
def test_every_vendored_package_carries_its_licence(package):
    licences = [file for file in package["files"] if Path(file["path"]).name.startswith("LICENSE")]
    assert licences, f"{package['name']} has no licence file"
    assert package["license"] in LICENCE_TEXTS, f"a licence to read: {package['license']}"
    for file in licences:
        text = (VENDOR / file["path"]).read_text(encoding="utf-8")
        assert LICENCE_TEXTS[package["license"]] in text, file["path"]


def strawberry_cdn_assets() -> list[tuple[str, str, str]]:
    """(package, its file, SRI hash) of each file strawberry's own GraphiQL page loads."""
    page = Path(strawberry.__file__).with_name("static") / "graphiql.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assets = []
    for tag in soup.find_all(["script", "link"]):
        address = tag.get("src") or tag.get("href") or ""
        if address.startswith("https://unpkg.com/"):
            spec, _, member = address.removeprefix("https://unpkg.com/").partition("/")
            if spec.startswith("@"):
                scope_name, _, member = member.partition("/")
                spec = f"{spec}/{scope_name}"
            assets.append((spec, member, tag["integrity"]))
    return assets


def test_graphiql_is_what_strawberrys_page_loads_from_unpkg_byte_for_byte(client):
    """The same packages, versions and bytes as the IDE strawberry is tested with (its page's
    subresource-integrity hashes); a strawberry upgrade that moves them fails here: vendor
    again (scripts/vendor.py)."""
    assets = strawberry_cdn_assets()
    assert len(assets) >= 5
    vendored = {file["from"]: file["path"] for package in MANIFEST for file in package["files"]}
    page = client.get("/graphql", headers=HTML).get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    loaded = {tag.get("src") or tag.get("href") for tag in soup.find_all(["script", "link"])}
    for spec, member, integrity in assets:
        if spec.rpartition("@")[0] in NOT_VENDORED:
            continue
        path = vendored.get(f"{spec}:package/{member}")
        assert path is not None, f"{spec}/{member} is not vendored"
        digest = hashlib.sha384((VENDOR / path).read_bytes()).digest()
        assert f"sha384-{b64encode(digest).decode()}" == integrity, path
        assert f"/_blocks/static/vendor/{path}" in loaded


# --- shipping ---------------------------------------------------------------------------------


def test_the_vendored_files_ship_in_the_sdist_and_the_wheel(tmp_path):
    """The package as it is on disk (the files need not be committed yet) builds into an sdist
    and a wheel holding every vendored file, so an install on an intranet serves GraphiQL with
    no CDN. The wheel's content is what ``build_py`` lays out (``bdist_wheel`` zips it), built
    so because the test environment's setuptools may lack ``bdist_wheel``."""
    source = tmp_path / "src"
    shutil.copytree(
        REPO / "portal_blocks",
        source / "portal_blocks",
        ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]"),
    )
    for name in ("pyproject.toml", "MANIFEST.in", "README.md", "LICENSE", "scripts/vendor.py"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    out, lib = tmp_path / "out", tmp_path / "lib"
    build = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from setuptools import build_meta, setup; "
            f"build_meta.build_sdist({str(out)!r}); "
            f"sys.argv = ['setup.py', 'build_py', '--build-lib', {str(lib)!r}]; setup()",
        ],
        cwd=source,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (sdist,) = out.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    in_wheel = {path.relative_to(lib).as_posix() for path in lib.rglob("*") if path.is_file()}
    shipped = {
        f"portal_blocks/render/static/{name}"
        for name in [
            "vendor/manifest.json",
            "vendor/README.md",
            "graphiql-boot.js",
            "graphiql.css",
            *(f"vendor/{file['path']}" for package in MANIFEST for file in package["files"]),
        ]
    } | {"portal_blocks/render/templates/portal_blocks/graphiql.html"}
    assert (shipped | {"scripts/vendor.py"}) - in_sdist == set()
    assert shipped - in_wheel == set()
