"""Articles read from another CMS over its GraphQL API (Wagtail's grapple, WPGraphQL, another
portal-blocks): the client, the mapping of its fields to ours, and the sources."""
