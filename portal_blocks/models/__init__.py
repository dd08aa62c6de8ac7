"""The persistent model: articles, layouts with regions, block placements and routes."""

from portal_blocks.models.article import Article, ArticleStatus
from portal_blocks.models.layout import Layout, Placement, Route
from portal_blocks.models.persisted_query import PersistedQuery

__all__ = ["Article", "ArticleStatus", "Layout", "PersistedQuery", "Placement", "Route"]
