"""An article source that records which articles a response read, as cache tags."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from portal_blocks.cache_tags import ARTICLES_TAG, article_tag, slug_tag
from portal_blocks.caching.hints import CacheHints
from portal_blocks.content.queries import (
    EMPTY,
    ArticleList,
    ArticleQuery,
    Category,
    source_category,
    source_lists,
)
from portal_blocks.content.records import ArticleRecord
from portal_blocks.content.remote.client import UpstreamUnavailable
from portal_blocks.content.source import ArticleSource, announces_changes

log = logging.getLogger(__name__)


class TrackedSource:
    """Wraps any :class:`ArticleSource`: every article returned becomes a tag of the response.
    A read that includes drafts (only an editor's preview does), or any read from a source
    that does not announce its changes, makes the response unshareable; unless the source
    bounds how old its articles may be (``max_age``, seconds): the response then expires."""

    def __init__(self, inner: ArticleSource, hints: CacheHints) -> None:
        self.inner = inner
        self.hints = hints
        self.announces_changes = announces_changes(inner)
        bound = getattr(inner, "max_age", None)
        self.max_age = bound if isinstance(bound, int) and not isinstance(bound, bool) else None

    def _reading(self, include_drafts: bool) -> None:
        if include_drafts:
            self.hints.forbid_sharing()
        elif not self.announces_changes:
            # A source that promises a bound instead (PORTAL_BLOCKS_SOURCE_MAX_AGE) may be
            # cached that long; one that promises nothing, not at all.
            if self.max_age is None:
                self.hints.forbid_sharing()
            else:
                self.hints.expire_within(self.max_age)

    def by_slug(self, slug: str, *, include_drafts: bool = False) -> ArticleRecord | None:
        self._reading(include_drafts)
        record = self.inner.by_slug(slug, include_drafts=include_drafts)
        if record is not None:
            self.hints.add_tags((article_tag(record.id), slug_tag(record.slug)))
        return record

    def by_ids(
        self, ids: Iterable[str], *, include_drafts: bool = False
    ) -> dict[str, ArticleRecord]:
        self._reading(include_drafts)
        records = self.inner.by_ids(ids, include_drafts=include_drafts)
        self.hints.add_tags(article_tag(i) for i in records)
        return records

    def related(self, article: ArticleRecord, *, limit: int) -> list[ArticleRecord]:
        """A list of other articles: any article written later may belong in it."""
        self._reading(include_drafts=False)
        records = self.inner.related(article, limit=limit)
        self.hints.add_tags((ARTICLES_TAG, *(article_tag(r.id) for r in records)))
        return records

    def lists(self, queries: Sequence[ArticleQuery]) -> list[ArticleList]:
        """Lists of articles, like :meth:`related`; a source that cannot list gives none."""
        self._reading(include_drafts=False)
        try:
            answers = source_lists(self.inner, queries)
        except UpstreamUnavailable as exc:
            # Lists are beside what a page is about: it shows without them, and is kept by
            # no cache, so the next reader asks again.
            log.warning("lists left out: %s", exc)
            self.hints.forbid_sharing()
            return [EMPTY] * len(queries)
        self.hints.add_tags(
            (ARTICLES_TAG, *(article_tag(r.id) for answer in answers for r in answer.records))
        )
        return answers

    def category(self, slug: str) -> Category | None:
        """Whether a category exists depends on every article: any write may change it."""
        self._reading(include_drafts=False)
        self.hints.add_tags((ARTICLES_TAG,))
        return source_category(self.inner, slug)
