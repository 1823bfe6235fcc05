"""Remote SPARQL endpoints over the SPARQL 1.1 protocol (Virtuoso, QLever, Fuseki, Oxigraph).

GET for short queries, POST (form-encoded) for long ones; a client-side timeout and, for
engines that take one, a server-side timeout parameter; retries with exponential backoff on
connection errors and 5xx answers; every failure names the URL and the HTTP status.
"""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.error
import warnings
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from SPARQLWrapper import GET, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from sparqlqa.errors import (
    EndpointError,
    EndpointUnreachable,
    QuerySyntaxError,
    QueryTimeout,
)
from sparqlqa.kg.guard import query_form  # the guard owns SPARQL lexing
from sparqlqa.kg.results import normalise_result, triples_result
from sparqlqa.kg.store import Engine, QueryResult, SparqlStore

#: Queries whose URL-encoded form is longer than this go by POST (many servers and proxies
#: cut URLs near 8 kB; 2 kB is safe everywhere).
GET_LIMIT = 2000


def _is_graph_query(sparql: str) -> bool:
    return query_form(sparql) in ("CONSTRUCT", "DESCRIBE")


class RemoteEndpoint(SparqlStore):
    """A SPARQL endpoint reached over HTTP.

    ``default_graph`` is sent as ``default-graph-uri`` (Virtuoso otherwise queries every graph,
    its system graphs included). ``engine`` adds the server-side timeout parameter that
    engine understands.
    """

    label_page_size = 10_000

    def __init__(
        self,
        url: str,
        *,
        default_graph: str | None = None,
        timeout_s: float = 30.0,
        retries: int = 2,
        backoff_s: float = 0.5,
        engine: Engine = "generic",
    ) -> None:
        self.url = url
        self.name = url
        self.default_graph = default_graph
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.engine = engine

    def query(
        self, sparql: str, *, timeout_s: float | None = None, max_rows: int | None = None
    ) -> QueryResult:
        timeout = timeout_s if timeout_s is not None else self.timeout_s
        graph_query = _is_graph_query(sparql)
        body, content_type = self._request(sparql, timeout, graph_query)
        if graph_query:
            try:
                quads = ox.parse(body, ox.RdfFormat.TURTLE)
                return triples_result((q.triple for q in quads), max_rows)
            except SyntaxError as exc:
                raise EndpointError(
                    f"{self.url} answered {content_type or 'no content type'} that is not "
                    f"Turtle: {exc}",
                    url=self.url,
                ) from exc
        try:
            document = json.loads(body)
        except ValueError as exc:
            snippet = body[:120].decode("utf-8", "replace").replace("\n", " ")
            raise EndpointError(
                f"{self.url} answered {content_type or 'no content type'} instead of SPARQL "
                f"JSON results: {snippet!r}",
                url=self.url,
                status=200,
            ) from exc
        if not isinstance(document, dict) or not ("boolean" in document or "results" in document):
            raise EndpointError(
                f"{self.url} answered JSON that is not SPARQL results", url=self.url, status=200
            )
        return normalise_result(document, max_rows)

    def _wrapper(self, sparql: str, timeout_s: float, graph_query: bool) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.url, defaultGraph=self.default_graph, agent="sparqlqa")
        wrapper.setQuery(sparql)
        wrapper.setReturnFormat(TURTLE if graph_query else JSON)
        # With a server-side limit the server should answer first (with its own error or
        # partial-result flag); the client limit is the backstop.
        slack = 5 if self.engine != "generic" else 0
        wrapper.setTimeout(max(1, round(timeout_s + slack)))
        long_query = len(quote(sparql)) > GET_LIMIT
        wrapper.setMethod(POST if long_query else GET)
        wrapper.setRequestMethod(URLENCODED)
        if self.engine == "virtuoso":
            wrapper.addParameter("timeout", str(int(timeout_s * 1000)))
        elif self.engine == "qlever":
            wrapper.addParameter("timeout", f"{timeout_s:g}s")
        elif self.engine == "fuseki":
            wrapper.addParameter("timeout", f"{timeout_s:g}")
        return wrapper

    def _request(self, sparql: str, timeout_s: float, graph_query: bool) -> tuple[bytes, str]:
        """Send the query, retrying connection errors and 5xx; return body and content type."""
        attempt = 0
        while True:
            try:
                with warnings.catch_warnings():
                    # SPARQLWrapper warns about its own guesses (e.g. "update operations MUST
                    # be done by POST"); failures reach us as exceptions anyway.
                    warnings.simplefilter("ignore")
                    response = self._wrapper(sparql, timeout_s, graph_query).query().response
                    with response:
                        body = response.read()
                if response.headers.get("X-SQL-State") == "S1TAT":
                    # Virtuoso's "anytime" answer: partial results after its time limit.
                    raise QueryTimeout(
                        f"{self.url} stopped the query at its {timeout_s:g} s limit "
                        "(Virtuoso returned incomplete results)"
                    )
                return body, response.headers.get("Content-Type", "")
            except QueryTimeout:
                raise
            except TimeoutError as exc:
                raise QueryTimeout(f"{self.url} did not answer within {timeout_s:g} s") from exc
            except Exception as exc:
                _close_http_errors(exc)
                error = self._translate(exc, timeout_s)
                retryable = isinstance(error, EndpointUnreachable) or (
                    error.status is not None and error.status >= 500
                )
                if not retryable or attempt >= self.retries:
                    raise error from exc
            time.sleep(self.backoff_s * (2**attempt))
            attempt += 1

    def _translate(self, exc: Exception, timeout_s: float) -> EndpointError:
        """Map urllib / SPARQLWrapper exceptions onto ours, or re-raise what is not an
        endpoint failure."""
        if isinstance(exc, SPARQLWrapperException):
            status = {
                "QueryBadFormed": 400,
                "Unauthorized": 401,
                "EndPointNotFound": 404,
                "URITooLong": 414,
                "EndPointInternalError": 500,
            }.get(type(exc).__name__)
            detail = _short(str(exc))
            if _TIME_LIMIT_MESSAGES.search(detail):
                raise QueryTimeout(f"{self.url} stopped the query at its time limit: {detail}")
            if status == 400:
                raise QuerySyntaxError(f"{self.url} rejected the query (HTTP 400): {detail}")
            return EndpointError(
                f"{self.url} failed with HTTP {status}: {detail}", url=self.url, status=status
            )
        if isinstance(exc, urllib.error.HTTPError):
            return EndpointError(
                f"{self.url} failed with HTTP {exc.code}: {_short(exc.reason)}",
                url=self.url,
                status=exc.code,
            )
        if isinstance(exc, urllib.error.URLError):
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise QueryTimeout(f"{self.url} did not answer within {timeout_s:g} s")
            return EndpointUnreachable(
                f"cannot reach the SPARQL endpoint {self.url}: {exc.reason}", url=self.url
            )
        if isinstance(exc, ConnectionError | OSError):
            return EndpointUnreachable(
                f"cannot reach the SPARQL endpoint {self.url}: {exc}", url=self.url
            )
        raise exc


def _close_http_errors(exc: BaseException | None) -> None:
    """Close the HTTP responses held by an exception and the ones it was raised from
    (SPARQLWrapper re-raises urllib's HTTPError, which keeps its socket open)."""
    while exc is not None:
        if isinstance(exc, urllib.error.HTTPError):
            exc.close()
        exc = exc.__context__


# How engines say that a query ran (or would run) past their time limit.
_TIME_LIMIT_MESSAGES = re.compile(
    r"estimated execution time .* exceeds the limit|Error S1T00|SR171|query timed out|"
    r"timeout was exceeded|Query execution timed out",
    re.I,
)


def _short(text: Any, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit] + "…"
