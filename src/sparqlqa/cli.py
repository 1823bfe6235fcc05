"""The ``sparqlqa`` command: one sub-command group per part of the project.

Each part owns its commands in its own ``cli.py``; this file only wires them together and
turns sparqlqa's errors into a message and a non-zero exit status.
"""

from __future__ import annotations

import sys

import typer

from sparqlqa.adapt.cli import command as adapt
from sparqlqa.adapt.cli import rank_app, serve
from sparqlqa.errors import QueryError, SparqlqaError
from sparqlqa.eval.cli import app as eval_app
from sparqlqa.kg.cli import app as kg_app
from sparqlqa.ontology.cli import app as ontology_app
from sparqlqa.ontology.cli import index as index_graph
from sparqlqa.qa.cli import app as examples_app
from sparqlqa.quiet import silence_known_noise
from sparqlqa.service.ask_cli import ask
from sparqlqa.templates.cli import generate
from sparqlqa.training.cli import app as train_app

app = typer.Typer(
    help="Text-to-SPARQL question answering over any knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(kg_app, name="kg")
app.add_typer(ontology_app, name="ontology")
app.command("index")(index_graph)
app.command("generate")(generate)
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
app.add_typer(rank_app, name="rank")
app.command("serve")(serve)
app.command("adapt")(adapt)
app.command("ask")(ask)
app.add_typer(examples_app, name="examples")


def main() -> None:
    """Entry point of the console script."""
    silence_known_noise()
    try:
        app()
    except SparqlqaError as exc:
        typer.echo(f"error: {exc}", err=True)
        # 2: the input was refused (a bad or forbidden query); 1: anything else failed.
        sys.exit(2 if isinstance(exc, QueryError) else 1)


if __name__ == "__main__":
    main()
