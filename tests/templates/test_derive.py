"""Schema-derived templates: every shape, from the corporate graph and from any small graph."""

from __future__ import annotations

from pathlib import Path

from sparqlqa.errors import TemplateError
from sparqlqa.kg.embedded import EmbeddedStore, MemoryStore
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.ontology.schema import schema_from_store
from sparqlqa.templates.derive import DeriveConfig, derive_templates
from sparqlqa.templates.fill import check_template
from sparqlqa.templates.instantiate import InstantiateConfig, Instantiator
from sparqlqa.templates.labels import LabelSource
from sparqlqa.templates.model import SHAPES

LIBRARY = """\
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Book a rdfs:Class ; rdfs:label "Book" .
ex:Author a rdfs:Class ; rdfs:label "Author" .
ex:writtenBy a rdf:Property ; rdfs:label "written by" ;
    rdfs:domain ex:Book ; rdfs:range ex:Author .
ex:pages a rdf:Property ; rdfs:label "number of pages" ;
    rdfs:domain ex:Book ; rdfs:range xsd:integer .
ex:influences a rdf:Property ; rdfs:label "influences" ;
    rdfs:domain ex:Author ; rdfs:range ex:Author .
ex:Genre a rdfs:Class ; rdfs:label "Genre" .
ex:genre a rdf:Property ; rdfs:label "genre" ; rdfs:domain ex:Book ; rdfs:range ex:Genre .
ex:dune a ex:Book ; rdfs:label "Dune" ; ex:writtenBy ex:herbert ; ex:pages 412 ;
    ex:genre ex:scifi .
ex:emma a ex:Book ; rdfs:label "Emma" ; ex:writtenBy ex:austen ; ex:pages 474 ;
    ex:genre ex:novel .
ex:persuasion a ex:Book ; rdfs:label "Persuasion" ; ex:writtenBy ex:austen ;
    ex:genre ex:novel .
ex:scifi a ex:Genre ; rdfs:label "Science fiction" .
ex:novel a ex:Genre ; rdfs:label "Novel" .
ex:herbert a ex:Author ; rdfs:label "Frank Herbert" ; ex:influences ex:austen .
ex:austen a ex:Author ; rdfs:label "Jane Austen" .
"""


def test_corporate_schema_gives_every_shape(corporate_store: EmbeddedStore) -> None:
    schema = schema_from_store(corporate_store)
    prefixes = {**COMMON_PREFIXES, **corporate_store.prefixes}
    templates = derive_templates(schema, prefixes)
    assert {t.shape for t in templates} == set(SHAPES) - {"other"}
    assert len({t.id for t in templates}) == len(templates)
    for template in templates:
        check_template(template)
        assert len(template.questions) >= 2
    by_id = {t.id: t for t in templates}
    lookup = by_id["schema-lookup-hasProductManager-Hardware"]
    assert "Who is the product manager of <A>?" in lookup.questions
    assert lookup.query == "SELECT DISTINCT ?x WHERE { <A> pv:hasProductManager ?x }"
    assert (
        "Which employees are a member of <B>?"
        in by_id["schema-reverse_lookup-memberOf-Employee"].questions
    )
    # A price is a value node: asked for, it is its amount (a number), in German too.
    german = {t.id: t for t in derive_templates(schema, prefixes, DeriveConfig(languages=("de",)))}
    for price in (by_id["schema-lookup-price-Hardware"], german["schema-lookup-price-Service-de"]):
        assert price.query == "SELECT DISTINCT ?x WHERE { <A> pv:price ?n . ?n pv:amount ?x }"
        assert price.answer_type == "number"
    # A BOM line leads on to its part: it stays a resource, not its quantity.
    bom = by_id["schema-lookup-hasBomPart-BillOfMaterial"]
    assert bom.query == "SELECT DISTINCT ?x WHERE { <A> pv:hasBomPart ?x }"


def test_any_small_graph(tmp_path: Path) -> None:
    """A graph sparqlqa has never seen: only its schema and labels are used."""
    path = tmp_path / "library.ttl"
    path.write_text(LIBRARY)
    store = MemoryStore([path])
    schema = schema_from_store(store)
    templates = derive_templates(schema, {**COMMON_PREFIXES, "ex": "http://example.org/"})
    questions = {q for t in templates for q in t.questions}
    assert "Which books are written by <B>?" in questions
    assert "What does <A> influence?" in questions
    assert "Which book has the highest number of pages?" in questions
    labels = LabelSource(store)
    labels.preload()
    instantiator = Instantiator(store, labels, config=InstantiateConfig(per_template=5))
    made = {}
    for template in templates:
        try:
            made[template.id] = instantiator.pairs(template)
        except TemplateError:  # templates whose generator finds nothing in this tiny graph
            continue
    reverse = made["schema-reverse_lookup-writtenBy-Book"]
    assert {p.question for p in reverse} & {
        "Which books are written by Jane Austen?",
        "List the books that are written by Jane Austen.",
        "Which book is written by Jane Austen?",
        "Give me the books written by Jane Austen.",
    }
    top = made["schema-superlative-max-pages-Book"]
    assert all(p.answers == ["http://example.org/emma"] for p in top)
    # negation: over the class, counted, and within the books of one genre
    persuasion = ["http://example.org/persuasion"]
    assert all(p.answers == persuasion for p in made["schema-negation-pages-Book"])
    counted = made["schema-negation-count-pages-Book"]
    assert {p.question for p in counted} >= {"How many books have no number of pages?"}
    assert all(p.answers == ["1"] for p in counted)
    by_genre = made["schema-negation-by-genre-pages-Book"]
    assert {p.question.lower().rstrip("?.") for p in by_genre} & {
        "which books with genre novel have no number of pages",
        "list the books whose genre is novel but that lack a number of pages",
        "books with genre novel and no number of pages",
    }
    assert all(p.answers == persuasion for p in by_genre)


def test_a_vocabulary_read_as_data_gives_questions_about_its_terms() -> None:
    from sparqlqa.bundled import CORPORATE_FILES
    from sparqlqa.templates.derive import DeriveConfig

    store = MemoryStore([CORPORATE_FILES[0]])
    schema = schema_from_store(store, vocabulary_as_data=True)
    prefixes = {**COMMON_PREFIXES, **store.prefixes}
    skipped = {t.query for t in derive_templates(schema, prefixes)}
    assert not any("rdfs:" in q or "owl:" in q for q in skipped), "skipped by default"
    templates = derive_templates(schema, prefixes, DeriveConfig(skip_namespaces=()))
    queries = {t.query for t in templates}
    assert "SELECT DISTINCT ?x WHERE { <A> rdfs:domain ?x }" in queries
    assert "SELECT (COUNT(DISTINCT ?x) AS ?count) WHERE { ?x a owl:Class }" in queries
