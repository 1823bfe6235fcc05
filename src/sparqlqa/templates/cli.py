"""``sparqlqa generate``: make a question/query/answer dataset from templates and a graph.

Each command imports its part's code when it runs, so that ``sparqlqa --help`` loads no
store, model or web stack.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Generate natural-language/SPARQL training pairs with gold answers from templates."
)


@app.command()
def generate(
    output: Annotated[Path, typer.Argument(help="Output folder (refused when not empty).")],
    seed: Annotated[int, typer.Option(help="Random seed (sampling, phrasing, splits).")] = 0,
    store: Annotated[
        Path | None,
        typer.Option(
            help="Embedded store folder (default: the corporate store built by `sparqlqa kg load`)."
        ),
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="URL of a remote SPARQL endpoint instead of a store.")
    ] = None,
    graph: Annotated[
        str | None, typer.Option(help="Default graph IRI at the remote endpoint.")
    ] = None,
    templates: Annotated[
        list[Path] | None,
        typer.Option("--templates", help="YAML template file or folder (repeatable)."),
    ] = None,
    template_set: Annotated[
        list[str] | None,
        typer.Option("--set", help="Shipped YAML template set: corporate, dbpedia (repeatable)."),
    ] = None,
    nspm: Annotated[
        list[Path] | None,
        typer.Option(help="NSpM CSV template file or folder (repeatable)."),
    ] = None,
    schema_derived: Annotated[
        bool, typer.Option(help="Derive templates from the graph's schema.")
    ] = False,
    ontology: Annotated[
        list[Path] | None,
        typer.Option(help="Ontology file for --schema-derived (default: read from the graph)."),
    ] = None,
    per_template: Annotated[int, typer.Option(help="Target pairs per template.")] = 200,
    compose: Annotated[
        int, typer.Option(help="Also this many pairs of queries composed from the schema.")
    ] = 0,
    languages: Annotated[
        str | None,
        typer.Option(
            help="Question languages of the composed pairs with their shares "
            "(en, de, es), e.g. en:0.5,de:0.25,es:0.25 (the default) or en."
        ),
    ] = None,
    phrasings: Annotated[
        int, typer.Option(help="Pairs per instance, each with another phrasing.")
    ] = 1,
    splits: Annotated[
        str, typer.Option(help="train,dev,test shares of entities, e.g. 0.8,0.1,0.1.")
    ] = "0.8,0.1,0.1",
    label_predicate: Annotated[
        list[str] | None,
        typer.Option(help="Label predicate IRI tried before the defaults (repeatable)."),
    ] = None,
    keep_empty: Annotated[bool, typer.Option(help="Keep pairs with no answer.")] = False,
    max_answers: Annotated[int, typer.Option(help="Drop pairs with more answers.")] = 100,
    shard: Annotated[
        str | None, typer.Option(help="i/n: take every n-th template, starting at the i-th.")
    ] = None,
    resume: Annotated[bool, typer.Option(help="Continue the run in OUTPUT.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace what is in OUTPUT.")] = False,
    rate_limit: Annotated[
        float, typer.Option(help="At most this many queries per second (0: no limit).")
    ] = 0.0,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds per query at a remote endpoint (default 60).")
    ] = None,
    fail_fast: Annotated[bool, typer.Option(help="Stop at the first unusable template.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Instantiate templates against a graph and write pairs.jsonl, train/dev/test.jsonl,
    data.en/data.sparql and config.json into OUTPUT.

    Without template options: the shipped corporate set plus schema-derived templates.
    """
    from sparqlqa.templates.generate import GenerateArgs, run
    from sparqlqa.templates.languages import parse_languages

    sets = list(template_set or [])
    derived = schema_derived
    if not (templates or sets or nspm or schema_derived):
        derived = True
        if not store and not endpoint:
            sets = ["corporate"]
    try:
        args = GenerateArgs(
            output=output,
            seed=seed,
            store=store,
            endpoint=endpoint,
            default_graph=graph,
            template_files=list(templates or []),
            sets=sets,
            nspm=list(nspm or []),
            schema_derived=derived,
            ontology=list(ontology or []),
            per_template=per_template,
            compose=compose,
            phrasings_per_instance=phrasings,
            splits=splits,
            label_predicates=list(label_predicate or []),
            keep_empty=keep_empty,
            max_answers=max_answers,
            shard=shard,
            resume=resume,
            overwrite=overwrite,
            rate_limit=rate_limit,
            timeout_s=timeout,
            fail_fast=fail_fast,
            progress=not quiet,
        )
        if languages:
            args.languages = languages
            parse_languages(languages)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    summary = run(args)
    for problem in summary.problems[:20]:
        typer.echo(f"warning: {problem}", err=True)
    if len(summary.problems) > 20:
        typer.echo(
            f"warning: {len(summary.problems) - 20} more problems in {output / 'problems.jsonl'}",
            err=True,
        )
    typer.echo(
        json.dumps(
            {
                "pairs": summary.pairs,
                "splits": summary.splits,
                "shapes": summary.shapes,
                "templates_done": summary.templates_done,
                "templates_failed": summary.templates_failed,
                "templates_skipped": summary.templates_skipped,
                "seconds": summary.seconds,
                "output": str(output),
            },
            indent=2,
        )
    )
