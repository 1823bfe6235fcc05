"""Fixtures for the training tests: a few real question/query pairs over the corporate graph,
written in the shared record format (as the templates generator writes them)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sparqlqa.kg.results import values
from sparqlqa.kg.store import SparqlStore

PV = "http://ld.company.org/prod-vocab/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

# (template id, shape, class of A, question with {A}, query with <A>)
TEMPLATES = [
    (
        "manager",
        "lookup",
        "Hardware",
        "Who is the product manager of {A}?",
        "PREFIX pv: <" + PV + "> SELECT ?m WHERE { <A> pv:hasProductManager ?m }",
    ),
    (
        "supplier",
        "lookup",
        "Hardware",
        "Which supplier delivers {A}?",
        "PREFIX pv: <" + PV + "> SELECT ?s WHERE { <A> pv:hasSupplier ?s . }",
    ),
    (
        "weight",
        "lookup",
        "Hardware",
        "How heavy is {A}?",
        "PREFIX pv: <" + PV + "> SELECT ?w WHERE { <A> pv:weight_g ?w }",
    ),
    (
        "count_supplied",
        "count",
        "Supplier",
        "How many products does {A} supply?",
        "PREFIX pv: <" + PV + "> SELECT (COUNT(?p) AS ?n) WHERE { ?p pv:hasSupplier <A> }",
    ),
    (
        "department",
        "lookup",
        "Employee",
        "Which department is {A} a member of?",
        "PREFIX pv: <" + PV + "> SELECT ?d WHERE { <A> pv:memberOf ?d }",
    ),
]


def make_records(store: SparqlStore, per_template: int, seed: int = 0) -> list[dict[str, Any]]:
    """Records of the shared format, split by entity: train, dev, test in 6:2:2."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    for template_id, shape, cls, question, query in TEMPLATES:
        rows = store.select(f"SELECT ?e ?l WHERE {{ ?e a <{PV}{cls}> ; <{LABEL}> ?l }} ORDER BY ?e")
        rng.shuffle(rows)
        for i, row in enumerate(rows[:per_template]):
            iri, label = row["e"]["value"], row["l"]["value"]
            text = question.format(A=label)
            start = text.index(label)
            sparql = query.replace("<A>", f"<{iri}>")
            answers = values(store.query(sparql))
            split = ("train", "train", "train", "dev", "test")[i % 5]
            records.append(
                {
                    "id": f"{template_id}-{i}",
                    "question": text,
                    "query": sparql,
                    "answers": answers,
                    "answer_type": "number" if shape == "count" else "resource",
                    "shape": shape,
                    "template_id": template_id,
                    "entities": [
                        {
                            "slot": "A",
                            "iri": iri,
                            "label": label,
                            "start": start,
                            "end": start + len(label),
                        }
                    ],
                    "split": split,
                    "graph": "corporate",
                }
            )
    return records


def write_splits(records: list[dict[str, Any]], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev", "test"):
        with (folder / f"{split}.jsonl").open("w") as fh:
            for record in records:
                if record["split"] == split:
                    fh.write(json.dumps(record) + "\n")
    return folder


@pytest.fixture(scope="session")
def corporate_pairs(corporate_store: SparqlStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with train/dev/test.jsonl: 5 templates × 5 entities of the corporate graph."""
    return write_splits(make_records(corporate_store, 5), tmp_path_factory.mktemp("pairs"))


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Tiny models run fastest on one thread, and a busy shared machine makes several threads
    wait on each other (measured: 2-3× slower); the previous setting is restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
