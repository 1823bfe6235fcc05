"""The TEXT2SPARQL challenge contract, and the playground page at ``/``.

``GET /?question=...&dataset=...`` and ``GET /text2sparql?...`` answer
``{"dataset", "question", "query"}``, so the official ``text2sparql-client ask`` works
unchanged. The official API has no language parameter: the question's language (en, de,
es) is detected. ``GET /`` without a question serves the playground page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from sparqlqa.service.deps import MetricsDep, RegistryDep, SettingsDep
from sparqlqa.service.models import QUESTION_ERRORS, Text2SparqlResponse
from sparqlqa.service.routes.ask import run_question

router = APIRouter(tags=["text2sparql"])
PAGE = Path(__file__).resolve().parent.parent / "static" / "index.html"

QuestionParam = Annotated[str | None, Query(description="The question (any language).")]
DatasetParam = Annotated[
    str | None, Query(description="TEXT2SPARQL dataset id or graph name; default graph if absent.")
]


def _text2sparql(
    question: str,
    dataset: str | None,
    registry: RegistryDep,
    settings: SettingsDep,
    metrics: MetricsDep,
) -> Text2SparqlResponse:
    answer = run_question(registry, settings, metrics, question, dataset, None)
    graph = registry.get(dataset)
    return Text2SparqlResponse(
        dataset=dataset or (graph.spec.datasets[0] if graph.spec.datasets else graph.name),
        question=question,
        query=answer.query or "",
    )


@router.get("/text2sparql", response_model=Text2SparqlResponse, responses=QUESTION_ERRORS)
def text2sparql(
    question: Annotated[str, Query(description="The question.")],
    registry: RegistryDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    dataset: DatasetParam = None,
) -> Text2SparqlResponse:
    """Translate a question into a query (TEXT2SPARQL challenge API)."""
    return _text2sparql(question, dataset, registry, settings, metrics)


#: ``/`` answers JSON with a question and the playground page without one.
ROOT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **QUESTION_ERRORS,
    200: {
        "description": "The TEXT2SPARQL answer (with ``question``) or the playground page.",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Text2SparqlResponse"}},
            "text/html": {"schema": {"type": "string"}},
        },
    },
}


@router.get("/", response_model=None, responses=ROOT_RESPONSES)
def root(
    registry: RegistryDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    question: QuestionParam = None,
    dataset: DatasetParam = None,
) -> Text2SparqlResponse | FileResponse:
    """With ``question``: the TEXT2SPARQL API. Without: the playground page."""
    if question is None:
        return FileResponse(PAGE, media_type="text/html")
    return _text2sparql(question, dataset, registry, settings, metrics)
