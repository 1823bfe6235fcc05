"""End to end: generate from the corporate graph, then check what came out."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sparqlqa.errors import ConfigError, EndpointError, TemplateError
from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.guard import Guard
from sparqlqa.kg.results import values
from sparqlqa.templates.generate import GenerateArgs, RunSummary, run
from sparqlqa.templates.instantiate import InstantiateConfig, Instantiator
from sparqlqa.templates.labels import LabelSource
from sparqlqa.templates.model import SHAPES, Pair
from sparqlqa.templates.native import SETS_DIR, read_yaml
from sparqlqa.templates.writers import read_pairs

CORPORATE_TEMPLATES = SETS_DIR / "corporate.yaml"


@pytest.fixture(scope="session")
def corporate_run(
    tmp_path_factory: pytest.TempPathFactory, corporate_store_path: Path
) -> tuple[Path, RunSummary]:
    out = tmp_path_factory.mktemp("generate") / "run"
    args = GenerateArgs(
        output=out,
        seed=7,
        store=corporate_store_path,
        sets=["corporate"],
        schema_derived=True,
        per_template=10,
        progress=False,
    )
    return out, run(args)


@pytest.fixture(scope="session")
def corporate_pairs(corporate_run: tuple[Path, RunSummary]) -> list[Pair]:
    return list(read_pairs(corporate_run[0] / "pairs.jsonl"))


def test_every_shape_and_no_duplicates(
    corporate_run: tuple[Path, RunSummary], corporate_pairs: list[Pair]
) -> None:

    _, summary = corporate_run
    assert summary.pairs == len(corporate_pairs) > 2500
    assert set(summary.shapes) == set(SHAPES) - {"other"}
    assert summary.templates_failed == 0 and summary.problems == []
    keys = {p.question.casefold() for p in corporate_pairs}
    assert len(keys) == len(corporate_pairs)
    assert len({p.id for p in corporate_pairs}) == len(corporate_pairs)


def test_queries_parse_and_return_their_answers(
    corporate_pairs: list[Pair], corporate_store: EmbeddedStore
) -> None:
    guard = Guard(prefixes=corporate_store.prefixes)
    for pair in corporate_pairs[::7]:
        guard.check(pair.query)  # parses as SPARQL 1.1, no refused operation
        assert values(corporate_store.query(pair.query)) == pair.answers, pair.question
        assert pair.answers
        if pair.shape == "ask":
            assert pair.answers in (["true"], ["false"])


def test_entity_spans_are_exact(corporate_pairs: list[Pair]) -> None:
    for pair in corporate_pairs:
        assert "<" not in pair.question or "<=" in pair.question, pair.question
        for entity in pair.entities:
            assert pair.question[entity.start : entity.end] == entity.label
            assert f"<{entity.iri}>" in pair.query
        for value in pair.values:
            assert pair.question[value.start : value.end] == value.value


def test_splits_are_entity_disjoint(corporate_pairs: list[Pair]) -> None:
    entities: dict[str, set[str]] = defaultdict(set)
    for pair in corporate_pairs:
        entities[pair.split].update(e.iri for e in pair.entities)
    assert entities["train"] and entities["dev"] and entities["test"]
    assert not entities["test"] & entities["train"]
    assert not entities["dev"] & entities["train"]
    assert not entities["test"] & entities["dev"]
    by_query: dict[str, set[str]] = defaultdict(set)
    for pair in corporate_pairs:
        by_query[pair.query].add(pair.split)
    assert all(len(splits) == 1 for splits in by_query.values())


def test_outputs_load_with_datasets(corporate_run: tuple[Path, RunSummary], tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    out, summary = corporate_run
    files = {split: str(out / f"{split}.jsonl") for split in ("train", "dev", "test")}
    loaded = datasets.load_dataset("json", data_files=files, cache_dir=str(tmp_path / "hf"))
    assert {s: loaded[s].num_rows for s in files} == summary.splits
    row = loaded["train"][0]
    assert set(row) >= {
        "id",
        "question",
        "query",
        "answers",
        "answer_type",
        "shape",
        "template_id",
        "entities",
        "split",
        "graph",
    }
    lines = (out / "data.en").read_text().splitlines()
    assert len(lines) == len((out / "data.sparql").read_text().splitlines()) == summary.pairs
    config = json.loads((out / "config.json").read_text())
    assert config["seed"] == 7 and config["label_predicates"][0].endswith("/name")


def test_refuses_a_non_empty_output(corporate_run: tuple[Path, RunSummary]) -> None:
    out, _ = corporate_run
    with pytest.raises(ConfigError, match=r"--resume .* --overwrite"):
        run(GenerateArgs(output=out, sets=["corporate"], progress=False))


class Interrupted(Exception):
    pass


def test_resume_after_a_crash_loses_and_duplicates_nothing(
    tmp_path: Path, corporate_store_path: Path
) -> None:
    def args(out: Path, resume: bool = False) -> GenerateArgs:
        return GenerateArgs(
            output=out,
            seed=3,
            store=corporate_store_path,
            sets=["corporate"],
            per_template=8,
            resume=resume,
            progress=False,
        )

    whole = tmp_path / "whole"
    run(args(whole))

    crashed = tmp_path / "crashed"
    seen = []

    def crash_after_five(template: object, pairs: int) -> None:
        seen.append(template)
        if len(seen) == 5:
            raise Interrupted

    with pytest.raises(Interrupted):
        run(args(crashed), on_template=crash_after_five)
    # A crash in the middle of the next template: half a pair line written, no progress line.
    with (crashed / "pairs.jsonl").open("a") as fh:
        fh.write('{"id": "corp-half-written", "question": "Who')
    run(args(crashed, resume=True))
    assert (crashed / "pairs.jsonl").read_bytes() == (whole / "pairs.jsonl").read_bytes()
    progress = (crashed / "progress.jsonl").read_text().splitlines()
    finished = [json.loads(line) for line in progress]
    assert (
        len({r["template_id"] for r in finished})
        == len(finished)
        == len(read_yaml(CORPORATE_TEMPLATES))
    )


def test_resume_refuses_other_settings(tmp_path: Path, corporate_store_path: Path) -> None:
    out = tmp_path / "run"
    base = {"store": corporate_store_path, "sets": ["corporate"], "progress": False}
    run(GenerateArgs(output=out, per_template=2, **base))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="per_template"):
        run(GenerateArgs(output=out, per_template=3, resume=True, **base))  # type: ignore[arg-type]


BAD = """\
prefixes:
  pv: http://ld.company.org/prod-vocab/
templates:
  - id: fine
    shape: lookup
    questions: ["Who manages <A>?"]
    query: SELECT ?m WHERE { <A> pv:hasManager ?m }

  - id: nobody
    shape: lookup
    questions: ["What is the colour of <A>?"]
    query: SELECT ?c WHERE { <A> pv:colour ?c }

  - id: broken-after-filling
    shape: lookup
    questions: ["Who manages <A>?"]
    query: SELECT ?m WHERE { <A> pv:hasManager ?m FILTER(?m != ) }
    generator: SELECT ?A WHERE { ?A a pv:Employee }
"""


def test_bad_templates_are_named_and_nothing_is_lost(
    tmp_path: Path, corporate_store_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    out = tmp_path / "run"
    summary = run(
        GenerateArgs(output=out, store=corporate_store_path, template_files=[path], progress=False)
    )
    assert summary.templates_failed == 2
    assert summary.pairs > 0  # the good template's pairs are kept
    problems = [json.loads(line) for line in (out / "problems.jsonl").read_text().splitlines()]
    assert [(p["template_id"], p["where"]) for p in problems] == [
        ("nobody", f"{path}:9"),
        ("broken-after-filling", f"{path}:14"),
    ]
    assert "found no instances" in problems[0]["message"]
    assert "does not parse" in problems[1]["message"]
    with pytest.raises(TemplateError, match=f"'nobody' \\({path}:9\\)"):
        run(
            GenerateArgs(
                output=tmp_path / "strict",
                store=corporate_store_path,
                template_files=[path],
                fail_fast=True,
                progress=False,
            )
        )


def test_unreachable_endpoint_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(BAD.split("\n  - id: nobody")[0] + "\n")
    with pytest.raises(EndpointError, match=r"127\.0\.0\.1:9.*'fine'.*--resume"):
        run(
            GenerateArgs(
                output=tmp_path / "run",
                endpoint="http://127.0.0.1:9/sparql",
                template_files=[path],
                timeout_s=2,
                progress=False,
            )
        )


def test_rate_limit(corporate_store: EmbeddedStore) -> None:
    template = read_yaml(CORPORATE_TEMPLATES)[0]
    labels = LabelSource(corporate_store, predicates=["http://ld.company.org/prod-vocab/name"])
    instantiator = Instantiator(
        corporate_store, labels, config=InstantiateConfig(per_template=5, rate_limit=40)
    )
    started = time.perf_counter()
    pairs = instantiator.pairs(template)
    # generator + label query are not throttled by the label source; 5 filled queries are
    assert len(pairs) == 5
    assert time.perf_counter() - started >= 5 / 40


def test_cli(tmp_path: Path, corporate_store_path: Path) -> None:
    from sparqlqa.cli import app

    out = tmp_path / "cli"
    runner = CliRunner()
    command = [
        "generate",
        str(out),
        "--store",
        str(corporate_store_path),
        "--set",
        "corporate",
        "--per-template",
        "2",
        "--seed",
        "5",
        "--quiet",
    ]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pairs"] > 50
    again = runner.invoke(app, command)
    assert again.exit_code != 0 and "not empty" in str(again.exception)
    assert runner.invoke(app, [*command, "--overwrite"]).exit_code == 0


@pytest.mark.slow
def test_twenty_thousand_distinct_pairs(tmp_path: Path, corporate_store_path: Path) -> None:
    summary = run(
        GenerateArgs(
            output=tmp_path / "big",
            store=corporate_store_path,
            sets=["corporate"],
            schema_derived=True,
            per_template=200,
            progress=False,
        )
    )
    assert summary.pairs >= 20_000
    assert set(summary.shapes) == set(SHAPES) - {"other"}


def test_shards_split_the_templates(tmp_path: Path, corporate_store_path: Path) -> None:
    done = []
    for shard in ("1/2", "2/2"):
        out = tmp_path / shard.replace("/", "-of-")
        run(
            GenerateArgs(
                output=out,
                store=corporate_store_path,
                sets=["corporate"],
                per_template=1,
                shard=shard,
                progress=False,
            )
        )
        lines = (out / "progress.jsonl").read_text().splitlines()
        done.append({json.loads(line)["template_id"] for line in lines})
    corporate = {t.id for t in read_yaml(CORPORATE_TEMPLATES)}
    assert not done[0] & done[1]
    assert done[0] | done[1] == corporate
    with pytest.raises(ValueError, match="i/n"):
        GenerateArgs(output=tmp_path / "x", shard="3")


NSPM_GRAPH = """\
@prefix dbo: <http://dbpedia.org/ontology/> .
@prefix dbr: <http://dbpedia.org/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
dbr:Ada_Lovelace a dbo:Person ; rdfs:label "Ada Lovelace"@en ; dbo:award dbr:A1, dbr:A2 .
dbr:Alan_Turing a dbo:Person ; rdfs:label "Alan Turing"@en, "Alan Turing"@de ;
    dbo:award dbr:A3 .
<http://dbpedia.org/resource/Paris_(band)> a dbo:Band ; dbo:hometown dbr:Paris .
"""


def test_nspm_templates_instantiate(tmp_path: Path) -> None:
    from sparqlqa.kg.embedded import MemoryStore
    from sparqlqa.templates.nspm import read_nspm

    graph = tmp_path / "mini.ttl"
    graph.write_text(NSPM_GRAPH)
    csv = tmp_path / "t.csv"
    csv.write_text(
        "dbo:Person;;;<A> has won how many awards?;SELECT DISTINCT COUNT(?uri) where "
        "{ <A> dbo:award ?uri };select distinct ?a where { ?a dbo:award ?uri };awards\n"
        ";;;Which town is <A> from?;SELECT DISTINCT ?uri where { <A> dbo:hometown ?uri };"
        "select distinct ?a where { ?a dbo:hometown ?uri };town\n"
    )
    store = MemoryStore([graph])
    awards, town = read_nspm(csv).templates
    labels = LabelSource(store, fallback_to_iri=True)
    instantiator = Instantiator(store, labels, graph="mini")
    made = {p.question: p.answers for p in instantiator.pairs(awards)}
    assert made == {
        "Ada Lovelace has won how many awards?": ["2"],
        "Alan Turing has won how many awards?": ["1"],
    }
    # No label in the graph: one is made from the IRI, without the disambiguation.
    (pair,) = instantiator.pairs(town)
    assert pair.question == "Which town is Paris from?"
    assert pair.entities[0].iri == "http://dbpedia.org/resource/Paris_(band)"
