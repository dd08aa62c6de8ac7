"""The vocabulary of cache tags: what a cached entry read, named so a commit can drop it.

Every cache (responses, page data, viewers' preferences, HTML) tags its entries with these, and
invalidation turns each committed row into the same names; both sides spell them here only.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Tag of every entry that resolved a path through the route table.
ROUTES_TAG = "routes"
#: Tag of every entry that read which articles a list holds, or in which order (related news,
#: listings, search, whether a category or a slug exists): a write that may change that (an
#: article created, deleted, published or unpublished, re-dated, moved to another category or
#: renamed one, its slug changed) drops it. What a list shows of each article is tagged with
#: that article: an edit of only what an article shows drops what showed it, not every list.
ARTICLES_TAG = "articles"
#: Tag of every entry that matched articles by their text (search): an edit of any article's
#: text may make it match a search it did not, or no longer match one.
SEARCH_TAG = "search"
#: Invalidating this tag drops every entry.
ALL = "*"


def article_tag(article_id: object) -> str:
    return f"article:{article_id}"


def article_change_tags(ids: Iterable[object], *, lists: bool = True) -> frozenset[str]:
    """What a committed change to those articles drops: whatever read them, and every list
    (:data:`ARTICLES_TAG`), or with ``lists=False`` (an edit of only what they show, which
    moves no article in or out of a list) the searches alone (:data:`SEARCH_TAG`)."""
    return frozenset({*(article_tag(i) for i in ids), ARTICLES_TAG if lists else SEARCH_TAG})


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


#: The edge key every cacheable response carries: purging it drops all (for :data:`ALL`).
EVERY_RESPONSE = "portal-blocks"


def edge_keys(tags: Iterable[str]) -> list[str]:
    """The keys an edge cache (Varnish xkey, a CDN's surrogate keys) files a response under:
    its tags, and :data:`EVERY_RESPONSE`. Invalidating :data:`ALL` purges the latter."""
    return sorted({EVERY_RESPONSE if tag == ALL else tag for tag in tags} | {EVERY_RESPONSE})


def edge_headers(tags: Iterable[str]) -> dict[str, str]:
    """The same keys in each dialect: ``xkey`` (Varnish), ``Surrogate-Key`` (Fastly and
    others, space-separated), ``Cache-Tag`` (Cloudflare, comma-separated)."""
    keys = edge_keys(tags)
    return {"xkey": " ".join(keys), "Surrogate-Key": " ".join(keys), "Cache-Tag": ",".join(keys)}


def purge_keys(tags: Iterable[str]) -> list[str]:
    """The edge keys to purge when ``tags`` are invalidated: exactly those, or every
    response's key for :data:`ALL`."""
    found = set(tags)
    return [EVERY_RESPONSE] if ALL in found else sorted(found)
