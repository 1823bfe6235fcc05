"""The translator in float32 and int8 (and with early-stopped beam search): latency, memory
and answer quality, in one run.

Run::

    PYTHONPATH=src .venv/bin/python bench/quantize_bench.py --graph var/graphs/corporate \\
        [--generated 100] [--realistic-limit 100] [--concurrent 32] [--threads 1]

One graph folder is opened once; each variant is its own translator (a ``Translator`` with
the variant's ``quantize`` / ``early_stopping``) put into the same pipeline in turn, so the
linker, retriever and store are shared. Variants are interleaved question by question (the
machine is shared and noisy: a slow minute hits them all alike):

- ``fp32``: no quantization, beam search to the end (the code before issue #17);
- ``int8``: dynamic int8 quantization of the Linear layers (the default);
- ``int8+early``: int8, and beam search ends once k candidates are finished.

Printed, per variant: translate latency p50/p95 (the pipeline's ``timings_ms``), ``/ask``
latency p50/p95 (``QAPipeline.answer`` end to end, c=1, in process), throughput and p95 with
``--concurrent`` callers at once (through the batching translator, as the service does), the
resident memory the translator added when it loaded, and answer quality through the eval
harness: macro answer F1 on a seeded sample of the generated test split (``pairs/test.jsonl``)
and TEXT2SPARQL set F1 on the realistic corporate test half (``split: test``; only scored, the
questions are never printed).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import torch

from sparqlqa.eval.config import EvalConfig
from sparqlqa.eval.realistic import QUESTIONS as REALISTIC
from sparqlqa.eval.runner import run as run_eval
from sparqlqa.eval.systems import PipelineSystem
from sparqlqa.jsonl import read_jsonl
from sparqlqa.qa.batching import BatchingTranslator
from sparqlqa.qa.components import ModelTranslator, translator_for
from sparqlqa.qa.graphs import GraphSettings, open_graph
from sparqlqa.qa.pipeline import Answer, QAPipeline

#: name -> (quantize, early stopping)
VARIANTS: dict[str, tuple[str, bool]] = {
    "fp32": ("none", False),
    "int8": ("int8", False),
    "int8+early": ("int8", True),
}


@dataclass
class Variant:
    name: str
    translator: BatchingTranslator
    rss_mb: float  # resident memory added by loading it
    translate_ms: list[float] = field(default_factory=list)
    ask_ms: list[float] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)  # question -> answer
    concurrent_qps: list[float] = field(default_factory=list)
    concurrent_ms: list[float] = field(default_factory=list)


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nan when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb() -> float:
    gc.collect()
    return float(psutil.Process().memory_info().rss) / 2**20


def load_variants(model: Path, names: list[str], settings: GraphSettings) -> list[Variant]:
    out = []
    for name in names:
        quantize, early = VARIANTS[name]
        before = rss_mb()
        translator: ModelTranslator = translator_for(model, quantize=quantize, early_stopping=early)
        added = rss_mb() - before
        batching = BatchingTranslator(
            translator, max_size=settings.batch_max_size, max_wait_ms=settings.batch_max_wait_ms
        )
        out.append(Variant(name, batching, added))
    return out


class CachedSystem(PipelineSystem):
    """A variant's answers to the harness: answered once (by the interleaved timing pass)."""

    def __init__(self, pipeline: QAPipeline, variant: Variant, answer_all: Callable[[str], None]):
        super().__init__(pipeline, name=variant.name)
        self.variant = variant
        self.answer_all = answer_all

    def answer(self, question: str, dataset: str) -> Any:
        if question not in self.variant.answers:
            self.answer_all(question)  # every variant answers it now, one after the other
        answer = self.variant.answers[question]
        stub = _Fixed(answer)
        return PipelineSystem(stub).answer(question, dataset)


class _Fixed:
    """An ``AnswersQuestions`` that returns an answer already made."""

    def __init__(self, answer: Answer) -> None:
        self._answer = answer

    def answer(self, question: str, k: int = 5) -> Answer:
        return self._answer


def print_table(
    variants: list[Variant],
    quality: dict[str, dict[str, float]],
    args: argparse.Namespace,
    out: Path | None,
) -> None:
    """The table of the run so far (Markdown), also written to ``out`` as JSON."""
    rows = []
    for v in variants:
        q = quality[v.name]
        rows.append(
            {
                "variant": v.name,
                "translate_p50_ms": round(pct(v.translate_ms, 0.5)),
                "translate_p95_ms": round(pct(v.translate_ms, 0.95)),
                "ask_p50_ms": round(pct(v.ask_ms, 0.5)),
                "ask_p95_ms": round(pct(v.ask_ms, 0.95)),
                "c_qps": round(statistics.mean(v.concurrent_qps), 2) if v.concurrent_qps else None,
                "c_p95_ms": round(pct(v.concurrent_ms, 0.95)) if v.concurrent_ms else None,
                "rss_added_mb": round(v.rss_mb),
                "generated_f1": round(q["generated"] or 0.0, 3),
                "realistic_set_f1": round(q["realistic"] or 0.0, 3),
                "questions": f"{int(q['generated_n'])} + {int(q['realistic_n'])}",
            }
        )
    head = list(rows[0])
    print(f"threads {args.threads}, k {args.k}, c {args.concurrent}, graph {args.graph}")
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for row in rows:
        print("| " + " | ".join(str(row[h]) for h in head) + " |")
    if out:
        out.write_text(json.dumps(rows, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--graph", type=Path, default=Path("var/graphs/corporate"))
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated")
    parser.add_argument("--generated", type=int, default=100, help="generated test questions")
    parser.add_argument("--realistic-limit", type=int, default=None, help="of the test half")
    parser.add_argument("--concurrent", type=int, default=32, help="callers at once (0: skip)")
    parser.add_argument("--concurrent-rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write the table here")
    args = parser.parse_args()
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        sys.exit(f"unknown variants {unknown}: choose from {list(VARIANTS)}")
    torch.set_num_threads(args.threads)

    settings = GraphSettings()
    graph = open_graph(args.graph, settings)
    pipeline = graph.pipeline
    if pipeline is None:
        sys.exit(f"{args.graph}: {graph.problem}")
    model = args.graph / (graph.spec.model or "model")
    variants = load_variants(model, names, settings)
    lock = threading.Lock()

    def answer_with(variant: Variant, question: str) -> Answer:
        pipeline.translator = variant.translator
        return pipeline.answer(question, k=args.k)

    def answer_all(question: str) -> None:
        """Every variant answers ``question``, one after the other (interleaved timing)."""
        with lock:
            for variant in variants:
                answer = answer_with(variant, question)
                variant.answers[question] = answer
                variant.translate_ms.append(answer.timings_ms["translate"])
                variant.ask_ms.append(answer.timings_ms["total"])

    answer_with(variants[0], "How many employees are there?")  # warm the caches

    quality: dict[str, dict[str, float]] = {v.name: {} for v in variants}
    pairs = args.graph / "pairs" / "test.jsonl"
    sets = [
        ("generated", EvalConfig(pairs, "jsonl", "pipeline", Path(), limit=args.generated)),
        (
            "realistic",
            EvalConfig(
                REALISTIC,
                "text2sparql",
                "pipeline",
                Path(),
                split="test",
                limit=args.realistic_limit,
                languages=("en",),
            ),
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for label, config in sets:
            for variant in variants:
                config.out = Path(tmp) / f"{label}-{variant.name}"
                config.seed = args.seed
                config.progress = False
                config.cache = Path(tmp) / "gold.jsonl"
                system = CachedSystem(pipeline, variant, answer_all)
                report = run_eval(config, system=system, store=graph.store)
                key = "macro_f1" if label == "generated" else "text2sparql_set_f1"
                quality[variant.name][label] = report["answer"][key]
                quality[variant.name][f"{label}_n"] = report["answer"]["scored"]

    print_table(variants, quality, args, None)
    if args.concurrent:
        questions = [r["question"] for _, r in read_jsonl(pairs)][: args.concurrent]
        for _ in range(args.concurrent_rounds):
            for variant in variants:  # interleaved by round
                pipeline.translator = variant.translator
                took: list[float] = []

                def one(question: str, took: list[float] = took) -> None:
                    started = time.perf_counter()
                    pipeline.answer(question, k=args.k)
                    took.append((time.perf_counter() - started) * 1000)

                started = time.perf_counter()
                with ThreadPoolExecutor(args.concurrent) as pool:
                    list(pool.map(one, questions))
                variant.concurrent_qps.append(len(questions) / (time.perf_counter() - started))
                variant.concurrent_ms.extend(took)

    print_table(variants, quality, args, args.json)
    for v in variants:
        v.translator.close()
    graph.close()


if __name__ == "__main__":
    main()
