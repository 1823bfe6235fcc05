"""The prompt builder: stable text, budget respected, prefixed names."""

from __future__ import annotations

import pytest

from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.ontology.prompt import (
    PromptEntity,
    PromptSchemaItem,
    fill_slots,
    merge_prefixes,
    prefixed,
    query_terms,
    question_values,
    render_prompt,
    schema_items,
    slot_query,
)
from sparqlqa.ontology.schema import Schema, SchemaClass, SchemaProperty

PV = "http://ld.company.org/prod-vocab/"
XSD = "http://www.w3.org/2001/XMLSchema#"

ENTITIES = [
    PromptEntity(
        "ENT0", "http://ld.company.org/prod-instances/empl-1", "Wolfgang Martin", "Employee"
    )
]
ITEMS = [
    PromptSchemaItem("class", PV + "Department", "pv:Department", "Department"),
    PromptSchemaItem(
        "property", PV + "memberOf", "pv:memberOf", "member of", "Agent", "Department"
    ),
    PromptSchemaItem("property", PV + "name", "pv:name", "name", None, "text"),
    PromptSchemaItem("property", PV + "email", "pv:email", "email"),
]


def test_render_prompt_exact_form() -> None:
    text = render_prompt("Which department does  Wolfgang Martin work in?", ENTITIES, ITEMS)
    assert text == (
        "question: Which department does Wolfgang Martin work in?\n"
        "entities: ENT0 = Wolfgang Martin (Employee)\n"
        "schema: pv:Department = class Department | pv:memberOf = member of (Agent -> Department)"
        " | pv:name = name (any -> text) | pv:email = email\n"
        "sparql:"
    )


def test_render_prompt_is_stable_and_deduplicates() -> None:
    once = render_prompt("q?", ENTITIES, ITEMS)
    assert render_prompt("q?", ENTITIES, [*ITEMS, ITEMS[0]]) == once
    assert render_prompt("q?", [], []) == "question: q?\nentities: (none)\nschema: (none)\nsparql:"


@pytest.mark.parametrize("budget", [60, 120, 160, 200, 1000], ids=lambda b: f"max{b}")
def test_budget_cuts_least_relevant_items_first(budget: int) -> None:
    text = render_prompt("Which department does Wolfgang Martin work in?", ENTITIES, ITEMS, budget)
    full = render_prompt("Which department does Wolfgang Martin work in?", ENTITIES, ITEMS, 10_000)
    assert "ENT0 = Wolfgang Martin" in text and text.endswith("\nsparql:")
    kept = [i for i in ITEMS if f"{i.prefixed} =" in text]
    assert kept == ITEMS[: len(kept)]  # a prefix of the ranked list
    if len(full) <= budget:
        assert text == full
    elif kept:
        assert len(text) <= budget


def test_tokenizer_length_function() -> None:
    words = render_prompt("q?", ENTITIES, ITEMS, 22, length=lambda s: len(s.split()))
    assert len(words.split()) <= 22 and "pv:Department" in words and "pv:email" not in words


def test_prefixed_prefers_longest_namespace_and_valid_local_names() -> None:
    table = {"ex": "http://ex.org/", "exa": "http://ex.org/a/", "pv": PV}
    assert prefixed(PV + "memberOf", table) == "pv:memberOf"
    assert prefixed("http://ex.org/a/b", table) == "exa:b"
    assert prefixed("http://ex.org/a b", table) == "<http://ex.org/a b>"
    assert prefixed("http://other.org/x", table) == "<http://other.org/x>"
    merged = merge_prefixes({"pv": PV, "mydbo": "http://dbpedia.org/ontology/"}, COMMON_PREFIXES)
    assert prefixed("http://dbpedia.org/ontology/birthPlace", merged) == "mydbo:birthPlace"
    assert "dbo" not in merged and merged["dbr"] == COMMON_PREFIXES["dbr"]


def test_schema_items_from_schema() -> None:
    schema = Schema(
        classes={
            PV + "Agent": SchemaClass(PV + "Agent", "Agent"),
            PV + "Department": SchemaClass(PV + "Department", "Department"),
        },
        properties={
            PV + "memberOf": SchemaProperty(
                PV + "memberOf", "member of", domain=[PV + "Agent"], range=[PV + "Department"]
            ),
            PV + "price": SchemaProperty(
                PV + "price", "price", kind="datatype", range=[XSD + "decimal"]
            ),
        },
    )
    items = schema_items(
        [PV + "memberOf", schema.classes[PV + "Department"], PV + "price", PV + "unknown"],
        schema,
        {"pv": PV},
    )
    assert items == [
        PromptSchemaItem(
            "property", PV + "memberOf", "pv:memberOf", "member of", "Agent", "Department"
        ),
        PromptSchemaItem("class", PV + "Department", "pv:Department", "Department"),
        PromptSchemaItem("property", PV + "price", "pv:price", "price", None, "number"),
    ]


def test_slots_round_trip() -> None:
    entities = [
        PromptEntity("ENT0", "http://ex.org/a", "A"),
        PromptEntity("ENT1", "http://ex.org/b", "B"),
    ]
    query = "SELECT ?x WHERE { <http://ex.org/a> ?p ?x . ?x ?q <http://ex.org/b> }"
    slotted = slot_query(query, entities)
    assert slotted == "SELECT ?x WHERE { ENT0 ?p ?x . ?x ?q ENT1 }"
    assert fill_slots(slotted, entities) == query
    assert fill_slots("ASK { ENT2 ?p ?o }", entities) == "ASK { ENT2 ?p ?o }"


def test_query_terms_in_order_of_use() -> None:
    schema = Schema(
        classes={PV + "Employee": SchemaClass(PV + "Employee", "Employee")},
        properties={
            PV + "memberOf": SchemaProperty(PV + "memberOf", "member of"),
            PV + "name": SchemaProperty(PV + "name", "name"),
        },
    )
    query = (
        "PREFIX p: <http://ld.company.org/prod-vocab/>\n"
        'SELECT ?d WHERE { ?e a p:Employee ; p:name "p:memberOf" ; '
        "<http://ld.company.org/prod-vocab/memberOf> ?d ; p:unknown ?x }"
    )
    assert query_terms(query, schema) == [PV + "Employee", PV + "name", PV + "memberOf"]
    assert query_terms("SELECT * WHERE { ?s pv:name ?o }", schema, {"pv": PV}) == [PV + "name"]


@pytest.mark.parametrize(
    ("question", "taken", "found"),
    [
        pytest.param("Show me products cheaper than 0.15 euros.", [], ["0.15"], id="decimal"),
        pytest.param("Which parts weigh more than 1,000 g?", [], ["1000"], id="thousands"),
        pytest.param(
            "Who sells Printer 3000 for less than 20?", [(10, 22)], ["20"], id="in-entity"
        ),
        pytest.param("Is v2 newer than 2015-06?", [], ["2015"], id="not-in-words"),
        pytest.param("Between 5 and 10 items", [], ["5", "10"], id="two"),
        pytest.param("Which department does Wolfgang Martin work in?", [], [], id="none"),
    ],
)
def test_question_values(question: str, taken: list[tuple[int, int]], found: list[str]) -> None:
    values = question_values(question, taken)
    assert [v.text for v in values] == found
    assert [v.slot for v in values] == [f"NUM{i}" for i in range(len(found))]


@pytest.mark.parametrize(
    ("language", "question", "found"),
    [
        pytest.param("de", "Welche Teile kosten weniger als 2,5 Euro?", ["2.5"], id="de-comma"),
        pytest.param("es", "¿Qué piezas pesan más de 1.000 g?", ["1000"], id="es-thousands"),
        pytest.param("de", "über 1.200,50 EUR", ["1200.50"], id="de-both"),
        pytest.param("de", "Index über 0.661 und 3.96", ["0.661", "3.96"], id="de-point"),
        pytest.param("de", "die 3 teuersten: 1, 2 und 3.", ["3", "1", "2", "3"], id="de-list"),
        pytest.param("en", "over 2,5 and 1.000", ["1.000"], id="en-unchanged"),
    ],
)
def test_question_values_read_the_languages_decimal_comma(
    language: str, question: str, found: list[str]
) -> None:
    assert [v.text for v in question_values(question, language=language)] == found


def test_values_line_only_when_there_are_values() -> None:
    values = question_values("Products under 5 euros?")
    prompt = render_prompt("Products under 5 euros?", [], [], values=values)
    assert "\nvalues: NUM0 = 5\n" in prompt
    assert "values:" not in render_prompt("Products?", [], [])
