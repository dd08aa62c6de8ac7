"""The reader's display preferences: read and set through GraphQL, keyed by the viewer cookie."""

from __future__ import annotations

import strawberry

from portal_blocks.graphql import resolvers
from portal_blocks.graphql.context import Info
from portal_blocks.graphql.errors import UserError
from portal_blocks.preferences import (
    TEXT_SIZE_MAX,
    TEXT_SIZE_MIN,
    new_viewer_id,
    save_preferences,
    set_viewer_cookie,
)


@strawberry.type(description="What this viewer chose for reading; each block clamps it.")
class DisplayPreferences:
    text_size: int | None = strawberry.field(
        description="Body text size in percent of the theme's size; null when never chosen."
    )


@strawberry.type(description="The outcome of setDisplayPreferences.")
class DisplayPreferencesPayload:
    preferences: DisplayPreferences | None
    errors: list[UserError]


@strawberry.type
class PreferenceQueries:
    @resolvers.field(description="The display preferences of the viewer making the request.")
    def display_preferences(self, info: Info) -> DisplayPreferences:
        return DisplayPreferences(text_size=info.context.viewer.get("text_size"))


@strawberry.type
class PreferenceMutations:
    @resolvers.mutation(
        description="Remember the viewer's text size (sets the anonymous pb_viewer cookie). "
        "Pages then render with it, clamped to each toolbar's bounds."
    )
    def set_display_preferences(self, info: Info, text_size: int) -> DisplayPreferencesPayload:
        ctx = info.context
        if not TEXT_SIZE_MIN <= text_size <= TEXT_SIZE_MAX:
            return DisplayPreferencesPayload(
                preferences=None,
                errors=[
                    UserError(
                        field="textSize",
                        code="OUT_OF_RANGE",
                        message=f"Must be between {TEXT_SIZE_MIN} and {TEXT_SIZE_MAX}.",
                    )
                ],
            )
        viewer = ctx.viewer_id or new_viewer_id()
        save_preferences(ctx.session, viewer, text_size=text_size)
        if ctx.response is not None:
            secure = bool(ctx.request and ctx.request.is_secure)
            set_viewer_cookie(ctx.response, viewer, secure=secure)
        return DisplayPreferencesPayload(
            preferences=DisplayPreferences(text_size=text_size), errors=[]
        )
