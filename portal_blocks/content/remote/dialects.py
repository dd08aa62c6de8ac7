"""How each CMS's GraphQL API is asked for articles: the documents, built once, and where the
articles are in the answers.

- ``wagtail`` (wagtail-grapple): ``page(slug:, contentType:)``; several ids as aliased
  ``page(id:)`` fields of one document (grapple has no list argument); lists as
  ``pages(contentType:, order: "-first_published_at", limit:, offset:)`` (``pages`` orders by
  the base Page's fields only). Grapple cannot filter pages by a field of
  the page model, so a category's list is read from the newest :data:`CATEGORY_WINDOW` pages
  and filtered here: a category whose articles are older than that window lists nothing.
- ``wpgraphql``: ``post(id:, idType: SLUG)``, ``posts(where: {in: $ids})``, lists as
  ``posts(first:, where: {categoryName:})`` (WPGraphQL's categoryName is the category slug).
- ``portal-blocks`` (another portal like ours): ``article(slug:)``, lists as ``articles(first:,
  after:)``; it has no query by id, so routes naming article ids (imports) stay local, and a
  category's list is read from its newest :data:`CATEGORY_WINDOW` articles as for grapple.

Every list of a page is one aliased field of ONE document: a page's lists cost one request.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from portal_blocks.content.queries import ArticleQuery, InvalidCursor
from portal_blocks.content.remote.records import FieldMap

#: How many of the newest articles a category's list is picked from, where the CMS cannot
#: filter by category itself.
CATEGORY_WINDOW = 100

PRESETS: dict[str, dict[str, str]] = {
    "wagtail": {
        "title": "title",
        "lead": "lead",
        "bodyHtml": "body",
        "author": "author",
        "source": "source",
        "category": "category",
        "publishedAt": "publishedAt",
        "imageUrl": "imageUrl",
        "imageAlt": "imageAlt",
        "imageCaption": "imageCaption",
    },
    "wpgraphql": {
        "title": "title",
        "lead": "excerpt",
        "bodyHtml": "content",
        "author": "author.node.name",
        "source": "",
        "category": "categories.nodes.name",
        "publishedAt": "dateGmt",
        "imageUrl": "featuredImage.node.sourceUrl",
        "imageAlt": "featuredImage.node.altText",
        "imageCaption": "featuredImage.node.caption",
    },
    "portal-blocks": {
        "title": "title",
        "lead": "lead",
        "bodyHtml": "bodyHtml",
        "author": "author",
        "source": "source",
        "category": "category",
        "publishedAt": "publishedAt",
        "imageUrl": "image.url",
        "imageAlt": "image.alt",
        "imageCaption": "image.caption",
    },
}
#: The article type when PORTAL_BLOCKS_SOURCE_TYPE is not set.
DEFAULT_TYPES = {"wagtail": "news.NewsPage", "wpgraphql": "Post", "portal-blocks": "Article"}


def offset_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode()


def offset_of(after: str | None) -> int:
    if after is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(after.encode()).decode()
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidCursor("Not a cursor this list gave out.") from None
    if not raw.startswith("o") or not raw[1:].isdigit() or len(raw) > 12:
        raise InvalidCursor("Not a cursor this list gave out.")
    return int(raw[1:])


@dataclass(frozen=True)
class ListField:
    """One list of a page's lists document: its alias, the field text, and how its answer is
    read (the articles it holds; whether it must still be filtered by category here)."""

    alias: str
    text: str
    nested_nodes: bool
    filter_category: str | None
    offset: int
    #: Whether the answer starts at the list's beginning, so ``offset`` is skipped here.
    offset_here: bool = False


class Dialect:
    """Builds one CMS's documents; each built once per shape and remembered."""

    name = ""

    def __init__(self, type_name: str, fields: FieldMap) -> None:
        self.type_name = type_name
        self.fields = fields
        self.selection = " ".join(["id", "slug", *fields.selected()])

    @property
    def graphql_type(self) -> str:
        return self.type_name.rsplit(".", 1)[-1]

    @property
    def fragment(self) -> str:
        return f"fragment PortalArticle on {self.graphql_type} {{ {self.selection} }}"

    def by_slug(self) -> str:
        raise NotImplementedError

    def by_ids(self, count: int) -> str | None:
        """A document for ``count`` ids (variables ``i0``...), or None: not supported."""
        raise NotImplementedError

    def articles_by_ids(self, data: Mapping[str, Any], count: int) -> list[Any]:
        return [data.get(f"a{i}") for i in range(count)]

    def list_field(self, index: int, query: ArticleQuery) -> ListField:
        raise NotImplementedError

    def lists(self, queries: Sequence[ArticleQuery]) -> tuple[str, list[ListField]]:
        fields = [self.list_field(i, q) for i, q in enumerate(queries)]
        body = " ".join(f.text for f in fields)
        return f"query PortalLists {{ {body} }} {self.fragment}", fields


class Wagtail(Dialect):
    name = "wagtail"

    def _content_type(self) -> str:
        return self.type_name if "." in self.type_name else f"news.{self.type_name}"

    def by_slug(self) -> str:
        return _remembered(
            f"query PortalArticle($slug: String!) {{ article: page(slug: $slug, contentType: "
            f'"{self._content_type()}") {{ ...PortalArticle }} }} {self.fragment}'
        )

    def by_ids(self, count: int) -> str | None:
        variables = ", ".join(f"$i{i}: ID" for i in range(count))
        fields = " ".join(
            f'a{i}: page(id: $i{i}, contentType: "{self._content_type()}") {{ ...PortalArticle }}'
            for i in range(count)
        )
        return _remembered(f"query PortalArticles({variables}) {{ {fields} }} {self.fragment}")

    def list_field(self, index: int, query: ArticleQuery) -> ListField:
        alias = f"l{index}"
        content_type = f'contentType: "{self._content_type()}"'
        if query.slugs is not None:
            # grapple has no slug list: aliased single pages, one per chosen slug.
            parts = " ".join(
                f"{alias}_{j}: page(slug: {_string(s)}, {content_type}) {{ ...PortalArticle }}"
                for j, s in enumerate(query.slugs)
            )
            return ListField(alias, parts, False, None, 0)
        offset = offset_of(query.after)
        window = CATEGORY_WINDOW if query.category is not None else query.limit + 2
        text = (
            f'{alias}: pages({content_type}, order: "-first_published_at", limit: {window}, '
            f"offset: {0 if query.category is not None else offset}) {{ ...PortalArticle }}"
        )
        return ListField(alias, text, False, query.category, offset, query.category is not None)


class WpGraphQL(Dialect):
    name = "wpgraphql"

    def by_slug(self) -> str:
        return _remembered(
            "query PortalArticle($slug: ID!) { article: post(id: $slug, idType: SLUG) "
            f"{{ ...PortalArticle }} }} {self.fragment}"
        )

    def by_ids(self, count: int) -> str | None:
        return _remembered(
            f"query PortalArticles($ids: [ID]) {{ posts(first: {max(count, 1)}, "
            f"where: {{in: $ids}}) {{ nodes {{ ...PortalArticle }} }} }} {self.fragment}"
        )

    def articles_by_ids(self, data: Mapping[str, Any], count: int) -> list[Any]:
        posts = data.get("posts") or {}
        return list(posts.get("nodes") or []) if isinstance(posts, Mapping) else []

    def list_field(self, index: int, query: ArticleQuery) -> ListField:
        alias = f"l{index}"
        if query.slugs is not None:
            names = ", ".join(_string(s) for s in query.slugs)
            text = (
                f"{alias}: posts(first: {len(query.slugs)}, where: {{nameIn: [{names}]}}) "
                "{ nodes { ...PortalArticle } }"
            )
            return ListField(alias, text, True, None, 0)
        offset = offset_of(query.after)
        page = f"offsetPagination: {{offset: {offset}, size: {query.limit + 2}}}"
        category = f"categoryName: {_string(query.category)}, " if query.category else ""
        where = f"where: {{{category}{page}}}"
        text = (
            f"{alias}: posts(first: {query.limit + 2}, {where}) {{ nodes {{ ...PortalArticle }} }}"
        )
        return ListField(alias, text, True, None, offset)


class PortalBlocks(Dialect):
    name = "portal-blocks"

    def by_slug(self) -> str:
        return _remembered(
            "query PortalArticle($slug: String!) { article(slug: $slug) { ...PortalArticle } } "
            f"{self.fragment}"
        )

    def by_ids(self, count: int) -> str | None:
        return None  # no query by id: routes naming ids are the importing portal's own

    def list_field(self, index: int, query: ArticleQuery) -> ListField:
        alias = f"l{index}"
        if query.slugs is not None:
            parts = " ".join(
                f"{alias}_{j}: article(slug: {_string(s)}) {{ ...PortalArticle }}"
                for j, s in enumerate(query.slugs)
            )
            return ListField(alias, parts, False, None, 0)
        offset = offset_of(query.after)
        size = CATEGORY_WINDOW if query.category is not None else offset + query.limit + 2
        text = f"{alias}: articles(first: {min(size, 100)}) {{ nodes {{ ...PortalArticle }} }}"
        return ListField(alias, text, True, query.category, offset, offset_here=True)


DIALECTS: dict[str, type[Dialect]] = {
    "wagtail": Wagtail,
    "wpgraphql": WpGraphQL,
    "portal-blocks": PortalBlocks,
}


def _string(value: str | None) -> str:
    """A GraphQL string literal (slugs are [a-z0-9-], but nothing is trusted)."""
    text = value or ""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@lru_cache(maxsize=256)
def _remembered(document: str) -> str:
    """Documents are the same text every time for one shape: one interned copy each."""
    return document
