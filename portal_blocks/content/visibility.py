"""What readers may see of our articles: the one definition every reader's query uses.

An article page (:class:`~portal_blocks.content.source.SqlAlchemyArticleSource`), the list and
search (:mod:`portal_blocks.content.listing`), related news and the theme's front page all
filter by :data:`VISIBLE_TO_READERS`, so an article is either shown by all of them or by none.

It is a Core expression over ``article``'s table, so the built-once table statements of the
source and the ORM queries of lists use the very same clause.

An article is visible when it is published, not deleted, and dated. The date is part of it
because every write of a published article gives it one (``Article``'s ``before_insert`` and
``before_update`` hook dates it when publishing leaves it undated, and the migration that added
the listing index dated the rows published before): an undated published row can only come from
outside our code (a host's own SQL), and such a row has no place in date-ordered lists, so no
reader sees it anywhere rather than on its page only. There is no scheduled publishing: a
publish date in the future does not hide an article.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_

from portal_blocks.models import Article, ArticleStatus

_TABLE = Article.__table__

#: Visible to editors too, in their previews: deleted articles are gone for everyone.
NOT_DELETED: ColumnElement[bool] = _TABLE.c.deleted_at.is_(None)

#: What readers may see: published, not deleted, with a date to order by.
VISIBLE_TO_READERS: ColumnElement[bool] = and_(
    _TABLE.c.status == ArticleStatus.PUBLISHED,
    _TABLE.c.published_at.is_not(None),
    NOT_DELETED,
)


def visible_to(*, include_drafts: bool) -> ColumnElement[bool]:
    """Readers see :data:`VISIBLE_TO_READERS`; an editor's preview every article not deleted."""
    return NOT_DELETED if include_drafts else VISIBLE_TO_READERS
