"""Cacheable GraphQL answers name every request header they depend on, and their language.

The probe's fault: answers chosen by ``Accept-Language`` sent ``Vary: Cookie`` only and no
``Content-Language``, so a CDN gave the English answer to Vietnamese readers.
"""

from __future__ import annotations

import pytest
from cache_support import get_params, register
from conftest import REFERENCE_LEGACY_PATH

from portal_blocks import create_app
from portal_blocks.db import db

LABELS = {
    "query": "query Labels($path: String!) { page(path: $path) { regions { blocks {"
    " ... on Block_BanTin_Toolbar { fontSize { increaseLabel } } } } } }",
    "variables": f'{{"path": "{REFERENCE_LEGACY_PATH}"}}',
}


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_cacheable_get_varies_by_language_and_says_which(app, language):
    client = app.test_client()
    register(client)
    headers = {"Accept-Language": language}
    stored = client.get("/graphql", query_string=get_params(), headers=headers)
    hit = client.get("/graphql", query_string=get_params(), headers=headers)
    assert hit.headers["Cache-Status"].endswith("hit")
    for response in (stored, hit):
        assert {"accept-language", "cookie"} <= _vary(response)
        assert response.headers["Content-Language"] == language


def test_english_and_vietnamese_answers_differ_and_are_labelled(app):
    client = app.test_client()
    english = client.get("/graphql", query_string=LABELS, headers={"Accept-Language": "en"})
    vietnamese = client.get("/graphql", query_string=LABELS, headers={"Accept-Language": "vi"})
    assert english.get_json() != vietnamese.get_json()
    assert (english.headers["Content-Language"], vietnamese.headers["Content-Language"]) == (
        "en",
        "vi",
    )


def test_answers_to_allowed_origins_vary_by_origin(app, database_url, request):
    allowed = "https://portal.example.vn"
    cors_app = create_app(
        {"PORTAL_BLOCKS_DATABASE_URL": database_url, "PORTAL_BLOCKS_CORS_ORIGINS": allowed}
    )

    def dispose() -> None:
        with cors_app.app_context():
            db.engine.dispose()

    request.addfinalizer(dispose)
    client = cors_app.test_client()
    headers = {"Origin": allowed}
    first = client.get("/graphql", query_string=LABELS, headers=headers)
    second = client.get("/graphql", query_string=LABELS, headers=headers)
    assert second.headers["Cache-Status"].endswith("hit")
    for response in (first, second):
        assert response.headers["Access-Control-Allow-Origin"] == allowed
        assert {"origin", "accept-language", "cookie"} <= _vary(response)


@pytest.mark.parametrize("lang", ["en", "EN_gb"])
def test_an_answer_whose_address_names_its_language_varies_by_the_cookie_alone(app, lang):
    """With ``lang=`` in its address an answer is in that language whatever the browser says:
    naming ``Accept-Language`` in ``Vary`` made an edge keep a copy per browser language."""
    client = app.test_client()
    register(client)
    params = {**get_params(), "lang": lang}
    browsers = ("vi-VN,vi;q=0.9,en-US;q=0.8", "fr-FR", "en")
    answers = [
        client.get("/graphql", query_string=params, headers={"Accept-Language": browser})
        for browser in browsers
    ]
    assert answers[0].headers["Cache-Status"].endswith("stored")
    assert all(answer.headers["Cache-Status"].endswith("hit") for answer in answers[1:])
    for answer in answers:
        assert _vary(answer) == {"cookie"}
        assert answer.headers["Content-Language"] == "en"
        assert answer.get_data() == answers[0].get_data()
    fragment = client.get(
        "/fragments/page", query_string={"path": REFERENCE_LEGACY_PATH, "lang": lang}
    )
    assert fragment.status_code == 200 and _vary(fragment) == {"cookie"}


def test_a_language_the_portal_lacks_leaves_the_choice_to_the_browser(app):
    client = app.test_client()
    register(client)
    params = {**get_params(), "lang": "zz"}
    answer = client.get("/graphql", query_string=params, headers={"Accept-Language": "en"})
    assert answer.headers["Content-Language"] == "en"
    assert {"accept-language", "cookie"} == _vary(answer)
    fragment = client.get(
        "/fragments/page", query_string={"path": REFERENCE_LEGACY_PATH, "lang": "zz"}
    )
    assert _vary(fragment) == {"accept-language", "cookie"}
