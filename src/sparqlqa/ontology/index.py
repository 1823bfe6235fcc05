"""The indexes of one graph, built once and stored (``sparqlqa index``), and read back.

A graph folder (the layout ``sparqlqa serve`` reads, see ``service/graphs.py``) gets::

    schema.json            the schema (from the ontology files, else from the store), with
                           the query-log mentions of ``--usage-queries`` when given
    index/labels.tsv       the entity linker's label index: IRI, label, class per line
    index/schema-*.npy     the embeddings of the schema's terms (one file per schema + model)
    index/labels-*.npy     the embeddings of the labels (``label_embeddings``)
    index/manifest.json    what it was built from: the store's sources (with their hashes),
                           the ontology files' hashes, the model, the schema's fingerprint

A second build with the same sources and model reuses every file; the embedding files are
keyed by the schema's content, the model and the exact texts (``ontology.embed``), so a
changed schema or model gets new ones. :func:`open_index` turns the folder into a
``PromptBuilder``: ``open_index(folder).build(question)`` gives the schema block and the
linked entities of a question.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sparqlqa.benchmarks.datasets import ReadOptions, read_dataset
from sparqlqa.errors import ConfigError
from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.store import SparqlStore, Store
from sparqlqa.ontology.context import ContextConfig, PromptBuilder
from sparqlqa.ontology.embed import Embedder, SentenceTransformerEmbedder
from sparqlqa.ontology.link import EntityLinker, LabelIndex
from sparqlqa.ontology.prompt import merge_prefixes
from sparqlqa.ontology.retrieve import Mode, SchemaRetriever
from sparqlqa.ontology.schema import Schema, load_schema, schema_from_store
from sparqlqa.ontology.tune import (
    TUNED_DIR,
    TuneConfig,
    open_retriever,
    tune_retriever,
    tuned_settings,
)
from sparqlqa.ontology.usage import count_mentions, read_queries, set_mentions

MANIFEST_VERSION = 1
log = logging.getLogger(__name__)


@dataclass
class IndexRequest:
    """What to index and how."""

    output: Path  # the graph folder: schema.json and index/ are written here
    store: Path | None = None  # embedded store folder (its data: labels, schema if no ontology)
    ontology: list[Path] = field(default_factory=list)  # ontology files: the schema
    usage_queries: list[Path] = field(default_factory=list)  # query logs for the prior
    model: str | None = None  # sentence-transformers id or folder; None: bundled MiniLM
    mode: Mode = "hybrid"  # lexical: no embeddings at all
    label_embeddings: bool = False  # embed every label too (the linker's optional re-ranking)
    rebuild: bool = False  # ignore what is stored and build everything again
    threads: int | None = 1  # torch threads while indexing (1 on a shared machine)
    # Questions with known queries to fine-tune the retriever on (``ontology.tune``): files
    # of a dataset format of ``eval.datasets`` (lcquad1, lcquad2, qald, text2sparql, jsonl:
    # its train split). Never the questions you evaluate on.
    tune_on: list[Path] = field(default_factory=list)
    tune_format: str = "jsonl"
    tune_epochs: float = 1.0

    def __post_init__(self) -> None:
        if self.store is None and not self.ontology:
            raise ValueError("give a store folder, ontology files, or both")
        if self.store is not None and not (self.store / "store.json").is_file():
            raise ValueError(f"{self.store}: no embedded store (no store.json)")
        for path in [*self.ontology, *self.usage_queries, *self.tune_on]:
            if not path.is_file():
                raise ValueError(f"{path}: no such file")


@dataclass
class IndexReport:
    """What a build did."""

    folder: Path
    classes: int
    properties: int
    labels: int
    mentioned_terms: int
    reused: list[str]  # the parts taken from a previous build
    seconds: dict[str, float]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sources(request: IndexRequest) -> dict[str, Any]:
    """The content the schema and label index depend on (not the model)."""
    store_sources: Any = None
    if request.store is not None:
        meta = json.loads((request.store / "store.json").read_text())
        store_sources = [meta.get("sources"), meta.get("triples")]
    return {
        "store": store_sources,
        "ontology": [_sha256(p) for p in request.ontology],
        "usage_queries": [_sha256(p) for p in request.usage_queries],
        "version": MANIFEST_VERSION,
    }


def _tuning(request: IndexRequest) -> dict[str, Any] | None:
    """What the tuned retriever depends on besides the schema, or ``None`` when untuned."""
    if not request.tune_on:
        return None
    return {
        "files": [_sha256(p) for p in request.tune_on],
        "format": request.tune_format,
        "epochs": request.tune_epochs,
        "model": request.model,
    }


def graph_paths(folder: Path) -> tuple[Path, Path]:
    """``schema.json`` and the ``index/`` folder of a graph folder."""
    return folder / "schema.json", folder / "index"


def build_index(request: IndexRequest) -> IndexReport:
    """Build (or reuse) the schema, the label index and the embedding indexes of a graph."""
    schema_path, index_dir = graph_paths(request.output)
    index_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = index_dir / "manifest.json"
    sources = _sources(request)
    previous: dict[str, Any] = {}
    if manifest_path.is_file() and not request.rebuild:
        previous = json.loads(manifest_path.read_text())
    same_sources = previous.get("sources") == sources
    reused: list[str] = []
    seconds: dict[str, float] = {}
    store = _open_store(request.store) if request.store else None

    started = time.perf_counter()
    if same_sources and schema_path.is_file():
        schema = Schema.from_json(json.loads(schema_path.read_text()))
        reused.append("schema")
        log.info(f"schema: reused {schema_path}")
    else:
        log.info("schema: reading " + ("ontology files" if request.ontology else "the store"))
        schema = load_schema(request.ontology) if request.ontology else schema_from_store(store)  # type: ignore[arg-type]
        if request.usage_queries:
            queries = [q for path in request.usage_queries for q in read_queries(path)]
            prefixes = merge_prefixes(store.prefixes if store else {}, COMMON_PREFIXES)
            mentioned = set_mentions(schema, count_mentions(queries, schema, prefixes))
            log.info(f"usage prior: {len(queries)} queries mention {mentioned} terms")
        schema_path.write_text(json.dumps(schema.to_json(), ensure_ascii=False))
    seconds["schema"] = round(time.perf_counter() - started, 2)
    log.info(
        f"schema: {len(schema.classes)} classes, {len(schema.properties)} properties, "
        f"fingerprint {schema.fingerprint()}"
    )

    started = time.perf_counter()
    labels_path = index_dir / "labels.tsv"
    labels: LabelIndex | None = None
    if same_sources and labels_path.is_file():
        labels = LabelIndex.from_tsv(labels_path, schema=schema)
        reused.append("labels")
        log.info(f"labels: reused {labels_path} ({len(labels)} entries)")
    elif store is not None:
        log.info("labels: reading every label of the store")
        labels = LabelIndex.from_store(store, schema=schema)
        write_labels(labels, labels_path)
        log.info(f"labels: {len(labels)} entries -> {labels_path}")
    seconds["labels"] = round(time.perf_counter() - started, 2)

    embedder: Embedder | None = None
    tuning_record: dict[str, Any] | None = None
    if request.mode != "lexical":
        embedder = SentenceTransformerEmbedder(request.model, index_threads=request.threads)
        started = time.perf_counter()
        before = {p.name for p in index_dir.glob("schema-*.npy")}
        log.info(
            f"schema embeddings: {len(schema.classes) + len(schema.properties)} terms, model "
            f"{embedder.name}"
        )
        SchemaRetriever(schema, embedder, mode=request.mode, cache_dir=index_dir)
        if {p.name for p in index_dir.glob("schema-*.npy")} == before and before:
            reused.append("schema embeddings")
        seconds["schema_embeddings"] = round(time.perf_counter() - started, 2)
        if request.tune_on:
            started = time.perf_counter()
            tuning = {"inputs": _tuning(request), "schema": schema.fingerprint()}
            if previous.get("tuning") == tuning and tuned_settings(index_dir / TUNED_DIR):
                reused.append("tuned retriever")
                log.info("tuned retriever: reused")
            else:
                _tune(request, schema, store, index_dir)
            tuning_record = tuning
            seconds["tune_retriever"] = round(time.perf_counter() - started, 2)
        elif tuned_settings(index_dir / TUNED_DIR):
            tuning_record = previous.get("tuning")
            log.info(
                f"tuned retriever: kept {index_dir / TUNED_DIR} (delete it to use the untuned)"
            )
        if request.label_embeddings and labels is not None:
            started = time.perf_counter()
            before = {p.name for p in index_dir.glob("labels-*.npy")}
            log.info(f"label embeddings: {len(labels)} labels (minutes for a large graph)")
            EntityLinker(labels, embedder, cache_dir=index_dir)
            if {p.name for p in index_dir.glob("labels-*.npy")} == before and before:
                reused.append("label embeddings")
            seconds["label_embeddings"] = round(time.perf_counter() - started, 2)

    manifest = {
        "sources": sources,
        "tuning": tuning_record,
        "store": str(request.store.resolve()) if request.store else None,
        "ontology": [str(p.resolve()) for p in request.ontology],
        "usage_queries": [str(p.resolve()) for p in request.usage_queries],
        "model": embedder.name if embedder else None,
        "mode": request.mode,
        "label_embeddings": request.label_embeddings,
        "schema_fingerprint": schema.fingerprint(),
        "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "request": {k: str(v) for k, v in asdict(request).items()},
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    mentioned_terms = sum(1 for c in schema.classes.values() if c.mentions) + sum(
        1 for p in schema.properties.values() if p.mentions
    )
    return IndexReport(
        request.output,
        len(schema.classes),
        len(schema.properties),
        len(labels) if labels is not None else 0,
        mentioned_terms,
        reused,
        seconds,
    )


def _tune(
    request: IndexRequest,
    schema: Schema,
    store: Store | None,
    index_dir: Path,
) -> None:
    """Fine-tune the retriever on ``request.tune_on``; the schema's embeddings by the tuned
    model land in ``index_dir`` on the way (its weights are chosen with them)."""
    import shutil

    options = ReadOptions(split="train") if request.tune_format == "jsonl" else ReadOptions()
    pairs: list[tuple[str, str]] = []
    for path in request.tune_on:
        dataset = read_dataset(path, request.tune_format, options)
        pairs += [(q.question, q.query) for q in dataset.questions if q.query]
    prefixes = merge_prefixes(store.prefixes if store else {}, COMMON_PREFIXES)
    folder = index_dir / TUNED_DIR
    shutil.rmtree(folder, ignore_errors=True)
    config = TuneConfig(
        output=folder,
        base_model=request.model,
        epochs=request.tune_epochs,
        threads=request.threads,
    )
    report = tune_retriever(
        schema,
        prefixes,
        pairs,
        config,
        cache_dir=index_dir,
        data=[str(p) for p in request.tune_on],
    )
    log.info(
        f"tuned retriever: dev recall@10 {report.dev_recall_at_10['untuned']:.3f} -> "
        f"{report.dev_recall_at_10['tuned']:.3f} ({report.seconds:.0f} s)"
    )


def write_labels(index: LabelIndex, path: Path) -> None:
    """The labels of ``index`` as ``IRI<TAB>label<TAB>class`` lines (one per class), the
    format :meth:`LabelIndex.from_tsv` reads; derived aliases are left out (re-derived)."""
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        for entry in index.entries:
            if entry.weight < 1.0:
                continue
            if entry.iri in index.values:  # a value: the properties holding it
                writer.writerow([entry.iri, entry.label, "", " ".join(index.values[entry.iri])])
                continue
            classes = index.classes.get(entry.iri) or [""]
            for cls in classes:
                writer.writerow([entry.iri, entry.label, cls])
    partial.replace(path)


def _open_store(folder: Path) -> SparqlStore:
    return EmbeddedStore(folder)


def open_index(
    folder: Path,
    *,
    embedder: Embedder | None = None,
    config: ContextConfig | None = None,
    prefixes: dict[str, str] | None = None,
) -> PromptBuilder:
    """A prompt builder over a folder written by :func:`build_index`: ``.build(question)``
    returns the schema block (``schema_items``), the linked entities and the prompt.

    The mode and model are those of the build unless ``config`` or ``embedder`` say
    otherwise; prefixes are the store's (when the build had one), then the common ones.
    """
    schema_path, index_dir = graph_paths(folder)
    manifest_path = index_dir / "manifest.json"
    if not manifest_path.is_file() or not schema_path.is_file():
        raise ConfigError(f"{folder}: no index here, build it with `sparqlqa index`")
    manifest = json.loads(manifest_path.read_text())
    config = config or ContextConfig(mode=manifest.get("mode") or "hybrid")
    schema = Schema.from_json(json.loads(schema_path.read_text()))
    if config.mode != "lexical" and embedder is None:
        embedder = SentenceTransformerEmbedder(manifest.get("model"))
    retriever = open_retriever(schema, index_dir, mode=config.mode, embedder=embedder)
    labels_path = index_dir / "labels.tsv"
    labels = (
        LabelIndex.from_tsv(labels_path, schema=schema)
        if labels_path.is_file()
        else LabelIndex([], schema=schema)
    )
    linker = EntityLinker(
        labels,
        embedder if manifest.get("label_embeddings") else None,
        config=config.linker,
        cache_dir=index_dir,
    )
    store_prefixes: dict[str, str] = {}
    if manifest.get("store") and Path(manifest["store"], "store.json").is_file():
        store_prefixes = json.loads(Path(manifest["store"], "store.json").read_text()).get(
            "prefixes", {}
        )
    table = merge_prefixes(prefixes or store_prefixes, COMMON_PREFIXES)
    return PromptBuilder(schema, retriever, linker, table, config)


def describe_report(report: IndexReport) -> str:
    """One line per part, for the command line."""
    lines = [
        f"{report.folder}: {report.classes} classes, {report.properties} properties, "
        f"{report.labels} labels, {report.mentioned_terms} terms with a usage prior",
        "reused: " + (", ".join(report.reused) or "nothing"),
        "seconds: " + ", ".join(f"{k} {v}" for k, v in report.seconds.items()),
    ]
    return "\n".join(lines)


def request_from_graph_folder(folder: Path, **options: Any) -> IndexRequest:
    """An :class:`IndexRequest` for a graph folder with a ``graph.json`` (its store and
    ontology files, relative to the folder)."""
    spec_path = folder / "graph.json"
    spec = json.loads(spec_path.read_text())
    store = folder / spec["store"] if spec.get("store") and not spec.get("endpoint") else None
    if spec.get("endpoint") and not spec.get("ontology"):
        raise ConfigError(
            f"{spec_path}: a remote endpoint with no ontology files: pass --ontology (the "
            "label index of a remote graph is not built here, see EndpointLinker)"
        )
    ontology: Sequence[str] = spec.get("ontology") or []
    options.setdefault("ontology", [folder / p for p in ontology])
    return IndexRequest(output=folder, store=store, **options)
