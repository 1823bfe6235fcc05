"""GET|POST /sparql: a read-only SPARQL 1.1 protocol endpoint over a served graph (guarded)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from sparqlqa.errors import Overloaded, QueryError, QueryRefused, QuerySyntaxError
from sparqlqa.kg.guard import query_form
from sparqlqa.kg.results import rows, sparql_term
from sparqlqa.kg.store import QueryResult, Term
from sparqlqa.service.deps import MetricsDep, RegistryDep
from sparqlqa.service.limits import ClientQuerySlots
from sparqlqa.service.models import error_responses

router = APIRouter(tags=["sparql"])

RESULTS_JSON = "application/sparql-results+json"


def _nt_term(term: Term) -> str:
    """A term as N-Triples writes it: SPARQL's form, and blank nodes as ``_:label``."""
    return f"_:{term['value']}" if term["type"] == "bnode" else sparql_term(term)


def as_ntriples(result: QueryResult) -> str:
    """A CONSTRUCT/DESCRIBE result (``s``/``p``/``o`` bindings) as N-Triples (valid Turtle)."""
    return "".join(
        f"{_nt_term(r['s'])} {_nt_term(r['p'])} {_nt_term(r['o'])} .\n" for r in rows(result)
    )


async def _query_of(request: Request, query: str | None) -> str:
    if request.method == "GET":
        if query is None:
            raise QuerySyntaxError("no query: pass it as the `query` parameter")
        return query
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = (await request.body()).decode("utf-8", "replace")
    if content_type == "application/sparql-query":
        return body
    if content_type == "application/sparql-update":
        raise QueryRefused("this endpoint is read-only: SPARQL updates are not accepted")
    form = parse_qs(body)
    if "update" in form:
        raise QueryRefused("this endpoint is read-only: SPARQL updates are not accepted")
    if "query" in form:
        return form["query"][0]
    if query is not None:
        return query
    raise QuerySyntaxError(
        "no query: send it as the form field `query` or as an application/sparql-query body"
    )


#: The error responses of /sparql, for the OpenAPI document (``service/errors.py`` maps them).
ERRORS = error_responses(
    {
        400: "QuerySyntaxError: the query does not parse, or names an unknown prefix.",
        403: "QueryRefused: an update or a SERVICE clause.",
        404: "UnknownGraph: no served graph of that name or dataset id.",
        413: "BodyTooLarge: the body is over max_body_bytes.",
        422: "QueryTooComplex (over a bound checked before parsing, named) or QueryFailed (the "
        "engine cannot run it, e.g. an unsupported function, or its worker died).",
        429: "RateLimited or TooManyQueries (sparql_per_client); see Retry-After.",
        502: "EndpointError: the remote endpoint failed.",
        503: "Overloaded: no query worker free within the queue deadline; see Retry-After.",
        504: "QueryTimeout: the query ran past query_timeout_s and was stopped.",
    }
)

GraphParam = Annotated[
    str | None, Query(description="Served graph name or dataset id; default: the first.")
]
QueryParam = Annotated[str | None, Query(description="The SPARQL query.")]


@router.get("/sparql", response_model=None, responses=ERRORS)
async def sparql_get(
    request: Request,
    registry: RegistryDep,
    metrics: MetricsDep,
    query: QueryParam = None,
    graph: GraphParam = None,
) -> Response:
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on a served graph."""
    return await sparql(request, registry, metrics, query, graph)


#: The bodies POST /sparql reads (SPARQL 1.1 protocol), for the OpenAPI document.
POST_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/sparql-query": {"schema": {"type": "string"}},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"query": {"type": "string"}},
                }
            },
        },
    }
}


@router.post("/sparql", response_model=None, openapi_extra=POST_BODY, responses=ERRORS)
async def sparql_post(
    request: Request,
    registry: RegistryDep,
    metrics: MetricsDep,
    query: QueryParam = None,
    graph: GraphParam = None,
) -> Response:
    """The same, with the query as a form field or an application/sparql-query body."""
    return await sparql(request, registry, metrics, query, graph)


async def sparql(
    request: Request,
    registry: RegistryDep,
    metrics: MetricsDep,
    query: str | None,
    graph: str | None,
) -> Response:
    text = await _query_of(request, query)
    target = registry.get(graph)
    slots: ClientQuerySlots = request.app.state.sparql_slots
    client = request.client.host if request.client else "unknown"
    store = target.sparql_store or target.store
    guard = target.sparql_guard or target.guard

    def run() -> QueryResult:
        with slots.hold(client):
            return guard.run(store, text)

    try:
        result = await run_in_threadpool(run)
    except (QueryError, Overloaded) as exc:
        metrics.queries.labels(target.name, type(exc).__name__).inc()
        raise
    metrics.queries.labels(target.name, "ok").inc()
    headers = {"X-Sparqlqa-Truncated": "true"} if result.get("truncated") else None
    if query_form(text) in ("CONSTRUCT", "DESCRIBE"):
        return Response(as_ntriples(result), media_type="text/turtle", headers=headers)
    body = {k: v for k, v in result.items() if k != "truncated"}
    return JSONResponse(body, media_type=RESULTS_JSON, headers=headers)
