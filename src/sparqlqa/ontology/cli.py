"""``sparqlqa ontology``: inspect the schema, retrieve schema terms, link entities, show prompts.

Each command imports its part's code when it runs, so that ``sparqlqa --help`` loads no
store, model or web stack.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sparqlqa import paths
from sparqlqa.bundled import corporate_store
from sparqlqa.progress import show_on_stderr

if TYPE_CHECKING:
    from sparqlqa.kg.embedded import EmbeddedStore
    from sparqlqa.ontology.schema import Schema

app = typer.Typer(help="Schema retrieval, entity linking and the translator's prompt.")


class RetrievalMode(StrEnum):
    lexical = "lexical"
    embedding = "embedding"
    hybrid = "hybrid"


StoreOption = Annotated[
    Path | None,
    typer.Option(help="Embedded store folder (default: the store of `sparqlqa kg load`)."),
]
OntologyOption = Annotated[
    list[Path] | None,
    typer.Option(help="Ontology file (OWL/RDFS/Turtle; repeatable) instead of the store's schema."),
]
CacheOption = Annotated[
    Path | None, typer.Option(help="Embedding cache (default: $SPARQLQA_HOME/cache/ontology).")
]
ModelOption = Annotated[
    str | None, typer.Option(help="sentence-transformers model id or folder (default: MiniLM).")
]


def _store(store: Path | None) -> EmbeddedStore:
    from sparqlqa.errors import ConfigError
    from sparqlqa.kg.embedded import EmbeddedStore

    folder = store or corporate_store()
    if not (folder / "store.json").exists():
        raise ConfigError(f"no embedded store at {folder}: build it with `sparqlqa kg load`")
    return EmbeddedStore(folder)


def _schema(store: EmbeddedStore | None, ontology: list[Path] | None) -> Schema:
    from sparqlqa.ontology.schema import load_schema, schema_from_store

    if ontology:
        return load_schema(ontology)
    assert store is not None
    return schema_from_store(store)


def _cache(cache_dir: Path | None) -> Path:
    return cache_dir or paths.home() / "cache" / "ontology"


@app.command()
def schema(
    store: StoreOption = None,
    ontology: OntologyOption = None,
    output: Annotated[Path | None, typer.Option(help="Write the schema as JSON here.")] = None,
) -> None:
    """Show the classes and properties of a graph or ontology (or write them as JSON)."""
    found = _schema(None if ontology else _store(store), ontology)
    if output:
        output.write_text(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
    typer.echo(
        f"{len(found.classes)} classes, {len(found.properties)} properties, "
        f"fingerprint {found.fingerprint()}",
        err=True,
    )
    if not output:
        for cls in found.classes.values():
            typer.echo(f"class\t{cls.iri}\t{cls.label}")
        for prop in found.properties.values():
            typer.echo(f"{prop.kind}\t{prop.iri}\t{prop.label}")


@app.command()
def retrieve(
    question: Annotated[str, typer.Argument(help="The question.")],
    k: Annotated[int, typer.Option("-k", help="How many terms.")] = 10,
    mode: Annotated[RetrievalMode, typer.Option(help="How terms are ranked.")] = (
        RetrievalMode.hybrid
    ),
    store: StoreOption = None,
    ontology: OntologyOption = None,
    cache_dir: CacheOption = None,
    model: ModelOption = None,
) -> None:
    """The schema terms that matter to a question, best first."""
    from sparqlqa.ontology.embed import SentenceTransformerEmbedder
    from sparqlqa.ontology.retrieve import SchemaRetriever

    found = _schema(None if ontology else _store(store), ontology)
    embedder = SentenceTransformerEmbedder(model)
    retriever = SchemaRetriever(found, embedder, mode=mode.value, cache_dir=_cache(cache_dir))
    for term, score in retriever.retrieve(question, k):
        typer.echo(f"{score:.4f}\t{term.iri}\t{term.label}")


@app.command()
def link(
    question: Annotated[str, typer.Argument(help="The question.")],
    k: Annotated[int, typer.Option("-k", help="How many candidates.")] = 5,
    store: StoreOption = None,
) -> None:
    """The entities a question names, best first, with their spans."""
    from sparqlqa.ontology.link import EntityLinker
    from sparqlqa.ontology.schema import schema_from_store

    graph = _store(store)
    linker = EntityLinker.from_store(graph, schema=schema_from_store(graph))
    for e in linker.link(question, k):
        typer.echo(
            f"{e.score:.4f}\t{e.iri}\t{e.label}\t{e.class_label or ''}\t"
            f"{question[e.start : e.end]!r}@{e.start}-{e.end}"
        )


@app.command()
def prompt(
    question: Annotated[str, typer.Argument(help="The question.")],
    store: StoreOption = None,
    max_chars: Annotated[int, typer.Option(help="Prompt budget in characters.")] = 1600,
    cache_dir: CacheOption = None,
    model: ModelOption = None,
) -> None:
    """The prompt the translator sees for a question (entities linked, schema retrieved)."""
    from sparqlqa.ontology.context import ContextConfig, PromptBuilder
    from sparqlqa.ontology.embed import SentenceTransformerEmbedder

    builder = PromptBuilder.from_store(
        _store(store),
        embedder=SentenceTransformerEmbedder(model),
        cache_dir=_cache(cache_dir),
        config=ContextConfig(max_chars=max_chars),
    )
    typer.echo(builder.build(question).prompt)


@app.command()
def index(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="A graph folder (graph.json), an embedded store folder, or RDF/ontology files."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(help="Graph folder to write (default: the graph folder given)."),
    ] = None,
    ontology: OntologyOption = None,
    usage_queries: Annotated[
        list[Path] | None,
        typer.Option(
            help="Queries whose term counts become the retrieval prior (JSON/JSONL/QALD/NSpM "
            "CSV/one per line; repeatable). Never the queries you evaluate on."
        ),
    ] = None,
    as_data: Annotated[
        bool,
        typer.Option(
            help="Load the RDF files into a store under --output/store and index its data "
            "and labels too (default: the files are only an ontology)."
        ),
    ] = False,
    model: ModelOption = None,
    mode: Annotated[
        RetrievalMode, typer.Option(help="lexical: no embeddings (no model is loaded).")
    ] = RetrievalMode.hybrid,
    label_embeddings: Annotated[
        bool, typer.Option(help="Also embed every label (the linker's re-ranking; slow).")
    ] = False,
    rebuild: Annotated[bool, typer.Option(help="Ignore the stored indexes.")] = False,
    threads: Annotated[int, typer.Option(help="torch threads while embedding.")] = 1,
    tune_on: Annotated[
        list[Path] | None,
        typer.Option(
            help="Questions with their queries to fine-tune the retriever on (repeatable; "
            "the format is --tune-format). Never the questions you evaluate on."
        ),
    ] = None,
    tune_format: Annotated[
        str,
        typer.Option(help="Format of --tune-on: lcquad1, lcquad2, qald, text2sparql, jsonl."),
    ] = "jsonl",
    tune_epochs: Annotated[float, typer.Option(help="Passes over the tuning pairs.")] = 1.0,
) -> None:
    """Build and store the schema, label and embedding indexes of a graph (reused when
    nothing changed)."""
    from sparqlqa.errors import ConfigError
    from sparqlqa.ontology.index import (
        IndexRequest,
        build_index,
        describe_report,
        request_from_graph_folder,
    )

    options = {
        "usage_queries": usage_queries or [],
        "model": model,
        "mode": mode.value,
        "label_embeddings": label_embeddings,
        "rebuild": rebuild,
        "threads": threads,
        "tune_on": tune_on or [],
        "tune_format": tune_format,
        "tune_epochs": tune_epochs,
    }
    if ontology:
        options["ontology"] = ontology
    first = sources[0]
    try:
        if len(sources) == 1 and (first / "graph.json").is_file():
            request = request_from_graph_folder(first, **options)
            if output is not None:
                request.output = output
        elif len(sources) == 1 and (first / "store.json").is_file():
            if output is None:
                raise ConfigError(f"{first} is a store folder: say where to write, --output")
            request = IndexRequest(output=output, store=first, **options)  # type: ignore[arg-type]
        else:
            if output is None:
                raise ConfigError("RDF files given: say where to write the graph, --output")
            missing = [str(p) for p in sources if not p.is_file()]
            if missing:
                raise ConfigError(
                    f"not a graph folder, a store folder or an RDF file: {', '.join(missing)}"
                )
            if as_data:
                from sparqlqa.kg.embedded import build_store

                typer.echo(f"loading {len(sources)} file(s) into {output / 'store'}", err=True)
                build_store(output / "store", sources, progress=True)
                request = IndexRequest(output=output, store=output / "store", **options)  # type: ignore[arg-type]
            else:
                options["ontology"] = [*sources, *(ontology or [])]
                request = IndexRequest(output=output, **options)  # type: ignore[arg-type]
    except ValueError as err:
        raise ConfigError(str(err)) from err
    show_on_stderr()
    report = build_index(request)
    typer.echo(describe_report(report))
