"""``sparqlqa examples add|list``: the question/query examples of a graph folder.

Adding checks each query against the graph (guard, then a run on its store), finds the terms
its question named (the graph's linker) and embeds the questions; nothing is retrained. A
served graph reads its examples when it is opened (the next ``sparqlqa serve`` or ``ask``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from sparqlqa.progress import show_on_stderr
from sparqlqa.qa.known_queries import (
    Added,
    Example,
    ExampleInput,
    load_examples,
    read_example_file,
)

app = typer.Typer(
    help="Question/query examples a graph answers from (a query log), without retraining.",
    no_args_is_help=True,
)


def add_example_files(folder: Path, files: Sequence[Path], split: str | None = None) -> Added:
    """Read ``files`` (``split``: only that split of a TEXT2SPARQL YAML), check each example
    against the graph folder's store and add the good ones (the bad are in the result), then
    compute the embedding cache of all the folder's example questions. Raises
    ``DatasetError`` for a file that cannot be read, ``ConfigError`` for a bad folder."""
    from sparqlqa.qa.components import linker_for
    from sparqlqa.qa.graphs import (
        GraphSettings,
        GraphSpec,
        examples_embedder,
        graph_guard,
        load_graph_schema,
        multilingual_embedder,
        open_store,
    )
    from sparqlqa.qa.known_queries import add_examples, check_example, example_vectors

    inputs: list[ExampleInput] = []
    for path in files:
        inputs.extend(read_example_file(path, split))
    folder = Path(folder).resolve()
    spec = GraphSpec.read(folder)
    settings = GraphSettings()
    store, prefixes = open_store(spec, folder, settings)
    try:
        guard = graph_guard(spec, prefixes, settings)
        schema = load_graph_schema(spec, folder, store)
        multilingual = multilingual_embedder() if spec.multilingual else None
        linker = linker_for(store, schema, spec, folder, multilingual)

        def check(item: ExampleInput) -> Example:
            return check_example(
                item,
                store=store,
                guard=guard,
                schema=schema,
                prefixes=prefixes,
                link=lambda q, lang: linker.link(q, (), language=lang),
            )

        added = add_examples(folder, inputs, check)
        example_vectors(load_examples(folder), examples_embedder(multilingual), folder)
    finally:
        store.close()
    return added


@app.command("add")
def add(
    folder: Annotated[Path, typer.Argument(help="The graph folder (sparqlqa adapt's output).")],
    files: Annotated[
        list[Path],
        typer.Argument(help="TEXT2SPARQL questions YAML or JSONL of {question, query} lines."),
    ],
    split: Annotated[
        str | None,
        typer.Option("--split", help="Only the questions of this split (YAML `split:`)."),
    ] = None,
) -> None:
    """Add question/query examples to a graph folder (each query checked on the graph)."""
    show_on_stderr()
    added = add_example_files(folder, files, split)
    typer.echo(json.dumps(report_of(added), indent=2, ensure_ascii=False))


def report_of(added: Added) -> dict[str, object]:
    """What ``examples add`` (and ``adapt --examples``) print."""
    return {
        "added": added.added,
        "duplicates": added.duplicates,
        "rejected": len(added.rejected),
        "rejections": [{"example": r.source, "why": r.reason} for r in added.rejected],
        "examples": added.total,
    }


@app.command("list")
def list_examples(
    folder: Annotated[Path, typer.Argument(help="The graph folder.")],
) -> None:
    """The folder's examples, one JSON line each: question, language, source, slots."""
    for example in load_examples(folder):
        line = {
            "question": example.question,
            "language": example.language,
            "source": example.source,
            "slots": [
                f"{s.kind}:{s.term}" + ("" if s.mention else " (fixed)") for s in example.slots
            ],
            "query": example.query,
        }
        typer.echo(json.dumps(line, ensure_ascii=False))
