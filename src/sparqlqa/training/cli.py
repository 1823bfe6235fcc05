"""``sparqlqa train``: train a translator, and try one on generated pairs.

Each command imports its part's code when it runs, so that ``sparqlqa --help`` loads no
store, model or web stack.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Train the translator (prompt → SPARQL) and run it on generated pairs.")


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def run(ctx: typer.Context) -> None:
    """Train a model; every setting is a flag or a --config YAML/JSON key (see --help).

    Several GPUs: ``accelerate launch -m sparqlqa.cli train run ...`` (or torchrun).
    """
    from sparqlqa.training.config import build_parser, parse_args
    from sparqlqa.training.train import train

    if any(arg in ("-h", "--help") for arg in ctx.args):
        typer.echo(build_parser().format_help())
        raise typer.Exit()
    result = train(parse_args(ctx.args))
    typer.echo(
        json.dumps(
            {
                "model_dir": str(result.model_dir),
                "global_step": result.global_step,
                "best_dev_exact_match": result.best_exact_match,
                "examples_per_s": round(result.examples_per_s, 2),
                "stopped": result.stopped,
            }
        )
    )


@app.command()
def predict(
    model: Annotated[Path, typer.Argument(help="A model folder (<output>/model of a run).")],
    data: Annotated[Path, typer.Option(help="Generated pairs (folder or JSONL file).")],
    schema: Annotated[
        list[Path], typer.Option(help="Store folder or ontology files, as in training.")
    ],
    split: Annotated[str, typer.Option(help="train, dev or test.")] = "test",
    k: Annotated[int, typer.Option(help="Candidates per question.")] = 1,
    limit: Annotated[int, typer.Option(help="A seeded sample of N pairs (0: all).")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the sample and the distractors.")] = 0,
    output: Annotated[Path | None, typer.Option(help="Write one JSON line per pair here.")] = None,
) -> None:
    """Translate generated pairs (gold entities, noisy schema block) and report exact match
    and, when --schema is a store, answer F1 of the executed predictions."""
    from sparqlqa.training.evaluate import evaluate_model

    report = evaluate_model(
        model, data, schema, split=split, k=k, limit=limit, seed=seed, output=output
    )
    typer.echo(json.dumps(report.summary(), indent=2))
