"""Linking what people mention besides names: values, categories, word forms, joint readings.

Against the real corporate graph: cities and countries written as literals, currency codes,
product categories named by plural nouns, countries named by adjectives, and partial names
that only the other mentions of the question make unambiguous.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sparqlqa.kg.embedded import EmbeddedStore, MemoryStore
from sparqlqa.kg.results import is_literal_term
from sparqlqa.ontology.index import write_labels
from sparqlqa.ontology.link import EntityLinker, LabelIndex, LinkerConfig
from sparqlqa.ontology.schema import Schema, classes_using, load_schema, schema_from_store
from sparqlqa.ontology.values import lexical, value_properties
from sparqlqa.training.target import decode, encode

PI = "http://ld.company.org/prod-instances/"
PV = "http://ld.company.org/prod-vocab/"


def employee(name: str) -> str:
    return f"{PI}empl-{name}%40company.org"


def linked(linker: EntityLinker, question: str) -> dict[str, str]:
    """Mention → IRI (or literal) of what the prompt would offer (a resource before a value
    of the same name, when both are offered)."""
    out: dict[str, str] = {}
    for e in linker.entities(question):
        out.setdefault(question[e.start : e.end], e.iri)
    return out


@pytest.mark.parametrize(
    ("question", "mention", "expected"),
    [
        pytest.param("Which suppliers are in Breda?", "Breda", '"Breda"', id="city-literal"),
        pytest.param("Show me prices in EUR", "EUR", '"EUR"', id="currency-code"),
        pytest.param(
            "How many resistors cost less than 10 euros?",
            "resistors",
            f"{PI}prod-cat-Resistor",
            id="plural-category-not-a-product",
        ),
        pytest.param(
            "Which products are in the Transformer category?",
            "Transformer",
            f"{PI}prod-cat-Transformer",
            id="category-by-name",
        ),
        pytest.param(
            "Show me the Italian suppliers",
            "Italian",
            "http://dbpedia.org/resource/Italy",
            id="adjective-country",
        ),
        pytest.param(
            "Do we have suppliers that are French?",
            "French",
            "http://dbpedia.org/resource/France",
            id="irregular-demonym",
        ),
    ],
)
def test_links_values_categories_and_word_forms(
    corporate_linker: EntityLinker, question: str, mention: str, expected: str
) -> None:
    assert linked(corporate_linker, question).get(mention) == expected


def test_compound_mention_yields_two_categories(corporate_linker: EntityLinker) -> None:
    found = linked(corporate_linker, "Do we have strain gauges from French suppliers?")
    assert found.get("strain") == f"{PI}prod-cat-Strain"
    assert found.get("gauges") == f"{PI}prod-cat-Gauge"


@pytest.mark.parametrize(
    ("question", "person"),
    [
        pytest.param("What is the phone number of Sabrina from Marketing?", "Sabrina.Geiger"),
        pytest.param("Email of Sabrina in Production", "Sabrina.Bayer"),
        pytest.param("Which projects does Ms. Hoch from product management run?", "Adolfina.Hoch"),
        pytest.param("Mr. Hoch from procurement: who is his manager?", "Heinrich.Hoch"),
    ],
)
def test_partial_names_are_read_jointly(
    corporate_linker: EntityLinker, question: str, person: str
) -> None:
    assert employee(person) in linked(corporate_linker, question).values()


def test_joint_reading_is_what_decides(
    corporate_store: EmbeddedStore, corporate_schema: Schema
) -> None:
    """Without the joint reading the same two Sabrinas tie, and the one chosen does not
    depend on the department named: the test above would fail for one of them."""
    alone = EntityLinker.from_store(
        corporate_store, schema=corporate_schema, config=LinkerConfig(joint_weight=0.0)
    )
    first = linked(alone, "What is the phone number of Sabrina from Marketing?")
    second = linked(alone, "Email of Sabrina in Production")
    assert first["Sabrina"] == second["Sabrina"]


def test_short_codes_only_where_written_as_codes(corporate_linker: EntityLinker) -> None:
    assert not any(
        is_literal_term(i) for i in linked(corporate_linker, "Who works in it?").values()
    )


def test_a_present_word_is_no_typo(corporate_linker: EntityLinker) -> None:
    """ "Sabrina" is in the index: it is not taken for a typo of the city "Sambrial"."""
    assert '"Sambrial"' not in linked(corporate_linker, "Where does Sabrina work?").values()


def test_a_name_read_as_resource_and_as_value_offers_both(corporate_linker: EntityLinker) -> None:
    found = [e.iri for e in corporate_linker.entities("Which suppliers are from France?")]
    assert found == ["http://dbpedia.org/resource/France", '"France"']


def test_value_entities_describe_their_property(corporate_linker: EntityLinker) -> None:
    breda = next(e for e in corporate_linker.entities("Suppliers in Breda") if e.label == "Breda")
    assert breda.class_label == "value of address locality"


def test_values_leave_out_ids_phones_and_emails(corporate_store: EmbeddedStore) -> None:
    found = value_properties(corporate_store)
    texts = {lexical(t) for t in found}
    assert {"Breda", "France", "EUR"} <= texts
    assert not any("@" in t or any(ch.isdigit() for ch in t) for t in texts)
    assert found['"France"'] == [f"{PV}addressCountry"]


def test_label_dump_keeps_values(tmp_path: Path) -> None:
    store = MemoryStore()
    store.add_turtle(
        "@prefix ex: <http://example.org/> .\n"
        'ex:s1 ex:city "Breda" ; <http://www.w3.org/2000/01/rdf-schema#label> "Shop One" .\n'
        'ex:s2 ex:city "Breda" .\n'
    )
    index = LabelIndex.from_store(store)
    path = tmp_path / "labels.tsv"
    write_labels(index, path)
    again = LabelIndex.from_tsv(path)
    assert again.values == {'"Breda"': ["http://example.org/city"]}
    assert [e.iri for e in EntityLinker(again).entities("Who is in Breda?")] == ['"Breda"']


def test_value_slots_round_trip_through_targets() -> None:
    prefixes = {"pv": PV}
    query = f'PREFIX pv: <{PV}> SELECT ?s WHERE {{ ?s pv:addressLocality "Breda" }}'
    target = encode(query, {'"Breda"': "ENT0"}, prefixes)
    assert target == "SELECT ?x0 WHERE { ?x0 pv:addressLocality ENT0 }"
    assert decode(target, {"ENT0": '"Breda"'}, prefixes).endswith(
        'SELECT ?x0 WHERE { ?x0 pv:addressLocality "Breda" }'
    )


def test_domains_from_use_complete_the_declared_ones(corporate_store: EmbeddedStore) -> None:
    """The vocabulary gives addresses to Agent; the data gives them to suppliers too."""
    from sparqlqa.bundled import CORPORATE_FILES

    declared = load_schema([CORPORATE_FILES[0]])
    assert f"{PV}Supplier" not in declared.properties[f"{PV}addressLocality"].domain
    declared.merge_data(
        schema_from_store(corporate_store, infer=True), classes_using(corporate_store)
    )
    assert f"{PV}Supplier" in declared.properties[f"{PV}addressLocality"].domain
    assert declared.properties[f"{PV}hasCategory"].domain == [f"{PV}Product"]


def test_written_out_label_wins_over_reading_inside_it_and_agent_nouns() -> None:
    """A small music graph: "nordic jazz" is a genre of its own, though "jazz" is the genre
    many records point to; "pianists" names the instrument value "piano"."""
    store = MemoryStore()
    records = "".join(f"ex:r{i} ex:genre ex:jazz .\n" for i in range(30))
    store.add_turtle(
        "@prefix ex: <http://example.org/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'ex:jazz rdfs:label "jazz" . ex:nj rdfs:label "nordic jazz" .\n'
        'ex:nf rdfs:label "nordic folk" .\n'
        'ex:a ex:genre ex:nj ; ex:instrument "piano" . ex:b ex:instrument "cello" .\n' + records
    )
    linker = EntityLinker.from_store(store)
    assert linked(linker, "Which nordic jazz albums sold best?") == {
        "nordic jazz": "http://example.org/nj"
    }
    assert linked(linker, "Who are our pianists?") == {"pianists": '"piano"'}
    assert linked(linker, "Show me all jazz records") == {"jazz": "http://example.org/jazz"}
