"""Folding, tokens with spans, the light stemmer."""

from __future__ import annotations

import pytest

from sparqlqa.ontology.words import (
    fold,
    name_runs,
    normalise,
    run_breaks,
    stem,
    tokens,
    transliterated,
)


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


def test_punctuation_ends_a_run_of_capitalised_words() -> None:
    """A run of capitalised words is one name at most up to a comma or a spaced dash:
    "Produktion - Namen, E-Mails" is three runs; a hyphen inside a name is not a break."""
    text = "Teamliste der Produktion - Namen, E-Mails (Hall-Hodges)"
    words = tokens(text)
    named = [text[w.start].isupper() for w in words]
    runs = name_runs(named, run_breaks(text, words))
    by_word = dict(zip([w.norm for w in words], runs, strict=True))
    assert by_word["produktion"] != by_word["namen"] != by_word["e"]
    assert by_word["e"] == by_word["mails"] and by_word["hall"] == by_word["hodges"]
    assert by_word["mails"] != by_word["hall"]
    assert name_runs(named) == name_runs(named, [False] * len(words))  # no breaks: as before
    assert len(set(name_runs(named)) - {-1}) == 2


def test_german_umlauts_transliterate() -> None:
    assert transliterated("Müller", "de") == "mueller"
    assert transliterated("Größe", "de") == "groesse"
    assert transliterated("Müller", "es") == fold("Müller") == "muller"


def test_umlauts_written_out_and_folded_back() -> None:
    from sparqlqa.ontology.words import fold, umlauts_folded, umlauts_written_out

    assert umlauts_written_out("größer über") == "groesser ueber"
    # Typed without umlauts, folded as if typed with them.
    assert umlauts_folded(fold("Widerstaende")) == fold("Widerstände")
    assert umlauts_folded(fold("Oesterreich")) == fold("Österreich")


def test_split_compounds_at_a_head_with_or_without_a_linking_s() -> None:
    from sparqlqa.ontology.words import split_compounds, tokens

    question = "Wer leitet die Einkaufsabteilung und die Marketingabteilungen?"
    known = {"einkauf", "marketing"}.__contains__
    split = split_compounds(question, tokens(question), ["abteilung", "abteilungen"], known)
    parts = [question[t.start : t.end] for t in split]
    assert parts[3:5] == ["Einkauf", "abteilung"]  # the linking "s" dropped
    assert parts[-2:] == ["Marketing", "abteilungen"]  # the longest head
    assert [t.norm for t in split[:3]] == ["wer", "leitet", "die"]
    # Too short a first part, or a first part that is a head itself: the word stays whole.
    assert split_compounds("Abteilung", tokens("Abteilung"), ["abteilung"]) == tokens("Abteilung")
    word = "Abteilungsabteilung"
    assert split_compounds(word, tokens(word), ["abteilung"], known) == tokens(word)
