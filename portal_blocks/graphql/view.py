"""The Flask view serving GraphQL, built once per app (not per request)."""

from __future__ import annotations

from flask import Request, Response, current_app
from strawberry.flask.views import GraphQLView

from portal_blocks.graphql.context import PortalContext


class PortalGraphQLView(GraphQLView[PortalContext, None]):
    init_every_request = False

    def get_context(self, request: Request, response: Response) -> PortalContext:
        state = current_app.extensions["portal_blocks"]
        return state.context(request=request, response=response)
