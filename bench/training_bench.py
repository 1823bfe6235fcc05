"""Benchmark of a trained translator on generated pairs (figures for docs/training.md).

Measures, on the machine it runs on:

- exact match after slot filling and answer F1 of the executed predictions on a split
  (k = 1, and k = 5 with execution-guided choice), via ``training.evaluate``;
- latency per question, one question at a time, k = 1 (greedy) and k = 5 (beam 5);
- training throughput, read from the run's ``train_result.json`` when the model folder sits
  in a run folder;
- with ``--throughput`` (and no ``--model``): training steps of the first-run preset on the
  pairs, the loop as it was (plain shuffled batches, AdamW's per-tensor loop) against the loop
  as it is (length-bucketed batches, fused AdamW), interleaved round by round so that a shared
  machine's load falls on both alike: examples/s and tokens/s, real and padded;
- with ``--throughput --freezing``: the same for the encoder trained, its embeddings and lower
  half fixed, and all of it fixed (``freeze_encoder_layers`` 0, 2, 4; docs/training.md).

Usage::

    python bench/training_bench.py --model runs/minilm/model --data pairs/ \
        --schema var/stores/corporate --split test --limit 500 --out bench/results/training.json
    python bench/training_bench.py --throughput --data var/graphs/corporate/pairs \
        --schema var/graphs/corporate/store var/graphs/corporate/schema.json --steps 4 --rounds 2
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

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


#: The loops compared by --throughput: (length_buckets, fused AdamW, frozen encoder layers).
LOOPS = {"before": (0, False, 0), "after": (50, True, 0)}
#: The loops compared by --freezing: today's loop with the encoder trained, its embeddings and
#: lower 2 of 4 layers fixed, all of it fixed (``freeze_encoder_layers``).
FREEZING = {"trained": (50, True, 0), "lower half fixed": (50, True, 2), "fixed": (50, True, 4)}


def throughput(
    data: Path,
    schema: list[Path],
    *,
    steps: int,
    rounds: int,
    threads: list[int],
    loops: dict[str, tuple[int, bool, int]] = LOOPS,
) -> dict[str, Any]:
    """Examples/s and tokens/s of ``steps`` training steps per loop and thread count, each
    round on the batches of another epoch (``loops``; the first step of each is a warm-up)."""
    import copy

    import torch

    from sparqlqa.adapt.learn import TRAINING_PRESETS
    from sparqlqa.training import model as model_lib
    from sparqlqa.training.config import from_dict
    from sparqlqa.training.features import (
        IGNORE,
        Features,
        build_examples,
        featurise,
        loss_of,
        make_collate,
        special_ids,
    )
    from sparqlqa.training.optim import freeze_encoder, param_groups

    settings = {**TRAINING_PRESETS["minilm-seq2seq"], "model": "minilm-seq2seq"}
    config = from_dict(
        {**settings, "data": str(data), "schema": [str(p) for p in schema], "output_dir": "-"}
    )
    train_examples, _, _ = build_examples(config)
    bundle = model_lib.build(
        model_lib.ModelSpec(
            config.model,
            decoder_layers=config.decoder_layers,
            decoder_heads=config.decoder_heads,
            encoder_layers=config.encoder_layers,
            target_vocab_size=config.target_vocab_size,
            max_positions=max(512, config.max_prompt_tokens + config.max_target_tokens),
        ),
        [e.prompt for e in train_examples],
        [e.target for e in train_examples],
    )
    rows = featurise(bundle, train_examples, config)
    start_id, pad_id = special_ids(bundle.model)
    collate = make_collate(bundle.tokenizer.pad_token_id)
    size = config.batch_size
    runs: dict[str, list[dict[str, float]]] = {}
    for epoch in range(rounds):
        for name, (buckets, fused, frozen) in loops.items():
            for count in threads:
                torch.set_num_threads(count)
                features = Features(rows, config.seed, batch_size=size, length_buckets=buckets)
                features.reorder(epoch)
                model: Any = copy.deepcopy(bundle.model)
                model.train()
                freeze_encoder(model, dataclasses.replace(config, freeze_encoder_layers=frozen))
                optimizer = torch.optim.AdamW(
                    param_groups(model, config), lr=config.learning_rate, fused=fused
                )
                real = padded = 0
                clock = 0.0
                for step in range(steps + 1):
                    batch = collate([features[i] for i in range(step * size, (step + 1) * size)])
                    begin = time.perf_counter()
                    loss = loss_of(model, batch, "seq2seq", start_id, pad_id)
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)
                    optimizer.step()
                    optimizer.zero_grad()
                    if step:  # the first step warms the kernels up
                        clock += time.perf_counter() - begin
                        real += int(batch["attention_mask"].sum())
                        real += int((batch["labels"] != IGNORE).sum())
                        padded += batch["input_ids"].numel() + batch["labels"].numel()
                runs.setdefault(f"{name}, {count} threads", []).append(
                    {"s": clock, "examples": steps * size, "real": real, "padded": padded}
                )
                print(f"round {epoch}: {name}, {count} threads: {clock / steps:.2f} s/step")
    figures: dict[str, Any] = {}
    for label, parts in runs.items():
        seconds = sum(p["s"] for p in parts)
        figures[label] = {
            "examples_per_s": round(sum(p["examples"] for p in parts) / seconds, 2),
            "real_tokens_per_s": round(sum(p["real"] for p in parts) / seconds, 1),
            "padded_tokens_per_s": round(sum(p["padded"] for p in parts) / seconds, 1),
            "real_share": round(sum(p["real"] for p in parts) / sum(p["padded"] for p in parts), 3),
        }
    reference = figures[f"{next(iter(loops))}, {threads[0]} threads"]["examples_per_s"]
    for values in figures.values():
        values["ratio"] = round(values["examples_per_s"] / reference, 2)
    return {"steps_per_run": steps, "rounds": rounds, "batch_size": size, "loops": figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="model folder")
    parser.add_argument(
        "--throughput", action="store_true", help="training throughput before/after instead"
    )
    parser.add_argument(
        "--freezing",
        action="store_true",
        help="with --throughput: trained, lower-half-fixed and fixed encoder instead",
    )
    parser.add_argument("--steps", type=int, default=4, help="--throughput: steps per run")
    parser.add_argument("--rounds", type=int, default=2, help="--throughput: interleaved rounds")
    parser.add_argument(
        "--threads", type=int, nargs="+", default=[2], help="--throughput: torch thread counts"
    )
    parser.add_argument("--data", type=Path, required=True, help="generated pairs")
    parser.add_argument("--schema", type=Path, nargs="+", required=True, help="store folder")
    parser.add_argument("--split", default="test")
    parser.add_argument("--limit", type=int, default=500, help="pairs sampled (0: all)")
    parser.add_argument("--latency-questions", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()

    import torch

    if args.throughput:
        measured = {
            "machine": f"{platform.processor() or platform.machine()}",
            **throughput(
                args.data,
                list(args.schema),
                steps=args.steps,
                rounds=args.rounds,
                threads=args.threads,
                loops=FREEZING if args.freezing else LOOPS,
            ),
        }
        print(json.dumps(measured, indent=2))
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(measured, indent=2) + "\n")
        return
    if args.model is None:
        parser.error("--model is needed (or --throughput)")

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
