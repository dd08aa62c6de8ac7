"""A JSON POST's body is read once by the front (caching/front.py ``request_body``), faster
than werkzeug's guarded stream, and every later reader of the request gets the same bytes."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask, Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import EnvironBuilder

from portal_blocks.caching.front import request_body

BODY = json.dumps({"query": "{ __typename }", "variables": {"path": "/tin-tuc/giá-trị"}}).encode()


def _request(**environ: object) -> Request:
    built = EnvironBuilder(method="POST", data=BODY, content_type="application/json")
    return Request({**built.get_environ(), **environ})


def test_the_body_is_read_from_the_input_and_left_for_later_readers() -> None:
    request = _request()
    with Flask(__name__).test_request_context():
        assert request_body(request) == BODY
        # Read directly, then handed back as a stream of the same bytes.
        assert isinstance(request.environ["wsgi.input"], io.BytesIO)
        assert request.get_data() == BODY


def test_a_server_that_terminates_the_input_is_read_directly_too() -> None:
    """gunicorn terminates the input itself (``wsgi.input_terminated``), and werkzeug then
    wraps it only to bound it by ``MAX_CONTENT_LENGTH``: a declared length bounds it too."""
    request = _request(**{"wsgi.input_terminated": True})
    with Flask(__name__).test_request_context():
        assert request_body(request) == BODY
        assert isinstance(request.environ["wsgi.input"], io.BytesIO)
        assert request.get_data() == BODY


def test_a_chunked_body_is_read_by_werkzeug() -> None:
    """No declared length to bound a direct read by (``Transfer-Encoding: chunked``, which a
    server that terminates the input decodes): werkzeug's reading, whatever Content-Length
    claims beside it."""
    request = _request(**{"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})
    original = request.environ["wsgi.input"]
    with Flask(__name__).test_request_context():
        assert request_body(request) == BODY
    assert request.environ["wsgi.input"] is original


def test_a_body_over_the_apps_limit_is_werkzeugs_413() -> None:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 10
    with app.test_request_context(), pytest.raises(RequestEntityTooLarge):
        request_body(_request())


def test_strawberry_reads_what_the_front_read_when_the_front_leaves_it(client) -> None:
    """A batch is left to strawberry, which reads the body again: it refuses the batch as a
    batch, not as an empty or unreadable body."""
    response = client.post("/graphql", json=[{"query": "{ __typename }"}] * 2)
    assert response.status_code == 400
    assert "batch" in response.get_json()["errors"][0]["message"].lower()
