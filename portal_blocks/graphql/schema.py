"""The GraphQL schema, built once at import (building it per app is slow and, with relay
nodes, breaks: strawberry#3360).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from inspect import isawaitable
from typing import Any

import strawberry
from graphql import (
    ASTValidationRule,
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    execute,
    specified_rules,
)
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.scalars import JSON
from strawberry.schema._graphql_core import execution_context_class_kwargs
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.tools import merge_types
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from portal_blocks.assembly.page import load_page
from portal_blocks.blocks.registry import BlockRegistry, BlockType, UnknownBlockType
from portal_blocks.cache_tags import ARTICLES_TAG
from portal_blocks.content.queries import InvalidCursor
from portal_blocks.graphql import resolvers
from portal_blocks.graphql.article import ArticleType
from portal_blocks.graphql.article_mutations import ArticleMutations
from portal_blocks.graphql.articles import ArticleQueries
from portal_blocks.graphql.block_types import BlockTypeInfo, SettingsValidation
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.direct_resolvers import call_directly
from portal_blocks.graphql.documents import DocumentCache, document_problem
from portal_blocks.graphql.editor_queries import EditorQueries
from portal_blocks.graphql.editor_types import user_errors
from portal_blocks.graphql.errors import (
    InvalidArgument,
    NotFound,
    UnknownBlockTypeError,
    log_errors,
)
from portal_blocks.graphql.executor import PortalExecutor
from portal_blocks.graphql.layout_mutations import LayoutMutations
from portal_blocks.graphql.limits import DEFAULT_MAX_COST, operation_limits
from portal_blocks.graphql.page import PageType, graphql_page
from portal_blocks.graphql.permissions import require_preview
from portal_blocks.graphql.policy import OperationPolicy
from portal_blocks.graphql.preferences import PreferenceMutations, PreferenceQueries
from portal_blocks.graphql.ready_queries import finished, ready_document
from portal_blocks.graphql.scalars import SCALAR_OVERRIDES
from portal_blocks.graphql.text_input import NoNulInStringLiterals
from portal_blocks.layout.references import check_references
from portal_blocks.problems import Refused


@dataclass(frozen=True)
class Limits:
    """What one request may ask for; each has a PORTAL_BLOCKS_* setting (see config.py)."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    introspection: bool = True
    #: Fragment spreads one operation may expand to (a fragment spread twice counts twice).
    #: A tenth of the default token limit: each spread costs what a written-out copy of its
    #: fragment would, and real documents spread far fewer. No setting of its own yet.
    max_fragment_spreads: int = 500
    #: What one operation may cost: its fields' costs times the sizes of the lists they sit
    #: in (graphql/limits.py, "Cost"); PORTAL_BLOCKS_MAX_COST.
    max_cost: int = DEFAULT_MAX_COST

    def validation_rules(self) -> list[type[ASTValidationRule]]:
        """strawberry's depth and alias limiters follow every path through the fragment spreads
        (exponential in the document's length); ``operation_limits`` counts (and prices) each
        fragment once.
        """
        rules: list[type[ASTValidationRule]] = [
            NoNulInStringLiterals,
            operation_limits(
                max_depth=self.max_depth,
                max_aliases=self.max_aliases,
                max_fragment_spreads=self.max_fragment_spreads,
                max_cost=self.max_cost,
            ),
        ]
        if not self.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        return rules


def _block_type(info: Info, name: str) -> BlockTypeInfo:
    try:
        return BlockTypeInfo.from_block_type(info.context.block_types.get(name))
    except UnknownBlockType as exc:
        raise UnknownBlockTypeError(str(exc), blockType=name) from None


@strawberry.type
class PageQueries:
    @resolvers.field(
        description="The page at a path (e.g. /tin-tuc/<slug> or a legacy "
        "/Pages/<slug>.aspx), with its regions and blocks in order. The path is looked up on "
        "the host the request came to; a full URL (https://<host>/Pages/...) names its own "
        "host (a department sub-site's legacy address). Readers get the published layout; "
        "`preview: true` (editors only) the draft layout with draft articles."
    )
    def page(self, info: Info, path: str, preview: bool = False) -> PageType | None:
        ctx = info.context
        if preview:
            require_preview(info)
        try:
            page = load_page(ctx.page_request(), path, preview=preview)
        except InvalidCursor as exc:
            raise InvalidArgument(f"The path's 'after': {exc}", argument="path") from None
        if page is None:
            raise NotFound(f"No page at path '{path}'.", path=path)
        ctx.cache.depend_on(info, page.tags(), page.max_age())
        if page.preview:
            ctx.cache.forbid_sharing()
        return graphql_page(page)

    @resolvers.field(description="A published article by its slug.")
    def article(self, info: Info, slug: str) -> ArticleType | None:
        record = info.context.source.by_slug(slug)  # the source tags the response
        if record is None:
            raise NotFound(f"No article with slug '{slug}'.", slug=slug)
        info.context.cache.depend_on(info)
        return ArticleType.from_record(record)

    # Block types are code: their answers depend on no data.
    @resolvers.field(description="Every registered block type.")
    def block_types(self, info: Info) -> list[BlockTypeInfo]:
        info.context.cache.depend_on(info)
        return [BlockTypeInfo.from_block_type(t) for t in info.context.block_types]

    @resolvers.field(description="One registered block type by name.")
    def block_type(self, info: Info, name: str) -> BlockTypeInfo | None:
        info.context.cache.depend_on(info)
        return _block_type(info, name)

    @resolvers.field(description="Check settings for a block type without saving anything.")
    def validate_block_settings(
        self, info: Info, block_type: str, settings: JSON
    ) -> SettingsValidation:
        # Whether a slug names an article depends on every article.
        info.context.cache.depend_on(info, (ARTICLES_TAG,))
        try:
            definition = info.context.block_types.get(block_type)
        except UnknownBlockType as exc:
            raise UnknownBlockTypeError(str(exc), blockType=block_type) from None
        try:
            loaded = definition.validate(settings)
            check_references(info.context.session, definition.schema, loaded)
        except Refused as exc:
            return SettingsValidation(valid=False, settings=None, errors=user_errors(exc.problems))
        return SettingsValidation(valid=True, settings=JSON(definition.dump(loaded)), errors=[])


#: Each domain contributes its own query and mutation classes; add one line here per class.
QUERY_TYPES: tuple[type, ...] = (
    PageQueries,
    PreferenceQueries,
    EditorQueries,
    ArticleQueries,
)
MUTATION_TYPES: tuple[type, ...] = (
    PreferenceMutations,
    LayoutMutations,
    ArticleMutations,
)

Query = merge_types("Query", QUERY_TYPES)
Mutation = merge_types("Mutation", MUTATION_TYPES) if MUTATION_TYPES else None


class PortalSchema(strawberry.Schema):
    """strawberry's schema, built by :func:`schema_for` with one extension, the operation
    policy, whose work for a kept, valid query :meth:`execute_sync` does itself."""

    #: Parsed and validated documents, shared by this schema's requests.
    documents: DocumentCache
    #: Every rule an operation is validated by, and the token cap it is parsed under.
    operation_rules: tuple[type[ASTValidationRule], ...]
    max_tokens: int
    #: The block types this schema has a GraphQL type for: the ones its app serves (apps of
    #: one process may serve different sets, see ``PORTAL_BLOCKS_BLOCK_TYPES``).
    block_types: BlockRegistry

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        log_errors(errors)

    def execute_sync(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """A kept, valid query straight through graphql-core (see :mod:`.ready_queries`);
        anything else strawberry's way."""
        allowed = (
            DEFAULT_ALLOWED_OPERATION_TYPES
            if allowed_operation_types is None
            else allowed_operation_types
        )
        # Custom directives would add an extension of strawberry's own to every request.
        document = (
            None
            if self.directives
            else ready_document(
                self.documents,
                self.operation_rules,
                query,
                operation_name,
                variable_values,
                allowed,
            )
        )
        if document is None:
            return super().execute_sync(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed,
                operation_extensions,
            )
        result = execute(
            self._schema,
            document,
            root_value=root_value,
            variable_values=variable_values,
            operation_name=operation_name,
            context_value=context_value,
            # strawberry's check, faster than graphql-core's (typed as a plain bool test)
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            **execution_context_class_kwargs(self.execution_context_class),
            **self._get_custom_context_kwargs(operation_extensions, sync=True),
        )
        if isawaitable(result):  # no resolver of ours is async: a bug, answered as one
            getattr(result, "close", lambda: None)()
            error = RuntimeError("GraphQL execution failed to complete synchronously.")
            errors = [GraphQLError(str(error), original_error=error)]
            return finished(None, errors, self.process_errors)
        return finished(result.data, result.errors, self.process_errors)

    def document_problem(self, text: str) -> str | None:
        """Why ``text`` cannot run here, or None: what a persisted document must pass."""
        return document_problem(
            self.documents, self._schema, text, self.operation_rules, self.max_tokens
        )


@lru_cache(maxsize=8)
def schema_for(limits: Limits, block_types: tuple[BlockType, ...]) -> PortalSchema:
    """One schema per distinct set of limits and block types, built once per process (the
    app builds it at creation, over the block types it serves).

    The rules are built here, once: a limiter built per request makes every validation-cache
    lookup miss (a 5x slower request).
    """
    rules = tuple(limits.validation_rules())
    documents = DocumentCache()
    schema = PortalSchema(
        query=Query,
        mutation=Mutation,
        types=[t.graphql_type for t in block_types],
        extensions=[lambda: OperationPolicy(limits.max_tokens, rules, documents)],
        execution_context_class=PortalExecutor,
        config=StrawberryConfig(disable_field_suggestions=True),
        scalar_overrides=SCALAR_OVERRIDES,
    )
    if not schema.exception_handlers:
        call_directly(schema._schema, schema.config)
    schema.documents = documents
    schema.operation_rules = (*specified_rules, *rules)
    schema.max_tokens = limits.max_tokens
    schema.block_types = BlockRegistry(block_types)
    return schema
