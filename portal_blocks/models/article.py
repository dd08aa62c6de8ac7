"""Articles (bản tin): the content that the blocks show."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, Index, String, Text, UniqueConstraint, event, inspect, text, true
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from portal_blocks.db import Model, NFCString, NFCText, utcnow
from portal_blocks.text.search_text import search_columns
from portal_blocks.text.slug import category_slug

#: The columns that say only what an article shows: no list's membership or order, no
#: category's name and no route depends on them (the editor sets them; caching.invalidation
#: drops less when only they change).
SHOWN_FIELDS = (
    "title",
    "lead",
    "body_html",
    "image_url",
    "image_caption",
    "image_alt",
    "author",
    "source",
)


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Article(Model):
    __tablename__ = "article"
    __table_args__ = (
        Index("ix_article_published", "status", "published_at", "id"),
        Index("ix_article_category_published", "category", "status", "published_at", "id"),
        # Category pages and list blocks name a category by its slug (/chuyen-muc/kinh-te).
        Index(
            "ix_article_category_slug_published", "category_slug", "status", "published_at", "id"
        ),
        # A legacy address is one article per host, and one of any host (see Route: NULLs
        # are distinct in a unique constraint, so the hostless ones have an index of their own).
        UniqueConstraint("legacy_path", "legacy_host", name="uq_article_legacy_path_host"),
        Index(
            "uq_article_legacy_path_any_host",
            "legacy_path",
            unique=True,
            postgresql_where=text("legacy_host IS NULL"),
            sqlite_where=text("legacy_host IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(NFCText)
    lead: Mapped[str] = mapped_column(NFCText, default="")
    body_html: Mapped[str] = mapped_column(NFCText, default="")
    image_url: Mapped[str | None] = mapped_column(String(1000))
    image_caption: Mapped[str | None] = mapped_column(NFCText)
    image_alt: Mapped[str | None] = mapped_column(NFCText)
    author: Mapped[str | None] = mapped_column(NFCString(200))
    source: Mapped[str | None] = mapped_column(NFCString(200))
    category: Mapped[str | None] = mapped_column(NFCString(200))
    #: The category and its parents, root first, each a legacy address's segment without its
    #: number, joined by ``/`` (``tin-tuc/hoat-dong-cua-so/doanh-nghiep``): ``category`` is the
    #: deepest alone, which lists filter by; this keeps where it sits, which the address said.
    category_path: Mapped[str | None] = mapped_column(NFCString(1000))
    #: ``category`` in its address form (:func:`~portal_blocks.text.slug.category_slug`),
    #: derived on every write (below): what category pages and list blocks filter by.
    category_slug: Mapped[str | None] = mapped_column(String(120), default=None)
    published_at: Mapped[datetime | None]
    #: Whether ``published_at`` holds the time of day the article was published, not only its
    #: day (a legacy page dated ``dd/MM/yyyy``, or not dated at all): a time is shown only then.
    published_time_known: Mapped[bool] = mapped_column(default=True, server_default=true())
    status: Mapped[ArticleStatus] = mapped_column(
        Enum(
            ArticleStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ArticleStatus.DRAFT,
    )
    legacy_path: Mapped[str | None] = mapped_column(String(1000))
    #: The host of the legacy address when it is a department sub-site's, whose route is bound
    #: to that host; None: an address of the portal's own hosts (or of no host at all).
    legacy_host: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    #: Soft delete: the row (and its slug) stays for the history, readers never see it.
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Shadow columns for search, derived from title, lead and body on every write (below).
    search_folded: Mapped[str] = mapped_column(Text, default="")
    search_exact: Mapped[str] = mapped_column(Text, default="")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_published(self) -> bool:
        return self.status is ArticleStatus.PUBLISHED


#: What the search columns are derived from.
SEARCHED_FIELDS = ("title", "lead", "body_html")


@event.listens_for(Article, "before_insert")
@event.listens_for(Article, "before_update")
def _derived_columns(_mapper: Mapper[Any], _connection: Any, article: Article) -> None:
    """The one place derived columns are kept up to date, whoever writes the article.

    The search columns are derived again only when their text changed: folding a long body
    is a fifth of a commit's own work (~2.7 ms of ~13 ms for the reference article), and a
    publish, a move to another category or a new image changes none of it.
    A published article always has a publish date, so lists can order by it.
    """
    if _searched_text_changed(article):
        for key, value in search_columns(article.title, article.lead, article.body_html).items():
            if getattr(article, key, None) != value:
                setattr(article, key, value)
    slug = category_slug(article.category)
    if article.category_slug != slug:
        article.category_slug = slug
    if article.status is ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = utcnow()


def _searched_text_changed(article: Article) -> bool:
    """Whether the title, lead or body is new since the row was loaded (always, for a row
    not yet in the database)."""
    state = inspect(article)
    if not state.has_identity:
        return True
    return any(state.attrs[name].history.has_changes() for name in SEARCHED_FIELDS)
