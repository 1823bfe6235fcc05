"""Record (or check) the gold answers of a hand-written TEXT2SPARQL questions file.

    .venv/bin/python bench/record_answers.py QUESTIONS.yml GRAPH.ttl [GRAPH ...] \\
        --out ANSWERS.json [--check]

Every gold query of ``QUESTIONS.yml`` (read with sparqlqa's ``text2sparql`` reader) runs on an
embedded pyoxigraph store holding the graph files (Turtle, N-Triples, RDF/XML... by suffix).
The answers are written as one JSON object, question id (``<id>-<language>``) → the values
of all projected variables, flattened (``["true"]``/``["false"]`` for ASK): in result order
when the question is tagged ``RESULT_ORDER_MATTERS``, sorted otherwise. ``--check`` writes
nothing: it exits 1, naming the questions, when the recorded answers differ from the graph's
or when a gold answer is empty. ``--assign-splits`` rewrites the ``split:`` of every question
in the YAML from :func:`assign_splits` (run once, when the set is written).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
import yaml

from sparqlqa.benchmarks.datasets import Dataset, ReadOptions, read_dataset
from sparqlqa.kg.results import oxigraph_result, values

ORDERED_TAG = "RESULT_ORDER_MATTERS"


def load_store(graphs: Iterable[Path]) -> ox.Store:
    """An in-memory store with every graph file loaded into the default graph."""
    store = ox.Store()
    for path in graphs:
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        if fmt is None:
            raise SystemExit(f"{path}: unknown RDF file suffix {path.suffix!r}")
        store.bulk_load(path=str(path), format=fmt)
    return store


def answers_of(store: ox.Store, dataset: Dataset) -> dict[str, list[str]]:
    """The gold answers of every question of ``dataset`` that has a query."""
    out: dict[str, list[str]] = {}
    for q in dataset.questions:
        if q.query is None:
            continue
        found = values(oxigraph_result(store.query(q.query)))
        out[q.id] = found if ORDERED_TAG in q.tags else sorted(found)
    return out


def differences(
    recorded: Mapping[str, Sequence[str]], found: Mapping[str, Sequence[str]]
) -> list[str]:
    """What differs between recorded and computed answers, one line per question."""
    lines = [f"{qid}: not recorded" for qid in found if qid not in recorded]
    lines += [f"{qid}: recorded but no such question" for qid in recorded if qid not in found]
    lines += [
        f"{qid}: recorded {list(recorded[qid])[:6]}, the graph gives {list(found[qid])[:6]}"
        for qid in found
        if qid in recorded and list(recorded[qid]) != list(found[qid])
    ]
    lines += [f"{qid}: the gold answer is empty" for qid, got in found.items() if not got]
    return lines


def assign_splits(groups: Mapping[str, str], seed: int = 0) -> dict[str, str]:
    """``dev``/``test`` for each question id, half and half within each group.

    The groups are taken in name order, the ids of each in numeric order, shuffled by one
    ``random.Random(seed)``; the first half of each goes to ``dev``. A group of odd size
    gives its extra question to ``dev`` and ``test`` in turn, so the halves stay even.
    """
    rng = random.Random(seed)
    by_group: dict[str, list[str]] = defaultdict(list)
    for qid, group in groups.items():
        by_group[group].append(qid)
    splits: dict[str, str] = {}
    extra_to_dev = True
    for group in sorted(by_group):
        ids = sorted(by_group[group], key=lambda x: (len(x), x))
        rng.shuffle(ids)
        half = len(ids) // 2
        if len(ids) % 2:
            half += 1 if extra_to_dev else 0
            extra_to_dev = not extra_to_dev
        for i, qid in enumerate(ids):
            splits[qid] = "dev" if i < half else "test"
    return splits


def raw_groups(path: Path) -> dict[str, str]:
    """Question id (as in the YAML) → its ``group``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(q["id"]): str(q["group"]) for q in data["questions"]}


def write_splits(path: Path, splits: Mapping[str, str]) -> None:
    """Set ``split:`` right after each ``- id:`` line of the YAML, keeping the rest as is."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n    split: \w+", "", text)

    def put(match: re.Match[str]) -> str:
        return f"{match.group(0)}\n    split: {splits[match.group(2)]}"

    text = re.sub(r"^(  - id: )(\S+)$", put, text, flags=re.M)
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("graphs", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, required=True, help="the answers JSON")
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--assign-splits", action="store_true", help="rewrite split: lines")
    args = parser.parse_args(argv)
    if args.assign_splits:
        write_splits(args.questions, assign_splits(raw_groups(args.questions)))
    dataset = read_dataset(args.questions, "text2sparql", ReadOptions())
    found = answers_of(load_store(args.graphs), dataset)
    if args.check:
        recorded = json.loads(args.out.read_text(encoding="utf-8"))
        problems = differences(recorded, found)
        for line in problems:
            print(line, file=sys.stderr)
        print(f"{args.out}: {len(found)} questions, {len(problems)} differences")
        return 1 if problems else 0
    empty = [qid for qid, got in found.items() if not got]
    if empty:
        print(f"empty gold answers: {', '.join(empty)}", file=sys.stderr)
        return 1
    args.out.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(found)} questions recorded")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
