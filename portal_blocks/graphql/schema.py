"""The GraphQL schema, built once at import (building it per app is slow and, with relay
nodes, breaks: strawberry#3360).
"""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from portal_blocks.blocks import UnknownBlockType, registry
from portal_blocks.blocks.settings import SettingsInvalid
from portal_blocks.graphql.article import ArticleType
from portal_blocks.graphql.articles import ArticleQueries
from portal_blocks.graphql.block_types import BlockTypeInfo, SettingsValidation
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.errors import NotFound, UnknownBlockTypeError, UserError, should_mask
from portal_blocks.graphql.page import PageType
from portal_blocks.layout.pages import load_page

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
DOCUMENT_CACHE_SIZE = 1024

# Built once: a limiter built per request makes every ValidationCache lookup miss.
_LIMIT_RULES = tuple(
    QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules
    + MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules
)


def _block_type(name: str) -> BlockTypeInfo:
    try:
        return BlockTypeInfo.from_block_type(registry.get(name))
    except UnknownBlockType as exc:
        raise UnknownBlockTypeError(str(exc), blockType=name) from None


@strawberry.type
class PageQueries:
    @strawberry.field(
        description="The page at a path (e.g. /tin-tuc/<slug> or a legacy "
        "/Pages/<slug>.aspx), with its regions and blocks in order."
    )
    def page(self, info: Info, path: str) -> PageType | None:
        ctx = info.context
        page = load_page(
            ctx.session,
            ctx.source,
            path,
            locale=ctx.locale,
            timezone=ctx.timezone,
            viewer=ctx.viewer,
        )
        if page is None:
            raise NotFound(f"No page at path '{path}'.", path=path)
        return page

    @strawberry.field(description="A published article by its slug.")
    def article(self, info: Info, slug: str) -> ArticleType | None:
        record = info.context.source.by_slug(slug)
        if record is None:
            raise NotFound(f"No article with slug '{slug}'.", slug=slug)
        return ArticleType.from_record(record)

    @strawberry.field(description="Every registered block type.")
    def block_types(self) -> list[BlockTypeInfo]:
        return [BlockTypeInfo.from_block_type(t) for t in registry]

    @strawberry.field(description="One registered block type by name.")
    def block_type(self, name: str) -> BlockTypeInfo | None:
        return _block_type(name)

    @strawberry.field(description="Check settings for a block type without saving anything.")
    def validate_block_settings(self, block_type: str, settings: JSON) -> SettingsValidation:
        try:
            definition = registry.get(block_type)
        except UnknownBlockType as exc:
            raise UnknownBlockTypeError(str(exc), blockType=block_type) from None
        try:
            loaded = definition.validate(settings)
        except SettingsInvalid as exc:
            return SettingsValidation(
                valid=False,
                settings=None,
                errors=[
                    UserError(field=f"settings.{p.field}", code=p.code, message=p.message)
                    for p in exc.problems
                ],
            )
        return SettingsValidation(valid=True, settings=definition.dump(loaded), errors=[])


#: Each domain contributes its own query and mutation classes; add one line here per class.
QUERY_TYPES: tuple[type, ...] = (
    PageQueries,
    ArticleQueries,
)
MUTATION_TYPES: tuple[type, ...] = ()

Query = merge_types("Query", QUERY_TYPES)
Mutation = merge_types("Mutation", MUTATION_TYPES) if MUTATION_TYPES else None

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[t.graphql_type for t in registry],
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(list(_LIMIT_RULES)),
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: MaskErrors(should_mask_error=should_mask),
    ],
    config=StrawberryConfig(disable_field_suggestions=True),
)
