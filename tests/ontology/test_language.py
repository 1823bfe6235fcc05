"""Language detection of short questions and the function words of each language."""

from __future__ import annotations

import pytest

from sparqlqa.ontology.language import (
    detect_language,
    normalise_language,
    stopwords,
)

pytest.importorskip("py3langid")


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Which suppliers are from France?", "en"),
        ("Who manages Anna?", "en"),
        ("whose number is +49-551-5670308? I have a missed call", "en"),
        ("Welche Lieferanten kommen aus Frankreich?", "de"),
        ("Zeig mir alle Widerstände.", "de"),
        ("Arbeitet Karen Brant im Einkauf?", "de"),
        ("¿Qué proveedores son de Francia?", "es"),
        ("Muéstrame todas las resistencias.", "es"),
        ("¿Es Gretel Roth experta en sensores?", "es"),
    ],
)
def test_detects_english_german_and_spanish(question: str, language: str) -> None:
    assert detect_language(question) == language


def test_no_letters_is_english() -> None:
    assert detect_language("+49-551-5670308 ?") == "en"


def test_normalises_codes_and_rejects_unsupported() -> None:
    assert normalise_language("DE") == "de"
    assert normalise_language("es_ES") == "es"
    assert normalise_language("de-AT") == "de"
    assert normalise_language(None) is None
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        normalise_language("fr")


def test_stopwords_per_language_are_folded_and_keep_english() -> None:
    german, spanish = stopwords("de"), stopwords("es")
    assert {"welche", "fur", "uber", "liste", "the"} <= german  # "für", "über" folded
    assert {"cuales", "muestrame", "nuestros", "which"} <= spanish
    assert "welche" not in stopwords("en") and "welche" not in spanish
    assert stopwords(None) == stopwords("en")
