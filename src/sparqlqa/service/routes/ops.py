"""Operations: /health (the process runs), /ready (models and indexes loaded), /metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from sparqlqa.service.deps import MetricsDep, RegistryDep
from sparqlqa.service.models import GraphStatus, ReadyResponse

router = APIRouter(tags=["operations"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/ready",
    response_model=ReadyResponse,
    responses={503: {"model": ReadyResponse, "description": "Some graph cannot answer yet."}},
)
def ready(registry: RegistryDep) -> JSONResponse:
    """Every graph has its store, indexes and model loaded (503 otherwise, with reasons)."""
    graphs = [
        GraphStatus(
            name=g.name,
            datasets=g.spec.datasets,
            store=g.store.name,
            answers_questions=g.pipeline is not None,
            problem=g.problem,
        )
        for g in registry
    ]
    body = ReadyResponse(ready=all(g.answers_questions for g in graphs), graphs=graphs)
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(metrics: MetricsDep) -> Response:
    """Prometheus metrics."""
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
