"""Vendor the browser libraries our pages load, from their npm packages.

Portals run on intranets with no internet access, and a reader's (or an editor's) browser must
not be sent to another origin: every script, style and font we serve comes from
``portal_blocks/render/static/vendor/``, copied byte for byte from the packages' published
tarballs (``npm pack``), with each package's licence. ``manifest.json`` there records what was
copied, from which tarball member, and its SHA-256 (``tests/test_same_origin_assets.py`` checks
the files against it).

    python scripts/vendor.py          # npm pack each package, copy its files, write the manifest
    python scripts/vendor.py --check  # npm pack again and compare with what is in the repository

To update a package, change its version in ``PACKAGES`` below and run the script; for GraphiQL,
take the versions strawberry's own page names (``strawberry/static/graphiql.html``), so the
IDE stays the one strawberry is tested with. Needs ``npm`` and the registry; the app never does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "portal_blocks" / "render" / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"


@dataclass(frozen=True)
class File:
    """``path`` (under the package's folder) is a copy of ``member`` of the tarball of
    ``source`` (``name@version``; the package's own unless it ships no such file)."""

    path: str
    source: str
    member: str


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    license: str
    folder: str
    files: tuple[File, ...]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


def _own(spec: str, *pairs: tuple[str, str]) -> tuple[File, ...]:
    return tuple(File(path, spec, f"package/{member}") for path, member in pairs)


GRAPHIQL = "graphiql@3.8.3"
PACKAGES = (
    Package(
        "sortablejs",
        "1.15.7",
        "MIT",
        "sortablejs",
        _own("sortablejs@1.15.7", ("Sortable.min.js", "Sortable.min.js"), ("LICENSE", "LICENSE")),
    ),
    Package(
        "react",
        "18.2.0",
        "MIT",
        "react",
        _own(
            "react@18.2.0",
            ("react.production.min.js", "umd/react.production.min.js"),
            ("LICENSE", "LICENSE"),
        ),
    ),
    Package(
        "react-dom",
        "18.2.0",
        "MIT",
        "react-dom",
        _own(
            "react-dom@18.2.0",
            ("react-dom.production.min.js", "umd/react-dom.production.min.js"),
            ("LICENSE", "LICENSE"),
        ),
    ),
    Package(
        "graphiql",
        "3.8.3",
        "MIT",
        "graphiql",
        _own(
            GRAPHIQL,
            ("graphiql.min.js", "graphiql.min.js"),
            ("graphiql.min.css", "graphiql.min.css"),
            ("LICENSE", "LICENSE"),
        ),
    ),
    Package(
        "@graphiql/plugin-explorer",
        "1.0.2",
        "MIT",
        "graphiql-plugin-explorer",
        (
            *_own(
                "@graphiql/plugin-explorer@1.0.2",
                ("index.umd.js", "dist/index.umd.js"),
                ("style.css", "dist/style.css"),
            ),
            # The package ships no licence file (its package.json says MIT): the licence of
            # GraphiQL, built in the same repository (graphql/graphiql), and the licence of
            # graphiql-explorer, whose code its bundle is made of.
            File("LICENSE", GRAPHIQL, "package/LICENSE"),
            File("LICENSE.graphiql-explorer", "graphiql-explorer@0.9.0", "package/LICENSE"),
        ),
    ),
)


def npm_pack(spec: str, into: Path) -> Path:
    """The tarball npm publishes for ``spec``, fetched into ``into``."""
    result = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(into)],
        cwd=into,
        capture_output=True,
        text=True,
        check=True,
    )
    (packed,) = json.loads(result.stdout)
    return into / str(packed["filename"])


def member_bytes(tarball: Path, member: str) -> bytes:
    with tarfile.open(tarball) as archive:
        extracted = archive.extractfile(member)
        if extracted is None:
            raise SystemExit(f"{tarball.name}: {member} is not a file")
        return extracted.read()


def fetch(work: Path) -> dict[str, bytes]:
    """Every vendored file's bytes, by its path under the vendor folder."""
    tarballs: dict[str, Path] = {}
    contents: dict[str, bytes] = {}
    for package in PACKAGES:
        for file in package.files:
            if file.source not in tarballs:
                tarballs[file.source] = npm_pack(file.source, work)
            contents[f"{package.folder}/{file.path}"] = member_bytes(
                tarballs[file.source], file.member
            )
    return contents


def manifest(contents: dict[str, bytes]) -> list[dict[str, object]]:
    return [
        {
            "name": package.name,
            "version": package.version,
            "license": package.license,
            "files": [
                {
                    "path": f"{package.folder}/{file.path}",
                    "sha256": hashlib.sha256(contents[f"{package.folder}/{file.path}"]).hexdigest(),
                    "from": f"{file.source}:{file.member}",
                }
                for file in package.files
            ],
        }
        for package in PACKAGES
    ]


def manifest_text(contents: dict[str, bytes]) -> str:
    return json.dumps(manifest(contents), indent=2, ensure_ascii=False) + "\n"


def write(contents: dict[str, bytes]) -> None:
    """Replace each package's folder with exactly its listed files (nothing stale is left)."""
    for package in PACKAGES:
        shutil.rmtree(VENDOR / package.folder, ignore_errors=True)
    for path, data in contents.items():
        (VENDOR / path).parent.mkdir(parents=True, exist_ok=True)
        (VENDOR / path).write_bytes(data)
    MANIFEST.write_text(manifest_text(contents), encoding="utf-8")


def check(contents: dict[str, bytes]) -> list[str]:
    """What differs between the published packages and the repository's copies."""
    problems = [
        f"{path}: differs from the npm package"
        for path, data in contents.items()
        if not (VENDOR / path).is_file() or (VENDOR / path).read_bytes() != data
    ]
    if not MANIFEST.is_file() or MANIFEST.read_text(encoding="utf-8") != manifest_text(contents):
        problems.append("manifest.json: not what this script writes")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with the repository; write nothing"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-blocks-vendor-") as work:
        contents = fetch(Path(work))
    if arguments.check:
        problems = check(contents)
        print("\n".join(problems) or "vendored files match their npm packages")
        return 1 if problems else 0
    write(contents)
    total = sum(len(data) for data in contents.values())
    print(f"wrote {len(contents)} files ({total:,} bytes) and {MANIFEST.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
