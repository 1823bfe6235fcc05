"""`sparqlqa ontology index`: the stored schema and label index, reuse, and the Python call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sparqlqa.bundled import CORPORATE_FILES
from sparqlqa.errors import ConfigError
from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.ontology.cli import app
from sparqlqa.ontology.index import IndexRequest, build_index, open_index
from sparqlqa.ontology.tune import GRID, SETTINGS_FILE, TUNED_DIR

PV = "http://ld.company.org/prod-vocab/"


def test_index_of_a_store_is_built_reused_and_answers(
    corporate_store: EmbeddedStore, tmp_path: Path
) -> None:
    out = tmp_path / "graph"
    runner = CliRunner()
    args = ["index", str(corporate_store.path), "--output", str(out), "--mode", "lexical"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "labels: reading every label" in first.output  # progress
    assert (out / "schema.json").is_file() and (out / "index" / "labels.tsv").is_file()
    manifest = json.loads((out / "index" / "manifest.json").read_text())
    assert manifest["mode"] == "lexical" and manifest["sources"]["store"]
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "reused: schema, labels" in second.output

    builder = open_index(out)
    context = builder.build("Which department does Mr. Denzel work in?")
    assert [e.label for e in context.entities] == ["Ulrik Denzel"]
    assert PV + "memberOf" in [item.iri for item in context.schema_items]
    assert "pv:memberOf" in context.prompt  # the store's prefixes were kept


def test_ontology_files_with_a_usage_prior(tmp_path: Path) -> None:
    queries = tmp_path / "log.jsonl"
    queries.write_text(
        "\n".join(
            json.dumps({"query": f"PREFIX pv: <{PV}> SELECT ?x WHERE {{ ?x pv:{p} ?y }}"})
            for p in ("memberOf", "memberOf", "hasSupplier")
        )
    )
    report = build_index(
        IndexRequest(
            output=tmp_path / "g",
            ontology=[CORPORATE_FILES[0]],
            usage_queries=[queries],
            mode="lexical",
        )
    )
    assert report.labels == 0 and report.mentioned_terms == 2
    schema = json.loads((tmp_path / "g" / "schema.json").read_text())
    mentions = {p["iri"]: p["mentions"] for p in schema["properties"]}
    assert mentions[PV + "memberOf"] == 2 and mentions[PV + "hasSupplier"] == 1


def test_refusals(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="store folder, ontology files"):
        IndexRequest(output=tmp_path)
    with pytest.raises(ConfigError, match="no index here"):
        open_index(tmp_path)
    result = CliRunner().invoke(app, ["index", str(tmp_path / "missing.ttl")])
    assert result.exit_code != 0 and isinstance(result.exception, ConfigError)


def test_hybrid_index_is_keyed_by_model_and_reused(
    minilm: object, tmp_path: Path, corporate_store: EmbeddedStore
) -> None:
    request = IndexRequest(output=tmp_path / "g", ontology=[CORPORATE_FILES[0]])
    first = build_index(request)
    assert len(list((tmp_path / "g" / "index").glob("schema-*.npy"))) == 1
    second = build_index(request)
    assert "schema embeddings" in second.reused and "schema embeddings" not in first.reused


def test_retriever_tuned_on_questions_is_stored_reused_and_served(
    minilm: object, tmp_path: Path, corporate_store: EmbeddedStore
) -> None:
    """`--tune-on`: the embedding model is fine-tuned on questions with their queries, the
    fusion weights are chosen on held-out ones, and the graph's retriever uses both."""
    hand = Path(__file__).parent / "data" / "corporate_questions.jsonl"
    questions = tmp_path / "questions.jsonl"
    records = [json.loads(line) for line in hand.read_text().splitlines() if line.strip()]
    questions.write_text("\n".join(json.dumps(r | {"split": "train"}) for r in records))
    request = IndexRequest(
        output=tmp_path / "g", store=corporate_store.path, tune_on=[questions], threads=1
    )
    first = build_index(request)
    tuned = tmp_path / "g" / "index" / TUNED_DIR
    settings = json.loads((tuned / SETTINGS_FILE).read_text())
    assert settings["dev_questions"] == 10 and settings["train_questions"] == len(records) - 10
    assert set(settings["weights"]) == set(GRID)
    assert all(settings["weights"][k] in GRID[k] for k in GRID)
    manifest = json.loads((tmp_path / "g" / "index" / "manifest.json").read_text())
    assert manifest["tuning"]["inputs"]["format"] == "jsonl"
    assert "tuned retriever" not in first.reused
    assert "tuned retriever" in build_index(request).reused

    builder = open_index(tmp_path / "g")
    assert builder.retriever.embedder.name == str(tuned / "model")
    text = "Which department does Mr. Denzel work in?"
    assert not (builder.retriever.embedder.encode([text]) == minilm.encode([text])).all()  # type: ignore[attr-defined]
    context = builder.build(text)
    assert PV + "memberOf" in [item.iri for item in context.schema_items]
