"""An app served on a loopback port in a thread, for tests that need a real HTTP server (a
browser, Varnish, a CMS's webhook, a portal reading another)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import make_server


@contextmanager
def served(app: Flask, port: int = 0) -> Iterator[str]:
    """The app's base URL while the block runs (``port`` 0: a free one)."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
