"""Example questions of a graph: drawn from its own generated test split (``pairs/test.jsonl``),
so that they name entities the graph has and ask what its model was trained to answer."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

TEST_SPLIT = Path("pairs") / "test.jsonl"


def example_questions(folder: Path, n: int = 8) -> list[dict[str, str]]:
    """Up to ``n`` ``{"question", "shape"}`` from ``folder/pairs/test.jsonl``: the first
    question of each template, taken in turn from each shape (lookup, count, ask, ...) so that
    the kinds vary; always the same ones for the same file. No test split: an empty list."""
    path = folder / TEST_SPLIT
    if not path.is_file():
        return []
    from sparqlqa.training.examples import read_records

    by_shape: dict[str, list[dict[str, str]]] = defaultdict(list)
    templates: set[str] = set()
    for pair in read_records(path):
        template = str(pair.get("template_id", pair["id"]))
        if template in templates:
            continue
        templates.add(template)
        shape = str(pair.get("shape") or "question")
        by_shape[shape].append({"question": str(pair["question"]), "shape": shape})
    chosen: list[dict[str, str]] = []
    queues = [by_shape[s] for s in sorted(by_shape)]
    while len(chosen) < n and any(queues):
        for queue in queues:
            if queue and len(chosen) < n:
                chosen.append(queue.pop(0))
    return chosen
