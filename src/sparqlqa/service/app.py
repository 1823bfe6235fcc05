"""The FastAPI app factory.

Heavy objects (stores, indexes, models) are built in the lifespan and kept on ``app.state``;
tests pass ready-made graphs instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from sparqlqa import __version__
from sparqlqa.errors import SparqlqaError
from sparqlqa.qa.graphs import Graph, open_graph
from sparqlqa.service import errors
from sparqlqa.service.limits import ClientQuerySlots, LimitsMiddleware
from sparqlqa.service.metrics import Metrics
from sparqlqa.service.registry import GraphRegistry
from sparqlqa.service.routes import ask, ops, sparql, text2sparql
from sparqlqa.service.settings import Settings

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None, graphs: Sequence[Graph] | None = None) -> FastAPI:
    """The service: serves ``graphs`` if given, else opens the folders in ``settings.graphs``."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.torch_threads:
            import torch  # only when asked: without models the service never loads torch

            torch.set_num_threads(settings.torch_threads)
        opened = (
            list(graphs)
            if graphs is not None
            else [open_graph(f, settings, default=i == 0) for i, f in enumerate(settings.graphs)]
        )
        app.state.registry = GraphRegistry(opened)
        if settings.warm_up:
            for graph in opened:
                for store in (graph.store, graph.sparql_store):
                    if store is not None and hasattr(store, "warm"):
                        store.warm()  # every query worker now, not on the first requests
                if graph.sparql_guard is not None and graph.sparql_guard.parser is not None:
                    graph.sparql_guard.parser.warm()
                # One guarded query starts the store's query workers, so that the first
                # request does not pay for them (a few hundred ms on 2 cores).
                try:
                    graph.guard.run(graph.store, "ASK { ?s ?p ?o }")
                except SparqlqaError as exc:  # e.g. a remote endpoint still starting
                    log.warning("graph %r: the warm-up query failed: %s", graph.name, exc)
                if graph.pipeline is not None:
                    graph.pipeline.answer("warm-up question", k=1)
        try:
            yield
        finally:
            if graphs is None:  # graphs handed in belong to the caller
                app.state.registry.close()

    app = FastAPI(
        title="sparqlqa",
        version=__version__,
        summary="Text-to-SPARQL question answering over knowledge graphs.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics = Metrics()
    app.state.sparql_slots = ClientQuerySlots(settings.sparql_per_client)
    errors.install(app)

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        metrics.requests.labels(name, str(response.status_code)).inc()
        metrics.latency.labels(name).observe(time.perf_counter() - started)
        return response

    app.add_middleware(
        LimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        per_minute=settings.rate_limit_per_minute,
    )
    for router in (ask.router, text2sparql.router, sparql.router, ops.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
