"""The ``Store`` protocol: one interface over an embedded store and remote endpoints.

Every query returns data shaped like the SPARQL 1.1 Query Results JSON format
(https://www.w3.org/TR/sparql11-results-json/)::

    SELECT     {"head": {"vars": [...]}, "results": {"bindings": [{var: term, ...}, ...]}}
    ASK        {"head": {}, "boolean": true}
    CONSTRUCT  {"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": [...]}}

A term is ``{"type": "uri" | "bnode" | "literal", "value": ..., "xml:lang"?: ...,
"datatype"?: ...}``; simple literals carry no datatype. When a result was cut at the row cap
the dict has ``"truncated": true`` beside ``head``.

``SparqlStore`` is the shared base of the implementations: it gives every store ``select``,
``ask``, ``labels`` and ``count_triples`` on top of its ``query``, no prefixes of its own and
a ``close`` that does nothing unless the store holds something to release; a store is also a
context manager that closes itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType, TracebackType
from typing import Any, Literal, Protocol, Self, runtime_checkable

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Label predicates tried by default, most specific first. Graphs with their own name
#: properties (e.g. the corporate graph's ``pv:name``) add them in the caller.
DEFAULT_LABEL_PREDICATES: tuple[str, ...] = (
    RDFS + "label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://xmlns.com/foaf/0.1/name",
    "http://schema.org/name",
    "http://purl.org/dc/terms/title",
)

#: The SPARQL engines sparqlqa knows the quirks of (``generic``: none assumed).
Engine = Literal["generic", "virtuoso", "qlever", "fuseki", "oxigraph"]

Term = dict[str, str]
Binding = dict[str, Term]
QueryResult = dict[str, Any]


@dataclass(frozen=True)
class Label:
    """One label of one resource."""

    iri: str
    label: str
    lang: str | None
    predicate: str


@runtime_checkable
class Store(Protocol):
    """A knowledge graph that answers SPARQL queries."""

    #: A short human-readable description (a path or URL) used in messages.
    name: str

    def query(
        self, sparql: str, *, timeout_s: float | None = None, max_rows: int | None = None
    ) -> QueryResult:
        """Run a SELECT, ASK, CONSTRUCT or DESCRIBE query and return SPARQL-JSON-shaped data.

        ``timeout_s`` stops a query that runs longer (raising ``QueryTimeout``); ``max_rows``
        cuts the result (setting ``truncated``). ``None`` means no limit.
        """
        ...

    def select(self, sparql: str, **kwargs: Any) -> list[Binding]:
        """Run a SELECT query and return its bindings (``TypeError`` for another form)."""
        ...

    def ask(self, sparql: str, **kwargs: Any) -> bool:
        """Run an ASK query and return its boolean (``TypeError`` for another form)."""
        ...

    @property
    def prefixes(self) -> Mapping[str, str]:
        """The prefixes the graph declares (empty when it declares none or is remote)."""
        ...

    def labels(
        self, predicates: Sequence[str] = DEFAULT_LABEL_PREDICATES, lang: str | None = None
    ) -> Iterator[Label]:
        """Every literal label of every resource under the given predicates.

        With ``lang`` set, only labels in that language or without a language tag.
        """
        ...

    def count_triples(self) -> int:
        """The number of triples in the default graph."""
        ...

    def close(self) -> None:
        """Release what the store holds (worker processes, files); idempotent."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class SparqlStore:
    """Shared implementations of the ``Store`` protocol on top of ``query``."""

    name: str = "store"
    #: No prefixes of its own unless a store sets them (an embedded store reads its files').
    prefixes: Mapping[str, str] = MappingProxyType({})
    #: Rows fetched per request by ``labels`` (remote endpoints cap result sizes).
    label_page_size: int = 0

    def query(
        self, sparql: str, *, timeout_s: float | None = None, max_rows: int | None = None
    ) -> QueryResult:
        raise NotImplementedError

    def select(self, sparql: str, **kwargs: Any) -> list[Binding]:
        """Run a SELECT query and return its bindings."""
        result = self.query(sparql, **kwargs)
        if "results" not in result:
            raise TypeError(f"not a SELECT query: {sparql[:80]!r}")
        bindings: list[Binding] = result["results"]["bindings"]
        return bindings

    def ask(self, sparql: str, **kwargs: Any) -> bool:
        """Run an ASK query and return its boolean."""
        result = self.query(sparql, **kwargs)
        if "boolean" not in result:
            raise TypeError(f"not an ASK query: {sparql[:80]!r}")
        return bool(result["boolean"])

    def labels(
        self, predicates: Sequence[str] = DEFAULT_LABEL_PREDICATES, lang: str | None = None
    ) -> Iterator[Label]:
        values = " ".join(f"<{p}>" for p in predicates)
        lang_filter = f' && (lang(?l) = "" || langMatches(lang(?l), "{lang}"))' if lang else ""
        base = (
            f"SELECT ?s ?p ?l WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?l "
            f"FILTER(isLiteral(?l){lang_filter}) }}"
        )
        pages = self._paged(base + " ORDER BY ?s ?p ?l") if self.label_page_size else [base]
        for sparql in pages:
            rows = self.select(sparql)
            for row in rows:
                term = row["l"]
                yield Label(
                    iri=row["s"]["value"],
                    label=term["value"],
                    lang=term.get("xml:lang"),
                    predicate=row["p"]["value"],
                )
            if self.label_page_size and len(rows) < self.label_page_size:
                return

    def _paged(self, sparql: str) -> Iterator[str]:
        offset = 0
        while True:
            yield f"{sparql} LIMIT {self.label_page_size} OFFSET {offset}"
            offset += self.label_page_size

    def count_triples(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"]["value"])

    def close(self) -> None:
        """Nothing to release by default."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
