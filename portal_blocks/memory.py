"""Large blocks of memory go back to the system when freed, in the processes we serve from.

A GraphQL request body may be up to ``MAX_BODY_BYTES``, and each is decoded, parsed and copied
a few times. glibc's allocator serves a large block from ``mmap`` (given back on free) until
the first one is freed; then it raises its threshold to that size and serves the next ones from
the heap, where freed blocks stay resident: a worker answering 400 distinct 900 KB documents
grew by 471 MB although it kept 33 MB of them (``benchmarks/memory.py``). Fixing the threshold
at glibc's default (128 KiB) keeps large blocks on ``mmap``: the same run grows by 33 MB.

Only the processes this package starts call it (``portal-blocks serve`` and ``demo``, and
``portal_blocks.wsgi``): the allocator is the whole process's, so a host app embedding the
blocks keeps its own settings.
"""

from __future__ import annotations

import ctypes
import ctypes.util
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
