"""Diacritic-insensitive search over articles, the same on SQLite and PostgreSQL.

Each article carries two shadow columns computed in Python
(:func:`portal_blocks.text.search_text.search_columns`, called on every insert and update of an
:class:`~portal_blocks.models.Article`), so both databases compare the very same strings:

* ``search_folded``: :func:`portal_blocks.text.fold.fold` of the text ("Đồng" -> "dong",
  "hòa" and "hoà" -> "hoa"), which a query typed without diacritics is matched against;
* ``search_exact``: the NFC, lower-cased text, which decides whether a match also has the
  reader's exact diacritics, and so ranks above matches that only fold alike.

A query matches when every one of its words, folded, occurs in ``search_folded`` as whole tokens
(see :mod:`portal_blocks.text.search_text`: "hoa" finds "hoà", not "hoạch"). The
predicate is a plain ``LIKE`` on both databases; the indexes only narrow the rows it runs on:
a ``pg_trgm`` GIN index on PostgreSQL (which ``LIKE`` uses directly) and an FTS5 trigram table,
``article_fts``, on SQLite (looked up with ``MATCH``).
Both are created by the migration that added these columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, select, text

from portal_blocks.models import Article, ArticleStatus
from portal_blocks.text.search_text import exact_form, folded_form

#: A search with more words than this is cut, so one request cannot build an unbounded query.
MAX_TERMS = 8
#: Characters a search query may have; longer ones are refused.
MAX_QUERY_LENGTH = 200

FTS_TABLE = "article_fts"


@dataclass(frozen=True)
class SearchQuery:
    """A reader's query, split into words, in the folded and the exact form."""

    folded: tuple[str, ...]
    exact: tuple[str, ...]

    @classmethod
    def parse(cls, raw: str) -> SearchQuery | None:
        """``None`` for a query with no words (which then filters nothing)."""
        words = [w for w in raw.split() if folded_form(w).strip()][:MAX_TERMS]
        if not words:
            return None
        return cls(
            folded=tuple(folded_form(w) for w in words), exact=tuple(exact_form(w) for w in words)
        )

    def matches(self, dialect: str) -> ColumnElement[bool]:
        """The filter: every folded word is contained in ``search_folded``."""
        contained = and_(
            *(Article.search_folded.contains(word, autoescape=True) for word in self.folded)
        )
        if dialect != "sqlite":
            return contained
        # Every padded word (" x ") is at least a trigram, so the FTS table can narrow each.
        phrase = " ".join('"' + w.replace('"', '""') + '"' for w in self.folded)
        candidates = (
            select(text("rowid"))
            .select_from(text(FTS_TABLE))
            .where(text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=phrase))
        )
        return and_(Article.id.in_(candidates.scalar_subquery()), contained)

    def rank(self) -> ColumnElement[int]:
        """0 when the text holds every word with the reader's exact diacritics, else 1."""
        exact = and_(*(Article.search_exact.contains(word, autoescape=True) for word in self.exact))
        return case((exact, 0), else_=1)


def published() -> ColumnElement[bool]:
    """What readers may see in lists: published, with a publish date to order by."""
    return and_(Article.status == ArticleStatus.PUBLISHED, Article.published_at.is_not(None))
