"""The persistent model: articles, layouts with regions, block placements, routes, revisions,
the audit trail, API tokens and the workspace's editor sessions."""

from portal_blocks.auth.models import ApiToken, EditorSession, Role
from portal_blocks.models.article import Article, ArticleStatus
from portal_blocks.models.history import AuditEntry, LayoutRevision
from portal_blocks.models.layout import Layout, Placement, Route
from portal_blocks.models.persisted_query import PersistedQuery
from portal_blocks.models.preference import DisplayPreference

__all__ = [
    "ApiToken",
    "Article",
    "ArticleStatus",
    "AuditEntry",
    "DisplayPreference",
    "EditorSession",
    "Layout",
    "LayoutRevision",
    "PersistedQuery",
    "Placement",
    "Role",
    "Route",
]
