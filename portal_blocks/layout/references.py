"""Settings that name articles or categories: checked against the articles when saved.

A block type's schema validates a setting's form (a slug is a slug); whether that slug names an
article, or a category some article belongs to, only the database knows. Every schema field of
the kinds :class:`~portal_blocks.blocks.settings.ArticleSlugs` and
:class:`~portal_blocks.blocks.settings.CategorySlug` is checked here, for any block type, in at
most one statement per kind: an editor learns of an unknown slug at the field that names it,
and a block type added later gets the same check with no code of its own.

Readers never get this error: an article chosen, then unpublished or deleted, simply
disappears from the block (lists only show what readers may see).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema
from sqlalchemy.orm import Session

from portal_blocks.blocks.settings import ArticleSlugs, CategorySlug
from portal_blocks.content.page_lists import existing_categories, existing_slugs
from portal_blocks.problems import FieldProblem, Refused


def check_references(session: Session, schema: Schema, settings: dict[str, Any]) -> None:
    """Raise :class:`Refused` naming every slug in ``settings`` (validated, Python keys) that
    names no article (or no category), at its path under ``settings``."""
    articles: list[tuple[str, str]] = []
    categories: list[tuple[str, str]] = []
    for attr, field in schema.fields.items():
        value, key = settings.get(attr), f"settings.{field.data_key or attr}"
        if isinstance(field, ArticleSlugs) and value:
            articles += [(f"{key}.{i}", slug) for i, slug in enumerate(value)]
        elif isinstance(field, CategorySlug) and value is not None:
            categories.append((key, value))
    problems: list[FieldProblem] = []
    if articles:
        known = existing_slugs(session, (slug for _path, slug in articles))
        problems += [
            FieldProblem(path, "UNKNOWN_ARTICLE", f"No article has the slug '{slug}'.")
            for path, slug in articles
            if slug not in known
        ]
    if categories:
        known = existing_categories(session, (slug for _path, slug in categories))
        problems += [
            FieldProblem(path, "UNKNOWN_CATEGORY", f"No article is in the category '{slug}'.")
            for path, slug in categories
            if slug not in known
        ]
    if problems:
        raise Refused(problems)
