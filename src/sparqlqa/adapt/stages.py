"""The stages that build a graph folder's data: store, schema, index, generate and graph.

Each stage is a ``Stage``: a name and a ``run`` that does its work in the folder and returns
what ``adapt.json`` records of it. A ``Context`` holds what the stages share: the arguments,
the state and the store, opened once for the stages that query it. The learning stages
(train, evaluate) are in ``adapt.learn``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from sparqlqa.adapt.args import AdaptArgs, Log
from sparqlqa.adapt.state import State
from sparqlqa.errors import ConfigError, SparqlqaError
from sparqlqa.kg.embedded import EmbeddedStore, build_store
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.remote import RemoteEndpoint
from sparqlqa.kg.store import Store
from sparqlqa.ontology.retrieve import SchemaRetriever
from sparqlqa.ontology.schema import (
    Schema,
    describes_vocabulary,
    ontology_with_data_counts,
    schema_from_store,
)
from sparqlqa.qa.components import linker_for
from sparqlqa.qa.graphs import GraphSpec
from sparqlqa.templates import generate


class Context:
    """One adapt call: the arguments, the state, and the store while it is open."""

    def __init__(self, args: AdaptArgs, state: State, log: Log) -> None:
        self.args = args
        self.state = state
        self.log = log
        self.folder = args.folder
        self._store: Store | None = None

    def store(self) -> Store:
        """The graph's store or endpoint, opened on first use."""
        if self._store is None:
            if self.args.endpoint:
                self._store = RemoteEndpoint(
                    self.args.endpoint, default_graph=self.args.endpoint_graph, timeout_s=120.0
                )
            else:
                # CPU-time limits: generation and evaluation give the same pairs and figures
                # for the same seed on an idle and on a busy machine.
                self._store = EmbeddedStore(self.folder / "store", workers=1, cpu_timeouts=True)
        return self._store

    def close(self) -> None:
        """Close the store (a stage that opens it itself calls this first)."""
        if self._store is not None:
            self._store.close()
        self._store = None

    def spec(self) -> GraphSpec:
        """The folder's ``graph.json`` as the run's arguments describe it."""
        args = self.args
        return GraphSpec(
            name=args.name or "graph",
            title=args.title,
            datasets=list(args.datasets),
            store=None if args.endpoint else "store",
            endpoint=args.endpoint,
            default_graph=args.endpoint_graph,
            model="model",
            retrieval_mode=args.retrieval_mode,
        )

    def vocabulary(self) -> bool:
        """Whether the schema stage found the graph to be a vocabulary read as data."""
        return bool(self.state.info("schema").get("vocabulary_as_data"))

    def schema(self) -> Schema:
        """The schema the schema stage wrote."""
        return Schema.from_json(json.loads((self.folder / "schema.json").read_text()))


class Stage(Protocol):
    """One step of an adapt run."""

    #: Its name in ``adapt.json`` and in the progress lines.
    name: str

    def run(self, ctx: Context) -> dict[str, Any]:
        """Do the stage's work in ``ctx.folder``; the result is recorded in ``adapt.json``."""
        ...


class StoreStage:
    """The embedded store from the RDF files, or a count of the endpoint's triples."""

    name = "store"

    def run(self, ctx: Context) -> dict[str, Any]:
        if ctx.args.endpoint:
            triples = None
            try:
                triples = ctx.store().count_triples()
            except SparqlqaError as exc:  # a count of a large graph may time out: no matter
                ctx.log(f"  (could not count the endpoint's triples: {exc})")
            return {"endpoint": ctx.args.endpoint, "triples": triples}
        files = list(dict.fromkeys([*ctx.args.files, *ctx.args.ontology]))
        meta = build_store(ctx.folder / "store", files, progress=ctx.args.progress)
        ctx.log(f"  {meta['triples']:,} triples from {len(files)} file(s)")
        return {"triples": meta["triples"]}


class SchemaStage:
    """``schema.json``: the ontology with the data's counts, else inferred from the data (a
    graph that is itself a vocabulary is described as data)."""

    name = "schema"

    def run(self, ctx: Context) -> dict[str, Any]:
        store = ctx.store()
        vocabulary = False
        if ctx.args.ontology:
            schema = ontology_with_data_counts(ctx.args.ontology, store)
        else:
            schema = schema_from_store(store, infer=True, drop_metadata=True)
            if describes_vocabulary(schema):
                vocabulary = True
                ctx.log(
                    f"  the graph declares {len(schema.classes)} classes and "
                    f"{len(schema.properties)} properties but holds (almost) no data typed "
                    "with them: it is a vocabulary, so its classes and properties are "
                    "treated as the data (questions about them)"
                )
                schema = schema_from_store(store, vocabulary_as_data=True)
        if not schema.classes and not schema.properties:
            raise ConfigError(
                f"no classes or properties found in {ctx.args.endpoint or 'the RDF files'}: "
                "is the graph empty? Give its ontology with --ontology"
            )
        path = ctx.folder / "schema.json"
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(schema.to_json()))
        partial.replace(path)
        used = sum(1 for c in schema.classes.values() if c.instances)
        ctx.log(
            f"  {len(schema.classes)} classes ({used} with instances), "
            f"{len(schema.properties)} properties"
        )
        return {
            "classes": len(schema.classes),
            "properties": len(schema.properties),
            "vocabulary_as_data": vocabulary,
        }


class IndexStage:
    """The schema retriever's embedding cache and the entity linker's label index."""

    name = "index"

    def run(self, ctx: Context) -> dict[str, Any]:
        schema = ctx.schema()
        SchemaRetriever(schema, mode=ctx.args.retrieval_mode, cache_dir=ctx.folder / "index")
        linker = linker_for(ctx.store(), schema, ctx.spec(), ctx.folder)
        labels = len(linker.linker.index)
        ctx.log(f"  schema retriever ({ctx.args.retrieval_mode}) cached; {labels:,} labels")
        if not labels:
            ctx.log("  warning: no labelled resources: questions cannot name entities")
        return {"labels": labels}


class GenerateStage:
    """``pairs/``: the templates instantiated into question/query pairs, resumed with the
    same settings after an interruption."""

    name = "generate"

    def run(self, ctx: Context) -> dict[str, Any]:
        out = ctx.folder / "pairs"
        store = ctx.store()
        base = generate.GenerateArgs(
            output=out,
            seed=ctx.args.seed,
            store=None if ctx.args.endpoint else ctx.folder / "store",
            endpoint=ctx.args.endpoint,
            default_graph=ctx.args.endpoint_graph,
            template_files=list(ctx.args.templates),
            sets=list(ctx.args.sets),
            schema_derived=True,
            schema_file=ctx.folder / "schema.json",
            vocabulary_as_data=ctx.vocabulary(),
            graph=ctx.args.name or "",
            progress=ctx.args.progress,
            languages=ctx.args.languages,
        )
        composed = round(ctx.args.max_pairs * ctx.args.composed_share)
        per_template = self._per_template(ctx, base, store, out, ctx.args.max_pairs - composed)
        base.per_template = per_template
        base.compose = composed
        base.resume = out.is_dir() and any(out.iterdir())
        summary = generate.run(base, store=store)
        for problem in summary.problems[:5]:
            ctx.log(f"  warning: {problem}")
        if not summary.splits.get("train"):
            raise ConfigError(
                f"no training pairs could be generated from {ctx.folder / 'schema.json'} "
                "(no labelled instances of its classes?); give hand-written templates with "
                "--templates, or an ontology with --ontology"
            )
        splits = ", ".join(f"{k} {v}" for k, v in summary.splits.items())
        shapes = ", ".join(f"{k} {v}" for k, v in summary.shapes.items())
        ctx.log(
            f"  {summary.pairs:,} pairs ({splits}) from {summary.templates_done} templates; "
            f"shapes: {shapes}"
        )
        return {
            "pairs": summary.pairs,
            "splits": summary.splits,
            "shapes": summary.shapes,
            "per_template": per_template,
            "templates_done": summary.templates_done,
            "templates_failed": summary.templates_failed,
        }

    @staticmethod
    def _per_template(
        ctx: Context, base: generate.GenerateArgs, store: Store, out: Path, derived_pairs: int
    ) -> int:
        saved = out / "config.json"
        if saved.is_file():  # an interrupted run: resume it with the very same settings
            return int(json.loads(saved.read_text())["per_template"])
        prefixes = {**COMMON_PREFIXES, **store.prefixes}
        templates, _ = generate.collect_templates(
            base, store, prefixes, generate.label_predicates(base, store)
        )
        per_template = max(2, min(200, derived_pairs // max(len(templates), 1)))
        ctx.log(f"  {len(templates)} templates, up to {per_template} pairs each")
        return per_template


class GraphStage:
    """``graph.json``: the folder is complete (written again on every run: it carries the
    name and dataset ids, which may change)."""

    name = "graph"

    def run(self, ctx: Context) -> dict[str, Any]:
        ctx.spec().write(ctx.folder)
        return {"name": ctx.args.name}
