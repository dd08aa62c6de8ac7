"""The GraphQL API: schema assembly, context, errors and the Flask view."""
