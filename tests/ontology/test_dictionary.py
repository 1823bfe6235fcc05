"""Bilingual dictionaries (dictd format, as FreeDict ships them): reading, the graph's choice
among senses, the cache, and German and Spanish category words linked over the real
corporate graph. The dictionaries here are written by the tests, in the real file format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.ontology.dictionary import (
    GraphDictionary,
    backwards,
    dictionary_folders,
    entries,
    find_dictionary,
    is_noun,
    label_translations,
    senses,
)
from sparqlqa.ontology.link import EntityLinker
from sparqlqa.ontology.schema import Schema

WriteDictd = Callable[[Path, str, list[tuple[str, str]]], Path]

PI = "http://ld.company.org/prod-instances/"

GERMAN = [
    ("00-database-info", "This is a test dictionary\n"),
    ("breite", "Breite /b/ <fem, n, sg>\nwidth, breadth, broadness, wide range, gauge\n"),
    ("französisch", "Französisch /f/ <neut, n, sg>\nFrench\n"),
    ("französisch", "französisch /f/ <adj>\nFrench Fr.\n"),
    ("geschaltet", "geschaltet /g/\nswitched, switch\n"),
    ("logisch", "logisch /l/ <adj>\nlogical\n"),
    ("südkoreanisch", "südkoreanisch /s/\nSouth Korean\n"),
    (
        "leistungsschalter",
        "Leistungsschalter /l/ <masc, n, sg>\npower circuit breaker, power switch\n",
    ),
    ("produkt", "Produkt /p/ <neut, n, sg>\nproduct <n>\n"),
    ("namen", "Namen /n/ <masc, n, pl>\nnames\n"),
    ("widerstandsweg", "Widerstandsweg /w/ <masc, n, sg>\nline of least resistance\n"),
    ("aufgewickelt", "aufgewickelt /a/ <adj>\ncoiled, coil\n"),
    ("spulen", "Spulen /s/ <pl>\ninductors, reels\n"),
    ("spulen", "Spulen /s/ <pl>\n [electr.] coils\n see: {Spule}\n"),
    ("widerstand", "Widerstand /v/ <masc, n, sg>\nobstruction <n>\n   Synonym: {Behinderung}\n"),
    ("widerstand", "Widerstand /v/ <masc, n, sg>\n [electr.] resistor <n>\n see: {Widerstände}\n"),
    (
        "widerstände",
        'Widerstände /v/ <pl>\nresistors\n      "Chip-Widerstände"  - chip resistors\n',
    ),
]
SPANISH = [("resistencias", "resistencias /r/\n1. resistances\n2. resistors\n")]
# German-Spanish, as FreeDict writes it: the translation, then a definition in German.
GERMAN_SPANISH = [
    ("kondensator", "Kondensator /k/ <n, masc>\ncondensador\nBauelement, das Ladungen speichert\n"),
    ("richtung", "Richtung /r/ <n, fem>\n1. dirección\nOrt, zu dem man sich bewegt\n"),
]
GERMAN += [
    ("kondensator", "Kondensator /k/ <masc, n, sg>\ncapacitor <n>, condenser <n>\n"),
    ("richtung", "Richtung /r/ <fem, n, sg>\nline, strain, strand\n"),
]


@pytest.fixture()
def dictionaries(tmp_path: Path, write_dictd: WriteDictd) -> Path:
    folder = tmp_path / "dictd"
    write_dictd(folder, "freedict-deu-eng", GERMAN)
    write_dictd(folder, "freedict-spa-eng", SPANISH)
    write_dictd(folder, "freedict-deu-spa", GERMAN_SPANISH)
    return folder


def test_entries_and_their_senses(dictionaries: Path) -> None:
    read = list(entries(dictionaries / "freedict-deu-eng.index"))
    assert [h for h, _ in read][:2] == ["breite", "französisch"]  # metadata entries skipped
    assert dict(read)["breite"].startswith("Breite /b/")
    widerstand = [text for h, text in read if h == "widerstand"]
    # Domain, grammar and pronunciation marks go; synonyms, references and examples too.
    assert [senses(t) for t in widerstand] == [["obstruction"], ["resistor"]]
    assert senses(SPANISH[0][1]) == ["resistances", "resistors"]
    german = dict(GERMAN)
    assert is_noun(german["breite"]) and not is_noun(german["aufgewickelt"])
    # Without a grammar note: a noun in Spanish, in German only when capitalised.
    assert is_noun(SPANISH[0][1]) and not is_noun(german["geschaltet"], capitalised=True)


def test_the_graph_chooses_among_the_senses(dictionaries: Path) -> None:
    vocabulary = {"resistor", "gauge", "switch", "coil", "inductor"}
    # Plurals count as their singular; both entries of a headword count, in order; a fifth
    # sense (a gauge for "Breite"), an adjective and a lower-case participle do not.
    # A longer translation counts by its head word, unless function words make it a phrase.
    vocabulary |= {"breaker", "product", "resistance"}
    table = label_translations(
        dictionaries / "freedict-deu-eng.index", vocabulary, capitalised=True
    )
    assert table == {
        "leistungsschalter": ["breaker", "switch"],
        "produkt": ["product"],
        "widerstand": ["resistor"],
        "widerstande": ["resistor"],
        "spulen": ["inductor", "coil"],
    }


def test_a_graph_dictionary_finds_caches_and_translates(dictionaries: Path, tmp_path: Path) -> None:
    cache = tmp_path / "index"
    labels = [("resistor",), ("coil",), ("product", "management")]
    graph = GraphDictionary(labels, cache_dir=cache, folders=[dictionaries])
    assert graph.available("de") and graph.available("es") and not graph.available("fr")
    assert graph.translations("Widerstände", "de") == ["resistor"]
    assert graph.translations("resistencias", "es") == ["resistor"]
    assert graph.translations("Widerstände", "es") == []
    assert graph.translations("Frankreich", "de") == []
    # A compound: its parts translate to (or are) the words of one longer label, with a
    # linking or an inflection ending; a part alone links nothing.
    assert graph.translations("Produktmanagement", "de") == ["product", "management"]
    assert graph.translations("Produktsmanagements", "de") == ["product", "management"]
    assert graph.translations("Produkt", "de") == []
    assert graph.translations("Produktmanagement", "es") == []  # Spanish does not compound
    cached = sorted(p.name for p in cache.iterdir())
    assert len(cached) == 2 and all(n.startswith("dictionary-") for n in cached)
    # Another graph's words are another table (another cache file).
    other = GraphDictionary([("obstruction",)], cache_dir=cache, folders=[dictionaries])
    assert other.translations("Widerstand", "de") == ["obstruction"]
    assert len(list(cache.iterdir())) == 3  # one more graph, German only
    # Countries' adjectives as questions inflect them: their English demonyms, which the
    # linker takes to the country (word_forms); not an adjective of no country.
    assert graph.demonym("französischen", "de") == "french"
    assert graph.demonym("Südkoreanische", "de") == "korean"
    assert graph.demonym("logischen", "de") is None
    assert graph.demonym("franceses", "es") is None
    # Spanish through German: the German-Spanish dictionary read backwards (translations,
    # not the German definitions), then the German word's first translation only.
    back = backwards(dictionaries / "freedict-deu-spa.index")
    assert back == {"condensador": ["kondensator"], "direccion": ["richtung"]}
    strained = GraphDictionary(
        [("capacitor",), ("strain",)], cache_dir=cache, folders=[dictionaries]
    )
    assert strained.translations("condensadores", "es") == ["capacitor"]
    assert strained.translations("dirección", "es") == []  # a Richtung's second sense
    assert strained.translations("Richtung", "de") == ["strain"]
    # No dictionary: nothing translated, nothing raised.
    none = GraphDictionary([("resistor",)], folders=[tmp_path / "missing"])
    assert not none.available("de") and none.translations("Widerstände", "de") == []


def test_dictionary_folders_follow_the_setting(
    dictionaries: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARQLQA_DICTIONARIES", "")
    assert dictionary_folders() == [] and find_dictionary("de") is None
    monkeypatch.setenv("SPARQLQA_DICTIONARIES", str(dictionaries))
    assert find_dictionary("de") == dictionaries / "freedict-deu-eng.index"
    monkeypatch.delenv("SPARQLQA_DICTIONARIES")
    assert Path("/usr/share/dictd") in dictionary_folders()


def test_german_and_spanish_category_words_link_through_the_dictionary(
    corporate_store: EmbeddedStore, corporate_schema: Schema, dictionaries: Path, tmp_path: Path
) -> None:
    linker = EntityLinker.from_store(corporate_store, schema=corporate_schema)
    question = "Zeig mir alle Widerstände."
    assert not any(e.iri == f"{PI}prod-cat-Resistor" for e in linker.link(question, language="de"))
    linker.dictionary = GraphDictionary.of_categories(
        linker.index, linker.config.category_in_degree, cache_dir=tmp_path, folders=[dictionaries]
    )
    # Category-like labels are the dictionary's targets, the one-word ones alone: no
    # person's name.
    assert "resistor" in linker.dictionary.single
    assert frozenset({"product", "management"}) in linker.dictionary.phrases
    assert not {"wolfgang", "martin", "yanka"} & linker.dictionary.single
    found = linker.link(question, language="de")
    assert found and found[0].iri == f"{PI}prod-cat-Resistor"
    # What the pipeline's grounding rule asks: the words a mention is read as.
    assert linker.translated("Widerstände", "de") == ["resistor"]
    assert linker.translated("Widerstände", "en") == []
    assert "france" in linker.translated("französischen", "de")
    assert question[found[0].start : found[0].end] == "Widerstände"
    # Senses in the dictionary's order: an inductor before a coil, both offered.
    spulen = {e.iri for e in linker.link("Welche Lieferanten liefern Spulen?", language="de")}
    assert {f"{PI}prod-cat-Inductor", f"{PI}prod-cat-Coil"} <= spulen
    # A country's adjective links the country (the resource and the literal value).
    question = "Welche französischen Lieferanten liefern Potentiometer?"
    french = {e.iri for e in linker.link(question, language="de")}
    assert "http://dbpedia.org/resource/France" in french
    # A compound of a department's name, in the genitive.
    question = "Welche Widerstände liegen im Bereich des Produktmanagements?"
    found = linker.link(question, language="de")
    department = next(e for e in found if question[e.start : e.end] == "Produktmanagements")
    assert department.label == "Product Management"
    # English questions are not translated.
    assert linker.link("Show me all Widerstände", language="en") == linker.link(
        "Show me all Widerstände", language=None
    )


def test_a_german_dictionary_word_is_no_typo_of_a_name(
    corporate_store: EmbeddedStore, corporate_schema: Schema, dictionaries: Path, tmp_path: Path
) -> None:
    """German capitalises its nouns: "Namen" looks like a name, and without the dictionary it
    is read as a typo of the city "Nanmen"; a word the dictionary has (or has with an
    inflection off, "Namens") is not. A name written with an umlaut finds its spelling
    without one ("Müller": Mueller)."""
    linker = EntityLinker.from_store(corporate_store, schema=corporate_schema)
    question = "Wie lauten die Namen der Lieferanten aus Frankreich?"
    nanmen = '"Nanmen"'
    assert nanmen in {e.iri for e in linker.link(question, language="de")}
    linker.dictionary = GraphDictionary.of_categories(
        linker.index, linker.config.category_in_degree, cache_dir=tmp_path, folders=[dictionaries]
    )
    assert linker.dictionary.knows("Namen", "de") and linker.dictionary.knows("Namens", "de")
    assert not linker.dictionary.knows("Nanmen", "de")
    assert not linker.dictionary.knows("Namen", "fr")  # no such dictionary
    assert list(tmp_path.glob("words-de-*.npy"))  # cached for the next start
    assert nanmen not in {e.iri for e in linker.link(question, language="de")}
    # Spanish keeps its typo matching: a lower-case cognate is how it finds a country.
    found = linker.link("¿Qué proveedores franceses fabrican potenciómetros?", language="es")
    assert "http://dbpedia.org/resource/France" in {e.iri for e in found}
    mueller = f"{PI}empl-Thomas.Mueller%40company.org"
    found = linker.link("In welcher Abteilung ist Thomas Müller?", language="de")
    assert found and found[0].iri == mueller


def test_german_typed_without_umlauts_reads_as_with_them(
    corporate_store: EmbeddedStore, corporate_schema: Schema, dictionaries: Path, tmp_path: Path
) -> None:
    """On a keyboard without umlauts "Widerstände" is typed "Widerstaende": the dictionary
    reads it the same, and no longer takes it for a typo of a name."""
    graph = GraphDictionary([("resistor",)], cache_dir=tmp_path, folders=[dictionaries])
    assert graph.translations("Widerstaende", "de") == graph.translations("Widerstände", "de")
    assert graph.translations("Widerstaende", "de") == ["resistor"]
    assert graph.translations("Widerstaende", "es") == []  # Spanish spells as it is
    assert graph.knows("Widerstaende", "de") and not graph.knows("Widerstaende", "es")
    assert graph.demonym("suedkoreanischen", "de") == "korean"
    linker = EntityLinker.from_store(corporate_store, schema=corporate_schema)
    linker.dictionary = GraphDictionary.of_categories(
        linker.index, linker.config.category_in_degree, cache_dir=tmp_path, folders=[dictionaries]
    )
    found = linker.link("Zeig mir alle Widerstaende.", language="de")
    assert found and found[0].iri == f"{PI}prod-cat-Resistor"


def test_a_compound_of_a_class_noun_links_its_first_part(
    corporate_store: EmbeddedStore, corporate_schema: Schema
) -> None:
    """German writes "the Marketing department" as one word, "Marketingabteilung", and "the
    sensor suppliers" as "Sensorlieferanten": the first part is linked on its own span. A
    compound of two class nouns ("Produktmanager") names a property, and is left whole."""
    linker = EntityLinker.from_store(corporate_store, schema=corporate_schema)
    assert {"abteilung", "lieferanten", "produkt"} <= set(linker.compound_heads)
    question = "Wer arbeitet in der Marketingabteilung?"
    found = linker.link(question, language="de")
    assert found and found[0].label == "Marketing"
    assert question[found[0].start : found[0].end] == "Marketing"
    question = "Welche Sensorlieferanten gibt es?"
    assert f"{PI}prod-cat-Sensor" in {e.iri for e in linker.link(question, language="de")}
    # English is not split; nor is a German word that only ends like a head.
    assert not linker.link("Who works in Marketingabteilung?", language="en")
    question = "Welche Produkte betreut Ratt Beyer als Produktmanager?"
    spans = {question[e.start : e.end] for e in linker.link(question, language="de")}
    assert "Produkt" not in spans
