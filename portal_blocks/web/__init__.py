"""The Flask views: GraphQL, HTML fragments, the print view, health checks and the demo theme."""
