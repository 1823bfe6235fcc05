"""The realistic corporate question set: it loads, its gold queries still give the recorded
answers on the bundled graph, and its mix, languages, tags and split hold."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyoxigraph as ox
import pytest

from sparqlqa.benchmarks.datasets import ReadOptions, read_dataset
from sparqlqa.eval.realistic import (
    ANSWERS,
    GROUP_SHARES,
    ORDER_TAG,
    QUESTIONS,
    README,
    SPLITS,
    TAGS,
    corporate_store,
    count_tables,
    gold_answer,
    load_answers,
    load_questions,
    query_tags,
)

#: How far below its share a group may fall, so that a question or two can be dropped.
SHARE_SLACK = 0.01


@pytest.fixture(scope="module")
def questions() -> list[dict[str, Any]]:
    return load_questions()


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return corporate_store()


def test_reader_loads_every_question_in_every_language(questions: list[dict[str, Any]]) -> None:
    ds = read_dataset(QUESTIONS, "text2sparql", ReadOptions(languages=("en", "de", "es")))
    assert ds.iri == "https://text2sparql.aksw.org/2026/corporate/"
    assert ds.skipped == [s for s in ds.skipped if s.id.endswith("-es")]
    by_id = {q.id: q for q in ds.questions}
    assert len(questions) >= 170
    for record in questions:
        for language in ("en", "de"):
            q = by_id[f"{record['id']}-{language}"]
            assert q.query == record["query"]["sparql"].strip()
            assert q.tags == tuple(record["tags"]) and q.split == record["split"]
    assert sum(1 for q in ds.questions if q.language == "es") >= 45
    dev = read_dataset(QUESTIONS, "text2sparql", ReadOptions(split="dev"))
    assert {q.split for q in dev.questions} == {"dev"}
    assert len(dev.questions) == sum(r["split"] == "dev" for r in questions)


def test_gold_queries_give_the_recorded_answers(
    questions: list[dict[str, Any]], store: ox.Store
) -> None:
    recorded = load_answers(ANSWERS)
    assert set(recorded) == {str(q["id"]) for q in questions}
    for q in questions:
        qid = str(q["id"])
        found = gold_answer(store, q["query"]["sparql"], ORDER_TAG in q["tags"])
        assert found == recorded[qid], f"question {qid}: the gold answer changed"
        if "ASK" not in q["tags"]:
            assert 0 < len(found) <= 150, f"question {qid}: {len(found)} values"


def test_mix_of_feature_groups(questions: list[dict[str, Any]]) -> None:
    groups = Counter(q["group"] for q in questions)
    assert set(groups) == set(GROUP_SHARES)
    for group, share in GROUP_SHARES.items():
        assert groups[group] / len(questions) >= share - SHARE_SLACK, (group, groups[group])


def test_tags_match_the_gold_queries(questions: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for q in questions:
        tags = list(q["tags"])
        assert tags == [
            *query_tags(q["query"]["sparql"]),
            *([ORDER_TAG] if ORDER_TAG in tags else []),
        ]
        assert ORDER_TAG not in tags or "ORDER" in tags
        seen.update(tags)
    assert seen == set(TAGS)


def test_split_is_disjoint_and_each_half_has_every_group(questions: list[dict[str, Any]]) -> None:
    halves = {name: [q for q in questions if q["split"] == name] for name in SPLITS}
    assert sum(len(h) for h in halves.values()) == len(questions)
    ids = [{q["id"] for q in h} for h in halves.values()]
    assert not ids[0] & ids[1] and len(ids[0] | ids[1]) == len(questions)
    for name, half in halves.items():
        assert {q["group"] for q in half} == set(GROUP_SHARES), name
        assert abs(len(half) - len(questions) / 2) <= len(GROUP_SHARES), name


def test_every_question_has_english_and_german(questions: list[dict[str, Any]]) -> None:
    for q in questions:
        texts = q["question"]
        assert texts.get("en", "").strip() and texts.get("de", "").strip(), q["id"]
        assert texts["en"] != texts["de"], q["id"]
    spanish = Counter(q["group"] for q in questions if q["question"].get("es"))
    assert set(spanish) == set(GROUP_SHARES)


def test_readme_shows_the_current_counts(questions: list[dict[str, Any]]) -> None:
    assert count_tables(questions) in README.read_text(encoding="utf-8")
