"""``sparqlqa eval``: score a system (a running service, a predictions file) on a dataset.

Each command imports its part's code when it runs, so that ``sparqlqa --help`` loads no
store, model or web stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Evaluate a system on LC-QuAD, QALD, TEXT2SPARQL or generated data.")


class Format(StrEnum):
    lcquad2 = "lcquad2"
    lcquad1 = "lcquad1"
    qald = "qald"
    text2sparql = "text2sparql"
    jsonl = "jsonl"


@app.callback(invoke_without_command=True)
def evaluate(
    dataset: Annotated[Path, typer.Option(help="The dataset file.")],
    format: Annotated[Format, typer.Option("--format", help="The dataset's format.")],
    system: Annotated[
        str,
        typer.Option(
            help="What to evaluate: an http(s) URL (TEXT2SPARQL API, or sparqlqa's POST "
            ".../ask), a predictions JSONL file, a checkpoint folder, or 'gold'."
        ),
    ],
    out: Annotated[Path, typer.Option(help="Output folder (resumed if it holds this run).")],
    store: Annotated[
        Path | None, typer.Option(help="Embedded store folder to run queries on.")
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="Remote SPARQL endpoint URL to run queries on.")
    ] = None,
    graph: Annotated[
        str | None, typer.Option(help="Default graph IRI at the remote endpoint.")
    ] = None,
    api: Annotated[
        str,
        typer.Option(
            help="auto, text2sparql or sparqlqa: the protocol of an HTTP system; for a "
            "checkpoint folder, text2sparql scores the query that endpoint returns (also "
            "where /ask abstains), else what /ask answers."
        ),
    ] = "auto",
    language: Annotated[
        list[str] | None,
        typer.Option(help="QALD/TEXT2SPARQL question language(s); repeat or comma-separate."),
    ] = None,
    kg: Annotated[
        str, typer.Option(help="LC-QuAD 2.0: use the wikidata or the dbpedia gold query.")
    ] = "wikidata",
    missing_question: Annotated[
        str,
        typer.Option(help="LC-QuAD 2.0 null/'[]' questions: skip, paraphrase or nnqt."),
    ] = "skip",
    result_set: Annotated[
        Path | None, typer.Option(help="TEXT2SPARQL true result set JSON (gold answers).")
    ] = None,
    prefix: Annotated[
        str | None, typer.Option(help="TEXT2SPARQL: qname prefix of the result set's keys.")
    ] = None,
    split: Annotated[
        str | None, typer.Option(help="JSONL, TEXT2SPARQL: evaluate only this split.")
    ] = None,
    dataset_iri: Annotated[
        str | None, typer.Option(help="Dataset IRI sent to TEXT2SPARQL APIs.")
    ] = None,
    gold_from: Annotated[
        str,
        typer.Option(
            help="auto: the dataset's answers if any, else run the gold query; "
            "store: always run the gold query."
        ),
    ] = "auto",
    limit: Annotated[
        int | None, typer.Option(help="Evaluate a random sample of this many questions.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the --limit sample.")] = 0,
    concurrency: Annotated[
        int, typer.Option(help="Questions in flight at once (remote systems).")
    ] = 1,
    timeout: Annotated[float, typer.Option(help="Seconds per query on the store.")] = 30.0,
    system_timeout: Annotated[
        float, typer.Option(help="Seconds per question for HTTP systems.")
    ] = 120.0,
    cache: Annotated[
        Path | None,
        typer.Option(help="Gold answer cache (default $SPARQLQA_HOME/eval-cache/gold.jsonl)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Discard earlier results in --out instead of resuming.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Score a system on a dataset; writes report.json, summary.md, results.jsonl,
    qald-predictions.json and f1-by-question-type.png into --out."""
    from sparqlqa.eval.report import SUMMARY
    from sparqlqa.eval.runner import EvalConfig, run

    config = EvalConfig(
        dataset=dataset,
        format=format.value,
        system=system,
        out=out,
        store=store,
        endpoint=endpoint,
        graph=graph,
        api=api,
        languages=languages_of(language or ["en"]),
        kg=kg,
        missing_question=missing_question,
        result_set=result_set,
        prefix=prefix,
        split=split,
        dataset_iri=dataset_iri,
        gold_from=gold_from,
        limit=limit,
        seed=seed,
        concurrency=concurrency,
        timeout_s=timeout,
        system_timeout_s=system_timeout,
        cache=cache,
        overwrite=overwrite,
        progress=progress,
    )
    report = run(config)
    answer = report["answer"]
    typer.echo(
        f"{report['questions']} questions: macro F1 {answer['macro_f1']:.3f}, "
        f"QALD macro F1 {answer['qald_macro_f1']:.3f}, "
        f"TEXT2SPARQL set F1 {answer['text2sparql_set_f1']:.3f}; see {out / SUMMARY}",
        err=True,
    )


def languages_of(values: Sequence[str]) -> tuple[str, ...]:
    """Parse a comma-separated or repeated language option into a tuple."""
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(out)
