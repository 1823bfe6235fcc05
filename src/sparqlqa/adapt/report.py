"""The adapt report (``report.json`` and ``report.md``): what was built, and how the whole
pipeline answers the generated test questions, overall and per question shape."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sparqlqa.adapt.args import AdaptArgs
from sparqlqa.adapt.state import State
from sparqlqa.eval.report import Headline, ShapeScores

REPORT_JSON = "report.json"
REPORT_MD = "report.md"


@dataclass
class AdaptReport:
    """``report.json``; the scores are None (and ``by_shape`` empty) when nothing was
    evaluated."""

    graph: str | None
    folder: str
    model: str
    seed: int
    k: int
    triples: int | None
    schema: dict[str, Any]  # classes, properties, vocabulary_as_data
    pairs: dict[str, int] | None  # per split
    training: dict[str, Any]  # global_step, stopped, dev_exact_match, examples_per_s, seconds
    stage_seconds: dict[str, float | None]
    questions: int = 0
    answer_f1: float | None = None
    exact_match: float | None = None
    by_shape: dict[str, ShapeScores] = field(default_factory=dict)
    latency_s: dict[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        """As written to ``report.json`` (``latency_s`` only when something was evaluated)."""
        data = asdict(self)
        if data["latency_s"] is None:
            del data["latency_s"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AdaptReport:
        shapes = {name: ShapeScores(**block) for name, block in data["by_shape"].items()}
        return cls(**{**data, "by_shape": shapes})

    @classmethod
    def read(cls, folder: Path) -> AdaptReport | None:
        """The report of ``folder``; None when there is none yet."""
        path = folder / REPORT_JSON
        return cls.from_json(json.loads(path.read_text())) if path.is_file() else None


def build_report(args: AdaptArgs, state: State, evaluation: Headline | None) -> AdaptReport:
    """The adapt report from the finished stages and the evaluation's headline figures."""
    stages = state.stages
    report = AdaptReport(
        graph=args.name,
        folder=str(args.folder),
        model=args.model,
        seed=args.seed,
        k=args.k,
        triples=stages.get("store", {}).get("triples"),
        schema={
            key: stages.get("schema", {}).get(key)
            for key in ("classes", "properties", "vocabulary_as_data")
        },
        pairs=stages.get("generate", {}).get("splits"),
        training={
            key: stages.get("train", {}).get(key)
            for key in ("global_step", "stopped", "dev_exact_match", "examples_per_s", "seconds")
        },
        stage_seconds={name: info.get("seconds") for name, info in stages.items()},
    )
    if evaluation is not None:
        report.questions = evaluation.questions
        report.answer_f1 = evaluation.answer_f1
        report.exact_match = evaluation.exact_match
        report.latency_s = evaluation.latency_s
        report.by_shape = dict(evaluation.by_shape)
    return report


def write_report(folder: Path, report: AdaptReport) -> None:
    """Write ``report.json`` and ``report.md`` into ``folder``."""
    (folder / REPORT_JSON).write_text(json.dumps(report.to_json(), indent=2) + "\n")
    (folder / REPORT_MD).write_text(report_markdown(report))


def _f(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def report_markdown(report: AdaptReport) -> str:
    """The report as a short Markdown page."""
    lines = [
        f"# {report.graph}: adapt report",
        "",
        f"Folder `{report.folder}`; model `{report.model}`, seed {report.seed}.",
        f"Triples: {_f(report.triples)}; schema: {_f(report.schema['classes'])} classes, "
        f"{_f(report.schema['properties'])} properties"
        + (" (a vocabulary, read as data)" if report.schema["vocabulary_as_data"] else "")
        + ".",
        f"Generated pairs: {report.pairs}.",
        f"Training: step {_f(report.training['global_step'])} "
        f"({_f(report.training['stopped'])}), dev exact match "
        f"{_f(report.training['dev_exact_match'])}.",
        "",
        f"## The whole pipeline on {report.questions} test questions (k = {report.k})",
        "",
        "Entities linked from the question text, schema retrieved, k candidate queries, the "
        "first that runs and fits the answer type; test entities were never seen in training.",
        "",
        "| shape | questions | answer F1 | exact match |",
        "| --- | --- | --- | --- |",
    ]
    for shape, block in report.by_shape.items():
        lines.append(
            f"| {shape} | {block.questions} | {_f(block.answer_f1)} | {_f(block.exact_match)} |"
        )
    lines.append(
        f"| **all** | {report.questions} | {_f(report.answer_f1)} | {_f(report.exact_match)} |"
    )
    lines += ["", "## Stages (seconds)", "", "| stage | seconds |", "| --- | --- |"]
    lines += [f"| {name} | {_f(s)} |" for name, s in report.stage_seconds.items()]
    return "\n".join(lines) + "\n"
