"""Parsed and validated documents, kept by their text in a cache bounded in entries and bytes.

Parsing and validating cost far more than running a page query, and a theme sends the same few
documents all day, so each process keeps them. Two faults of the caches this replaces (an LRU of
parsed documents and one of validation results, each bounded in entries only):

- **Memory**: a document's syntax tree takes ~500 bytes per lexical token (measured with
  tracemalloc on graphql-core 3.3), a text padded with comments is kept whole, and its comment
  token keeps a second copy; 80 padded documents grew a worker by 143 MB. Entries here are
  charged their text, their tokens' copies and ``TOKEN_BYTES`` per token against a byte
  budget; a document larger than an eighth of it is not kept at all.
- **Speed**: the validation cache keyed results by the syntax tree, whose nodes do not keep
  their hash (~14 µs a lookup for the reference page query); text keys keep theirs.

Validation results are kept per rule set, as the rules an operation runs under are part of its
answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

#: Bytes a parsed document takes per lexical token, tree and token list included (measured:
#: 360-490 for documents from the reference page query to 7,000-token alias floods).
TOKEN_BYTES = 500
#: Documents kept per process: above the count of a theme's documents.
DOCUMENT_CACHE_SIZE = 1024
#: What they may take together: the documents of a busy portal need a few MB.
DOCUMENT_CACHE_BYTES = 32 * 1024 * 1024

Rules = tuple[type[ASTValidationRule], ...]


@dataclass(slots=True)
class _Entry:
    node: DocumentNode
    cost: int
    errors: dict[Rules, list[GraphQLError]] = field(default_factory=dict)


def document_cost(text: str, node: DocumentNode) -> int:
    """The bytes a kept document is charged: its text, its tree by its token count, and the
    text its tokens copy (a comment's or a string's token holds its own copy of it, so a
    document padded with a comment takes twice its length)."""
    tokens = copied = 0
    token = node.loc.start_token if node.loc is not None else None
    while token is not None:
        tokens += 1
        copied += len(token.value or "")
        token = token.next
    return len(text) + copied + TOKEN_BYTES * tokens


class DocumentCache:
    """Documents by their text, least recently used dropped first, within both bounds."""

    def __init__(
        self, max_entries: int = DOCUMENT_CACHE_SIZE, max_bytes: int = DOCUMENT_CACHE_BYTES
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def parse(self, text: str, *, max_tokens: int | None = None) -> DocumentNode:
        """The document of ``text``; raises GraphQLError for a syntax error (never kept)."""
        entry = self._entries.get(text)
        if entry is not None:
            with self._lock:
                if text in self._entries:
                    self._entries.move_to_end(text)
            return entry.node
        node = parse(text, max_tokens=max_tokens)
        self._keep(text, node)
        return node

    def ready(self, text: str, rules: Rules) -> DocumentNode | None:
        """The document of ``text`` if it is kept and was found valid under ``rules``; None
        when it is not kept, not validated under them yet, or invalid. Nothing is parsed or
        validated here: this is the check of a request that may skip both."""
        entry = self._entries.get(text)
        if entry is None or entry.errors.get(rules) != []:
            return None
        with self._lock:
            if text in self._entries:
                self._entries.move_to_end(text)
        return entry.node

    def validate(
        self, schema: GraphQLSchema, text: str, node: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        entry = self._entries.get(text)
        if entry is None or entry.node is not node:
            return _validated(schema, node, rules)
        errors = entry.errors.get(rules)
        if errors is None:
            errors = entry.errors[rules] = _validated(schema, node, rules)
        return errors

    def _keep(self, text: str, node: DocumentNode) -> None:
        cost = document_cost(text, node)
        if cost > self.max_bytes // 8:
            return
        with self._lock:
            if text in self._entries:
                return
            self._entries[text] = _Entry(node, cost)
            self.bytes += cost
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.bytes -= dropped.cost


def _validated(schema: GraphQLSchema, node: DocumentNode, rules: Rules) -> list[GraphQLError]:
    return [with_code(e, VALIDATION_FAILED) for e in validate_document(schema, node, rules)]


class CachedDocuments(SchemaExtension):
    """Parse and validate through the schema's :class:`DocumentCache`.

    A base class of the one extension every operation goes through
    (:class:`portal_blocks.graphql.policy.OperationPolicy`), not an extension of its own:
    strawberry builds each extension anew per request and dispatches each of its hooks."""

    documents: DocumentCache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        assert context.query is not None, "strawberry refuses a request with no query first"
        try:
            context.graphql_document = self.documents.parse(
                context.query, max_tokens=context.parse_options.get("max_tokens")
            )
        except GraphQLError as error:
            raise with_code(error, PARSE_FAILED) from None
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        node = context.graphql_document
        assert node is not None and context.query is not None, "parsed before validated"
        context.pre_execution_errors = self.documents.validate(
            context.schema._schema, context.query, node, context.validation_rules
        )
        yield


#: ``extensions.code`` of a document that does not parse, and of one that does not validate
#: (the codes Apollo Server gives them, which GraphQL clients already know).
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"


def with_code(error: GraphQLError, code: str) -> GraphQLError:
    """``error`` with ``code`` unless it has one: every error a client gets says its kind."""
    if not (error.extensions or {}).get("code"):
        error.extensions = {**(error.extensions or {}), "code": code}
    return error


def document_problem(
    documents: DocumentCache, schema: GraphQLSchema, text: str, rules: Rules, max_tokens: int
) -> str | None:
    """Why ``text`` could not run here (its first syntax or validation error), or None.

    Through the cache, so the document a client registers is parsed and validated once."""
    try:
        node = documents.parse(text, max_tokens=max_tokens)
    except GraphQLError as error:
        return error.message
    errors = documents.validate(schema, text, node, rules)
    return errors[0].message if errors else None
