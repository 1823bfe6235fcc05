"""Fixtures of the evaluation tests: fixture files and real HTTP servers on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@dataclass
class QAServer:
    """A tiny question answering service: TEXT2SPARQL's GET API and sparqlqa's POST /ask.

    ``answers`` maps a question to what the server answers: a query string, or a dict sent
    as the JSON body as is (to send malformed responses).
    """

    answers: Mapping[str, str | dict[str, Any]]
    requests: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def body_for(self, question: str, dataset: str) -> tuple[int, Any]:
        self.requests.append(question)
        answer = self.answers.get(question)
        if answer is None:
            return 404, {"detail": "unknown question"}
        if isinstance(answer, dict):
            return 200, answer
        return 200, {"dataset": dataset, "question": question, "query": answer}

    def start(self) -> QAServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                params = parse_qs(urlparse(self.path).query)
                question = params.get("question", [""])[0]
                dataset = params.get("dataset", [""])[0]
                self._send(*owner.body_for(question, dataset))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length) or b"{}")
                status, body = owner.body_for(payload.get("question", ""), "")
                self._send(status, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def qa_server() -> Iterator[Callable[[Mapping[str, str | dict[str, Any]]], QAServer]]:
    """Start QA servers answering from a mapping; all are stopped after the test."""
    started: list[QAServer] = []

    def start(answers: Mapping[str, str | dict[str, Any]]) -> QAServer:
        server = QAServer(answers).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
