"""The vocabulary of cache tags: what a cached entry read, named so a commit can drop it.

Every cache (responses, page data, viewers' preferences, HTML) tags its entries with these, and
invalidation turns each committed row into the same names; both sides spell them here only.
"""

from __future__ import annotations

#: Tag of every entry that resolved a path through the route table.
ROUTES_TAG = "routes"
#: Tag of every entry that read a list of articles (related news, listings, search).
ARTICLES_TAG = "articles"
#: Invalidating this tag drops every entry.
ALL = "*"


def article_tag(article_id: object) -> str:
    return f"article:{article_id}"


def slug_tag(slug: str) -> str:
    """An article by its slug, for sources whose changes are announced by slug."""
    return f"slug:{slug}"


def layout_tag(layout_id: object) -> str:
    return f"layout:{layout_id}"


def viewer_tag(viewer_id: str) -> str:
    return f"viewer:{viewer_id}"


def page_tags(layout_id: object, article_id: object | None) -> frozenset[str]:
    """What a page read to be built: the route table, its layout and the article it shows."""
    tags = {ROUTES_TAG, layout_tag(layout_id)}
    if article_id is not None:
        tags.add(article_tag(article_id))
    return frozenset(tags)
