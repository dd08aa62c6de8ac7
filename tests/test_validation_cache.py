"""Validation is cached by the document's text: validated once, answered the same after."""

from __future__ import annotations

import uuid

from portal_blocks.graphql import documents


def test_a_document_is_validated_once_and_its_errors_kept(client, monkeypatch):
    calls: list[str] = []
    real = documents.validate_document

    def counting(schema, document, rules):
        calls.append(document.loc.source.body)
        return real(schema, document, rules)

    monkeypatch.setattr(documents, "validate_document", counting)
    marker = uuid.uuid4().hex  # a text no earlier test sent: not in the cache yet
    good = f"query Good_{marker} {{ blockTypes {{ name }} }}"
    bad = f"query Bad_{marker} {{ blockTypes {{ nosuchfield }} }}"
    for _ in range(3):
        assert "errors" not in client.post("/graphql", json={"query": good}).get_json()
        body = client.post("/graphql", json={"query": bad}).get_json()
        assert body["errors"][0]["message"] == (
            "Cannot query field 'nosuchfield' on type 'BlockType'."
        )
    assert calls == [good, bad]
