"""``sparqlqa serve``: start the question-answering service."""

from __future__ import annotations

import json
import os
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
            "incomplete (`sparqlqa adapt` of the bundled graph: about 15 minutes on 2 CPU "
            "cores, resumed if interrupted); a complete folder starts in seconds."
        ),
    ] = False,
) -> None:
    """Serve the REST API, the TEXT2SPARQL API, /sparql and the playground page."""
    import uvicorn

    from sparqlqa.service.app import create_app
    from sparqlqa.service.settings import Settings, default_graph_folder

    settings = Settings(graphs=graph) if graph else Settings()
    if prepare:
        from sparqlqa.adapt import prepare as prepare_graph

        default = default_graph_folder().resolve()
        if default in [g.resolve() for g in settings.graphs]:
            prepare_graph(default)
        else:
            typer.echo(
                f"--prepare builds only the default graph ({default}), which is not served "
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
