"""The music-realistic question set: hand-written questions over the synthetic music
catalogue of ``bench/make_graph.py --scale 0.15 --seed 0``.

The graph is rebuilt here (a second or two) and pinned by its hash; every gold query runs on
an embedded store and must give the recorded answers; the mix of question kinds, the feature
tags and the dev/test halves are checked against what the set's README promises.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pytest
import yaml

from sparqlqa.benchmarks.datasets import Dataset, Question, ReadOptions, read_dataset
from sparqlqa.errors import DatasetError
from sparqlqa.kg.guard import blank_out, query_form

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "sparqlqa" / "eval" / "data"
QUESTIONS = DATA / "music-realistic.yml"
README = DATA / "README.md"
ANSWERS = DATA / "music-realistic.answers.json"
SCALE, SEED = "0.15", "0"
GRAPH_SHA256 = "3c759a4a7258ba612ba5edff4368e0ef89bd829687d5f7866915579cb6baa756"
GRAPH_TRIPLES = 14081

#: The least share of each kind of question in the set (README: "the mix").
MIX = {
    "lookup": 0.35,
    "join": 0.20,
    "aggregate": 0.15,
    "optional": 0.10,
    "negation": 0.10,
    "derived": 0.10,
}
TAGS = [
    *("SELECT", "ASK", "COUNT", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "FILTER"),
    *("OPTIONAL", "EXISTS", "BIND", "AVG", "SUM", "MIN", "MAX", "SUBSELECT"),
    "RESULT_ORDER_MATTERS",
]
AGGREGATES = {"COUNT", "SUM", "AVG", "MIN", "MAX"}


def _bench_module() -> ModuleType:
    path = ROOT / "bench" / "record_answers.py"
    spec = importlib.util.spec_from_file_location("record_answers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _bench_module()


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("music") / "music.ttl"
    command = [sys.executable, str(ROOT / "bench" / "make_graph.py"), str(out)]
    subprocess.run(
        [*command, "--scale", SCALE, "--seed", SEED],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def store(bench: ModuleType, graph: Path) -> ox.Store:
    loaded: ox.Store = bench.load_store([graph])
    return loaded


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return read_dataset(QUESTIONS, "text2sparql")


@pytest.fixture(scope="module")
def groups() -> dict[str, str]:
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return {str(q["id"]): str(q["group"]) for q in data["questions"]}


def feature_tags(query: str) -> set[str]:
    """The tags a gold query's text calls for (all but RESULT_ORDER_MATTERS)."""
    bare = " ".join(blank_out(query).split())
    words = set(re.findall(r"[A-Z]+", bare))
    tags = {str(query_form(query))}
    tags |= words & (AGGREGATES | {"HAVING", "LIMIT", "OFFSET", "FILTER", "OPTIONAL"})
    tags |= words & {"EXISTS", "BIND"}
    tags |= {name for name in ("GROUP", "ORDER") if f"{name} BY" in bare}
    if len(re.findall(r"\bSELECT\b", bare)) > 1:
        tags.add("SUBSELECT")
    return tags


def test_the_graph_is_the_pinned_one(graph: Path, store: ox.Store) -> None:
    assert hashlib.sha256(graph.read_bytes()).hexdigest() == GRAPH_SHA256
    assert len(store) == GRAPH_TRIPLES


def test_the_set_loads_with_the_project_reader(dataset: Dataset) -> None:
    assert dataset.iri == "https://example.org/music/"
    assert len(dataset.questions) >= 70
    assert not dataset.skipped
    for q in dataset.questions:
        assert q.query and q.query.startswith("PREFIX "), q.id
        assert q.split in ("dev", "test"), q.id
        assert q.tags and set(q.tags) <= set(TAGS), q.id
    texts = [q.question.lower() for q in dataset.questions]
    assert len(set(texts)) == len(texts)


def test_gold_queries_give_the_recorded_answers(
    bench: ModuleType, store: ox.Store, dataset: Dataset
) -> None:
    recorded = json.loads(ANSWERS.read_text(encoding="utf-8"))
    found = bench.answers_of(store, dataset)
    assert bench.differences(recorded, found) == []
    for qid, answer in found.items():
        assert 1 <= len(answer) <= 40, (qid, len(answer))  # non-empty, reasonably sized


def test_the_recorder_reports_a_changed_answer(bench: ModuleType) -> None:
    lines = bench.differences({"1-en": ["a"], "2-en": ["x"]}, {"1-en": ["b"], "3-en": []})
    assert any(line.startswith("1-en: recorded ['a']") for line in lines)
    assert "2-en: recorded but no such question" in lines
    assert "3-en: not recorded" in lines
    assert "3-en: the gold answer is empty" in lines


def test_tags_name_the_features_of_each_gold_query(dataset: Dataset) -> None:
    for q in dataset.questions:
        assert q.query is not None
        tags = set(q.tags)
        assert tags - {"RESULT_ORDER_MATTERS"} == feature_tags(q.query), q.id
        if "RESULT_ORDER_MATTERS" in tags:
            assert "ORDER" in tags, q.id
    seen = Counter(tag for q in dataset.questions for tag in q.tags)
    assert set(seen) == set(TAGS)  # every feature is exercised at least once


def _kind_fits(group: str, q: Question) -> bool:
    assert q.query is not None
    tags, bare = set(q.tags), blank_out(q.query)
    literals, properties = bare.count('""'), len(re.findall(r"\bv:[a-z]", bare))
    if group == "lookup":  # one property, one value: no comparison, aggregate, OPTIONAL...
        return tags == {"SELECT"} and properties == 1 and literals <= 1
    if group == "join":  # two or three constraints, with literal values
        return tags <= {"SELECT", "FILTER"} and properties >= 2 and literals >= 1
    if group == "aggregate":
        return bool(tags & (AGGREGATES | {"LIMIT", "OFFSET"}))
    if group == "optional":  # several columns
        return "OPTIONAL" in tags and len(re.findall(r"\?\w+", bare.split("WHERE")[0])) >= 2
    if group == "negation":
        return "ASK" in tags or "EXISTS" in tags
    if group == "derived":  # arithmetic in BIND or SELECT, or two values of items compared
        head = bare.split("WHERE")[0]
        filters = re.findall(r"FILTER\s*\(([^\n]*)", bare)
        return (
            "BIND" in tags
            or bool(re.search(r"\)\s*[-+*/]", head))
            or any(len(set(re.findall(r"\?\w+", f))) >= 2 for f in filters)
        )
    return False


def test_the_mix_of_question_kinds(dataset: Dataset, groups: dict[str, str]) -> None:
    assert set(groups.values()) == set(MIX)
    counts = Counter(groups.values())
    for group, least in MIX.items():
        assert counts[group] >= least * len(groups), (group, counts[group])
    for q in dataset.questions:
        assert _kind_fits(groups[q.source_id], q), (q.id, groups[q.source_id])


def test_dev_and_test_halves(bench: ModuleType, dataset: Dataset, groups: dict[str, str]) -> None:
    assert {q.source_id: q.split for q in dataset.questions} == bench.assign_splits(groups, 0)
    dev = [q for q in dataset.questions if q.split == "dev"]
    test = [q for q in dataset.questions if q.split == "test"]
    assert not {q.id for q in dev} & {q.id for q in test}
    assert abs(len(dev) - len(test)) <= 1
    for half in (dev, test):
        assert {groups[q.source_id] for q in half} == set(MIX)
        assert {tag for q in half for tag in q.tags} == set(TAGS)


def test_the_reader_keeps_one_split() -> None:
    dev = read_dataset(QUESTIONS, "text2sparql", ReadOptions(split="dev"))
    assert dev.questions and {q.split for q in dev.questions} == {"dev"}


def test_assign_splits_is_stratified_and_seeded(bench: ModuleType) -> None:
    groups = {str(i): "a" if i < 7 else "b" for i in range(12)}
    splits = bench.assign_splits(groups, 0)
    assert splits == bench.assign_splits(groups, 0)
    assert Counter(splits.values()) == {"dev": 6, "test": 6}
    assert Counter(splits[str(i)] for i in range(7)) == {"dev": 4, "test": 3}
    assert splits != bench.assign_splits(groups, 1)


def _readme_rows() -> dict[str, tuple[int, int, int]]:
    """Name → (dev, test, all) from the tables of the README's music-realistic section."""
    text = README.read_text(encoding="utf-8").split("## music-realistic", 1)[1]
    text = text.split("\n## ", 1)[0]
    rows: dict[str, tuple[int, int, int]] = {}
    for line in text.splitlines():
        cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 4 and all(c.isdigit() for c in cells[-3:]):
            rows[cells[0]] = (int(cells[-3]), int(cells[-2]), int(cells[-1]))
    return rows


def test_the_readme_counts_are_the_sets(dataset: Dataset, groups: dict[str, str]) -> None:
    rows = _readme_rows()

    def count(pick: list[Question]) -> tuple[int, int, int]:
        dev = sum(q.split == "dev" for q in pick)
        return dev, len(pick) - dev, len(pick)

    questions = dataset.questions
    assert rows.pop("all") == count(questions)
    for group in MIX:
        assert rows.pop(group) == count([q for q in questions if groups[q.source_id] == group])
    for tag in TAGS:
        assert rows.pop(tag) == count([q for q in questions if tag in q.tags]), tag
    assert rows == {}


@pytest.mark.parametrize(
    ("extra", "message"),
    [("    tags: COUNT\n", "'tags' must be a list"), ("    split: ''\n", "'split' must be")],
)
def test_the_reader_refuses_malformed_tags_and_splits(
    tmp_path: Path, extra: str, message: str
) -> None:
    path = tmp_path / "q.yml"
    path.write_text(
        "dataset: {id: https://example.org/x/}\nquestions:\n  - id: 1\n"
        + extra
        + "    question: {en: Which one}\n    query: {sparql: 'ASK {}'}\n",
        encoding="utf-8",
    )
    with pytest.raises(DatasetError, match=message):
        read_dataset(path, "text2sparql")
