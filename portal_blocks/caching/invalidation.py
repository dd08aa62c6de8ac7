"""Every committed write becomes a set of tags, and every response cache drops what they touch.

The hooks sit on our session class, :class:`portal_blocks.db.PortalSession`, not on one session,
so every write path of ours (services, mutations, importers, the CLI: all through
``db.session``) invalidates without calling anything. They are not on SQLAlchemy's ``Session``:
a host app's own sessions in the same process run none of them, so its commits cost it nothing
here and never drop our caches, even on a table of its own that shares a name with ours. Tags are
collected at each flush and applied only after the commit: a rolled-back change invalidates
nothing, and a reader can never refill an entry from data that is about to change.

ORM-enabled bulk ``UPDATE``/``DELETE`` statements name no rows, so they invalidate everything.
Statements run on a bare connection, outside any session, or through a session of another
class, are not seen.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import History

from portal_blocks.cache_tags import (
    ALL,
    ROUTES_TAG,
    article_change_tags,
    layout_tag,
    viewer_tag,
)
from portal_blocks.db import PortalSession
from portal_blocks.models import Article, DisplayPreference, Layout, Placement, Route
from portal_blocks.models.article import SHOWN_FIELDS

_PENDING = "portal_blocks.cache_tags"


class Invalidates(Protocol):
    def invalidate(self, tags: frozenset[str]) -> None: ...


#: The targets, held weakly (an app's state holds them), in the order they were registered:
#: a commit reaches them in that order. A ``WeakSet`` has no order, and the order matters: a
#: process's own stores must drop what a commit changed before the announcement to other
#: processes and the edges' purge go out, else a reader elsewhere may refill from them.
_targets: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
_registered = itertools.count()


def register(target: Invalidates) -> None:
    """Each app's caches register themselves; a commit in this process reaches all, in the
    order they were registered (registering one again keeps its place)."""
    if not any(known is target for known in _targets.values()):
        _targets[next(_registered)] = target


def unregister(target: Invalidates) -> None:
    """For a target that stops before its app goes away (``EdgePurger.close``)."""
    for key, known in list(_targets.items()):
        if known is target:
            del _targets[key]


#: The columns of an article that change only what it shows, never which lists hold it, in
#: which order, or what a category is called. Editing only these (the most common write: a
#: typo, a better lead) drops what showed the article and the searches, not every page with a
#: list on it, at the origin and at the edge.
SHOWN_ONLY = frozenset(
    {
        *SHOWN_FIELDS,
        "published_time_known",
        # Kept by the model on every write: a version, and the search text of the above.
        "updated_at",
        "version",
        "search_folded",
        "search_exact",
    }
)


def tags_for(obj: object, *, edited: bool = False) -> set[str]:
    """The one place that knows which tags a changed row touches; ``edited``: the row was
    updated (its attributes' history says what changed), not created or deleted."""
    if isinstance(obj, Article):
        shown_only = edited and not changed_columns(obj) - SHOWN_ONLY
        return set(article_change_tags([obj.id], lists=not shown_only))
    if isinstance(obj, Layout):
        return {layout_tag(obj.id)}
    if isinstance(obj, Placement):
        history: History = inspect(obj).attrs.layout_id.history
        layout_ids = {obj.layout_id, *history.deleted}
        return {layout_tag(i) for i in layout_ids if i is not None}
    if isinstance(obj, Route):
        return {ROUTES_TAG}
    if isinstance(obj, DisplayPreference):
        return {viewer_tag(obj.viewer_id)}
    return set()


def _pending(session: Session) -> set[str]:
    pending: set[str] = session.info.setdefault(_PENDING, set())
    return pending


def changed_columns(obj: object) -> set[str]:
    """The attributes of ``obj`` a flush is writing (their history still holds the change
    in ``after_flush``)."""
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}


@event.listens_for(PortalSession, "after_flush")
def _collect(session: Session, _flush_context: UOWTransaction) -> None:
    pending = _pending(session)
    for obj in (*session.new, *session.deleted):
        pending |= tags_for(obj)
    for obj in session.dirty:
        pending |= tags_for(obj, edited=True)


_WATCHED_TABLES: frozenset[str] = frozenset(
    m.__tablename__ for m in (Article, Layout, Placement, Route, DisplayPreference)
)


@event.listens_for(PortalSession, "do_orm_execute")
def _collect_bulk(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _WATCHED_TABLES:
            _pending(state.session).add(ALL)


@event.listens_for(PortalSession, "after_commit")
def _apply(session: Session) -> None:
    tags = session.info.pop(_PENDING, None)
    if tags:
        invalidate(tags)


@event.listens_for(PortalSession, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_PENDING, None)


def invalidate(tags: Iterable[str]) -> None:
    frozen = frozenset(tags)
    for target in list(_targets.values()):
        target.invalidate(frozen)


def invalidate_articles(ids: Iterable[object], *, lists: bool = True) -> None:
    """What a host whose article source sets ``announces_changes`` calls after committing
    changes to those articles (or creating, publishing, deleting them): every cache entry that
    read them, or read a list any article may join, is dropped in every process.

    ``lists=False`` says the change moved no article in or out of a list, nor within one:
    only what the articles show changed (their title, lead, body, image, author), not whether
    they are published, their date, category or slug. Then only what showed them goes (lists
    that hold them among it) and the searches, not every page with a list on it."""
    invalidate(article_change_tags(ids, lists=lists))
