"""Abstention rules without a model: confidence, grounding, the precision/coverage curve."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sparqlqa.bundled import CORPORATE_FILES
from sparqlqa.ontology.retrieve import SchemaRetriever
from sparqlqa.ontology.schema import load_schema
from sparqlqa.qa.abstain import (
    confidence,
    firm_link,
    grounded,
    precision_coverage,
    recommend,
    render_curve,
    with_english_glosses,
)


def test_confidence_is_the_token_probability_weighted_by_outcome() -> None:
    assert confidence(math.log(0.9), "accepted") == pytest.approx(0.9)
    assert confidence(math.log(0.9), "ran") == pytest.approx(0.45)
    assert confidence(math.log(0.9), "undecodable") == 0.0
    assert confidence(0.5, "accepted") == 1.0  # never above 1


@pytest.mark.parametrize(
    ("label", "mention", "firm"),
    [
        ("Marius Fux", "Mars", False),
        ("Kevin Feigenbaum", "Kelvin", False),
        ("Sensor", "Sensors", True),
        ("LCD", "LCDs", True),  # a plural of a short word
        ("Box", "Boxes", True),
        ("LCD", "LCM", False),
        ("Wanja Hoffmann", "Wanja Hofman", True),
        ("A981-3634031 - Driver Memristor", "A981-3634031 - Driver Memristor", True),
    ],
)
def test_firm_links_share_a_word(label: str, mention: str, firm: bool) -> None:
    assert firm_link(label, mention) is firm


def test_grounded_needs_an_entity_or_a_schema_word() -> None:
    assert not grounded(0, False)
    assert grounded(1, False) and grounded(0, True)
    assert grounded(0, None)  # a retriever that cannot tell does not make the service abstain


def test_german_and_spanish_schema_words_ground_a_question() -> None:
    # The real lexical retriever over the corporate vocabulary (English labels).
    retriever = SchemaRetriever(load_schema([CORPORATE_FILES[0]]), mode="lexical")

    def matches(question: str) -> bool:
        return bool(retriever.scores(with_english_glosses(question), "lexical").max() > 0)

    assert with_english_glosses("Wie viele Lieferanten gibt es?").endswith("supplier")
    assert "birth date" in with_english_glosses("¿Cuál es la fecha de nacimiento de Ana?")
    assert with_english_glosses("How many suppliers are there?") == "How many suppliers are there?"
    for question in ("Wie viele Lieferanten gibt es?", "¿Cuántos proveedores hay?"):
        assert not retriever.scores(question, "lexical").max() > 0  # alone: not grounded
        assert matches(question)
    assert not matches("asdf qwer zxcv")


ROWS = [
    {"set": "dev", "confidence": 0.95, "grounded": True, "right": True, "nonsense": False},
    {"set": "dev", "confidence": 0.90, "grounded": True, "right": False, "nonsense": False},
    {"set": "dev", "confidence": 0.70, "grounded": True, "right": True, "nonsense": False},
    {"set": "dev", "confidence": None, "grounded": True, "right": False, "nonsense": False},
    {"set": "nonsense", "confidence": 0.80, "grounded": False, "right": False, "nonsense": True},
    {"set": "free", "confidence": 0.99, "grounded": True, "right": None, "nonsense": False},
]


def test_precision_and_coverage_by_threshold(tmp_path: Path) -> None:
    table = {r["threshold"]: r for r in precision_coverage(ROWS, [0.0, 0.8, 0.92])}
    assert table[0.0]["coverage"] == pytest.approx(3 / 4)
    assert table[0.0]["precision"] == pytest.approx(2 / 3)
    assert table[0.0]["nonsense_answered"] == 0 and table[0.0]["nonsense_by_confidence"] == 1
    assert table[0.8]["coverage"] == pytest.approx(2 / 4)
    assert table[0.8]["nonsense_by_confidence"] == 1
    assert table[0.92]["precision"] == 1.0 and table[0.92]["nonsense_by_confidence"] == 0
    # 0.92 reaches the precision, but answers only a quarter: with the default coverage
    # wanted (0.5) the choice is the lowest threshold that answers no nonsense as served.
    assert recommend(list(table.values()), min_precision=0.9, min_coverage=0.25) == 0.92
    assert recommend(list(table.values()), min_precision=0.9) == 0.0
    nonsense_served = [
        {**r, "nonsense_answered": 1.0 if r["threshold"] < 0.8 else 0.0} for r in table.values()
    ]
    assert recommend(nonsense_served, min_precision=0.9) == 0.8
    doc, plot = tmp_path / "a.md", tmp_path / "a.png"
    assert render_curve(list(table.values()), ROWS, doc, plot) == recommend(list(table.values()))
    assert "| 0.92 |" in doc.read_text() and plot.stat().st_size > 1000
