"""Serving a page at close to the cost of a static JSON route.

- :mod:`hints`: what a response depends on, filled in by the resolvers that read the data.
- :mod:`stores`: keyed entries dropped by tag, in process memory or in Redis (shared by all).
- :mod:`responses`: the response cache's entries and keys.
- :mod:`page_data`: readers' route, layout and article by path, so a response-cache miss
  costs no SQL either.
- :mod:`viewers`: readers' saved display preferences by viewer id.
- :mod:`near`: with Redis, each process's own tier in front of it, kept current by pub/sub.
- :mod:`invalidation`: events of our session class that turn every write committed through
  it into tags (a host's own sessions are left alone).
- :mod:`invalidation_log`: how processes on one host without Redis learn of each other's writes.
- :mod:`cli`: ``persisted-queries add`` and ``caches clear``.
- :mod:`persisted`: persisted queries (Apollo APQ compatible) and their shared store.
- :mod:`front` (composition): the request path that answers a warm hit before GraphQL runs.
- :mod:`setup` (composition): building an app's caches from its config, one tier each.
"""
