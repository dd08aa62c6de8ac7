"""Where block templates are found: ours, then the ``templates/`` folder of each package that
brings block types of its own (``BlockType.template_package``).

A host app's own templates still come first (Flask asks the app's loader before any
blueprint's), so a host can override any block's template, ours or a package's.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, PackageLoader
from jinja2.exceptions import TemplateNotFound

from portal_blocks.blocks.registry import BlockType

#: Our templates (the blueprint's template folder).
TEMPLATE_FOLDER = Path(__file__).resolve().parent / "templates"
#: The folder of a package's templates, as with a Flask blueprint's ``template_folder``.
PACKAGE_TEMPLATE_FOLDER = "templates"

_CHECKING = Environment(autoescape=True)


def own_loader() -> FileSystemLoader:
    return FileSystemLoader(TEMPLATE_FOLDER)


def package_loader(package: str) -> PackageLoader:
    """Raises ``ModuleNotFoundError`` (no such package) or ``ValueError`` (no templates/)."""
    return PackageLoader(package, PACKAGE_TEMPLATE_FOLDER)


def block_template_loader(block_types: Iterable[BlockType]) -> BaseLoader:
    """Ours first, then each package's that ``block_types`` name, each package once."""
    packages = dict.fromkeys(t.template_package for t in block_types if t.template_package)
    return ChoiceLoader([own_loader(), *(package_loader(p) for p in packages)])


def _has(loader: BaseLoader, name: str) -> bool:
    try:
        loader.get_source(_CHECKING, name)
    except TemplateNotFound:
        return False
    return True


def template_problem(block_type: BlockType) -> str | None:
    """Why ``block_type``'s template cannot be rendered as its own, or None.

    Checked when the app starts, so a misspelt name or a package built without its templates
    stops the start instead of failing each page that shows the block.
    """
    name, package = block_type.template, block_type.template_package
    if not isinstance(name, str) or not name:
        return f"its template must be a template name (got {name!r})"
    if package is None:
        if _has(own_loader(), name):
            return None
        return f"its template {name!r} is not one of portal-blocks' templates"
    if not isinstance(package, str):
        return f"its template_package must be a package name (got {package!r})"
    try:
        loader = package_loader(package)
    except (ImportError, ValueError) as exc:
        return f"its template_package {package!r} has no {PACKAGE_TEMPLATE_FOLDER}/ folder ({exc})"
    if not _has(loader, name):
        return (
            f"its template {name!r} is not in {package}/{PACKAGE_TEMPLATE_FOLDER}/ "
            "(is it listed in the package data?)"
        )
    if _has(own_loader(), name):
        return (
            f"its template {name!r} has the name of one of portal-blocks' own templates, "
            f"which would be shown instead; put it in a folder of its own, e.g. "
            f"{package}/{name.rsplit('/', 1)[-1]}"
        )
    return None
