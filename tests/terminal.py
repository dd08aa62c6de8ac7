"""Running a command with one of its streams on a pseudo-terminal, as a person at a terminal
runs it (click shows progress bars and table headers there only)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
from collections.abc import Mapping, Sequence


def run_on_terminal(
    args: Sequence[str], *, env: Mapping[str, str], stream: str, timeout: float
) -> tuple[subprocess.CompletedProcess[bytes], str]:
    """Run ``args`` with ``stream`` ("stdout" or "stderr") on a terminal, the other piped;
    returns the run and what the terminal showed."""
    primary, secondary = pty.openpty()
    other = subprocess.PIPE
    try:
        run = subprocess.run(
            list(args),
            env=dict(env),
            stdout=secondary if stream == "stdout" else other,
            stderr=secondary if stream == "stderr" else other,
            timeout=timeout,
            check=False,
        )
        os.close(secondary)
        secondary = -1
        shown = _read_all(primary).decode()
    finally:
        os.close(primary)
        if secondary != -1:
            os.close(secondary)
    return run, shown


def _read_all(fd: int) -> bytes:
    chunks = []
    while select.select([fd], [], [], 2)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
