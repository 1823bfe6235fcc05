"""The stages that learn and measure: train the translator and the candidate ranker,
evaluate the whole pipeline.

The training presets (``training.presets``) set how a run bounded by wall time trains on a
few CPU cores; the evaluation answers the generated test questions as the service would and
writes the report.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from pathlib import Path
from typing import Any

from sparqlqa.adapt.args import pool_languages
from sparqlqa.adapt.rank import harvest_pools, ranker_preset, train_folder_ranker
from sparqlqa.adapt.report import build_report, write_report
from sparqlqa.adapt.stages import Context
from sparqlqa.errors import ConfigError
from sparqlqa.eval.report import Headline
from sparqlqa.eval.runner import EvalConfig
from sparqlqa.eval.runner import run as run_eval
from sparqlqa.eval.systems import PipelineSystem
from sparqlqa.qa.graphs import GraphSettings, open_graph
from sparqlqa.training.config import TrainConfig, from_dict
from sparqlqa.training.model import has_model
from sparqlqa.training.presets import TRAINING_PRESETS
from sparqlqa.training.train import latest_checkpoint, train

#: Seconds per optimizer step assumed when the budget sets the schedule's length (measured on
#: the 2-core machine, docs/training.md); a slower machine stops at the time limit instead.
STEP_SECONDS = {"minilm-seq2seq": 1.2, "tiny-seq2seq": 0.05, "tiny-codegen": 0.05}
#: The rank of a graph's adapter on a shared base (``--base``), as in LoRA's own papers'
#: small settings; ``train_settings`` may give another.
LORA_R = 8


def train_config(ctx: Context) -> TrainConfig:
    """The training run of the folder: the preset, the budget's schedule, the folder's data."""
    args = ctx.args
    pairs = ctx.folder / "pairs"
    train_pairs = int(ctx.state.info("generate").get("splits", {}).get("train", 0))
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
    if args.train_steps:
        # A budget in steps: the schedule follows the steps, the clock only caps the run.
        settings.setdefault("max_steps", args.train_steps)
        settings.setdefault("schedule_by_clock", False)
    settings.setdefault("max_steps", max(1, min(budget_steps, epoch_steps)))
    schema_sources = [] if args.endpoint else [str(ctx.folder / "store")]
    if args.base is not None:
        # Per-graph experts: a LoRA adapter on the shared base, the base frozen and kept
        # apart (model/ names it), unless the settings ask for another rank.
        settings.setdefault("lora_r", LORA_R)
        settings["merge_adapter"] = False
    settings.update(
        data=str(pairs),
        schema=[*schema_sources, str(ctx.folder / "schema.json")],
        output_dir=str(ctx.folder / "train"),
        model=str(args.base) if args.base is not None else args.model,
        seed=args.seed,
        max_train_minutes=args.train_minutes,
        num_threads=args.threads,
    )
    return from_dict(settings)


class TrainStage:
    """``model/``: the translator, trained (or resumed) within the budget."""

    name = "train"

    def run(self, ctx: Context) -> dict[str, Any]:
        ctx.close()  # training opens the store itself; one reader at a time is enough
        config = train_config(ctx)
        out = Path(config.output_dir)
        final = ctx.folder / "model"
        trained = (out / "model").is_dir() or has_model(final)
        if not ((out / "train_result.json").is_file() and trained):
            config.resume = out.is_dir() and any(out.iterdir())
            if config.resume and latest_checkpoint(out) is None:
                # Interrupted before its first checkpoint: nothing to resume, start again.
                config.resume, config.overwrite_output_dir = False, True
            ctx.log(
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
        ctx.log(
            f"  stopped at step {result.get('global_step')} ({result.get('stopped')}), "
            f"dev exact match {result.get('best_exact_match')}"
        )
        return {
            "global_step": result.get("global_step"),
            "stopped": result.get("stopped"),
            "dev_exact_match": result.get("best_exact_match"),
            "examples_per_s": result.get("examples_per_s"),
        }


class RankStage:
    """``ranker/``: the candidate ranker (adapt.rank), trained on the generated pairs for
    ``--ranker-steps`` steps; 0 removes none and trains none (the stage is recorded as done,
    so a later run with steps resumes nothing: use ``sparqlqa rank train`` then)."""

    name = "rank"

    def run(self, ctx: Context) -> dict[str, Any]:
        steps = ctx.args.ranker_steps
        if not steps:
            ctx.log("  --ranker-steps 0: no ranker")
            return {"steps": 0}
        ctx.close()  # the ranker reads the pairs (and the pool harvest opens the graph)
        preset = ranker_preset(ctx.args.model)
        pool = ctx.args.ranker_pool
        if pool:
            started = time.perf_counter()
            languages = pool_languages(ctx.args.ranker_pool_languages)
            harvest_pools(
                ctx.folder, pool, seed=ctx.args.seed, languages=languages, spec=ctx.spec()
            )
            seconds = time.perf_counter() - started
            ctx.log(f"  candidate pool of {pool} questions in {seconds:.0f} s")
        ctx.log(f"  {preset} ranker: {steps} steps")
        meta = train_folder_ranker(
            ctx.folder, steps=steps, seed=ctx.args.seed, preset=preset, threads=ctx.args.threads
        )
        ctx.log(
            f"  {meta.seconds_per_step:.2f} s a step; held-out gold above its near misses "
            f"{meta.heldout_pairwise}, top-1 {meta.heldout_top1}; dev pool pick right "
            f"{meta.heldout_pool.get('top1')} (first candidate {meta.heldout_pool.get('first')})"
        )
        return {
            "steps": steps,
            "preset": preset,
            "seconds_per_step": meta.seconds_per_step,
            "heldout_pairwise": meta.heldout_pairwise,
            "heldout_top1": meta.heldout_top1,
            "pool_questions": pool,
            "pool_languages": ctx.args.ranker_pool_languages if pool else "",
            "heldout_pool": meta.heldout_pool,
        }


class EvaluateStage:
    """``eval/`` and the report: the whole pipeline on the generated test questions."""

    name = "evaluate"

    def run(self, ctx: Context) -> dict[str, Any]:
        ctx.close()
        test = ctx.folder / "pairs" / "test.jsonl"
        if not test.is_file() or not test.stat().st_size:
            ctx.log("  no test pairs were generated: nothing to evaluate")
            write_report(ctx.folder, build_report(ctx.args, ctx.state, None))
            return {"questions": 0}
        if ctx.args.threads:
            import torch  # only here: the rest of adapt runs without loading torch

            torch.set_num_threads(ctx.args.threads)
        settings = GraphSettings()
        graph = open_graph(ctx.folder, settings, spec=ctx.spec())
        try:
            if graph.pipeline is None:
                raise ConfigError(graph.problem or f"{ctx.folder}: the pipeline cannot load")
            config = EvalConfig(
                dataset=test,
                format="jsonl",
                system=str(ctx.folder),
                out=ctx.folder / "eval",
                limit=ctx.args.eval_questions or None,
                seed=ctx.args.seed,
                cache=ctx.folder / "eval" / "gold-cache.jsonl",
                timeout_s=settings.query_timeout_s,
                progress=ctx.args.progress,
            )
            system = PipelineSystem(graph.pipeline, name=str(ctx.folder), k=ctx.args.k)
            evaluation = Headline.of(run_eval(config, system=system, store=graph.store))
        finally:
            graph.close()
        report = build_report(ctx.args, ctx.state, evaluation)
        write_report(ctx.folder, report)
        ctx.log(
            f"  {report.questions} test questions: answer F1 {report.answer_f1:.3f}, "
            f"exact match {report.exact_match:.3f}"
        )
        return {
            "questions": report.questions,
            "answer_f1": report.answer_f1,
            "exact_match": report.exact_match,
        }
