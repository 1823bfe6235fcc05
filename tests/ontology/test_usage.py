"""The popularity prior: query logs read in several formats, counted, scaled."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sparqlqa.ontology.schema import Schema, SchemaClass, SchemaProperty
from sparqlqa.ontology.usage import count_mentions, prior_scores, read_queries, set_mentions

EX = "http://example.org/"
Q = f"PREFIX ex: <{EX}> SELECT ?x WHERE {{ ?x a ex:City ; ex:country ?c }}"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("log.jsonl", json.dumps({"query": Q}) + "\n\n", id="jsonl"),
        pytest.param("lcquad.json", json.dumps([{"sparql_query": Q}]), id="json-list"),
        pytest.param("qald.json", json.dumps({"questions": [{"query": {"sparql": Q}}]}), id="qald"),
        pytest.param("t.csv", f"{EX}City;;;Where is <A>?;{Q};select ?a;id1\n", id="nspm"),
        pytest.param("log.rq", Q + "\n", id="lines"),
    ],
)
def test_read_queries(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    assert read_queries(tmp_path / name) == [Q]


def test_mentions_counted_once_per_query_and_scaled() -> None:
    schema = Schema(
        {EX + "City": SchemaClass(EX + "City", "city")},
        {
            EX + "country": SchemaProperty(EX + "country", "country"),
            EX + "rare": SchemaProperty(EX + "rare", "rare"),
        },
    )
    counts = count_mentions([Q, Q, Q.replace("ex:City", "ex:Town")], schema)
    assert counts == {EX + "City": 2, EX + "country": 3}
    assert set_mentions(schema, counts) == 2
    scores = prior_scores([*schema.classes.values(), *schema.properties.values()])
    assert scores[1] == 1.0 and 0 < scores[0] < 1 and scores[2] == 0.0


def test_prior_falls_back_to_data_counts() -> None:
    terms: list[SchemaClass | SchemaProperty] = [
        SchemaClass(EX + "A", "a", instances=9),
        SchemaProperty(EX + "p", "p", usage=99),
    ]
    assert np.allclose(prior_scores(terms, from_data=True), [np.log(10) / np.log(100), 1.0])
    assert not prior_scores(terms).any()  # off unless asked
    assert not prior_scores([SchemaClass(EX + "B", "b")]).any()
