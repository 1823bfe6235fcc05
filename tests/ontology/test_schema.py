"""Schema loading from ontology files and from a store."""

from __future__ import annotations

from pathlib import Path

from sparqlqa.bundled import CORPORATE_FILES
from sparqlqa.kg.embedded import EmbeddedStore, MemoryStore
from sparqlqa.ontology.schema import (
    OWL,
    Schema,
    describes_vocabulary,
    load_schema,
    schema_from_store,
    words_of,
)

PV = "http://ld.company.org/prod-vocab/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def test_corporate_vocabulary_declarations() -> None:
    schema = load_schema([CORPORATE_FILES[0]])
    assert schema.classes[PV + "BillOfMaterial"].label == "Bill of Material (BOM)"
    assert schema.classes[PV + "Manager"].parents == [PV + "Employee"]
    member_of = schema.properties[PV + "memberOf"]
    assert (member_of.label, member_of.kind) == ("member of", "object")
    assert member_of.domain == [PV + "Agent"] and member_of.range == [PV + "Department"]
    assert "department" in member_of.comment
    assert schema.properties[PV + "amount"].numeric


def test_schema_from_store_counts_and_infers(corporate_schema: Schema) -> None:
    assert corporate_schema.classes[PV + "Employee"].instances == 47
    assert corporate_schema.properties[PV + "hasCategory"].usage > 1000
    # the vocabulary's own metadata (creator, licence) is not taken for data properties
    assert not any("creativecommons" in iri for iri in corporate_schema.properties)


def test_metadata_classes_dropped_on_request(
    corporate_store: EmbeddedStore, corporate_schema: Schema
) -> None:
    # the classes of the vocabulary's creators (foaf:Person, linked only from the
    # owl:Ontology) are kept by default, dropped on request
    person, name = "http://xmlns.com/foaf/0.1/Person", "http://xmlns.com/foaf/0.1/name"
    assert person in corporate_schema.classes and len(corporate_schema.classes) == 16
    lean = schema_from_store(corporate_store, drop_metadata=True)
    assert person not in lean.classes and name not in lean.properties
    assert len(lean.classes) == 13 and lean.properties.keys() < corporate_schema.properties.keys()


def test_labels_per_language_and_fingerprint(tmp_path: Path) -> None:
    ttl = tmp_path / "o.ttl"
    ttl.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<http://ex.org/Town> a owl:Class ; rdfs:label "Stadt"@de, "town"@en .\n'
        "<http://ex.org/mayorOf> a owl:ObjectProperty ; rdfs:range <http://ex.org/Town> .\n"
    )
    english, german = load_schema([ttl]), load_schema([ttl], lang="de")
    assert english.classes["http://ex.org/Town"].label == "town"
    assert german.classes["http://ex.org/Town"].label == "Stadt"
    assert english.properties["http://ex.org/mayorOf"].label == "mayor of"
    assert english.fingerprint() == load_schema([ttl]).fingerprint() != german.fingerprint()
    assert Schema.from_json(english.to_json()).fingerprint() == english.fingerprint()


def test_words_of() -> None:
    assert words_of("hasAlignment") == "has alignment"
    assert words_of("BOM_part") == "BOM part"
    assert words_of("depth_mm") == "depth mm"


def test_a_vocabulary_served_as_data_is_read_as_data() -> None:
    """The corporate vocabulary alone, as a graph: questions would be about its classes and
    properties, so owl:Class, rdfs:domain... become the schema (sparqlqa adapt does this)."""
    store = MemoryStore([CORPORATE_FILES[0]])
    assert describes_vocabulary(schema_from_store(store, drop_metadata=True))
    schema = schema_from_store(store, vocabulary_as_data=True)
    assert schema.classes[OWL + "Class"].instances == 13
    assert schema.classes[OWL + "Class"].label == "class"
    domain = schema.properties["http://www.w3.org/2000/01/rdf-schema#domain"]
    assert (domain.label, domain.kind) == ("domain", "object")
    assert PV + "Employee" not in schema.classes  # a resource of this data, not a class
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" not in schema.properties


def test_undeclared_terms_take_their_labels_from_the_data() -> None:
    store = MemoryStore()
    store.add_turtle(
        "@prefix ex: <http://ex.org/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "ex:vega a ex:Star ; ex:hostOf ex:p1 ; ex:apparentMagnitude 0.03 .\n"
        'ex:Star rdfs:label "fixed star" .\n'
    )
    schema = schema_from_store(store)
    assert schema.classes["http://ex.org/Star"].label == "fixed star"
    assert schema.properties["http://ex.org/hostOf"].label == "host of"
    assert schema.properties["http://ex.org/apparentMagnitude"].label == "apparent magnitude"
    assert not describes_vocabulary(schema)
