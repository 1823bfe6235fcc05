"""Pure text helpers: labels as people type them, English phrasing of schema labels."""

from __future__ import annotations

import pytest

from sparqlqa.templates.labels import clean_label, label_from_iri
from sparqlqa.templates.phrasing import article, class_phrase, plural, property_phrase, verb_base


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        pytest.param("Paris (band)", "Paris", id="disambiguation"),
        pytest.param("Benitez and Sons (United States)", "Benitez and Sons", id="country-bracket"),
        pytest.param("Barack_Obama", "Barack Obama", id="underscores"),
        pytest.param("  Liese   Adam ", "Liese Adam", id="spaces"),
        pytest.param("ACME INDUSTRIAL LTD", "Acme Industrial Ltd", id="shouting"),
        pytest.param("LCD", "LCD", id="acronym-kept"),
        pytest.param("(52)", "(52)", id="only-brackets-kept"),
    ],
)
def test_clean_label(raw: str, clean: str) -> None:
    assert clean_label(raw) == clean


@pytest.mark.parametrize(
    ("iri", "label"),
    [
        pytest.param("http://dbpedia.org/resource/United_States", "United States", id="words"),
        pytest.param("http://dbpedia.org/resource/Paris_(band)", "Paris", id="disambiguated"),
        pytest.param("http://ld.company.org/prod-instances/hw-K926-9334427", None, id="code"),
        pytest.param(
            "http://ld.company.org/prod-instances/empl-Ida.Halle%40company.org", None, id="email"
        ),
    ],
)
def test_label_from_iri(iri: str, label: str | None) -> None:
    assert label_from_iri(iri) == label


@pytest.mark.parametrize(
    ("label", "kind", "noun"),
    [
        pytest.param("has manager", "noun", "manager", id="has-noun"),
        pytest.param("manager", "noun", "manager", id="noun"),
        pytest.param("member of", "relation", "member", id="relation"),
        pytest.param("responsible for", "predicate", "responsible", id="adjective-for"),
        pytest.param("eligible for", "predicate", "eligible", id="eligible"),
        pytest.param("written by", "predicate", "written", id="participle-by"),
        pytest.param("supplies", "verb", "supplier", id="verb"),
        pytest.param("address", "noun", "address", id="not-a-verb"),
        pytest.param("depth (mm)", "noun", "depth", id="unit"),
        pytest.param("has BOM Part", "noun", "BOM part", id="acronym"),
        pytest.param("on album", "noun", "album", id="preposition-first"),
        pytest.param("by artist", "noun", "artist", id="by-first"),
        pytest.param("won award", "noun", "award", id="past-verb-first"),
        pytest.param("composed song", "noun", "song", id="regular-past-first"),
        pytest.param("held at venue", "noun", "venue", id="past-preposition-noun"),
        pytest.param("speed limit", "noun", "speed limit", id="eed-is-no-past"),
        pytest.param("located in", "predicate", "located", id="past-then-preposition"),
    ],
)
def test_property_phrase(label: str, kind: str, noun: str) -> None:
    phrase = property_phrase(label)
    assert (phrase.kind, phrase.noun) == (kind, noun)


def test_unit_is_kept_apart() -> None:
    assert property_phrase("weight (g)").unit == "g"


@pytest.mark.parametrize(
    ("one", "many"),
    [
        pytest.param("supplier", "suppliers", id="s"),
        pytest.param("product category", "product categories", id="ies"),
        pytest.param("bill of material", "bills of material", id="of"),
        pytest.param("hardware", "hardware", id="uncountable"),
        pytest.param("address", "addresses", id="es"),
        pytest.param("BOM", "BOMs", id="acronym"),
    ],
)
def test_plural(one: str, many: str) -> None:
    assert plural(one) == many


def test_small_words() -> None:
    assert class_phrase("Bill of Material (BOM)") == "bill of material"
    assert article("employee") == "an" and article("manager") == "a"
    assert verb_base("supplies") == "supply" and verb_base("manages") == "manage"
