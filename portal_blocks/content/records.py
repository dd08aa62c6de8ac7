"""The article as the blocks see it, independent of where it is stored."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from portal_blocks.models import Article
from portal_blocks.text.slug import category_slug

#: How ``article.category_path`` joins its segments: a URL path's, which no segment holds.
CATEGORY_SEPARATOR = "/"


def split_category_path(stored: str | None) -> tuple[str, ...] | None:
    """The segments of a stored category path, root first (None: none stored)."""
    return tuple(stored.split(CATEGORY_SEPARATOR)) if stored else None


def join_category_path(segments: tuple[str, ...] | list[str] | None) -> str | None:
    """A category path as ``article.category_path`` stores it (None: none, or no segment)."""
    return CATEGORY_SEPARATOR.join(segments) if segments else None


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """An article as a content source hands it to the blocks.

    A host CMS that owns its articles builds these from its own rows; nothing is copied into
    our tables. ``body_html`` must already be sanitised HTML.
    """

    id: str
    slug: str
    title: str
    lead: str
    body_html: str
    published_at: datetime | None
    status: str = "published"
    image_url: str | None = None
    image_caption: str | None = None
    image_alt: str | None = None
    author: str | None = None
    source: str | None = None
    category: str | None = None
    #: The category's parents and itself, root first (``category`` is the last); None: not
    #: known (an article written here, or a page whose address names no categories).
    category_path: tuple[str, ...] | None = None
    legacy_path: str | None = None
    version: int = 1
    #: Whether ``published_at`` holds the time of day the article was published, or only its
    #: day (a legacy page dated dd/MM/yyyy): blocks show a time only when it is known.
    published_time_known: bool = True

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def category_slug(self) -> str | None:
        """The category's address form (``/chuyen-muc/<category>``), from its name."""
        return category_slug(self.category)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``published_at`` in ISO 8601), for caches shared between hosts."""
        # Shallow: every field is text, a number, a date or a tuple of text, and ``asdict``
        # deep-copies each one (most of the cost of keeping a page's lists in a cache).
        data = {name: getattr(self, name) for name in _RECORD_FIELDS}
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticleRecord:
        published_at = data.get("published_at")
        category_path = data.get("category_path")
        return cls(
            **{
                **data,
                "published_at": datetime.fromisoformat(published_at) if published_at else None,
                # JSON has no tuples: a cached record's path comes back a list.
                "category_path": tuple(category_path) if category_path is not None else None,
            }
        )


_RECORD_FIELDS = tuple(f.name for f in fields(ArticleRecord))

#: The ``article`` columns a record is made of, each a field of the same name: what a
#: statement that only makes records selects. Not the search columns, which copy the whole
#: text twice, nor the bookkeeping (timestamps, soft delete), which SQLite hands back as
#: text that each row would parse.
RECORD_COLUMNS = tuple(Article.__table__.c[name] for name in _RECORD_FIELDS)


def record_from_model(article: Any) -> ArticleRecord:
    """From an ``Article`` or a row of the ``article`` table (the same attribute names)."""
    return ArticleRecord(
        id=str(article.id),
        slug=article.slug,
        title=article.title,
        lead=article.lead,
        body_html=article.body_html,
        published_at=article.published_at,
        status=article.status.value,
        image_url=article.image_url,
        image_caption=article.image_caption,
        image_alt=article.image_alt,
        author=article.author,
        source=article.source,
        category=article.category,
        category_path=split_category_path(article.category_path),
        legacy_path=article.legacy_path,
        version=article.version,
        published_time_known=article.published_time_known,
    )
