"""Hosts as routes hold them, for every place one comes in: a request's ``Host``, an import's
URL line or ``--main-host``, a JSON Lines record's ``legacy_host``, an editor's ``routePath``.
Here, below routing and the content schemas, so that each normalises a host the one same way
(one host written two ways would be two sites)."""

from __future__ import annotations

import re
from functools import lru_cache

#: A host as routes hold it: DNS labels, or an IPv6 address (without its brackets).
_HOST = re.compile(r"[a-z0-9_](?:[a-z0-9_.-]{0,252}[a-z0-9_])?|[0-9a-f:.]{2,45}")


@lru_cache(maxsize=256)
def normalise_host(host: str | None) -> str | None:
    """A Host header's (or a URL's) host as routes hold it: lowercased, without its port or a
    final dot; None when there is none, or when it is nothing a route could be bound to (then
    only unbound routes answer). Never an error: any client sends any Host."""
    if not host:
        return None
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        host = host[1:end] if end > 0 else ""
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    host = host.rstrip(".")
    return host if _HOST.fullmatch(host) else None


#: What a host named on its own (``--main-host``, ``legacy_host``, ``routePath(host:)``) never
#: holds: a URL's parts around it, which :func:`normalise_host` would cut at the wrong place
#: (``https://x.vn/`` would be the host ``https``).
_NOT_IN_A_HOST = re.compile(r"[/\\@?#\s]")


def named_host(value: str) -> str | None:
    """A host someone named, as routes hold it; None when it is no host (a URL, a path)."""
    return None if _NOT_IN_A_HOST.search(value.strip()) else normalise_host(value)
