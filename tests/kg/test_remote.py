"""The remote endpoint against real HTTP servers on loopback that misbehave on purpose."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from sparqlqa.errors import EndpointError, EndpointUnreachable, QueryTimeout
from sparqlqa.kg.remote import GET_LIMIT, RemoteEndpoint
from sparqlqa.kg.virtuoso import free_port

RESULT = {
    "head": {"vars": ["x"]},
    "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]},
}

Reply = tuple[int, str, bytes]


class ScriptedEndpoint:
    """An HTTP server whose answers come from a list (the last one repeats)."""

    def __init__(self, replies: list[Reply], delay_s: float = 0.0) -> None:
        self.replies = replies
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, params: dict[str, list[str]]) -> None:
                outer.requests.append((self.command, params))
                if delay_s:
                    threading.Event().wait(delay_s)
                index = min(len(outer.requests), len(outer.replies)) - 1
                status, ctype, body = outer.replies[index]
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(parse_qs(urlparse(self.path).query))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                self._answer(parse_qs(self.rfile.read(length).decode()))

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint_factory() -> Iterator[Callable[..., ScriptedEndpoint]]:
    servers: list[ScriptedEndpoint] = []

    def make(replies: list[Reply], delay_s: float = 0.0) -> ScriptedEndpoint:
        server = ScriptedEndpoint(replies, delay_s)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


JSON_OK: Reply = (200, "application/sparql-results+json", json.dumps(RESULT).encode())


def test_short_queries_use_get_long_ones_post(
    endpoint_factory: Callable[..., ScriptedEndpoint],
) -> None:
    server = endpoint_factory([JSON_OK])
    endpoint = RemoteEndpoint(server.url, default_graph="http://g")
    assert endpoint.select("SELECT ?x WHERE { ?x ?p ?o }")[0]["x"]["value"] == "1"
    long_query = (
        "SELECT ?x WHERE { ?x ?p ?o " + "FILTER(?x != <http://e/y>) " * (GET_LIMIT // 20) + "}"
    )
    endpoint.select(long_query)
    (method1, params1), (method2, params2) = server.requests
    assert (method1, method2) == ("GET", "POST")
    assert params1["default-graph-uri"] == ["http://g"]
    assert params2["query"] == [long_query]


def test_unreachable_endpoint_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    endpoint = RemoteEndpoint(url, retries=1, backoff_s=0.01)
    with pytest.raises(EndpointUnreachable, match=url.replace(".", r"\.")):
        endpoint.select("SELECT * WHERE { ?s ?p ?o }")


def test_html_answer_is_an_error(endpoint_factory: Callable[..., ScriptedEndpoint]) -> None:
    server = endpoint_factory([(200, "text/html", b"<html><body>Maintenance</body></html>")])
    with pytest.raises(EndpointError, match="text/html instead of SPARQL JSON") as info:
        RemoteEndpoint(server.url).select("SELECT * WHERE { ?s ?p ?o }")
    assert info.value.url == server.url


@pytest.mark.parametrize("status", [pytest.param(500, id="500"), pytest.param(503, id="503")])
def test_5xx_is_retried_then_reported(
    endpoint_factory: Callable[..., ScriptedEndpoint], status: int
) -> None:
    server = endpoint_factory([(status, "text/plain", b"boom")])
    endpoint = RemoteEndpoint(server.url, retries=2, backoff_s=0.01)
    with pytest.raises(EndpointError, match=f"HTTP {status}") as info:
        endpoint.select("SELECT * WHERE { ?s ?p ?o }")
    assert info.value.status == status
    assert len(server.requests) == 3


def test_transient_5xx_recovers(endpoint_factory: Callable[..., ScriptedEndpoint]) -> None:
    server = endpoint_factory([(502, "text/plain", b"bad gateway"), JSON_OK])
    endpoint = RemoteEndpoint(server.url, retries=2, backoff_s=0.01)
    assert len(endpoint.select("SELECT * WHERE { ?s ?p ?o }")) == 1
    assert len(server.requests) == 2


def test_4xx_is_not_retried(endpoint_factory: Callable[..., ScriptedEndpoint]) -> None:
    server = endpoint_factory([(403, "text/plain", b"forbidden")])
    with pytest.raises(EndpointError, match="HTTP 403"):
        RemoteEndpoint(server.url, retries=3, backoff_s=0.01).select("SELECT * WHERE { ?s ?p ?o }")
    assert len(server.requests) == 1


def test_slow_endpoint_times_out(endpoint_factory: Callable[..., ScriptedEndpoint]) -> None:
    server = endpoint_factory([JSON_OK], delay_s=3)
    with pytest.raises(QueryTimeout, match="did not answer within 1 s"):
        RemoteEndpoint(server.url).query("SELECT * WHERE { ?s ?p ?o }", timeout_s=1)
