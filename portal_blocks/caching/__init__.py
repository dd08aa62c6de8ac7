"""Serving a page at close to the cost of a static JSON route.

- :mod:`hints`: what a response depends on, filled in by the resolvers that read the data.
- :mod:`responses`: the response cache (process memory, or Redis shared by every process).
- :mod:`invalidation`: SQLAlchemy session events that turn any committed write into tags.
- :mod:`invalidation_log`: how processes on one host without Redis learn of each other's writes.
- :mod:`persisted`: persisted queries (Apollo APQ compatible) and their shared store.
- :mod:`front`: the request path that answers a warm hit before GraphQL runs at all.
"""
