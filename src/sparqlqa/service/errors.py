"""One place that maps sparqlqa's errors to HTTP status codes and JSON bodies.

Every error response is ``{"error": "<ErrorClass>", "message": "<what went wrong>"}``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sparqlqa.errors import (
    ConfigError,
    EndpointError,
    NotReady,
    Overloaded,
    QueryFailed,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooComplex,
    SparqlqaError,
    TargetError,
    TooManyQueries,
    UnknownGraph,
)

#: First match wins: subclasses before their bases.
STATUS: list[tuple[type[SparqlqaError], int]] = [
    (QuerySyntaxError, 400),
    (TargetError, 400),
    (QueryTooComplex, 422),
    (QueryRefused, 403),
    (QueryFailed, 422),
    (TooManyQueries, 429),
    (Overloaded, 503),
    (UnknownGraph, 404),
    (QueryTimeout, 504),
    (EndpointError, 502),
    (NotReady, 503),
    (ConfigError, 500),
]


def status_of(exc: SparqlqaError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def error_body(kind: str, message: str) -> dict[str, str]:
    return {"error": kind, "message": message}


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(SparqlqaError)
    async def _ours(request: Request, exc: SparqlqaError) -> JSONResponse:
        headers = None
        if isinstance(exc, Overloaded):
            headers = {"Retry-After": str(max(1, round(exc.retry_after_s)))}
        return JSONResponse(
            error_body(type(exc).__name__, str(exc)), status_code=status_of(exc), headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
            for e in exc.errors()
        )
        return JSONResponse(error_body("InvalidRequest", problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body("HTTPError", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
