"""The service's routes that need no model: /sparql, operations, limits, routing, errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sparqlqa.bundled import CORPORATE_DATASET
from sparqlqa.kg.remote import RemoteEndpoint
from sparqlqa.service.app import create_app
from sparqlqa.service.settings import Settings

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def client(store_only_graph: Path, second_graph: Path) -> Iterator[TestClient]:
    settings = Settings(graphs=[store_only_graph, second_graph], rate_limit_per_minute=0)
    with TestClient(create_app(settings)) as client:
        yield client


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_says_what_is_missing(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert [g["name"] for g in body["graphs"]] == ["corporate", "library"]
    assert "has no translator model" in body["graphs"][0]["problem"]


def test_ask_without_model_is_503_with_the_reason(client: TestClient) -> None:
    response = client.post("/ask", json={"question": "Who is Ulrik Denzel?"})
    assert response.status_code == 503
    assert response.json()["error"] == "NotReady"
    assert "sparqlqa train" in response.json()["message"]


@pytest.mark.parametrize(
    ("request_kwargs", "expected"),
    [
        pytest.param({"params": {"query": COUNT}}, "26903", id="get"),
        pytest.param({"data": {"query": COUNT}}, "26903", id="post-form"),
        pytest.param(
            {"content": COUNT, "headers": {"Content-Type": "application/sparql-query"}},
            "26903",
            id="post-body",
        ),
        pytest.param({"params": {"query": COUNT, "graph": "library"}}, "5", id="other-graph"),
        pytest.param(
            {"params": {"query": COUNT, "graph": "https://library.test/"}}, "5", id="by-dataset"
        ),
    ],
)
def test_sparql_select(
    client: TestClient, request_kwargs: dict[str, object], expected: str
) -> None:
    method = "GET" if "params" in request_kwargs and "data" not in request_kwargs else "POST"
    if "content" in request_kwargs or "data" in request_kwargs:
        method = "POST"
    response = client.request(method, "/sparql", **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.json()["results"]["bindings"][0]["n"]["value"] == expected


def test_sparql_construct_is_turtle(client: TestClient) -> None:
    query = (
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
        "FILTER(?s = <http://ld.company.org/prod-instances/empl-Ulrik.Denzel%40company.org>) }"
    )
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert '"Ulrik Denzel"' in response.text


@pytest.mark.parametrize(
    ("request_kwargs", "status", "message"),
    [
        pytest.param(
            {"params": {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}},
            403,
            "updates are not allowed",
            id="insert",
        ),
        pytest.param({"data": {"update": "DROP ALL"}}, 403, "read-only", id="update-form"),
        pytest.param(
            {"params": {"query": "SELECT ?x WHERE { ?x }"}}, 400, "does not parse", id="bad"
        ),
        pytest.param({"params": {}}, 400, "no query", id="missing"),
        pytest.param(
            {"params": {"query": COUNT, "graph": "nope"}},
            404,
            "known: corporate, https://library.test/, " + CORPORATE_DATASET.replace(".", r"\."),
            id="unknown-graph",
        ),
    ],
)
def test_sparql_errors(
    client: TestClient, request_kwargs: dict[str, object], status: int, message: str
) -> None:
    method = "POST" if "data" in request_kwargs else "GET"
    response = client.request(method, "/sparql", **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.json()["message"]
    import re

    assert re.search(message, response.json()["message"]), response.json()["message"]


def test_page_and_openapi(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<title>sparqlqa playground</title>" in page.text
    assert client.get("/static/app.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/ask", "/text2sparql", "/sparql", "/health", "/ready", "/metrics"} <= set(paths)


def test_metrics_count_requests(client: TestClient) -> None:
    client.get("/sparql", params={"query": COUNT})
    text = client.get("/metrics").text
    assert 'sparqlqa_requests_total{route="/sparql",status="200"}' in text
    assert 'sparqlqa_sparql_queries_total{graph="corporate",outcome="ok"}' in text


def test_runaway_query_times_out(store_only_graph: Path) -> None:
    settings = Settings(graphs=[store_only_graph], query_timeout_s=1, rate_limit_per_minute=0)
    with TestClient(create_app(settings)) as client:
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        response = client.get("/sparql", params={"query": runaway})
        assert response.status_code == 504
        assert "ran longer than 1 s" in response.json()["message"]
        assert client.get("/sparql", params={"query": COUNT}).status_code == 200


def test_limits(store_only_graph: Path) -> None:
    settings = Settings(graphs=[store_only_graph], rate_limit_per_minute=3, max_body_bytes=1000)
    with TestClient(create_app(settings)) as client:
        big = client.post("/ask", json={"question": "x" * 5000})
        assert big.status_code == 413 and big.json()["error"] == "BodyTooLarge"
        statuses = [client.get("/sparql", params={"query": COUNT}).status_code for _ in range(4)]
        assert statuses[-1] == 429
        limited = client.get("/sparql", params={"query": COUNT})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert client.get("/health").status_code == 200  # monitors are never limited


def test_question_validation(client: TestClient) -> None:
    response = client.post("/ask", json={"question": ""})
    assert response.status_code == 422 and response.json()["error"] == "InvalidRequest"
    response = client.post("/ask", json={"question": "q" * 600})
    assert response.status_code == 422 and "limit is 500" in response.json()["message"]


def test_sparqlwrapper_client_over_http(store_only_graph: Path, live_server: type) -> None:
    """Our own remote client (SPARQLWrapper) against the service's /sparql, on loopback."""
    with live_server(create_app(Settings(graphs=[store_only_graph]))) as server:
        endpoint = RemoteEndpoint(f"{server.url}/sparql")
        assert endpoint.count_triples() == 26903
        assert endpoint.ask("ASK { ?s a <http://ld.company.org/prod-vocab/Employee> }")
        long_query = COUNT.replace("?o }", "?o " + "FILTER(?o != <http://e/x>) " * 120 + "}")
        assert endpoint.select(long_query)[0]["n"]["value"] == "26903"  # sent by POST
