"""``sparqlqa serve``: start the question-answering service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def serve(
    graph: Annotated[
        list[Path] | None,
        typer.Option(help="Graph folder to serve (repeat for several; the first is the default)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Uvicorn worker processes.")] = 1,
) -> None:
    """Serve the REST API, the TEXT2SPARQL API, /sparql and the playground page."""
    import uvicorn

    from service.app import create_app
    from service.settings import Settings

    settings = Settings(graphs=graph) if graph else Settings()
    typer.echo(f"serving {', '.join(str(g) for g in settings.graphs)} on http://{host}:{port}/")
    uvicorn.run(create_app(settings), host=host, port=port, workers=workers, log_level="info")
