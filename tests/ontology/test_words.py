"""Folding, tokens with spans, the light stemmer."""

from __future__ import annotations

import pytest

from sparqlqa.ontology.words import fold, normalise, stem, tokens


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        pytest.param("Müller", "muller", id="umlaut"),
        pytest.param("Straße", "strasse", id="eszett"),
        pytest.param("Ærø", "aero", id="ligature"),
        pytest.param("José", "jose", id="accent"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_tokens_keep_spans_of_the_original_text() -> None:
    text = "Is Ms. Müller's ID J731-7469427?"
    words = tokens(text)
    assert [w.norm for w in words] == ["is", "ms", "muller", "s", "id", "j731", "7469427"]
    assert [text[w.start : w.end] for w in words][2] == "Müller"
    assert normalise("  Benitez   and SONS ") == "benitez and sons"


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        pytest.param("departments", "department", id="plural"),
        pytest.param("categories", "category", id="ies"),
        pytest.param("works", "work", id="verb-s"),
        pytest.param("status", "status", id="us"),
        pytest.param("class", "class", id="ss"),
        pytest.param("j731", "j731", id="id-untouched"),
    ],
)
def test_stem(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed
