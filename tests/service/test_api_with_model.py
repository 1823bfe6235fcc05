"""The service end to end with a real (tiny) trained model, over HTTP on loopback: /ask, the
TEXT2SPARQL API, input validation, and the official TEXT2SPARQL client against ``/``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
import yaml

from sparqlqa.bundled import CORPORATE_DATASET


class LiveServer(Protocol):
    url: str  # conftest.LiveServer: the service on loopback


ROOT = Path(__file__).resolve().parents[2]
T2S_VENV = ROOT / "var" / "t2s-venv"
PV = "http://ld.company.org/prod-vocab/"
WOLFGANG = "http://ld.company.org/prod-instances/empl-Wolfgang.Martin%40company.org"
DEPARTMENT = "Which department does Wolfgang Martin work in?"


def ask(server: LiveServer, **body: Any) -> httpx.Response:
    return httpx.post(f"{server.url}/ask", json=body, timeout=60)


def test_ask_answers_with_query_entities_and_timings(model_server: LiveServer) -> None:
    response = ask(model_server, question=DEPARTMENT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["answered"] is True and body["graph"] == "corporate" and body["reason"] is None
    # The query the model wrote, with the linked entity filled in, ran on the store.
    assert f"<{WOLFGANG}>" in body["query"] and "pv:memberOf" in body["query"]
    assert body["result"]["head"]["vars"] and body["result"]["results"]["bindings"]
    assert body["answers"] == [
        {
            "value": "http://ld.company.org/prod-instances/dept-41622",
            "type": "uri",
            "label": "Data Services",
        }
    ]
    entity = next(e for e in body["entities"] if e["iri"] == WOLFGANG)
    assert entity["label"] == "Wolfgang Martin"
    assert DEPARTMENT[entity["start"] : entity["end"]] == "Wolfgang Martin"
    assert entity["class_iri"] == PV + "Employee"
    assert PV + "memberOf" in body["schema_used"]
    first = body["candidates"][0]
    assert first["accepted"] is True and first["rejected_because"] is None
    assert "ENT0" in first["target"] and first["query"] == body["query"]
    assert {"retrieve", "link", "translate", "execute", "total"} <= set(body["timings_ms"])
    assert all(v >= 0 for v in body["timings_ms"].values())


@pytest.mark.parametrize("k", [1, 3])
def test_candidates_carry_rejection_reasons_and_k_is_honoured(
    model_server: LiveServer, k: int
) -> None:
    # "How many" expects a number; the model only knows lookups, so every candidate runs
    # but is rejected, each with its reason, and the best one is still shown.
    response = ask(model_server, question="How many departments does Wolfgang Martin work in?", k=k)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["answered"] is False
    assert body["reason"] == "no candidate query returned an answer of the expected kind"
    assert len(body["candidates"]) == k
    assert all(not c["accepted"] and c["rejected_because"] for c in body["candidates"])
    assert body["candidates"][0]["rejected_because"] == "no number in the result"
    assert body["query"] == body["candidates"][0]["query"] and body["answers"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"question": ""}, "question: String should have at least 1", id="empty"),
        pytest.param({"question": "   "}, "the question is empty", id="blank"),
        pytest.param({"question": "q" * 501}, "the limit is 500", id="too-long"),
        pytest.param({}, "question: Field required", id="missing"),
        pytest.param({"question": DEPARTMENT, "k": 0}, "k: Input should be greater", id="k=0"),
        pytest.param({"question": DEPARTMENT, "k": 11}, "k is 11; the limit is 10", id="k>max"),
        pytest.param({"question": DEPARTMENT, "k": "many"}, "k: Input should be", id="k-text"),
        pytest.param({"question": 7}, "question: Input should be a valid string", id="not-text"),
    ],
)
def test_bad_input_is_422_with_a_message(
    model_server: LiveServer, body: dict[str, Any], message: str
) -> None:
    response = httpx.post(f"{model_server.url}/ask", json=body, timeout=60)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["message"], response.json()


def test_body_that_is_not_json_is_422(model_server: LiveServer) -> None:
    response = httpx.post(
        f"{model_server.url}/ask",
        content=b"question=hi",
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 422 and response.json()["error"] == "InvalidRequest"


def test_ask_routes_by_graph(model_server: LiveServer) -> None:
    by_dataset = ask(model_server, question=DEPARTMENT, graph=CORPORATE_DATASET)
    assert by_dataset.status_code == 200 and by_dataset.json()["answered"]
    library = ask(model_server, question="Who wrote Dune?", graph="library")
    assert library.status_code == 503 and "has no translator model" in library.json()["message"]
    unknown = ask(model_server, question=DEPARTMENT, graph="nope")
    assert unknown.status_code == 404 and unknown.json()["error"] == "UnknownGraph"


@pytest.mark.parametrize("path", ["/", "/text2sparql"])
def test_text2sparql_api(model_server: LiveServer, path: str) -> None:
    response = httpx.get(
        model_server.url + path,
        params={"question": DEPARTMENT, "dataset": CORPORATE_DATASET},
        timeout=60,
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"dataset", "question", "query"}
    assert body["dataset"] == CORPORATE_DATASET and body["question"] == DEPARTMENT
    rows = httpx.get(f"{model_server.url}/sparql", params={"query": body["query"]}, timeout=60)
    assert rows.json()["results"]["bindings"][0]["x0"]["value"].endswith("dept-41622")


def test_ready_with_a_model(model_server: LiveServer) -> None:
    body = httpx.get(f"{model_server.url}/ready", timeout=60).json()
    corporate = body["graphs"][0]
    assert corporate["name"] == "corporate" and corporate["answers_questions"] is True
    assert body["ready"] is False  # the library graph has no model


# The official client, in its own virtual environment (``make var/t2s-venv/.installed``).
# Its ``text2sparql`` console script imports every sub-command, ``serve`` included, whose
# fastapi that environment does not install; so the very same ``ask`` click command is run
# from its module. Its URL is used exactly as given: the TEXT2SPARQL API lives at ``/``.
_ASK = "from text2sparql_client.commands.ask import ask_command; ask_command()"
QUESTIONS: list[tuple[int, dict[str, str]]] = [
    (1, {"en": DEPARTMENT, "de": "In welcher Abteilung arbeitet Wolfgang Martin?"}),
    (2, {"en": "What is the email address of Bert Blumstein?"}),
    (3, {"en": "Who is the manager of Liese Adam?"}),
    (4, {"en": "How many products are there?"}),
]


@pytest.mark.skipif(
    not any(T2S_VENV.glob("lib/python*/site-packages/text2sparql_client")),
    reason=f"the official TEXT2SPARQL client is not installed in {T2S_VENV} "
    "(make var/t2s-venv/.installed; see docs/eval.md)",
)
def test_official_client_ask(model_server: LiveServer, tmp_path: Path) -> None:
    questions = tmp_path / "questions.yml"
    questions.write_text(
        yaml.safe_dump(
            {
                "dataset": {"id": CORPORATE_DATASET, "prefix": "ck25"},
                "questions": [{"id": i, "question": texts} for i, texts in QUESTIONS],
            },
            allow_unicode=True,
            sort_keys=False,
        )
    )
    out = tmp_path / "responses.json"
    done = subprocess.run(
        [
            str(T2S_VENV / "bin" / "python"),
            "-c",
            _ASK,
            str(questions),
            model_server.url + "/",
            "--answers-db",
            str(tmp_path / "responses.db"),
            "--retries-log",
            str(tmp_path / "retries.log"),
            "--retries",
            "0",
            "--timeout",
            "60",
            "--no-cache",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "validation error" not in done.stderr, done.stderr[-3000:]
    responses = json.loads(out.read_text())
    asked = [(i, lang, text) for i, texts in QUESTIONS for lang, text in texts.items()]
    assert len(responses) == len(asked)  # the client silently skips invalid responses
    for response, (qid, lang, text) in zip(responses, asked, strict=True):
        assert response["qname"] == f"ck25:{qid}-{lang}"
        assert response["dataset"] == CORPORATE_DATASET and response["question"] == text
        assert response["endpoint"] == model_server.url + "/"
    by_name = {r["qname"]: r["query"] for r in responses}
    for name in ("ck25:1-en", "ck25:2-en", "ck25:3-en"):
        assert by_name[name].startswith("PREFIX pv: <http://ld.company.org/prod-vocab/>\nSELECT")
    # German: the retriever (English words) may leave pv:memberOf out of the prompt, and the
    # constrained decoder writes only the prompt's schema names; the entity is still found.
    assert f"<{WOLFGANG}>" in by_name["ck25:1-de"]
    assert "pv:email" in by_name["ck25:2-en"]
    # No entity in the question, and the model only knows queries about one: no candidate
    # answers; the TEXT2SPARQL API returns what /ask returns (the best candidate's query, or
    # an empty one when none could be made), which the client accepts.
    unanswered = ask(model_server, question=dict(QUESTIONS)[4]["en"]).json()
    assert not unanswered["answered"]
    assert by_name["ck25:4-en"] == (unanswered["query"] or "")
