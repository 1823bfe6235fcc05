"""The evaluation harness on a gold query our engine cannot run (``xsd:int``, which Virtuoso
and QLever accept): that question's gold is reported as failing, with the reason, and the run
goes on (issue #14: it used to stop with a RuntimeError traceback)."""

from __future__ import annotations

import json
from pathlib import Path

from sparqlqa.eval.runner import RESULTS, EvalConfig, read_results, run
from sparqlqa.kg.embedded import EmbeddedStore

PV = "PREFIX pv: <http://ld.company.org/prod-vocab/> "
XSD = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
QUESTIONS = [
    {
        "id": "unsupported",
        "question": "How many employees are there, as an int?",
        "query": XSD + PV + "SELECT (xsd:int(COUNT(?e)) AS ?n) WHERE { ?e a pv:Employee }",
    },
    {
        "id": "fine",
        "question": "How many employees are there?",
        "query": PV + "SELECT (COUNT(?e) AS ?n) WHERE { ?e a pv:Employee }",
    },
]


def test_an_unsupported_gold_query_is_a_failed_gold_and_the_run_goes_on(
    tmp_path: Path, corporate_store: EmbeddedStore
) -> None:
    dataset = tmp_path / "questions.jsonl"
    dataset.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    config = EvalConfig(
        dataset=dataset,
        format="jsonl",
        system="gold",
        out=tmp_path / "out",
        store=corporate_store.path,
        cache=tmp_path / "cache.jsonl",
        progress=False,
    )
    report = run(config)
    records = read_results(config.out / RESULTS)
    assert set(records) == {"unsupported", "fine"}
    assert records["unsupported"]["gold_status"] == "error"
    assert "QueryFailed" in records["unsupported"]["gold_error"]
    assert "XMLSchema#int> is not supported" in records["unsupported"]["gold_error"]
    assert records["fine"]["gold_status"] == "ok"
    assert records["fine"]["gold_answers"] == ["47"]
    failing = report["gold_problems"]["error"]
    assert [p["id"] for p in failing] == ["unsupported"]
