"""POST /ask: answer a question with the query, the answers and how they were found;
GET /examples: example questions of a graph (for the playground)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from sparqlqa.errors import NotReady
from sparqlqa.qa.examples import example_questions
from sparqlqa.qa.pipeline import Answer, QAPipeline
from sparqlqa.service.deps import MetricsDep, RegistryDep, SettingsDep
from sparqlqa.service.models import (
    QUESTION_ERRORS,
    AnswerItem,
    AskRequest,
    AskResponse,
    CandidateOut,
    EntityOut,
    Example,
    ExamplesResponse,
)
from sparqlqa.service.registry import GraphRegistry
from sparqlqa.service.settings import Settings

router = APIRouter(tags=["questions"])


def pipeline_for(registry: GraphRegistry, key: str | None) -> QAPipeline:
    graph = registry.get(key)
    if graph.pipeline is None:
        raise NotReady(graph.problem or f"graph {graph.name!r} cannot answer questions")
    return graph.pipeline


def checked_question(question: str, settings: Settings) -> str:
    text = " ".join(question.split())
    if not text:
        raise HTTPException(422, "the question is empty")
    if len(text) > settings.max_question_chars:
        raise HTTPException(
            422,
            f"the question is {len(text):,} characters long; the limit is "
            f"{settings.max_question_chars:,}",
        )
    return text


def run_question(
    registry: GraphRegistry,
    settings: Settings,
    metrics: MetricsDep,
    question: str,
    graph: str | None,
    k: int | None,
    language: str | None = None,
) -> Answer:
    """Validate, route and answer one question (shared with the TEXT2SPARQL route);
    ``language`` is detected when not given."""
    text = checked_question(question, settings)
    k = k or settings.default_k
    if k > settings.max_k:
        raise HTTPException(422, f"k is {k}; the limit is {settings.max_k}")
    pipeline = pipeline_for(registry, graph)
    answer = pipeline.answer(text, k=k, language=language)
    metrics.questions.labels(answer.graph, str(answer.answered).lower()).inc()
    return answer


@router.post("/ask", response_model=AskResponse, responses=QUESTION_ERRORS)
def ask(
    request: AskRequest, registry: RegistryDep, settings: SettingsDep, metrics: MetricsDep
) -> AskResponse:
    """Answer a question: the query, the answers, the entities, the candidates tried;
    ``language`` (en, de, es) is detected when not given, and the response says which."""
    answer = run_question(
        registry, settings, metrics, request.question, request.graph, request.k, request.language
    )
    return response_of(answer)


def response_of(answer: Answer) -> AskResponse:
    """The ``/ask`` response for ``answer`` (also what ``sparqlqa ask --format json`` prints)."""
    candidates = [
        CandidateOut(
            target=c.target,
            query=c.query,
            score=c.score,
            confidence=c.confidence,
            accepted=c.accepted,
            rejected_because=c.rejected_because,
            origin=c.origin,
            rank_score=c.rank_score,
            form_problem=c.form_problem,
            reached_through=c.reached_through,
        )
        for c in answer.candidates
    ]
    return AskResponse(
        question=answer.question,
        graph=answer.graph,
        answered=answer.answered,
        query=answer.query,
        answers=[AnswerItem(**a) for a in answer.answers],
        result=answer.result,
        entities=[EntityOut(**asdict(e)) for e in answer.entities],
        schema_used=answer.schema,
        candidates=candidates,
        reason=answer.reason,
        confidence=answer.confidence,
        best_candidate=next(
            (c for c in candidates if answer.query and c.query == answer.query), None
        ),
        timings_ms=answer.timings_ms,
        language=answer.language,
    )


@router.get("/examples", response_model=ExamplesResponse)
def examples(
    registry: RegistryDep,
    graph: Annotated[
        str | None, Query(description="Graph name or dataset id; default: the first graph.")
    ] = None,
    n: Annotated[int, Query(ge=1, le=50, description="How many examples at most.")] = 8,
) -> ExamplesResponse:
    """Example questions of a graph, from its generated test split (none if it has none)."""
    chosen = registry.get(graph)
    return ExamplesResponse(
        graph=chosen.name,
        examples=[Example(**e) for e in example_questions(chosen.folder, n)],
    )
