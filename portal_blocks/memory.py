"""The memory of the processes we serve from: large freed blocks go back to the system, and
the workers gunicorn forks share what the app built at startup.

A GraphQL request body may be up to ``MAX_BODY_BYTES``, and each is decoded, parsed and copied
a few times. glibc's allocator serves a large block from ``mmap`` (given back on free) until
the first one is freed; then it raises its threshold to that size and serves the next ones from
the heap, where freed blocks stay resident: a worker answering 400 distinct 900 KB documents
grew by 471 MB although it kept 33 MB of them (``benchmarks/memory.py``). Fixing the threshold
at glibc's default (128 KiB) keeps large blocks on ``mmap``: the same run grows by 33 MB.

``portal-blocks serve`` builds the app once and forks its workers from it, so their pages are
shared until written. The garbage collector writes to every object it walks; the first full
collection in each worker copied the pages of everything the app built at startup (the schema,
the models, the templates): two workers held 157–166 MB of their own instead of 100–108 MB
(``benchmarks/workers.py``). Frozen before the fork, those objects are never walked again.

Only the processes this package starts call these (``portal-blocks serve`` and ``demo``, and
``portal_blocks.wsgi``): the allocator and the collector are the whole process's, so a host app
embedding the blocks keeps its own settings.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

log = logging.getLogger(__name__)

#: ``M_MMAP_THRESHOLD`` in glibc's ``malloc.h``, and the default it is fixed at.
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 128 * 1024


def keep_large_blocks_off_the_heap() -> bool:
    """Fix glibc's mmap threshold; False where the C library is not glibc (nothing to do)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # musl, macOS: no mallopt, and no such growth
        return False
    done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    if not done:
        log.warning("mallopt(M_MMAP_THRESHOLD) refused; large freed blocks may stay resident")
    return done


def share_startup_objects() -> int:
    """Move every object alive now out of the collector's reach, after collecting the garbage
    startup left (frozen, it would stay); the number frozen. Called last before the fork: the
    workers' collections then walk only what each builds itself, and leave the startup pages
    shared. Objects frozen are never collected, so this is for what lives as long as the
    process (an app built to serve), not for a process that builds and drops apps."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
