"""``sparqlqa kg``: build the embedded store and query a graph.

Each command imports its part's code when it runs, so that ``sparqlqa --help`` loads no
store, model or web stack.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sparqlqa import paths
from sparqlqa.bundled import CORPORATE_FILES, CORPORATE_NAME, corporate_store

app = typer.Typer(help="Build and query knowledge graphs (embedded store or remote endpoint).")


class OutputFormat(StrEnum):
    tsv = "tsv"
    json = "json"
    table = "table"


@app.command()
def load(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="RDF files (Turtle, N-Triples, RDF/XML, OWL, ...); default: the "
            "bundled corporate graph."
        ),
    ] = None,
    name: Annotated[str, typer.Option(help="Name of the store under $SPARQLQA_HOME/stores.")] = "",
    store: Annotated[Path | None, typer.Option(help="Store folder (overrides --name).")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even if the store exists.")] = False,
) -> None:
    """Bulk-load RDF files into an embedded store on disk (kept if already built)."""
    from sparqlqa.kg.embedded import build_store

    sources = list(files) if files else list(CORPORATE_FILES)
    target = store or paths.store_dir(name or (sources[0].stem if files else CORPORATE_NAME))
    meta = build_store(target, sources, force=force)
    verb = "kept" if meta.get("reused") else f"built in {meta['load_seconds']} s"
    typer.echo(f"store {target}: {meta['triples']:,} triples ({verb})", err=True)


@app.command()
def query(
    sparql: Annotated[str, typer.Argument(help="The SPARQL query, or - to read it from stdin.")],
    store: Annotated[
        Path | None, typer.Option(help="Embedded store folder (default: the corporate graph).")
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="URL of a remote SPARQL endpoint instead of a store.")
    ] = None,
    graph: Annotated[
        str | None, typer.Option(help="Default graph IRI to query at the remote endpoint.")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.tsv
    ),
    timeout: Annotated[float, typer.Option(help="Seconds before the query is stopped.")] = 30.0,
    max_rows: Annotated[int, typer.Option(help="Rows kept of the result.")] = 10_000,
) -> None:
    """Run a read-only query through the query guard and print the result."""
    from sparqlqa.kg.guard import Guard, Limits
    from sparqlqa.kg.prefixes import COMMON_PREFIXES
    from sparqlqa.kg.remote import RemoteEndpoint
    from sparqlqa.kg.results import rows
    from sparqlqa.kg.store import Store

    text = sys.stdin.read() if sparql == "-" else sparql
    prefixes = dict(COMMON_PREFIXES)
    target: Store
    if endpoint:
        target = RemoteEndpoint(endpoint, default_graph=graph, timeout_s=timeout)
    else:
        from sparqlqa.kg.embedded import EmbeddedStore

        embedded = EmbeddedStore(store or corporate_store())
        prefixes.update(embedded.prefixes)
        target = embedded
    guard = Guard(Limits(timeout_s=timeout, max_rows=max_rows), prefixes=prefixes)
    result = guard.run(target, text)
    if output is OutputFormat.json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    elif "boolean" in result:
        typer.echo("true" if result["boolean"] else "false")
    else:
        names: list[str] = result["head"]["vars"]
        table = [[row[n]["value"] if n in row else "" for n in names] for row in rows(result)]
        if output is OutputFormat.table:
            from rich.console import Console
            from rich.table import Table

            pretty = Table(*names)
            for line in table:
                pretty.add_row(*line)
            Console().print(pretty)
        else:
            typer.echo("\t".join(names))
            for line in table:
                typer.echo("\t".join(v.replace("\t", " ").replace("\n", " ") for v in line))
    if result.get("truncated"):
        typer.echo(f"(result cut at {max_rows:,} rows)", err=True)
