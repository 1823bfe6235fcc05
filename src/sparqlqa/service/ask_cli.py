"""``sparqlqa ask``: answer a question from the command line, in-process.

The graph folder is opened the way ``sparqlqa serve`` opens it (``qa.graphs.open_graph``) and
the question goes through the same pipeline as ``POST /ask``; ``--format json`` prints the
very response ``/ask`` would send.

Exit status: 0 answered (every question, with ``--stdin``), 1 not answered (some question,
with ``--stdin``), 2 an error (no graph folder, no model, bad arguments).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sparqlqa.errors import ConfigError, SparqlqaError

if TYPE_CHECKING:
    from sparqlqa.qa.pipeline import Answer, QAPipeline

ANSWERED, NOT_ANSWERED, ERROR = 0, 1, 2


class AskFormat(StrEnum):
    text = "text"
    json = "json"
    sparql = "sparql"


def ask(
    question: Annotated[
        str | None, typer.Argument(help="The question (leave out with --stdin).")
    ] = None,
    graph: Annotated[
        Path | None,
        typer.Option(
            help="Graph folder (default: the prepared corporate graph, var/graphs/corporate)."
        ),
    ] = None,
    k: Annotated[int, typer.Option(min=1, max=50, help="Candidate queries to try.")] = 5,
    output: Annotated[
        AskFormat,
        typer.Option(
            "--format",
            help="text: query, answers, reasons; json: the /ask response; sparql: the query only.",
        ),
    ] = AskFormat.text,
    stdin: Annotated[
        bool,
        typer.Option(
            "--stdin", help="Answer one question per line of standard input, one JSON line each."
        ),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Also the entities found and why each candidate was rejected."
        ),
    ] = False,
) -> None:
    """Answer a question over a graph folder: the SPARQL query, the answers with their labels.

    Exit status 0: answered; 1: not answered (the pipeline found no candidate of the expected
    kind: the best candidate is shown); 2: an error.
    """
    if stdin == (question is not None):
        typer.echo("error: give a QUESTION or --stdin (one of the two)", err=True)
        raise typer.Exit(ERROR)
    try:
        with opened(graph) as pipeline:
            if stdin:
                status = ask_lines(pipeline, sys.stdin, k)
            else:
                status = ask_one(pipeline, question or "", k, output, verbose)
    except SparqlqaError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(ERROR) from exc
    raise typer.Exit(status)


@contextmanager
def opened(folder: Path | None) -> Iterator[QAPipeline]:
    """The QA pipeline of a graph folder (closed after); meanwhile library messages go to the
    folder's ``sparqlqa.log``. A folder that is missing or cannot answer is a ``ConfigError``
    that says how to make one."""
    from sparqlqa.qa.graphs import open_graph
    from sparqlqa.quiet import LOG_FILE, library_log
    from sparqlqa.service.settings import Settings, default_graph_folder

    folder = (folder or default_graph_folder()).resolve()
    if not (folder / "graph.json").is_file():
        default = default_graph_folder().resolve()
        how = (
            "prepare it with `sparqlqa serve --prepare` (or `make run`; about 20 minutes on 2 "
            "CPU cores)"
            if folder == default
            else "make one with `sparqlqa adapt FILES --output DIR`"
        )
        raise ConfigError(f"no graph folder at {folder} (graph.json is missing): {how}")
    with library_log(folder / LOG_FILE):
        # open_graph logs why a graph cannot answer; here that is the error, said once.
        graphs_log = logging.getLogger("sparqlqa.qa.graphs")
        level = graphs_log.level
        graphs_log.setLevel(logging.ERROR)
        try:
            graph = open_graph(folder, Settings(graphs=[folder], warm_up=False), default=True)
        finally:
            graphs_log.setLevel(level)
        try:
            if graph.pipeline is None:
                raise ConfigError(graph.problem or f"graph {graph.name!r} cannot answer questions")
            yield graph.pipeline
        finally:
            graph.close()


def checked(question: str) -> str:
    """The question with its white space collapsed; an empty one is a ``ConfigError``."""
    text = " ".join(question.split())
    if not text:
        raise ConfigError("the question is empty")
    return text


def ask_one(pipeline: QAPipeline, question: str, k: int, output: AskFormat, verbose: bool) -> int:
    """Answer one question and print it in ``output``; the exit status."""
    from sparqlqa.service.routes.ask import response_of

    answer = pipeline.answer(checked(question), k=k)
    if output is AskFormat.json:
        typer.echo(response_of(answer).model_dump_json(indent=2))
    elif output is AskFormat.sparql:
        if answer.query:
            typer.echo(answer.query)
        if not answer.answered:
            typer.echo(f"not sure: {answer.reason}", err=True)
    else:
        typer.echo(as_text(answer, verbose))
    return ANSWERED if answer.answered else NOT_ANSWERED


def ask_lines(pipeline: QAPipeline, lines: Iterable[str], k: int) -> int:
    """Answer each non-blank line, printing one JSON line (the ``/ask`` response) per
    question as soon as it is answered; 0 when all were answered, else 1."""
    from sparqlqa.service.routes.ask import response_of

    status = ANSWERED
    for line in lines:
        if not line.strip():
            continue
        answer = pipeline.answer(checked(line), k=k)
        typer.echo(response_of(answer).model_dump_json())
        sys.stdout.flush()
        if not answer.answered:
            status = NOT_ANSWERED
    return status


def as_text(answer: Answer, verbose: bool = False) -> str:
    """The answer for a person: the query, the answers as a table (labels and IRIs), the
    reason when not sure; with ``verbose`` the entities and every candidate's fate."""
    out: list[str] = []
    if answer.answered:
        out.append(f"answered in {answer.timings_ms.get('total', 0):.0f} ms ({answer.graph})")
    else:
        out.append(f"not sure: {answer.reason}")
    if answer.query:
        out += ["", "query:" if answer.answered else "best candidate (rejected):"]
        out += [f"  {line}" for line in answer.query.splitlines()]
    if answer.answered and answer.result is not None:
        out += ["", "answers:", *table(answer.result, answer.answers)]
    if verbose:
        out += ["", "entities:"]
        out += [
            f"  {e.label} ({e.class_label or 'resource'}) for "
            f"{answer.question[e.start : e.end]!r}, score {e.score:.2f}: {e.iri}"
            for e in answer.entities
        ] or ["  (none)"]
        out += ["", "candidates:"]
        for number, c in enumerate(answer.candidates, 1):
            fate = "accepted" if c.accepted else f"rejected: {c.rejected_because}"
            out.append(f"  {number}. score {c.score:.3f}, {fate}")
            out.append(f"     {c.target}")
    return "\n".join(out)


def table(result: dict[str, Any], answers: list[dict[str, str]]) -> list[str]:
    """A SPARQL JSON result as aligned text rows: a resource shows its label and its IRI."""
    from sparqlqa.kg.results import rows

    if "boolean" in result:
        return ["  yes" if result["boolean"] else "  no"]
    labels = {a["value"]: a["label"] for a in answers if a.get("label")}
    names: list[str] = list(result.get("head", {}).get("vars", []))
    cells = [[_cell(row.get(name), labels) for name in names] for row in rows(result)]
    if not cells:
        return ["  (no rows)"]
    widths = [max(len(name), *(len(r[i]) for r in cells)) for i, name in enumerate(names)]
    lines = [names, ["-" * w for w in widths], *cells]
    return [
        "  " + "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]


def _cell(term: dict[str, str] | None, labels: dict[str, str]) -> str:
    if term is None:
        return ""
    value = term["value"]
    if term.get("type") == "uri" and value in labels:
        return f"{labels[value]} <{value}>"
    return value
