"""An :class:`~portal_blocks.content.source.ArticleSource` (with lists) over a CMS's GraphQL.

One request per call whatever it asks: an article by slug, several by id, or every list of a
page. Lists the CMS cannot cut itself (a category, where it cannot filter by one) are cut
here from the answer; the cursor of a remote list is an offset.

Caching: with ``PORTAL_BLOCKS_WEBHOOK_SECRET`` set, the CMS announces its changes (the
webhook), and what is read from it is cached like our own articles (``announces_changes``);
without it, pages that read it are kept at most ``PORTAL_BLOCKS_SOURCE_MAX_AGE`` seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from portal_blocks.content.queries import ArticleList, ArticleQuery, Category
from portal_blocks.content.records import ArticleRecord
from portal_blocks.content.remote.client import GraphQLClient, UpstreamError
from portal_blocks.content.remote.dialects import Dialect, ListField, offset_cursor
from portal_blocks.content.remote.records import record_from


class RemoteSource:
    def __init__(
        self,
        client: GraphQLClient,
        dialect: Dialect,
        *,
        announces_changes: bool,
        max_age: int | None,
    ) -> None:
        self.client = client
        self.dialect = dialect
        self.announces_changes = announces_changes
        #: How long pages reading this source may be kept when it announces nothing.
        self.max_age = max_age

    def _record(self, data: Any) -> ArticleRecord | None:
        return record_from(data, self.dialect.fields) if data is not None else None

    def by_slug(self, slug: str, *, include_drafts: bool = False) -> ArticleRecord | None:
        data = self.client.query(self.dialect.by_slug(), {"slug": slug})
        return self._record(data.get("article"))

    def by_ids(
        self, ids: Iterable[str], *, include_drafts: bool = False
    ) -> dict[str, ArticleRecord]:
        wanted = list(dict.fromkeys(ids))
        document = self.dialect.by_ids(len(wanted)) if wanted else None
        if document is None:
            return {}
        variables = {f"i{i}": value for i, value in enumerate(wanted)} | {"ids": wanted}
        data = self.client.query(document, variables)
        records = [self._record(d) for d in self.dialect.articles_by_ids(data, len(wanted))]
        return {r.id: r for r in records if r is not None and r.id in wanted}

    def related(self, article: ArticleRecord, *, limit: int) -> list[ArticleRecord]:
        slug = article.category_slug
        if slug is None:
            return []
        [answer] = self.lists([ArticleQuery(limit=limit, category=slug, exclude=article.id)])
        return list(answer.records)

    def lists(self, queries: Sequence[ArticleQuery]) -> list[ArticleList]:
        if not queries:
            return []
        document, fields = self.dialect.lists(queries)
        data = self.client.query(document)
        return [
            self._answer(query, field, data) for query, field in zip(queries, fields, strict=True)
        ]

    def category(self, slug: str) -> Category | None:
        [answer] = self.lists([ArticleQuery(limit=1, category=slug)])
        named = next((r.category for r in answer.records if r.category), None)
        return Category(slug, named) if named is not None else None

    def _answer(
        self, query: ArticleQuery, field: ListField, data: Mapping[str, Any]
    ) -> ArticleList:
        if query.slugs is not None and not field.nested_nodes:
            found = [self._record(data.get(f"{field.alias}_{j}")) for j in range(len(query.slugs))]
            return ArticleList(tuple(r for r in found if r is not None)[: query.limit])
        raw = data.get(field.alias)
        if isinstance(raw, Mapping):
            raw = raw.get("nodes")
        if not isinstance(raw, list):
            raise UpstreamError(f"the CMS's answer has no list '{field.alias}'")
        records = [r for r in (self._record(d) for d in raw) if r is not None]
        if query.slugs is not None:
            by_slug = {r.slug: r for r in records}
            return ArticleList(tuple(by_slug[s] for s in query.slugs if s in by_slug))
        if field.filter_category is not None:
            records = [r for r in records if r.category_slug == field.filter_category]
        if field.offset_here:
            records = records[field.offset :]
        if query.exclude is not None:
            records = [r for r in records if r.id != query.exclude]
        shown = tuple(records[: query.limit])
        has_next = len(records) > query.limit
        end = offset_cursor(field.offset + len(shown)) if has_next else None
        return ArticleList(shown, has_next=has_next, end_cursor=end)
