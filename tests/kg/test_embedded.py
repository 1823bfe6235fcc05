"""Building, reopening and querying the embedded store from every RDF syntax we accept."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import rdflib

from sparqlqa.bundled import CORPORATE_FILES
from sparqlqa.errors import ConfigError, QuerySyntaxError, StoreError
from sparqlqa.kg.embedded import EmbeddedStore, MemoryStore, build_store

TURTLE = """\
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:ada a ex:Person ; rdfs:label "Ada Lovelace"@en ; ex:born 1815 ; ex:knows ex:charles .
ex:charles a ex:Person ; rdfs:label "Charles Babbage" .
"""


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return rdflib.Graph().parse(data=TURTLE, format="turtle")


@pytest.mark.parametrize(
    ("name", "rdflib_format"),
    [
        pytest.param("people.ttl", "turtle", id="turtle"),
        pytest.param("people.nt", "nt", id="n-triples"),
        pytest.param("people.rdf", "xml", id="rdf-xml"),
        pytest.param("people.owl", "xml", id="owl-as-rdf-xml"),
        pytest.param("people-turtle.owl", "turtle", id="owl-as-turtle"),
    ],
)
def test_every_syntax_loads_the_same_graph(
    tmp_path: Path, graph: rdflib.Graph, name: str, rdflib_format: str
) -> None:
    source = tmp_path / name
    source.write_text(graph.serialize(format=rdflib_format))
    meta = build_store(tmp_path / "store", [source], progress=False)
    assert meta["triples"] == 6
    with EmbeddedStore(tmp_path / "store") as store:
        rows = store.select(
            "SELECT ?l WHERE { <http://example.org/ada> "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
        )
        assert rows == [{"l": {"type": "literal", "value": "Ada Lovelace", "xml:lang": "en"}}]


def test_reopen_is_fast_and_read_only(corporate_store_path: Path) -> None:
    started = time.perf_counter()
    store = EmbeddedStore(corporate_store_path)
    assert store.count_triples() == 26903
    assert time.perf_counter() - started < 1.0
    with pytest.raises(QuerySyntaxError):  # the query parser does not take updates
        store.query("INSERT DATA { <http://a> <http://b> <http://c> }")
    store.close()


def test_existing_store_is_kept_and_other_sources_refused(tmp_path: Path) -> None:
    first = tmp_path / "a.ttl"
    first.write_text(TURTLE)
    build_store(tmp_path / "s", [first], progress=False)
    assert build_store(tmp_path / "s", [first], progress=False)["reused"] is True
    other = tmp_path / "b.ttl"
    other.write_text(TURTLE + "<http://example.org/x> a <http://example.org/Y> .\n")
    with pytest.raises(ConfigError, match="built from other files; pass --force"):
        build_store(tmp_path / "s", [other], progress=False)
    assert build_store(tmp_path / "s", [other], force=True, progress=False)["triples"] == 7


def test_interrupted_build_leaves_no_store(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.ttl", tmp_path / "bad.ttl"
    good.write_text(TURTLE)
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    with pytest.raises(StoreError, match=r"bad\.ttl: not valid Turtle: Parser error at line 2"):
        build_store(tmp_path / "s", [good, bad], progress=False)
    with pytest.raises(StoreError, match="build it first"):
        EmbeddedStore(tmp_path / "s")
    assert build_store(tmp_path / "s", [good], progress=False)["triples"] == 6


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param([], "no RDF files", id="none"),
        pytest.param([Path("/nonexistent.ttl")], "not found", id="missing"),
        pytest.param(
            [CORPORATE_FILES[0].parent / "LICENSE-CC-BY-4.0.txt"], "unknown RDF file", id="txt"
        ),
    ],
)
def test_bad_inputs(tmp_path: Path, files: list[Path], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_store(tmp_path / "s", files, progress=False)


def test_prefixes_are_taken_from_the_sources(corporate_store: EmbeddedStore) -> None:
    assert corporate_store.prefixes["pv"] == "http://ld.company.org/prod-vocab/"


def test_memory_store_refuses_time_limits() -> None:
    store = MemoryStore()
    store.add_turtle(TURTLE)
    assert store.count_triples() == 6
    with pytest.raises(ConfigError, match="cannot enforce a time limit"):
        store.query("ASK { ?s ?p ?o }", timeout_s=1)
