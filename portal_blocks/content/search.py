"""Diacritic-insensitive search over articles, the same on SQLite and PostgreSQL.

Each article carries two shadow columns computed in Python
(:func:`portal_blocks.text.search_text.search_columns`, called on every insert and update of an
:class:`~portal_blocks.models.Article`), so both databases compare the very same strings:

* ``search_folded``: :func:`portal_blocks.text.fold.fold` of the text ("Đồng" -> "dong",
  "hòa" and "hoà" -> "hoa"), which a query typed without diacritics is matched against;
* ``search_exact``: the NFC, lower-cased text, which decides whether a match also has the
  reader's exact diacritics, and so ranks above matches that only fold alike.

A query matches when every one of its words, folded, occurs in ``search_folded`` as whole tokens
(see :mod:`portal_blocks.text.search_text`: "hoa" finds "hoà", not "hoạch"). The predicate is a
plain ``LIKE`` (or substring test) on both databases; the indexes only narrow the rows it runs
on: ``pg_trgm`` GIN indexes on both columns on PostgreSQL (which ``LIKE`` uses directly), and an
FTS5 word index ``article_fts`` over both columns on SQLite (looked up with ``MATCH``). The
migration that added the columns creates them.

Neither database estimates well how many rows a ``LIKE '% word %'`` matches, and the best plan
depends on it: many matches are found fastest by reading the newest articles in publish-date
order until a page is full; a few, through the search index. So a search reads the newest
:data:`WINDOW` articles first, and turns to the index only if they do not fill the page
(see :func:`portal_blocks.content.listing.list_articles`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, literal_column, select, text, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnClause, SQLColumnExpression
from sqlalchemy.sql.functions import FunctionElement

from portal_blocks.models import Article
from portal_blocks.text.search_text import exact_form, folded_form

#: A search with more words than this is cut, so one request cannot build an unbounded query.
MAX_TERMS = 8
#: Characters a search query may have; longer ones are refused.
MAX_QUERY_LENGTH = 200

FTS_TABLE = "article_fts"
#: How many of the newest articles a search reads directly before it turns to the index.
WINDOW = 1000


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

    def matches(self, *, indexed: bool = True) -> ColumnElement[bool]:
        """The filter: every folded word occurs in ``search_folded``."""
        return _contains_all(Article.search_folded, self.folded, indexed)

    def exact_match(self, *, indexed: bool = True) -> ColumnElement[bool]:
        """Every word occurs with the reader's exact diacritics (rank 0; else rank 1)."""
        return _contains_all(Article.search_exact, self.exact, indexed)

    def fts_query(self, column: str, words: tuple[str, ...]) -> str | None:
        """An FTS5 query for SQLite: each word as a phrase of its tokens.

        The FTS tokenizer drops punctuation, so its matches are a superset of ours ("4,7%"
        looks up the phrase "4 7"), and the ``LIKE`` decides. Words without letters or
        digits cannot be looked up; ``None`` when no word can.
        """
        phrases = [
            '"' + w.strip().replace('"', '""') + '"' for w in words if any(c.isalnum() for c in w)
        ]
        return f"{column} : (" + " ".join(phrases) + ")" if phrases else None

    def candidates(self, dialect: str, *, exact: bool) -> ColumnElement[bool]:
        """Narrow to the rows the search index yields (SQLite only: PostgreSQL's GIN indexes
        serve the ``LIKE`` itself)."""
        if dialect != "sqlite":
            return true()
        column, words = ("search_exact", self.exact) if exact else ("search_folded", self.folded)
        query = self.fts_query(column, words)
        return Article.id.in_(_fts_rowids(query)) if query else true()


class position_in(FunctionElement[int]):
    """``position_in(text, word)``: where ``word`` starts in ``text`` (1-based), 0 if absent.

    ``instr`` on SQLite, ``strpos`` on PostgreSQL: a plain substring search, no patterns.
    Faster than ``LIKE '%word%'`` where no index is wanted, and it keeps PostgreSQL's planner
    off the trigram index when reading the newest articles is the better plan.
    """

    type = Integer()
    name = "position_in"
    inherit_cache = True


@compiles(position_in)
def _position_in_sqlite(element: position_in, compiler: SQLCompiler, **kw: Any) -> str:
    return f"instr{compiler.process(element.clause_expr, **kw)}"


@compiles(position_in, "postgresql")
def _position_in_postgresql(element: position_in, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strpos{compiler.process(element.clause_expr, **kw)}"


def _contains_all(
    column: SQLColumnExpression[str], words: tuple[str, ...], indexed: bool
) -> ColumnElement[bool]:
    """``LIKE`` where the trigram index should serve it, else a plain substring test; both
    compare the same strings, so the results are the same."""
    if indexed:
        return and_(*(column.contains(word, autoescape=True) for word in words))
    return and_(*(position_in(column, word) > 0 for word in words))


def _fts_rowids(query: str) -> Select[Any]:
    # Each query an anonymous parameter: several may meet.
    table: ColumnClause[Any] = literal_column(FTS_TABLE)
    return select(text("rowid")).select_from(text(FTS_TABLE)).where(table.op("MATCH")(query))
