"""What the benchmarks that serve the app in a process of its own share: a free loopback port,
waiting until the server answers (or telling why it never will), and stopping it."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(
    server: subprocess.Popen[bytes], answers: Callable[[], bool], what: str, seconds: float = 30
) -> None:
    """Return once ``answers()`` is true; a connection refused is a server still starting.
    ``SystemExit`` naming ``what`` when the server exits first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if answers():
                return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{what} did not start")
        time.sleep(0.2)


def stop(server: subprocess.Popen[bytes], seconds: float = 20) -> None:
    """SIGTERM (gunicorn's graceful stop: workers finish their request), then SIGKILL if it
    has not exited within ``seconds``."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
