"""The candidate ranker in float32 and in bfloat16: its time per question, the choices it
changes, and set F1, in one run.

Run::

    PYTHONPATH=src .venv/bin/python bench/rank_bench.py --graph var/graphs/corporate \\
        [--splits dev,test] [--languages en,de] [--generated 100] [--threads 1]

One graph folder is opened once; the variants are the same ranker with
``CrossEncoder.precision`` set to ``float32`` or ``bfloat16`` (``training.precision``: the
matrix products under ``torch.autocast``). Timing is interleaved question by question over
the generated test questions (``pairs/test.jsonl``, seeded sample), so a noisy minute hits
both alike: printed are ``timings_ms.rank`` and ``timings_ms.total`` p50/p95 per variant and
their ratio. Quality goes through the eval harness: TEXT2SPARQL set F1 (the query the
TEXT2SPARQL endpoint returns) on the realistic corporate set's halves and languages given, and
how many chosen queries differ from float32's. The test half is only scored; no question is
printed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch

from sparqlqa.eval.config import EvalConfig
from sparqlqa.eval.realistic import QUESTIONS as REALISTIC
from sparqlqa.eval.runner import run as run_eval
from sparqlqa.eval.systems import PipelineSystem
from sparqlqa.jsonl import read_jsonl
from sparqlqa.qa.graphs import GraphSettings, open_graph
from sparqlqa.qa.pipeline import Answer, QAPipeline
from sparqlqa.training.precision import native_bf16

VARIANTS = ("float32", "bfloat16")


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nan when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Precise:
    """The pipeline answering with its ranker in one precision (an ``AnswersQuestions``);
    remembers each question's chosen query."""

    def __init__(self, pipeline: QAPipeline, precision: str) -> None:
        self.pipeline = pipeline
        self.precision = precision
        self.chosen: dict[str, str | None] = {}

    def answer(self, question: str, k: int = 5) -> Answer:
        assert self.pipeline.ranker is not None
        self.pipeline.ranker.encoder.precision = self.precision  # type: ignore[attr-defined]
        answer = self.pipeline.answer(question, k=k)
        self.chosen[question] = answer.query
        return answer


def timing(pipeline: QAPipeline, questions: list[str]) -> dict[str, dict[str, list[float]]]:
    """``timings_ms`` rank and total per variant, interleaved question by question."""
    took: dict[str, dict[str, list[float]]] = {v: {"rank": [], "total": []} for v in VARIANTS}
    for question in questions:
        for variant in VARIANTS:
            answer = Precise(pipeline, variant).answer(question)
            if "rank" in answer.timings_ms:
                took[variant]["rank"].append(answer.timings_ms["rank"])
            took[variant]["total"].append(answer.timings_ms["total"])
    return took


def quality(
    pipeline: QAPipeline, store: Any, splits: list[str], languages: list[str], seed: int
) -> dict[str, dict[str, Any]]:
    """Set F1 per variant and (split, language), and how many choices differ from float32."""
    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for split in splits:
            for language in languages:
                name = f"{split} {language}"
                systems = {v: Precise(pipeline, v) for v in VARIANTS}
                row: dict[str, Any] = {}
                for variant, system in systems.items():
                    config = EvalConfig(
                        REALISTIC,
                        "text2sparql",
                        "pipeline",
                        Path(tmp) / f"{split}-{language}-{variant}",
                        split=split,
                        languages=(language,),
                        seed=seed,
                        progress=False,
                        cache=Path(tmp) / "gold.jsonl",
                    )
                    report = run_eval(
                        config,
                        system=PipelineSystem(system, name=variant, as_text2sparql=True),
                        store=store,
                    )
                    row[variant] = round(report["answer"]["text2sparql_set_f1"], 3)
                    row["questions"] = report["answer"]["scored"]
                base = systems["float32"].chosen
                row["changed"] = sum(
                    systems["bfloat16"].chosen.get(q) != chosen for q, chosen in base.items()
                )
                out[name] = row
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--graph", type=Path, default=Path("var/graphs/corporate"))
    parser.add_argument("--splits", default="dev,test")
    parser.add_argument("--languages", default="en,de")
    parser.add_argument("--generated", type=int, default=100, help="timed generated questions")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    graph = open_graph(args.graph, GraphSettings())
    pipeline = graph.pipeline
    if pipeline is None or pipeline.ranker is None:
        sys.exit(f"{args.graph}: no pipeline with a ranker ({graph.problem or 'no ranker/'})")
    pipeline.answer("How many employees are there?")  # warm the caches

    pairs = [r["question"] for _, r in read_jsonl(args.graph / "pairs" / "test.jsonl")]
    random.Random(args.seed).shuffle(pairs)
    took = timing(pipeline, pairs[: args.generated])
    split_names = [s for s in args.splits.split(",") if s]
    language_names = [language for language in args.languages.split(",") if language]
    scores = quality(pipeline, graph.store, split_names, language_names, args.seed)

    print(f"threads {args.threads}, native bfloat16: {native_bf16()}, graph {args.graph}")
    print("| variant | rank p50 ms | rank p95 ms | total p50 ms | total p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for variant in VARIANTS:
        t = took[variant]
        print(
            f"| {variant} | {pct(t['rank'], 0.5):.1f} | {pct(t['rank'], 0.95):.1f} | "
            f"{pct(t['total'], 0.5):.1f} | {pct(t['total'], 0.95):.1f} |"
        )
    ratio = pct(took["bfloat16"]["rank"], 0.5) / pct(took["float32"]["rank"], 0.5)
    print(f"rank p50 bfloat16 / float32: {ratio:.2f} ({len(took['float32']['rank'])} ranked)")
    print("| set | questions | float32 | bfloat16 | choices changed |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, row in scores.items():
        print(
            f"| {name} | {row['questions']} | {row['float32']} | {row['bfloat16']} | "
            f"{row['changed']} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"timing": took, "quality": scores}, indent=2))
    graph.close()


if __name__ == "__main__":
    main()
