"""Benchmark of a trained translator on generated pairs (figures for docs/training.md).

Measures, on the machine it runs on:

- exact match after slot filling and answer F1 of the executed predictions on a split
  (k = 1, and k = 5 with execution-guided choice), via ``training.evaluate``;
- latency per question, one question at a time, k = 1 (greedy) and k = 5 (beam 5);
- training throughput, read from the run's ``train_result.json`` when the model folder sits
  in a run folder.

Usage::

    python bench/training_bench.py --model runs/minilm/model --data pairs/ \
        --schema var/stores/corporate --split test --limit 500 --out bench/results/training.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from sparqlqa.training.evaluate import evaluate_model
from sparqlqa.training.examples import PromptBuilder, SchemaSource, load_split, schema_source
from sparqlqa.training.translate import Translator


def latency(translator: Translator, prompts: list[str], k: int) -> dict[str, float]:
    """Seconds per question, one at a time (as the service translates)."""
    translator.translate(prompts[:1], k=k)  # warm-up
    times = []
    for prompt in prompts:
        start = time.perf_counter()
        translator.translate([prompt], k=k)
        times.append(time.perf_counter() - start)
    times.sort()
    return {
        "k": k,
        "questions": len(times),
        "mean_s": round(statistics.fmean(times), 4),
        "p50_s": round(times[len(times) // 2], 4),
        "p95_s": round(times[min(len(times) - 1, int(len(times) * 0.95))], 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="model folder")
    parser.add_argument("--data", type=Path, required=True, help="generated pairs")
    parser.add_argument("--schema", type=Path, nargs="+", required=True, help="store folder")
    parser.add_argument("--split", default="test")
    parser.add_argument("--limit", type=int, default=500, help="pairs sampled (0: all)")
    parser.add_argument("--latency-questions", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()

    import torch

    figures: dict[str, object] = {
        "machine": f"{platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} torch threads",
        "model": str(args.model),
        "split": args.split,
    }
    for k in (1, 5):
        report = evaluate_model(
            args.model,
            args.data,
            args.schema,
            split=args.split,
            k=k,
            limit=args.limit,
            seed=args.seed,
        )
        figures[f"k{k}"] = report.summary()

    translator = Translator(args.model, device="cpu", batch_size=1)
    given = schema_source(list(args.schema))
    builder = PromptBuilder(
        SchemaSource(given.schema, translator.prefixes, given.store),
        schema_items=translator.meta.schema_items,
        seed=args.seed,
    )
    records = load_split(args.data, args.split)[: args.latency_questions]
    prompts = [e.prompt for e in builder.examples(records, strict=False)]
    figures["latency"] = [latency(translator, prompts, 1), latency(translator, prompts, 5)]

    run_result = args.model.parent / "train_result.json"
    if run_result.is_file():
        figures["training"] = json.loads(run_result.read_text())
    text = json.dumps(figures, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
