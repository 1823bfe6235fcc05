"""Systems under evaluation: anything that turns a question into a query (and maybe answers).

- :class:`System` is the protocol the QA pipeline implements to be evaluated in-process.
- :class:`Text2SparqlApi`: any TEXT2SPARQL-compatible API
  (``GET URL?question=...&dataset=...`` → ``{"dataset", "question", "query"}``).
- :class:`SparqlqaApi`: sparqlqa's own service (``POST URL`` ``{"question"}`` →
  ``{"query", "answers"}``).
- :class:`PredictionsFile`: predictions written earlier, one JSON object per line
  (``{"id", "query"?, "answers"?, "error"?}``), so existing outputs can be scored.
- :class:`GoldSystem`: answers with the gold query (checks the harness and the store).

A system that cannot be reached at all raises ``EndpointUnreachable`` (the run stops and can
be resumed); a bad answer to one question becomes that question's ``error``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from sparqlqa.benchmarks.datasets import Question
from sparqlqa.errors import ConfigError, DatasetError, EndpointUnreachable
from sparqlqa.jsonl import read_jsonl
from sparqlqa.kg.results import values
from sparqlqa.qa.graphs import GraphSettings, open_graph
from sparqlqa.qa.pipeline import AnswersQuestions


@dataclass(frozen=True)
class Prediction:
    """What a system said about one question."""

    query: str | None = None  # the SPARQL query it produced
    # Its answers (values flattened, ["true"]/["false"] for ASK); None: run ``query`` to get them.
    answers: list[str] | None = None
    error: str | None = None  # why it gave no usable output


@runtime_checkable
class System(Protocol):
    """A question answering system, e.g. the sparqlqa pipeline loaded from a checkpoint."""

    name: str

    def answer(self, question: str, dataset: str) -> Prediction:
        """The system's query (and, if it runs it, answers) for ``question``."""
        ...


@runtime_checkable
class QuestionSystem(Protocol):
    """A system that needs the whole dataset record (its id or gold query), not only the text."""

    name: str

    def answer_question(self, question: Question) -> Prediction:
        """The prediction for one dataset record."""
        ...


def predict(system: System | QuestionSystem, question: Question) -> Prediction:
    """Ask ``system`` about ``question`` whichever protocol it follows."""
    if isinstance(system, QuestionSystem):
        return system.answer_question(question)
    return system.answer(question.question, question.dataset)


class _HttpSystem:
    """Shared HTTP plumbing: one client, retries on connection errors and 5xx answers."""

    def __init__(
        self, url: str, *, timeout_s: float = 60.0, retries: int = 2, backoff_s: float = 0.5
    ) -> None:
        import httpx

        self.url = url
        self.name = url
        self.retries = retries
        self.backoff_s = backoff_s
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=True)

    def _send(self, method: str, **kwargs: Any) -> Prediction | dict[str, Any]:
        import httpx

        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                response = self._client.request(method, self.url, **kwargs)
            except httpx.TimeoutException as exc:
                return Prediction(error=f"{self.url} did not answer in time: {exc}")
            except httpx.TransportError as exc:
                last = exc
                continue
            if response.status_code >= 500 and attempt < self.retries:
                continue
            if response.status_code != 200:
                return Prediction(
                    error=f"{self.url} answered HTTP {response.status_code}: {response.text[:200]}"
                )
            try:
                body = response.json()
            except ValueError:
                return Prediction(error=f"{self.url} answered with non-JSON: {response.text[:200]}")
            if not isinstance(body, dict):
                return Prediction(
                    error=f"{self.url} answered with {type(body).__name__}, not an object"
                )
            return body
        raise EndpointUnreachable(f"cannot reach the system at {self.url}: {last}", url=self.url)

    def close(self) -> None:
        self._client.close()


class Text2SparqlApi(_HttpSystem):
    """A TEXT2SPARQL-compatible API: ``GET URL?question=...&dataset=...``."""

    def answer(self, question: str, dataset: str) -> Prediction:
        body = self._send("GET", params={"question": question, "dataset": dataset})
        if isinstance(body, Prediction):
            return body
        query = body.get("query")
        if not isinstance(query, str) or not query.strip():
            # The official client drops such answers silently; here they are an error.
            return Prediction(error=f"{self.url}: the response has no 'query': {str(body)[:200]}")
        return Prediction(query=query)


class SparqlqaApi(_HttpSystem):
    """sparqlqa's service: ``POST URL {"question"}`` → ``{"query", "answers"}``."""

    def answer(self, question: str, dataset: str) -> Prediction:
        body = self._send("POST", json={"question": question, "dataset": dataset})
        if isinstance(body, Prediction):
            return body
        query = body.get("query")
        answers = body.get("answers")
        if isinstance(answers, bool):
            answers = ["true" if answers else "false"]
        elif isinstance(answers, list):
            answers = [_value(a) for a in answers]
        else:
            answers = None
        error = body.get("error") if isinstance(body.get("error"), str) else None
        if not isinstance(query, str) or not query.strip():
            return Prediction(answers=answers, error=error or "the response has no 'query'")
        return Prediction(query=query, answers=answers, error=error)


def _value(answer: Any) -> str:
    """An answer as a string: plain values stay, SPARQL-JSON terms give their ``value``."""
    if isinstance(answer, dict) and "value" in answer:
        return str(answer["value"])
    return str(answer)


class PredictionsFile:
    """Predictions read from a JSONL file: ``{"id", "query"?, "answers"?, "error"?}`` per line.

    Looked up by id; a record without ``id`` is matched by its ``question`` text.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        self.by_id: dict[str, dict[str, Any]] = {}
        self.by_question: dict[str, dict[str, Any]] = {}
        if not self.path.is_file():
            raise ConfigError(f"{self.path}: no such predictions file")
        for lineno, record in read_jsonl(self.path):
            if not ("id" in record or "question" in record):
                raise DatasetError(f"{self.path}:{lineno}: needs an 'id' or a 'question'")
            if "id" in record:
                self.by_id[str(record["id"])] = record
            if isinstance(record.get("question"), str):
                self.by_question[record["question"]] = record

    def answer_question(self, question: Question) -> Prediction:
        record = self.by_id.get(question.id) or self.by_question.get(question.question)
        if record is None:
            return Prediction(error=f"no prediction for {question.id} in {self.path}")
        answers = record.get("answers")
        if isinstance(answers, bool):
            answers = ["true" if answers else "false"]
        return Prediction(
            query=record.get("query") or None,
            answers=[_value(a) for a in answers] if isinstance(answers, list) else None,
            error=record.get("error") or None,
        )


class GoldSystem:
    """Answers every question with its gold query: a harness check (expect F1 = 1)."""

    name = "gold"

    def answer_question(self, question: Question) -> Prediction:
        if question.query is None:
            return Prediction(error="the dataset has no gold query for this question")
        return Prediction(query=question.query)


def make_system(
    spec: str, *, api: str = "auto", timeout_s: float = 60.0
) -> System | QuestionSystem:
    """Build the system named by ``spec``: ``gold``, an ``http(s)://`` URL, a ``.jsonl``
    predictions file, or a checkpoint folder.

    ``api`` picks the HTTP protocol: ``text2sparql``, ``sparqlqa``, or ``auto`` (sparqlqa when
    the URL path ends in ``/ask``, else TEXT2SPARQL). For a checkpoint folder it picks which
    endpoint's behaviour is scored: ``text2sparql``, the query that endpoint returns (the
    best one, also when ``/ask`` abstains), or ``sparqlqa``/``auto``, what ``/ask`` answers
    (nothing when it abstains).
    """
    if api not in ("auto", "text2sparql", "sparqlqa"):
        raise ConfigError(f"unknown API {api!r}: expected auto, text2sparql or sparqlqa")
    if spec == "gold":
        return GoldSystem()
    if spec.startswith(("http://", "https://")):
        if api == "sparqlqa" or (api == "auto" and spec.split("?")[0].rstrip("/").endswith("/ask")):
            return SparqlqaApi(spec, timeout_s=timeout_s)
        return Text2SparqlApi(spec, timeout_s=timeout_s)
    path = Path(spec)
    if path.is_dir():
        return load_checkpoint_system(path, as_text2sparql=api == "text2sparql")
    if path.is_file():
        return PredictionsFile(path)
    raise ConfigError(
        f"--system {spec!r} is neither 'gold', an http(s) URL, a predictions JSONL file "
        "nor a checkpoint folder"
    )


class PipelineSystem:
    """The QA pipeline in-process (``qa.pipeline.QAPipeline`` or a stand-in with the same
    ``answer``), so what is measured is what the service answers."""

    def __init__(
        self,
        pipeline: AnswersQuestions,
        *,
        name: str = "pipeline",
        k: int | None = None,
        as_text2sparql: bool = False,
    ) -> None:
        self.pipeline = pipeline
        self.name = name
        self.k = k  # candidate queries tried per question (None: the pipeline's default)
        # Score what the TEXT2SPARQL endpoint returns: the best query, run by the harness as
        # the official client runs it, also where /ask abstains (and answers nothing).
        self.as_text2sparql = as_text2sparql
        self._closers: list[Callable[[], None]] = []

    def answer(self, question: str, dataset: str) -> Prediction:
        answer = (
            self.pipeline.answer(question)
            if self.k is None
            else self.pipeline.answer(question, k=self.k)
        )
        result = answer.result
        if self.as_text2sparql and result is None and answer.query:
            return Prediction(query=answer.query)
        return Prediction(
            query=answer.query,
            # The pipeline ran its query itself; no result means it gave up (an empty answer,
            # not a query for the harness to run).
            answers=values(result) if result is not None else [],
            error=None if answer.answered else (answer.reason or "no answer"),
        )

    def close(self) -> None:
        for closer in self._closers:
            closer()


def load_checkpoint_system(path: Path, *, as_text2sparql: bool = False) -> System:
    """The QA pipeline of a graph folder (``graph.json`` + store + translator checkpoint, as
    ``sparqlqa serve`` uses it), loaded in-process; ``as_text2sparql``: scored as the
    TEXT2SPARQL endpoint answers (``PipelineSystem``)."""
    if not (path / "graph.json").is_file():
        raise ConfigError(
            f"{path}: not a graph folder (no graph.json); in-process evaluation needs the "
            "folder the service serves (store, ontology and translator checkpoint)"
        )
    graph = open_graph(path, GraphSettings())
    if graph.pipeline is None:
        graph.close()
        raise ConfigError(graph.problem or f"{path}: the pipeline could not be built")
    system = PipelineSystem(graph.pipeline, name=str(path), as_text2sparql=as_text2sparql)
    system._closers.append(graph.close)
    return system
