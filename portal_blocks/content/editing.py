"""Editing articles: create, update, publish, unpublish and (soft) delete.

Input goes through :class:`ArticleSchema` (NFC, sanitised body, limits); the slug is made once
from the first title by the legacy rule and never changes, so links keep working.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks import audit
from portal_blocks.content.schemas import ArticleSchema
from portal_blocks.db import utcnow
from portal_blocks.edits import check_version
from portal_blocks.models import Article, ArticleStatus, AuditEntry
from portal_blocks.models.article import SHOWN_FIELDS
from portal_blocks.problems import FieldProblem, Refused, camelize, flatten_messages, refuse
from portal_blocks.text.ranges import is_row_id
from portal_blocks.text.slug import legacy_path, new_slug

#: What an editor may set directly; slug, status and the legacy path follow from the actions.
EDITABLE_FIELDS = (*SHOWN_FIELDS, "category", "published_at")
SLUG_ATTEMPTS = 8
_schema = ArticleSchema()


def article_state(article: Article) -> dict[str, Any]:
    state: dict[str, Any] = {"slug": article.slug, "status": article.status.value}
    for name in EDITABLE_FIELDS:
        value = getattr(article, name)
        state[camelize(name)] = value.isoformat() if isinstance(value, datetime) else value
    state["version"] = article.version
    state["deleted"] = article.deleted_at is not None
    return state


def _load(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise Refused(
            [
                FieldProblem(f"input.{camelize(k)}", "UNKNOWN_FIELD", "Unknown field.")
                for k in unknown
            ]
        )
    try:
        loaded: dict[str, Any] = _schema.load(data, partial=partial)
    except ValidationError as exc:
        raise Refused(
            flatten_messages(_schema, exc.messages_dict, under="input", key_name=camelize)
        ) from None
    # The schema also fills defaults of fields editors do not set (status, legacy path).
    return {k: v for k, v in loaded.items() if k in EDITABLE_FIELDS}


def _free_slug(session: Session, title: str) -> str:
    """The legacy rule's 4 hex characters are random; on the rare collision, draw again."""
    for _ in range(SLUG_ATTEMPTS):
        slug = new_slug(title)
        taken = session.scalar(
            select(Article.id).where(
                (Article.slug == slug) | (Article.legacy_path == legacy_path(slug))
            )
        )
        if taken is None:
            return slug
    raise refuse("input.title", "SLUG_EXHAUSTED", "No free slug for this title; edit the title.")


def create_article(session: Session, actor: str, data: dict[str, Any]) -> Article:
    """A new article is a draft; its legacy address (:func:`legacy_path`) is fixed now."""
    loaded = _load(data, partial=False)
    slug = _free_slug(session, loaded["title"])
    article = Article(
        **loaded, slug=slug, legacy_path=legacy_path(slug), status=ArticleStatus.DRAFT
    )
    session.add(article)
    audit.record(session, actor=actor, action="create", row=article, state=article_state)
    return article


def lock_article(session: Session, slug: str) -> Article:
    article: Article | None = session.scalar(
        select(Article)
        .where(Article.slug == slug, Article.deleted_at.is_(None))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if article is None:
        raise refuse("slug", "NOT_FOUND", f"No article with slug '{slug}'.")
    return article


def _change(
    session: Session, actor: str, action: str, slug: str, version: int, changes: dict[str, Any]
) -> Article:
    article = lock_article(session, slug)
    check_version("version", version, article.version)
    before = article_state(article)
    for key, value in changes.items():
        if getattr(article, key) != value:
            setattr(article, key, value)
    audit.record(
        session, actor=actor, action=action, row=article, before=before, state=article_state
    )
    return article


def update_article(
    session: Session, actor: str, *, slug: str, version: int, data: dict[str, Any]
) -> Article:
    """Only the fields given change; the slug stays whatever the new title is."""
    loaded = _load(data, partial=True)
    if "title" in data and loaded.get("title") is None:
        raise refuse("input.title", "NULL_NOT_ALLOWED", "Field may not be null.")
    if loaded.get("published_at") is not None:
        loaded["published_time_known"] = True  # an editor's date is a date and time
    return _change(session, actor, "update", slug, version, loaded)


def publish_article(session: Session, actor: str, *, slug: str, version: int) -> Article:
    article = lock_article(session, slug)
    changes: dict[str, Any] = {"status": ArticleStatus.PUBLISHED}
    if article.published_at is None:
        changes["published_at"], changes["published_time_known"] = utcnow(), True
    return _change(session, actor, "publish", slug, version, changes)


def unpublish_article(session: Session, actor: str, *, slug: str, version: int) -> Article:
    return _change(session, actor, "unpublish", slug, version, {"status": ArticleStatus.DRAFT})


def delete_article(session: Session, actor: str, *, slug: str, version: int) -> Article:
    """Soft: the row stays for the history and keeps its slug taken; nobody reads it again."""
    return _change(session, actor, "delete", slug, version, {"deleted_at": utcnow()})


def revert_article(
    session: Session, actor: str, *, slug: str, version: int, entry_id: int
) -> Article:
    """Bring back the content an earlier ``publish`` entry of its history recorded, published.

    The revert is itself a new entry in the history; nothing earlier is rewritten.
    """
    article = lock_article(session, slug)
    # An id past the column's range names no entry (and would abort the transaction on
    # PostgreSQL): not looked up.
    entry = session.get(AuditEntry, entry_id) if is_row_id(entry_id) else None
    if (
        entry is None
        or (entry.subject_type, entry.subject_id) != ("article", str(article.id))
        or entry.action != "publish"
        or not entry.after
    ):
        raise refuse(
            "historyEntry", "NOT_FOUND", "No published version of this article by that id."
        )
    state = entry.after
    changes: dict[str, Any] = {name: state[camelize(name)] for name in EDITABLE_FIELDS}
    if changes["published_at"] is not None:
        changes["published_at"] = datetime.fromisoformat(changes["published_at"])
    changes["status"] = ArticleStatus.PUBLISHED
    return _change(session, actor, "revert", slug, version, changes)
