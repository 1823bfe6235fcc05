"""The command-line arguments the realistic-set benches share (a graph folder, the questions,
the split, the language, where to write the per-question rows)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sparqlqa.qa.graphs import Graph
    from sparqlqa.qa.pipeline import QAPipeline


def realistic_parser(doc: str, questions: Path) -> argparse.ArgumentParser:
    """A parser with ``--graph``, ``--questions`` (default ``questions``), ``--split``,
    ``--language`` and ``--out``; its description is the first line of ``doc``."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--graph", type=Path, required=True, help="a graph folder")
    parser.add_argument("--questions", type=Path, default=questions)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--language", default="en")
    parser.add_argument("--out", type=Path, default=None, help="write the per-question rows")
    return parser


def served_pipeline(args: argparse.Namespace) -> tuple[Graph, QAPipeline, dict[str, Any]]:
    """The graph folder ``args.graph`` opened as served, its pipeline, and the recorded gold
    answers of ``args.questions`` (the ``.answers.json`` beside it); exits with the folder's
    problem when its pipeline cannot load."""
    from sparqlqa.eval.realistic import load_answers
    from sparqlqa.qa.graphs import GraphSettings, open_graph

    graph = open_graph(args.graph.resolve(), GraphSettings())
    if graph.pipeline is None:
        raise SystemExit(graph.problem or f"{args.graph}: the pipeline cannot load")
    gold = load_answers(args.questions.with_name(args.questions.stem + ".answers.json"))
    return graph, graph.pipeline, gold
