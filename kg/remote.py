"""Remote SPARQL endpoints over the SPARQL 1.1 protocol (Virtuoso, QLever, Fuseki, Oxigraph).

GET for short queries, POST (form-encoded) for long ones; a client-side timeout and, for
engines that take one, a server-side timeout parameter; retries with exponential backoff on
connection errors and 5xx answers; every failure names the URL and the HTTP status.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
from typing import Any, Literal
from urllib.parse import quote

import pyoxigraph as ox
from SPARQLWrapper import GET, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.results import normalise_result, triples_result
from kg.store import QueryResult, SparqlStore
from sparqlqa.errors import (
    EndpointError,
    EndpointUnreachable,
    QuerySyntaxError,
    QueryTimeout,
)

Engine = Literal["generic", "virtuoso", "qlever", "fuseki", "oxigraph"]

#: Queries whose URL-encoded form is longer than this go by POST (many servers and proxies
#: cut URLs near 8 kB; 2 kB is safe everywhere).
GET_LIMIT = 2000


def _is_graph_query(sparql: str) -> bool:
    from kg.guard import query_form  # the guard owns SPARQL lexing

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
        wrapper.setTimeout(max(1, round(timeout_s)))
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
                response = self._wrapper(sparql, timeout_s, graph_query).query().response
                return response.read(), response.headers.get("Content-Type", "")
            except (TimeoutError, socket.timeout) as exc:
                raise QueryTimeout(
                    f"{self.url} did not answer within {timeout_s:g} s"
                ) from exc
            except Exception as exc:
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


def _short(text: Any, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit] + "…"

