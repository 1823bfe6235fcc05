"""POST /ask: answer a question with the query, the answers and how they were found."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, HTTPException

from sparqlqa.errors import NotReady
from sparqlqa.qa.pipeline import Answer, QAPipeline
from sparqlqa.service.deps import MetricsDep, RegistryDep, SettingsDep
from sparqlqa.service.models import AnswerItem, AskRequest, AskResponse, CandidateOut, EntityOut
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
) -> Answer:
    """Validate, route and answer one question (shared with the TEXT2SPARQL route)."""
    text = checked_question(question, settings)
    k = k or settings.default_k
    if k > settings.max_k:
        raise HTTPException(422, f"k is {k}; the limit is {settings.max_k}")
    pipeline = pipeline_for(registry, graph)
    answer = pipeline.answer(text, k=k)
    metrics.questions.labels(answer.graph, str(answer.answered).lower()).inc()
    return answer


@router.post("/ask", response_model=AskResponse)
def ask(
    request: AskRequest, registry: RegistryDep, settings: SettingsDep, metrics: MetricsDep
) -> AskResponse:
    """Answer a question: the query, the answers, the entities, the candidates tried."""
    answer = run_question(registry, settings, metrics, request.question, request.graph, request.k)
    candidates = [
        CandidateOut(
            target=c.target,
            query=c.query,
            score=c.score,
            confidence=c.confidence,
            accepted=c.accepted,
            rejected_because=c.rejected_because,
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
    )
