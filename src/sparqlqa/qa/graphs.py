"""Graph folders: what ``sparqlqa serve`` loads, one per knowledge graph.

A graph folder holds::

    graph.json   the GraphSpec below (name, TEXT2SPARQL dataset ids, where the data is)
    store/       an embedded store (or graph.json names a remote endpoint instead)
    schema.json  the schema, cached (read from the ontology files or the store otherwise)
    index/       embedding caches of the schema retriever
    model/       the translator checkpoint (save_pretrained form)

``open_graph`` turns a folder into a ``Graph``: the store and guard always, the QA pipeline
when a model is there (without one the graph still serves ``/sparql``, and ``/ask`` says what
is missing).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from sparqlqa.errors import ConfigError, SparqlqaError
from sparqlqa.kg.guard import Guard, Limits
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.store import DEFAULT_LABEL_PREDICATES, Store
from sparqlqa.ontology.schema import Schema
from sparqlqa.qa.pipeline import QAPipeline
from sparqlqa.service.settings import Settings

log = logging.getLogger(__name__)

CORPORATE_DATASET = "https://text2sparql.aksw.org/2025/corporate/"
#: Every TEXT2SPARQL dataset id of the corporate graph (the 2026 challenge reuses it).
CORPORATE_DATASETS = (CORPORATE_DATASET, "https://text2sparql.aksw.org/2026/corporate/")


class GraphSpec(BaseModel):
    """The contents of ``graph.json``."""

    name: str = Field(description="Short name, used as the `graph` of /ask requests.")
    title: str = ""
    datasets: list[str] = Field(
        default_factory=list, description="TEXT2SPARQL dataset ids routed to this graph."
    )
    store: str | None = Field("store", description="Embedded store folder, relative.")
    endpoint: str | None = Field(None, description="Remote SPARQL endpoint instead of a store.")
    default_graph: str | None = None
    engine: Literal["generic", "virtuoso", "qlever", "fuseki", "oxigraph"] = "generic"
    model: str | None = Field("model", description="Translator checkpoint folder, relative.")
    ontology: list[str] = Field(default_factory=list, description="Ontology files, relative.")
    prefixes: dict[str, str] = Field(default_factory=dict)
    label_predicates: list[str] = Field(default_factory=lambda: list(DEFAULT_LABEL_PREDICATES))
    retrieval_mode: Literal["lexical", "embedding", "hybrid"] = "hybrid"

    @classmethod
    def read(cls, folder: Path) -> GraphSpec:
        path = folder / "graph.json"
        if not path.is_file():
            raise ConfigError(f"{folder} is not a graph folder: {path} is missing")
        try:
            return cls.model_validate_json(path.read_text())
        except ValidationError as exc:
            raise ConfigError(f"{path}: {exc}") from exc

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "graph.json").write_text(self.model_dump_json(indent=2))


@dataclass
class Graph:
    """One served graph."""

    spec: GraphSpec
    folder: Path
    store: Store
    guard: Guard
    prefixes: dict[str, str]
    pipeline: QAPipeline | None
    problem: str | None  # why there is no pipeline
    #: The store /sparql queries run on: worker processes of their own (None: ``store``).
    sparql_store: Store | None = None
    #: The guard of /sparql queries: parser workers of its own (None: ``guard``).
    sparql_guard: Guard | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    def close(self) -> None:
        translator = getattr(self.pipeline, "translator", None) if self.pipeline else None
        if translator is not None and hasattr(translator, "close"):
            translator.close()
        if hasattr(self.store, "close"):
            self.store.close()
        if self.sparql_store is not None and hasattr(self.sparql_store, "close"):
            self.sparql_store.close()
        if self.sparql_guard is not None and self.sparql_guard.parser is not None:
            self.sparql_guard.parser.close()


def open_store(spec: GraphSpec, folder: Path, settings: Settings) -> tuple[Store, dict[str, str]]:
    """The graph's store and the prefixes its queries may use."""
    prefixes = dict(COMMON_PREFIXES)
    store: Store
    if spec.endpoint:
        from sparqlqa.kg.remote import RemoteEndpoint

        store = RemoteEndpoint(
            spec.endpoint,
            default_graph=spec.default_graph,
            timeout_s=settings.query_timeout_s,
            engine=spec.engine,
        )
    elif spec.store:
        from sparqlqa.kg.embedded import EmbeddedStore

        embedded = EmbeddedStore(
            folder / spec.store,
            workers=settings.ask_query_workers,
            memory_mb=settings.query_worker_memory_mb,
            queue_timeout_s=settings.ask_queue_timeout_s,
        )
        prefixes.update(embedded.prefixes)
        store = embedded
    else:
        raise ConfigError(f"{folder}/graph.json names neither a store nor an endpoint")
    prefixes.update(spec.prefixes)
    return store, prefixes


def load_graph_schema(spec: GraphSpec, folder: Path, store: Store) -> Schema:
    """The schema, from ``schema.json`` if cached, else from the ontology files or the store."""
    from sparqlqa.ontology.schema import load_schema, schema_from_store

    cached = folder / "schema.json"
    if cached.is_file():
        return Schema.from_json(json.loads(cached.read_text()))
    if spec.ontology:
        schema = load_schema([folder / f for f in spec.ontology])
    else:
        schema = schema_from_store(store)  # type: ignore[arg-type]
    cached.write_text(json.dumps(schema.to_json()))
    return schema


def open_graph(
    folder: Path, settings: Settings, *, default: bool = False, spec: GraphSpec | None = None
) -> Graph:
    """Open a graph folder; the pipeline is left out (with the reason) when it cannot load.

    For the ``default`` graph, ``settings.endpoint`` (if set) replaces its embedded store.
    ``spec`` stands in for the folder's ``graph.json`` (``sparqlqa adapt`` evaluates a folder
    before it writes that file).
    """
    folder = folder.resolve()
    spec = spec or GraphSpec.read(folder)
    if default and settings.endpoint:
        spec = spec.model_copy(
            update={
                "endpoint": settings.endpoint,
                "default_graph": settings.endpoint_graph,
                "engine": settings.endpoint_engine,
            }
        )
    store, prefixes = open_store(spec, folder, settings)
    guard = Guard(
        Limits(
            max_query_chars=settings.max_query_chars,
            max_rows=settings.max_rows,
            timeout_s=settings.query_timeout_s,
            max_nesting=settings.max_query_nesting,
            max_tokens=settings.max_query_tokens,
            max_literal_chars=settings.max_literal_chars,
            plan_timeout_s=settings.plan_timeout_s,
        ),
        prefixes=prefixes,
        strict_syntax=spec.engine != "virtuoso",
    )
    pipeline: QAPipeline | None = None
    problem: str | None = None
    model = folder / spec.model if spec.model else None
    if model is None or not (model / "config.json").is_file():
        where = f"at {model}" if model else "(graph.json names none)"
        problem = (
            f"graph {spec.name!r} has no translator model {where}: train one with "
            "`sparqlqa train` or `sparqlqa adapt`"
        )
    else:
        try:
            pipeline = build_pipeline(spec, folder, store, guard, prefixes, settings)
        except SparqlqaError as exc:
            problem = f"graph {spec.name!r} cannot answer questions: {exc}"
    if problem:
        log.warning(problem)
    sparql_store, sparql_guard = sparql_lane(store, guard, settings)
    return Graph(
        spec, folder, store, guard, prefixes, pipeline, problem, sparql_store, sparql_guard
    )


def sparql_lane(store: Store, guard: Guard, settings: Settings) -> tuple[Store | None, Guard]:
    """The store and guard of /sparql: worker processes of their own (query workers for an
    embedded store, at low CPU priority; parser workers always), so that /sparql traffic
    never waits behind or slows down /ask's candidate queries."""
    from dataclasses import replace

    from sparqlqa.kg.embedded import EmbeddedStore
    from sparqlqa.kg.worker import QueryWorkerPool

    nice = 10  # yields the cores to /ask when both are busy
    lane: Store | None = None
    if isinstance(store, EmbeddedStore):
        lane = store.lane(
            workers=settings.sparql_query_workers,
            nice=nice,
            memory_mb=settings.query_worker_memory_mb,
            queue_timeout_s=settings.sparql_queue_timeout_s,
        )
    # Not niced: a parse is short and bounded (plan_timeout_s of CPU), and a starved parser
    # would hold its worker, and the queries queued behind it, for its whole wall-clock cap.
    parser = QueryWorkerPool(
        None, size=settings.sparql_query_workers, queue_timeout_s=settings.sparql_queue_timeout_s
    )
    return lane, replace(guard, parser=parser)


def build_pipeline(
    spec: GraphSpec,
    folder: Path,
    store: Store,
    guard: Guard,
    prefixes: dict[str, str],
    settings: Settings,
) -> QAPipeline:
    """Load the schema, retriever, linker and translator of a graph folder."""
    from sparqlqa.ontology.tune import open_retriever
    from sparqlqa.qa.components import linker_for, translator_for
    from sparqlqa.service.batching import BatchingTranslator
    from sparqlqa.training.target import decode

    model = translator_for(folder / (spec.model or "model"))
    # The model writes the prefixed names it was trained with: those win over the graph's.
    prefixes.update(model.prefixes)
    guard.prefixes = prefixes
    schema = load_graph_schema(spec, folder, store)
    retriever = open_retriever(schema, folder / "index", mode=spec.retrieval_mode)
    linker = linker_for(store, schema, spec, folder)
    translator = BatchingTranslator(
        model, max_size=settings.batch_max_size, max_wait_ms=settings.batch_max_wait_ms
    )
    return QAPipeline(
        graph=spec.name,
        store=store,
        guard=guard,
        schema=schema,
        prefixes=prefixes,
        linker=linker,
        retriever=retriever,
        translator=translator,
        decode=decode,
        label_predicates=spec.label_predicates,
        schema_k=model.schema_items,
        prompt_chars=model.prompt_chars,
    )
