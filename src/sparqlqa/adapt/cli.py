"""``sparqlqa adapt`` and ``sparqlqa serve`` (which may first adapt the bundled graph).

The ``adapt`` command's defaults are ``AdaptArgs``'s (``args.DEFAULTS``); ``serve`` sits here
rather than in ``service`` because ``--prepare`` runs an adapt before it serves.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, cast, get_args

import typer

from sparqlqa.adapt.args import DEFAULTS, AdaptArgs
from sparqlqa.bundled import default_graph_folder
from sparqlqa.ontology.retrieve import Mode
from sparqlqa.progress import show_on_stderr
from sparqlqa.quiet import LOG_FILE, library_log

_MODES: tuple[str, ...] = get_args(Mode)


def command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="RDF files of the graph: Turtle, N-Triples, RDF/XML, OWL, JSON-LD."),
    ] = DEFAULTS["files"],
    endpoint: Annotated[
        str | None, typer.Option(help="A SPARQL endpoint serving the graph, instead of files.")
    ] = DEFAULTS["endpoint"],
    endpoint_graph: Annotated[
        str | None, typer.Option(help="Default graph IRI at that endpoint.")
    ] = DEFAULTS["endpoint_graph"],
    ontology: Annotated[
        list[Path] | None,
        typer.Option(help="Ontology file (repeatable): the schema, else inferred from the data."),
    ] = DEFAULTS["ontology"],
    name: Annotated[
        str | None, typer.Option(help="Graph name (default: the first file's name).")
    ] = DEFAULTS["name"],
    title: Annotated[str, typer.Option(help="A longer name shown by the service.")] = DEFAULTS[
        "title"
    ],
    dataset: Annotated[
        list[str] | None,
        typer.Option(help="TEXT2SPARQL dataset id routed to this graph (repeatable)."),
    ] = DEFAULTS["datasets"],
    templates: Annotated[
        list[Path] | None,
        typer.Option(help="Hand-written YAML templates (repeatable), besides the derived ones."),
    ] = DEFAULTS["templates"],
    template_set: Annotated[
        list[str] | None,
        typer.Option("--set", help="Shipped template set: corporate, dbpedia (repeatable)."),
    ] = DEFAULTS["sets"],
    output: Annotated[
        Path | None, typer.Option(help="Graph folder (default: $SPARQLQA_HOME/graphs/NAME).")
    ] = DEFAULTS["output"],
    model: Annotated[
        str, typer.Option(help="Training preset (minilm-seq2seq, tiny-seq2seq), hub id or folder.")
    ] = DEFAULTS["model"],
    base: Annotated[
        Path | None,
        typer.Option(
            help="A shared base model folder (`sparqlqa train run --graphs`): train only a "
            "LoRA adapter of this graph on it (docs/experts.md)."
        ),
    ] = DEFAULTS["base"],
    train_minutes: Annotated[
        float,
        typer.Option(help="Wall-clock budget of the training stage (a cap with --train-steps)."),
    ] = DEFAULTS["train_minutes"],
    train_steps: Annotated[
        int,
        typer.Option(help="Training steps (0: what --train-minutes buys); same seed, same model."),
    ] = DEFAULTS["train_steps"],
    ranker_steps: Annotated[
        int, typer.Option(help="Steps of the candidate ranker (0: no ranker).")
    ] = DEFAULTS["ranker_steps"],
    ranker_pool: Annotated[
        int,
        typer.Option(help="Generated questions whose candidates the ranker learns from (0: none)."),
    ] = DEFAULTS["ranker_pool"],
    ranker_pool_languages: Annotated[
        str, typer.Option(help="Question languages of that sample, e.g. en,de,es.")
    ] = DEFAULTS["ranker_pool_languages"],
    max_pairs: Annotated[int, typer.Option(help="Generated pairs at most (about).")] = DEFAULTS[
        "max_pairs"
    ],
    composed_share: Annotated[
        float, typer.Option(help="Share of the pairs from queries composed from the schema.")
    ] = DEFAULTS["composed_share"],
    languages: Annotated[
        str,
        typer.Option(
            help="Question languages of the composed pairs with shares (en, de, es), "
            "e.g. en:0.5,de:0.25,es:0.25 or en."
        ),
    ] = DEFAULTS["languages"],
    eval_questions: Annotated[
        int, typer.Option(help="Test questions evaluated (a seeded sample; 0: all).")
    ] = DEFAULTS["eval_questions"],
    k: Annotated[int, typer.Option(help="Candidate queries per question.")] = DEFAULTS["k"],
    seed: Annotated[int, typer.Option(help="Seed of generation, splits, training, sample.")] = (
        DEFAULTS["seed"]
    ),
    threads: Annotated[int, typer.Option(help="Torch CPU threads (0: one per core).")] = DEFAULTS[
        "threads"
    ],
    retrieval: Annotated[
        str, typer.Option(help="Schema retrieval of the served graph: lexical, embedding, hybrid.")
    ] = DEFAULTS["retrieval_mode"],
    force: Annotated[
        bool, typer.Option(help="Delete what is in the output folder and start again.")
    ] = DEFAULTS["force"],
    examples: Annotated[
        list[Path] | None,
        typer.Option(
            help="Question/query examples (repeatable): TEXT2SPARQL questions YAML or JSONL "
            "of {question, query} lines, kept in the folder (`sparqlqa examples add`)."
        ),
    ] = None,
    examples_split: Annotated[
        str | None,
        typer.Option(help="Only this split (`split:`) of the --examples YAML files."),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bars.")] = not DEFAULTS["progress"],
) -> None:
    """Turn an RDF graph into a served, answering graph folder: store, schema, indexes,
    generated pairs, a trained translator, an evaluation report and graph.json.

    An interrupted run resumes after its last finished stage when run again.
    """
    # The stages import the ontology, template, training and eval code: only when adapting.
    from sparqlqa.adapt.run import adapt

    if examples_split and not examples:
        raise typer.BadParameter("--examples-split needs --examples FILE")
    if retrieval not in _MODES:
        raise typer.BadParameter("--retrieval must be lexical, embedding or hybrid")
    args = AdaptArgs(
        files=list(files or []),
        endpoint=endpoint,
        endpoint_graph=endpoint_graph,
        ontology=list(ontology or []),
        name=name,
        title=title,
        datasets=list(dataset or []),
        templates=list(templates or []),
        sets=list(template_set or []),
        output=output,
        model=model,
        base=base,
        train_minutes=train_minutes,
        train_steps=train_steps,
        ranker_steps=ranker_steps,
        ranker_pool=ranker_pool,
        ranker_pool_languages=ranker_pool_languages,
        max_pairs=max_pairs,
        composed_share=composed_share,
        languages=languages,
        eval_questions=eval_questions,
        k=k,
        seed=seed,
        threads=threads,
        retrieval_mode=cast(Mode, retrieval),  # checked against Mode above
        force=force,
        progress=not quiet,
    )
    show_on_stderr()
    with library_log(args.folder / LOG_FILE):  # library warnings: to the folder's log
        result = adapt(args)
    report = result.report
    if examples:
        # After the stages: examples need the finished folder (store, schema, label index)
        # and change nothing the stages made, so a resumed run need not redo them.
        from sparqlqa.qa.cli import add_example_files, report_of

        added = add_example_files(result.folder, examples, examples_split)
        typer.echo(json.dumps({"examples": report_of(added)}, indent=2, ensure_ascii=False))
    typer.echo(
        json.dumps(
            {
                "folder": str(result.folder),
                "ran": result.ran,
                "skipped": result.skipped,
                "seconds": round(result.seconds, 1),
                "questions": report.questions if report else None,
                "answer_f1": report.answer_f1 if report else None,
                "exact_match": report.exact_match if report else None,
                "serve": f"sparqlqa serve --graph {result.folder}",
            },
            indent=2,
        )
    )


def serve(
    graph: Annotated[
        list[Path] | None,
        typer.Option(help="Graph folder to serve (repeat for several; the first is the default)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            envvar="SPARQLQA_SERVE_WORKERS",
            help="Uvicorn worker processes; with 2 or more, uvicorn's supervisor restarts one "
            "that dies while the others serve.",
        ),
    ] = 1,
    prepare: Annotated[
        bool,
        typer.Option(
            help="First build the default corporate graph folder if it is missing or "
            "incomplete (`sparqlqa adapt` of the bundled graph: about 20 minutes on 2 CPU "
            "cores, resumed if interrupted); a complete folder starts in seconds."
        ),
    ] = False,
) -> None:
    """Serve the REST API, the TEXT2SPARQL API, /sparql and the playground page."""
    # The service's web stack (fastapi, uvicorn) and the adapt stages: only when serving.
    import uvicorn

    from sparqlqa.adapt.corporate import prepare as prepare_graph
    from sparqlqa.service.app import create_app
    from sparqlqa.service.settings import Settings

    show_on_stderr()
    settings = Settings(graphs=graph) if graph else Settings()
    if prepare:
        default_folder = default_graph_folder().resolve()
        if default_folder in [g.resolve() for g in settings.graphs]:
            prepare_graph(default_folder)
        else:
            typer.echo(
                f"--prepare builds only the default graph ({default_folder}), which is not served "
                "here; build other folders with `sparqlqa adapt`",
                err=True,
            )
    typer.echo(f"serving {', '.join(str(g) for g in settings.graphs)} on http://{host}:{port}/")
    if workers > 1:
        # Each worker process builds its own app from the environment: uvicorn needs an
        # import string to start several.
        os.environ["SPARQLQA_GRAPHS"] = json.dumps([str(g) for g in settings.graphs])
        uvicorn.run(
            "sparqlqa.service.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


rank_app = typer.Typer(
    help="The candidate ranker of a graph folder: train it, choose its threshold."
)


@rank_app.command("train")
def rank_train(
    folder: Annotated[Path, typer.Argument(help="An adapted graph folder (schema.json, pairs/).")],
    steps: Annotated[int, typer.Option(help="Training steps (16 candidates a step).")] = 300,
    seed: Annotated[int, typer.Option(help="Seed of the near misses, the order, the head.")] = 0,
    preset: Annotated[str, typer.Option(help="minilm, or tiny (a random test model).")] = "minilm",
    threads: Annotated[int, typer.Option(help="Torch CPU threads (0: torch's default).")] = 0,
) -> None:
    """Train the ranker of a graph folder on its generated pairs into FOLDER/ranker/; the
    translator is left as it is. The served pipeline uses it from its next start."""
    from sparqlqa.adapt.rank import train_folder_ranker

    show_on_stderr()
    with library_log(folder / LOG_FILE):
        meta = train_folder_ranker(folder, steps=steps, seed=seed, preset=preset, threads=threads)
    typer.echo(json.dumps({"ranker": str(folder / "ranker"), **meta.__dict__}, indent=2))


@rank_app.command("pool")
def rank_pool(
    folder: Annotated[Path, typer.Argument(help="An adapted graph folder with a translator.")],
    questions: Annotated[
        int, typer.Option(help="Generated training questions sampled (dev: a quarter).")
    ] = DEFAULTS["ranker_pool"],
    seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 0,
    languages: Annotated[
        str, typer.Option(help="Question languages sampled, e.g. en,de,es.")
    ] = DEFAULTS["ranker_pool_languages"],
) -> None:
    """Enumerate and execute the pipeline's candidates for a sample of the folder's
    generated train and dev questions and mark each right or wrong
    (FOLDER/pairs/ranker-pool-*.jsonl): `rank train` then learns from them too."""
    from sparqlqa.adapt.args import pool_languages
    from sparqlqa.adapt.rank import harvest_pools

    show_on_stderr()
    codes = pool_languages(languages)
    with library_log(folder / LOG_FILE):
        written = harvest_pools(folder, questions, seed=seed, languages=codes)
    typer.echo(json.dumps({"pool": [str(p) for p in written]}, indent=2))


@rank_app.command("curve")
def rank_curve(
    folder: Annotated[Path, typer.Argument(help="A graph folder with a ranker.")],
    dataset: Annotated[Path, typer.Option(help="Dev questions with gold queries.")],
    format: Annotated[str, typer.Option(help="Format of the dataset file.")] = "text2sparql",
    split: Annotated[str, typer.Option(help="The dataset's split to use.")] = "dev",
    language: Annotated[str, typer.Option(help="Language of the questions.")] = "en",
    nonsense: Annotated[
        Path | None, typer.Option(help="JSON Lines of nonsense questions (never right).")
    ] = None,
    k: Annotated[int, typer.Option(help="Beam candidates per question.")] = 5,
    min_precision: Annotated[float, typer.Option(help="Precision the threshold must reach.")] = (
        0.85
    ),
    save: Annotated[
        bool, typer.Option(help="Write the recommended threshold into ranker/ranker.json.")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="Also write the rows (JSON Lines).")] = None,
) -> None:
    """Precision and coverage of the ranker's confidence on dev questions, and the threshold
    it recommends (docs/abstention.md); --save makes it the folder's abstain_below."""
    from sparqlqa.adapt.rank import choose_threshold, curve_rows, save_threshold

    show_on_stderr()
    with library_log(folder / LOG_FILE):
        found = curve_rows(
            folder,
            dataset,
            format=format,
            split=split,
            language=language,
            nonsense=nonsense,
            k=k,
        )
    if out is not None:
        out.write_text("".join(json.dumps(r) + "\n" for r in found))
    table, best = choose_threshold(found, min_precision)
    for row in table:
        typer.echo(
            f"{row['threshold']:.2f}  coverage {row['coverage']:.3f}  precision "
            f"{row['precision']:.3f}  nonsense answered {int(row['nonsense_answered'])} "
            f"(by confidence alone {int(row['nonsense_by_confidence'])})"
        )
    typer.echo(f"recommended abstain_below: {best:.2f} ({len(found)} questions)")
    if save:
        save_threshold(folder, best)
