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


@app.command()
def sweep(
    config: Annotated[Path, typer.Option(help="The sweep file (YAML): base, search, space.")],
    data: Annotated[
        Path | None, typer.Option(help="Generated pairs (overrides the file's data).")
    ] = None,
    schema: Annotated[
        list[Path] | None, typer.Option(help="Store folder or ontology files (overrides).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="The sweep's folder (overrides the file's output).")
    ] = None,
    parallel: Annotated[
        int | None, typer.Option(help="Runs at once (default: from the cores, or one per GPU).")
    ] = None,
    threads: Annotated[
        int | None, typer.Option(help="torch threads per run (default: cores / parallel).")
    ] = None,
    device: Annotated[str, typer.Option(help="auto (GPUs when there are), cpu or cuda.")] = "auto",
    dry_run: Annotated[bool, typer.Option(help="List the points and exit.")] = False,
) -> None:
    """Train every point of a grid or random search over training settings, in parallel
    processes, one run folder each; write results.md/json, results.png and best.yaml.

    A second invocation skips the finished points and resumes the interrupted ones. A bad
    sweep file (unknown settings, an empty space, bad YAML) exits with status 2 before
    anything starts.
    """
    from sparqlqa.errors import ConfigError
    from sparqlqa.progress import show_on_stderr
    from sparqlqa.training.sweep import SweepStopped, plan_resources, run_sweep
    from sparqlqa.training.sweep_report import best_row
    from sparqlqa.training.sweep_spec import read_sweep

    try:
        spec = read_sweep(
            config,
            data=str(data) if data is not None else None,
            schema=[str(s) for s in schema] if schema else None,
            output=str(output) if output is not None else None,
        )
        resources = plan_resources(
            len(spec.points), parallel=parallel, threads=threads, device=device
        )
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if dry_run:
        for point in spec.points:
            typer.echo(json.dumps({"id": point.id, **point.varied}))
        return
    show_on_stderr()
    try:
        rows = run_sweep(spec, resources)
    except (KeyboardInterrupt, SweepStopped) as exc:
        typer.echo("sweep stopped: run the same command again to resume", err=True)
        raise typer.Exit(130) from exc
    best = best_row(rows)
    failed = [r.id for r in rows if r.status != "done"]
    typer.echo(
        json.dumps(
            {
                "results": str(spec.output / "results.md"),
                "points": len(rows),
                "done": len(rows) - len(failed),
                "failed": failed,
                "best": best.id if best else None,
            }
        )
    )
    if failed:
        raise typer.Exit(1)
