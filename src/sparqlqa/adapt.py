"""``sparqlqa adapt``: one command from an RDF graph (files or an endpoint) to a graph folder
that ``sparqlqa serve`` answers questions on.

Stages, in order; each one writes its outputs into the graph folder and is then recorded as
finished in ``adapt.json``, so a re-run resumes after the last finished stage (and the
generate, train and evaluate stages resume inside themselves)::

    store     embedded store from the RDF files (or a reachability check of the endpoint)
    schema    schema.json: the ontology's declarations, else inferred from the data
    index     the schema retriever's embeddings (index/) and a check of the label index
    generate  pairs/: hand-written templates (if any) plus schema-derived ones, instantiated
    train     model/: the translator, trained for a wall-clock budget (train/ keeps its log)
    evaluate  eval/ (per question) and report.json, report.md: the whole pipeline on the
              generated test split, answer F1 and exact match overall and per question shape
    graph     graph.json: the folder is complete and can be served

The inputs that make the folder (files and their hashes, ontology, endpoint, templates, model
preset, seed, pair cap) are recorded; a re-run with other inputs is refused (``--force``
starts again from scratch). Budgets (training minutes, questions evaluated, threads) and the
graph's name and dataset ids may change between runs: they apply to the stages still to run,
and ``graph.json`` is written again at the end of every run.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from sparqlqa import paths
from sparqlqa.errors import ConfigError, SparqlqaError

STAGES = ("store", "schema", "index", "generate", "train", "evaluate", "graph")
STATE_FILE = "adapt.json"
STATE_VERSION = 1

#: Training settings per preset, for a run bounded by wall time on a few CPU cores. The
#: MiniLM ones follow the measurements in docs/training.md: a fine-tuned encoder learns more
#: per example than a frozen one, and 4 of its 6 layers with 6 schema items per prompt make a
#: step about twice as fast.
TRAINING_PRESETS: dict[str, dict[str, Any]] = {
    "minilm-seq2seq": {
        "freeze_encoder": False,
        "encoder_learning_rate": 1.0e-4,
        "encoder_layers": 4,
        "schema_items": 6,
        "batch_size": 16,
        "learning_rate": 1.0e-3,
        "warmup_ratio": 0.03,
    },
    "tiny-seq2seq": {"batch_size": 8, "learning_rate": 3.0e-3, "warmup_ratio": 0.0},
    "tiny-codegen": {"batch_size": 8, "learning_rate": 3.0e-3, "warmup_ratio": 0.0},
}
#: Seconds per optimizer step assumed when the budget sets the schedule's length (measured on
#: the 2-core machine, docs/training.md); a slower machine stops at the time limit instead.
STEP_SECONDS = {"minilm-seq2seq": 1.2, "tiny-seq2seq": 0.05, "tiny-codegen": 0.05}


@dataclass
class AdaptArgs:
    """Everything an adapt run needs; checked in ``__post_init__``."""

    files: list[Path] = field(default_factory=list)  # RDF files of the graph
    endpoint: str | None = None  # or a SPARQL endpoint serving it
    endpoint_graph: str | None = None  # default graph IRI at that endpoint
    ontology: list[Path] = field(default_factory=list)  # schema from these (also loaded)
    name: str | None = None  # the graph's name (default: the first file's or the host's)
    title: str = ""  # a longer name, shown by the service
    datasets: list[str] = field(default_factory=list)  # TEXT2SPARQL dataset ids routed to it
    templates: list[Path] = field(default_factory=list)  # hand-written YAML templates
    sets: list[str] = field(default_factory=list)  # shipped template sets (corporate, dbpedia)
    output: Path | None = None  # the graph folder (default: $SPARQLQA_HOME/graphs/<name>)
    model: str = "minilm-seq2seq"  # training preset, hub id or checkpoint folder
    train_minutes: float = 15.0  # wall-clock budget of the training stage
    max_pairs: int = 12_000  # generated pairs at most (about; sets the pairs per template)
    eval_questions: int = 200  # test questions the evaluation asks (a seeded sample; 0: all)
    k: int = 5  # candidate queries per question in the evaluation (as the service does)
    seed: int = 0  # drives generation, splits, training and the evaluation sample
    threads: int = 0  # torch CPU threads (0: torch's default, one per core)
    retrieval_mode: Literal["lexical", "embedding", "hybrid"] = "hybrid"
    force: bool = False  # delete what is in the output folder and start again
    progress: bool = True  # progress bars of the long stages
    #: Further training settings (``training.config.TrainConfig`` fields), e.g. for tests.
    train_settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.files = [Path(f) for f in self.files]
        self.ontology = [Path(f) for f in self.ontology]
        self.templates = [Path(f) for f in self.templates]
        if self.files and self.endpoint:
            raise ConfigError("give RDF files or --endpoint, not both")
        if not self.files and not self.endpoint:
            raise ConfigError("nothing to adapt: give RDF files or --endpoint URL")
        if self.train_minutes <= 0:
            raise ConfigError("--train-minutes must be positive")
        if self.max_pairs < 10:
            raise ConfigError("--max-pairs must be at least 10")
        if self.eval_questions < 0 or self.k < 1:
            raise ConfigError("--eval-questions must be ≥ 0 and --k ≥ 1")
        self.name = self.name or _default_name(self.files, self.endpoint)
        self.output = Path(self.output) if self.output else paths.home() / "graphs" / self.name

    @property
    def folder(self) -> Path:
        assert self.output is not None  # set in __post_init__
        return self.output


def _default_name(files: Sequence[Path], endpoint: str | None) -> str:
    if files:
        name = Path(files[0]).name.split(".")[0]
    else:
        from urllib.parse import urlparse

        name = urlparse(endpoint or "").hostname or "endpoint"
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-") or "graph"


@dataclass
class AdaptResult:
    folder: Path
    ran: list[str]  # stages run in this call
    skipped: list[str]  # stages found finished
    report: dict[str, Any] | None  # report.json (None when there was nothing to evaluate)
    seconds: float


Log = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- inputs, state


def _digest(path: Path) -> dict[str, Any]:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    return {"path": str(path.resolve()), "size": path.stat().st_size, "sha256": sha.hexdigest()}


def check_inputs(args: AdaptArgs) -> None:
    """Fail early, naming the culprit: a missing or unreadable file, an unknown RDF syntax,
    an endpoint that does not answer."""
    from sparqlqa.kg.embedded import rdf_format

    for kind, files in (("RDF file", args.files), ("ontology file", args.ontology)):
        for path in files:
            if not path.is_file():
                raise ConfigError(f"{kind} not found: {path}")
            rdf_format(path)  # raises ConfigError naming the file for unknown extensions
    for path in args.templates:
        if not path.exists():
            raise ConfigError(f"template file not found: {path}")
    if args.endpoint:
        from sparqlqa.kg.remote import RemoteEndpoint

        # Raises EndpointUnreachable / EndpointError naming the URL.
        RemoteEndpoint(
            args.endpoint, default_graph=args.endpoint_graph, timeout_s=20.0, retries=1
        ).ask("ASK { ?s ?p ?o }")


def inputs_of(args: AdaptArgs) -> dict[str, Any]:
    """What the folder is made of; a re-run with other inputs is refused."""
    return {
        "files": [_digest(p) for p in args.files],
        "ontology": [_digest(p) for p in args.ontology],
        "endpoint": args.endpoint,
        "endpoint_graph": args.endpoint_graph,
        "templates": [_digest(p) for p in _template_files(args.templates)],
        "sets": list(args.sets),
        "model": args.model,
        "seed": args.seed,
        "max_pairs": args.max_pairs,
    }


def _template_files(paths_: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths_:
        out += sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
    return out


class State:
    """``adapt.json``: the inputs, and per finished stage when it ended and what it made."""

    def __init__(self, folder: Path, data: dict[str, Any]) -> None:
        self.folder = folder
        self.data = data

    @classmethod
    def open(cls, folder: Path, inputs: dict[str, Any], force: bool) -> State:
        path = folder / STATE_FILE
        if folder.exists() and any(folder.iterdir()):
            if force:
                shutil.rmtree(folder)
            elif not path.is_file():
                raise ConfigError(
                    f"{folder} is not empty and holds no {STATE_FILE}: it is not a folder "
                    "made by `sparqlqa adapt`; pick another --output or pass --force to "
                    "replace its contents"
                )
            else:
                data = json.loads(path.read_text())
                changed = [k for k, v in inputs.items() if data.get("inputs", {}).get(k) != v]
                if changed:
                    raise ConfigError(
                        f"{folder} was adapted from other inputs (changed: "
                        f"{', '.join(changed)}); pass --force to start again from scratch, "
                        "or pick another --output"
                    )
                return cls(folder, data)
        folder.mkdir(parents=True, exist_ok=True)
        state = cls(folder, {"version": STATE_VERSION, "inputs": inputs, "stages": {}})
        state.save()
        return state

    def done(self, stage: str) -> bool:
        return stage in self.data["stages"]

    def info(self, stage: str) -> dict[str, Any]:
        return dict(self.data["stages"].get(stage, {}))

    def finish(self, stage: str, seconds: float, **info: Any) -> None:
        self.data["stages"][stage] = {
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seconds": round(seconds, 2),
            **info,
        }
        self.save()

    def save(self) -> None:
        path = self.folder / STATE_FILE
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(self.data, indent=2) + "\n")
        partial.replace(path)


def is_complete(folder: Path) -> bool:
    """Whether ``folder`` is a finished graph folder: every adapt stage done (or, for a folder
    made by hand, a graph.json and a model)."""
    state = folder / STATE_FILE
    if state.is_file():
        try:
            stages = json.loads(state.read_text()).get("stages", {})
        except ValueError:
            return False
        return all(s in stages for s in STAGES) and (folder / "graph.json").is_file()
    return (folder / "graph.json").is_file() and (folder / "model" / "config.json").is_file()


# ---------------------------------------------------------------------------------- stages


class _Run:
    """One adapt call: the arguments, the state, and the store while it is open."""

    def __init__(self, args: AdaptArgs, state: State, log: Log) -> None:
        self.args = args
        self.state = state
        self.log = log
        self.folder = args.folder
        self._store: Any = None

    # the store, opened once for the stages that query it
    def store(self) -> Any:
        if self._store is None:
            if self.args.endpoint:
                from sparqlqa.kg.remote import RemoteEndpoint

                self._store = RemoteEndpoint(
                    self.args.endpoint, default_graph=self.args.endpoint_graph, timeout_s=120.0
                )
            else:
                from sparqlqa.kg.embedded import EmbeddedStore

                self._store = EmbeddedStore(self.folder / "store", workers=1)
        return self._store

    def close(self) -> None:
        if self._store is not None and hasattr(self._store, "close"):
            self._store.close()
        self._store = None

    def spec(self) -> Any:
        from sparqlqa.qa.graphs import GraphSpec

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
        return bool(self.state.info("schema").get("vocabulary_as_data"))

    # --- store
    def stage_store(self) -> dict[str, Any]:
        if self.args.endpoint:
            triples = None
            try:
                triples = self.store().count_triples()
            except SparqlqaError as exc:  # a count of a large graph may time out: no matter
                self.log(f"  (could not count the endpoint's triples: {exc})")
            return {"endpoint": self.args.endpoint, "triples": triples}
        from sparqlqa.kg.embedded import build_store

        files = list(dict.fromkeys([*self.args.files, *self.args.ontology]))
        meta = build_store(self.folder / "store", files, progress=self.args.progress)
        self.log(f"  {meta['triples']:,} triples from {len(files)} file(s)")
        return {"triples": meta["triples"]}

    # --- schema
    def stage_schema(self) -> dict[str, Any]:
        from sparqlqa.ontology.schema import describes_vocabulary, load_schema, schema_from_store

        store = self.store()
        vocabulary = False
        if self.args.ontology:
            schema = load_schema(self.args.ontology)
            data = schema_from_store(store, infer=True)  # usage and instance counts
            for iri, cls in schema.classes.items():
                if iri in data.classes:
                    cls.instances = data.classes[iri].instances
            for iri, prop in schema.properties.items():
                if iri in data.properties:
                    prop.usage = data.properties[iri].usage
        else:
            schema = schema_from_store(store, infer=True, drop_metadata=True)
            if describes_vocabulary(schema):
                vocabulary = True
                self.log(
                    f"  the graph declares {len(schema.classes)} classes and "
                    f"{len(schema.properties)} properties but holds (almost) no data typed "
                    "with them: it is a vocabulary, so its classes and properties are "
                    "treated as the data (questions about them)"
                )
                schema = schema_from_store(store, vocabulary_as_data=True)
        if not schema.classes and not schema.properties:
            raise ConfigError(
                f"no classes or properties found in {self.args.endpoint or 'the RDF files'}: "
                "is the graph empty? Give its ontology with --ontology"
            )
        path = self.folder / "schema.json"
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(schema.to_json()))
        partial.replace(path)
        used = sum(1 for c in schema.classes.values() if c.instances)
        self.log(
            f"  {len(schema.classes)} classes ({used} with instances), "
            f"{len(schema.properties)} properties"
        )
        return {
            "classes": len(schema.classes),
            "properties": len(schema.properties),
            "vocabulary_as_data": vocabulary,
        }

    def schema(self) -> Any:
        from sparqlqa.ontology.schema import Schema

        return Schema.from_json(json.loads((self.folder / "schema.json").read_text()))

    # --- index
    def stage_index(self) -> dict[str, Any]:
        from sparqlqa.ontology.retrieve import SchemaRetriever
        from sparqlqa.qa.components import linker_for

        schema = self.schema()
        SchemaRetriever(schema, mode=self.args.retrieval_mode, cache_dir=self.folder / "index")
        linker = linker_for(self.store(), schema, self.spec(), self.folder)
        labels = len(linker.linker.index)
        self.log(f"  schema retriever ({self.args.retrieval_mode}) cached; {labels:,} labels")
        if not labels:
            self.log("  warning: no labelled resources: questions cannot name entities")
        return {"labels": labels}

    # --- generate
    def stage_generate(self) -> dict[str, Any]:
        from sparqlqa.templates.generate import (
            GenerateArgs,
            collect_templates,
            label_predicates,
            run,
        )

        out = self.folder / "pairs"
        store = self.store()
        base = GenerateArgs(
            output=out,
            seed=self.args.seed,
            store=None if self.args.endpoint else self.folder / "store",
            endpoint=self.args.endpoint,
            default_graph=self.args.endpoint_graph,
            template_files=list(self.args.templates),
            sets=list(self.args.sets),
            schema_derived=True,
            schema_file=self.folder / "schema.json",
            vocabulary_as_data=self.vocabulary(),
            graph=self.args.name or "",
            progress=self.args.progress,
        )
        saved = out / "config.json"
        if saved.is_file():  # an interrupted run: resume it with the very same settings
            per_template = int(json.loads(saved.read_text())["per_template"])
        else:
            from sparqlqa.kg.prefixes import COMMON_PREFIXES

            prefixes = {**COMMON_PREFIXES, **getattr(store, "prefixes", {})}
            templates, _ = collect_templates(base, store, prefixes, label_predicates(base, store))
            per_template = max(2, min(200, self.args.max_pairs // max(len(templates), 1)))
            self.log(f"  {len(templates)} templates, up to {per_template} pairs each")
        base.per_template = per_template
        base.resume = out.is_dir() and any(out.iterdir())
        summary = run(base, store=store)
        for problem in summary.problems[:5]:
            self.log(f"  warning: {problem}")
        if not summary.splits.get("train"):
            raise ConfigError(
                f"no training pairs could be generated from {self.folder / 'schema.json'} "
                "(no labelled instances of its classes?); give hand-written templates with "
                "--templates, or an ontology with --ontology"
            )
        splits = ", ".join(f"{k} {v}" for k, v in summary.splits.items())
        shapes = ", ".join(f"{k} {v}" for k, v in summary.shapes.items())
        self.log(
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

    # --- train
    def train_config(self) -> Any:
        from sparqlqa.training.config import from_dict

        args = self.args
        pairs = self.folder / "pairs"
        train_pairs = int(self.state.info("generate").get("splits", {}).get("train", 0))
        settings: dict[str, Any] = {
            **TRAINING_PRESETS.get(args.model, TRAINING_PRESETS["minilm-seq2seq"]),
            "eval_steps": 0,  # the dev split is scored once, at the end
            "eval_examples": 100,
            "save_steps": 50,
            "save_total_limit": 1,
        }
        settings.update(args.train_settings)
        batch = int(settings.get("batch_size", 16))
        epochs = float(settings.get("epochs", 10.0))
        # The schedule's length: what the budget allows at the usual step time, at most
        # `epochs` passes; a slower machine ends at the time limit instead.
        budget_steps = int(args.train_minutes * 60 / STEP_SECONDS.get(args.model, 2.0))
        epoch_steps = math.ceil(epochs * math.ceil(max(train_pairs, 1) / batch))
        settings.setdefault("max_steps", max(1, min(budget_steps, epoch_steps)))
        schema_sources = [] if args.endpoint else [str(self.folder / "store")]
        settings.update(
            data=str(pairs),
            schema=[*schema_sources, str(self.folder / "schema.json")],
            output_dir=str(self.folder / "train"),
            model=args.model,
            seed=args.seed,
            max_train_minutes=args.train_minutes,
            num_threads=args.threads,
        )
        return from_dict(settings)

    def stage_train(self) -> dict[str, Any]:
        from sparqlqa.training.train import latest_checkpoint, train

        self.close()  # training opens the store itself; one reader at a time is enough
        config = self.train_config()
        out = Path(config.output_dir)
        final = self.folder / "model"
        trained = (out / "model").is_dir() or (final / "config.json").is_file()
        if not ((out / "train_result.json").is_file() and trained):
            config.resume = out.is_dir() and any(out.iterdir())
            if config.resume and latest_checkpoint(out) is None:
                # Interrupted before its first checkpoint: nothing to resume, start again.
                config.resume, config.overwrite_output_dir = False, True
            self.log(
                f"  {config.model}: at most {config.max_steps} steps of {config.batch_size} "
                f"or {config.max_train_minutes:g} minutes" + (" (resumed)" if config.resume else "")
            )
            train(config)
        result = json.loads((out / "train_result.json").read_text())
        if (out / "model").is_dir():  # else it was moved before an interruption
            if final.exists():
                shutil.rmtree(final)
            (out / "model").rename(final)
        for bulky in ("checkpoints", "best", "init"):  # the model is in model/ now
            if (out / bulky).is_dir():
                shutil.rmtree(out / bulky)
        self.log(
            f"  stopped at step {result.get('global_step')} ({result.get('stopped')}), "
            f"dev exact match {result.get('best_exact_match')}"
        )
        return {
            "global_step": result.get("global_step"),
            "stopped": result.get("stopped"),
            "dev_exact_match": result.get("best_exact_match"),
            "examples_per_s": result.get("examples_per_s"),
        }

    # --- evaluate
    def stage_evaluate(self) -> dict[str, Any]:
        from sparqlqa.eval.runner import EvalConfig
        from sparqlqa.eval.runner import run as run_eval
        from sparqlqa.eval.systems import PipelineSystem
        from sparqlqa.qa.graphs import open_graph
        from sparqlqa.service.settings import Settings

        self.close()
        test = self.folder / "pairs" / "test.jsonl"
        if not test.is_file() or not test.stat().st_size:
            self.log("  no test pairs were generated: nothing to evaluate")
            self._write_report(None)
            return {"questions": 0}
        if self.args.threads:
            import torch

            torch.set_num_threads(self.args.threads)
        settings = Settings(graphs=[self.folder], warm_up=False)
        graph = open_graph(self.folder, settings, spec=self.spec())
        try:
            if graph.pipeline is None:
                raise ConfigError(graph.problem or f"{self.folder}: the pipeline cannot load")
            config = EvalConfig(
                dataset=test,
                format="jsonl",
                system=str(self.folder),
                out=self.folder / "eval",
                limit=self.args.eval_questions or None,
                seed=self.args.seed,
                cache=self.folder / "eval" / "gold-cache.jsonl",
                timeout_s=settings.query_timeout_s,
                progress=self.args.progress,
            )
            system = PipelineSystem(graph.pipeline, name=str(self.folder), k=self.args.k)
            evaluation = run_eval(config, system=system, store=graph.store)
        finally:
            graph.close()
        report = self._write_report(evaluation)
        self.log(
            f"  {report['questions']} test questions: answer F1 {report['answer_f1']:.3f}, "
            f"exact match {report['exact_match']:.3f}"
        )
        return {
            "questions": report["questions"],
            "answer_f1": report["answer_f1"],
            "exact_match": report["exact_match"],
        }

    def _write_report(self, evaluation: dict[str, Any] | None) -> dict[str, Any]:
        report = build_report(self.args, self.state, evaluation)
        (self.folder / "report.json").write_text(json.dumps(report, indent=2) + "\n")
        (self.folder / "report.md").write_text(report_markdown(report))
        return report

    # --- graph
    def stage_graph(self) -> dict[str, Any]:
        self.spec().write(self.folder)
        return {"name": self.args.name}


def build_report(
    args: AdaptArgs, state: State, evaluation: dict[str, Any] | None
) -> dict[str, Any]:
    """The adapt report: what was built, and how the pipeline answers the test questions."""
    stages = state.data["stages"]
    report: dict[str, Any] = {
        "graph": args.name,
        "folder": str(args.folder),
        "model": args.model,
        "seed": args.seed,
        "k": args.k,
        "triples": stages.get("store", {}).get("triples"),
        "schema": {
            key: stages.get("schema", {}).get(key)
            for key in ("classes", "properties", "vocabulary_as_data")
        },
        "pairs": stages.get("generate", {}).get("splits"),
        "training": {
            key: stages.get("train", {}).get(key)
            for key in ("global_step", "stopped", "dev_exact_match", "examples_per_s", "seconds")
        },
        "stage_seconds": {name: info.get("seconds") for name, info in stages.items()},
        "questions": 0,
        "answer_f1": None,
        "exact_match": None,
        "by_shape": {},
    }
    if evaluation is not None:
        report.update(
            questions=evaluation["questions"],
            answer_f1=evaluation["answer"]["macro_f1"],
            exact_match=evaluation["query"]["exact_match"],
            latency_s=evaluation["latency_s"],
            by_shape={
                shape: {
                    "questions": block["questions"],
                    "answer_f1": block["macro_f1"],
                    "exact_match": block["exact_match"],
                }
                for shape, block in evaluation["by_question_type"].items()
            },
        )
    return report


def _f(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def report_markdown(report: dict[str, Any]) -> str:
    """``report.json`` as a short Markdown page."""
    lines = [
        f"# {report['graph']}: adapt report",
        "",
        f"Folder `{report['folder']}`; model `{report['model']}`, seed {report['seed']}.",
        f"Triples: {_f(report['triples'])}; schema: {_f(report['schema']['classes'])} classes, "
        f"{_f(report['schema']['properties'])} properties"
        + (" (a vocabulary, read as data)" if report["schema"]["vocabulary_as_data"] else "")
        + ".",
        f"Generated pairs: {report['pairs']}.",
        f"Training: step {_f(report['training']['global_step'])} "
        f"({_f(report['training']['stopped'])}), dev exact match "
        f"{_f(report['training']['dev_exact_match'])}.",
        "",
        f"## The whole pipeline on {report['questions']} test questions (k = {report['k']})",
        "",
        "Entities linked from the question text, schema retrieved, k candidate queries, the "
        "first that runs and fits the answer type; test entities were never seen in training.",
        "",
        "| shape | questions | answer F1 | exact match |",
        "| --- | --- | --- | --- |",
    ]
    for shape, block in report["by_shape"].items():
        lines.append(
            f"| {shape} | {block['questions']} | {_f(block['answer_f1'])} | "
            f"{_f(block['exact_match'])} |"
        )
    lines.append(
        f"| **all** | {report['questions']} | {_f(report['answer_f1'])} | "
        f"{_f(report['exact_match'])} |"
    )
    lines += ["", "## Stages (seconds)", "", "| stage | seconds |", "| --- | --- |"]
    lines += [f"| {name} | {_f(s)} |" for name, s in report["stage_seconds"].items()]
    return "\n".join(lines) + "\n"


def adapt(
    args: AdaptArgs,
    *,
    log: Log = _stderr,
    after_stage: Callable[[str], None] | None = None,
) -> AdaptResult:
    """Run the stages not yet finished in ``args.output`` (see the module docstring).

    ``after_stage`` is called with each stage's name once it is recorded as finished (tests
    use it to interrupt a run).
    """
    started = time.perf_counter()
    check_inputs(args)
    state = State.open(args.folder, inputs_of(args), args.force)
    run = _Run(args, state, log)
    ran: list[str] = []
    skipped: list[str] = []
    try:
        for number, stage in enumerate(STAGES, 1):
            # graph.json is cheap and carries the name and dataset ids: always written again.
            if state.done(stage) and stage != "graph":
                skipped.append(stage)
                log(f"[{number}/{len(STAGES)}] {stage}: done before, skipped")
                continue
            log(f"[{number}/{len(STAGES)}] {stage} ...")
            begun = time.perf_counter()
            info = getattr(run, f"stage_{stage}")()
            seconds = time.perf_counter() - begun
            state.finish(stage, seconds, **info)
            ran.append(stage)
            log(f"[{number}/{len(STAGES)}] {stage}: done in {seconds:.1f} s")
            if after_stage is not None:
                after_stage(stage)
    finally:
        run.close()
    report_path = args.folder / "report.json"
    report = None
    if report_path.is_file():  # now with the time of every stage
        report = json.loads(report_path.read_text())
        report["stage_seconds"] = {n: i.get("seconds") for n, i in state.data["stages"].items()}
        report_path.write_text(json.dumps(report, indent=2) + "\n")
        (args.folder / "report.md").write_text(report_markdown(report))
    return AdaptResult(args.folder, ran, skipped, report, time.perf_counter() - started)


def corporate_args(folder: Path, **overrides: Any) -> AdaptArgs:
    """The bundled corporate graph (TEXT2SPARQL'25) with its vocabulary and hand-written
    templates, for ``sparqlqa serve --prepare``: about 15 minutes on 2 CPU cores."""
    from sparqlqa.kg.embedded import CORPORATE_FILES
    from sparqlqa.qa.graphs import CORPORATE_DATASETS

    vocabulary, instances = CORPORATE_FILES
    settings: dict[str, Any] = {
        "files": [instances],
        "ontology": [vocabulary],
        "name": "corporate",
        "title": "TEXT2SPARQL'25 corporate knowledge graph",
        "datasets": list(CORPORATE_DATASETS),
        "sets": ["corporate"],
        "output": folder,
        "train_minutes": 10.0,
        "max_pairs": 8_000,
        "eval_questions": 100,
    }
    settings.update(overrides)
    return AdaptArgs(**settings)


def prepare(folder: Path, *, log: Log = _stderr, **overrides: Any) -> bool:
    """Make the default corporate graph folder if it is missing or incomplete (resuming an
    interrupted preparation); True when something was done."""
    if is_complete(folder):
        return False
    log(
        f"preparing the default graph in {folder} (first start: about 15 minutes on 2 CPU "
        "cores; an interrupted preparation resumes)"
    )
    adapt(corporate_args(folder, **overrides), log=log)
    return True


def command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="RDF files of the graph: Turtle, N-Triples, RDF/XML, OWL, JSON-LD."),
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="A SPARQL endpoint serving the graph, instead of files.")
    ] = None,
    endpoint_graph: Annotated[
        str | None, typer.Option(help="Default graph IRI at that endpoint.")
    ] = None,
    ontology: Annotated[
        list[Path] | None,
        typer.Option(help="Ontology file (repeatable): the schema, else inferred from the data."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Graph name (default: the first file's name).")
    ] = None,
    title: Annotated[str, typer.Option(help="A longer name shown by the service.")] = "",
    dataset: Annotated[
        list[str] | None,
        typer.Option(help="TEXT2SPARQL dataset id routed to this graph (repeatable)."),
    ] = None,
    templates: Annotated[
        list[Path] | None,
        typer.Option(help="Hand-written YAML templates (repeatable), besides the derived ones."),
    ] = None,
    template_set: Annotated[
        list[str] | None,
        typer.Option("--set", help="Shipped template set: corporate, dbpedia (repeatable)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Graph folder (default: $SPARQLQA_HOME/graphs/NAME).")
    ] = None,
    model: Annotated[
        str, typer.Option(help="Training preset (minilm-seq2seq, tiny-seq2seq), hub id or folder.")
    ] = "minilm-seq2seq",
    train_minutes: Annotated[
        float, typer.Option(help="Wall-clock budget of the training stage.")
    ] = 15.0,
    max_pairs: Annotated[int, typer.Option(help="Generated pairs at most (about).")] = 12_000,
    eval_questions: Annotated[
        int, typer.Option(help="Test questions evaluated (a seeded sample; 0: all).")
    ] = 200,
    k: Annotated[int, typer.Option(help="Candidate queries per question.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of generation, splits, training, sample.")] = 0,
    threads: Annotated[int, typer.Option(help="Torch CPU threads (0: one per core).")] = 0,
    retrieval: Annotated[
        str, typer.Option(help="Schema retrieval of the served graph: lexical, embedding, hybrid.")
    ] = "hybrid",
    force: Annotated[
        bool, typer.Option(help="Delete what is in the output folder and start again.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bars.")] = False,
) -> None:
    """Turn an RDF graph into a served, answering graph folder: store, schema, indexes,
    generated pairs, a trained translator, an evaluation report and graph.json.

    An interrupted run resumes after its last finished stage when run again.
    """
    if retrieval not in ("lexical", "embedding", "hybrid"):
        raise typer.BadParameter("--retrieval must be lexical, embedding or hybrid")
    args = AdaptArgs(
        files=list(files or []),
        endpoint=endpoint,
        endpoint_graph=endpoint_graph,
        ontology=list(ontology or []),
        name=name,
        title=title,
        datasets=list(dataset or []),
        templates=list(templates or []),
        sets=list(template_set or []),
        output=output,
        model=model,
        train_minutes=train_minutes,
        max_pairs=max_pairs,
        eval_questions=eval_questions,
        k=k,
        seed=seed,
        threads=threads,
        retrieval_mode=retrieval,  # type: ignore[arg-type]
        force=force,
        progress=not quiet,
    )
    result = adapt(args)
    report = result.report or {}
    typer.echo(
        json.dumps(
            {
                "folder": str(result.folder),
                "ran": result.ran,
                "skipped": result.skipped,
                "seconds": round(result.seconds, 1),
                "questions": report.get("questions"),
                "answer_f1": report.get("answer_f1"),
                "exact_match": report.get("exact_match"),
                "serve": f"sparqlqa serve --graph {result.folder}",
            },
            indent=2,
        )
    )
