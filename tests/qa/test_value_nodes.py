"""Value and link nodes on the real corporate store: price nodes and BOM lines are told from
things people ask for, and a chosen query that answers with them answers with their amount,
or the part a line stands for, instead."""

from __future__ import annotations

import pytest

from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.guard import Guard
from sparqlqa.kg.results import rows, values
from sparqlqa.qa.pipeline import QAPipeline
from sparqlqa.qa.proposals import Proposal
from sparqlqa.qa.value_nodes import answer_nodes, link_property, reach_through, value_property

PV = "http://ld.company.org/prod-vocab/"
PREFIX = f"PREFIX pv: <{PV}>\n"
PART = "http://ld.company.org/prod-instances/hw-A998-9941987"
PRICE_OF_PART = PREFIX + f"SELECT DISTINCT ?x WHERE {{ <{PART}> pv:price ?x }}"


def nodes(store: EmbeddedStore, guard: Guard, query: str) -> list[str]:
    column = answer_nodes(guard.run(store, PREFIX + query))
    assert column is not None
    return column[1]


def test_price_nodes_hold_their_amount(corporate_store: EmbeddedStore, guard: Guard) -> None:
    prices = nodes(corporate_store, guard, "SELECT ?p WHERE { ?x pv:price ?p } LIMIT 40")
    assert value_property(corporate_store, prices) == PV + "amount"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?d WHERE { ?d a pv:Department }",  # shared by many employees
        "SELECT ?b WHERE { ?b a pv:BomPart } LIMIT 30",  # leads on to its part
        "SELECT ?e WHERE { ?e a pv:Employee } LIMIT 30",
        "SELECT ?c WHERE { ?c a pv:ProductCategory }",
        "SELECT ?h WHERE { ?h a pv:Hardware } LIMIT 30",
    ],
)
def test_things_people_ask_for_are_no_value_nodes(
    query: str, corporate_store: EmbeddedStore, guard: Guard
) -> None:
    assert value_property(corporate_store, nodes(corporate_store, guard, query)) is None


def test_no_column_of_iris_no_value_nodes(corporate_store: EmbeddedStore, guard: Guard) -> None:
    assert answer_nodes(guard.run(corporate_store, PREFIX + "ASK { ?x pv:price ?p }")) is None
    names = guard.run(corporate_store, PREFIX + "SELECT ?n WHERE { ?x pv:name ?n } LIMIT 3")
    assert answer_nodes(names) is None
    two = guard.run(corporate_store, PREFIX + "SELECT ?x ?p WHERE { ?x pv:price ?p } LIMIT 3")
    assert answer_nodes(two) is None
    assert value_property(corporate_store, []) is None
    assert value_property(corporate_store, ["http://example.org/no such>"]) is None


def test_reaching_through_keeps_the_prologue_and_the_ordering(
    corporate_store: EmbeddedStore, guard: Guard
) -> None:
    through = reach_through(PRICE_OF_PART, "x", PV + "amount")
    assert through.startswith("PREFIX pv:")
    assert values(guard.run(corporate_store, through)) == ["5.29"]
    cheapest = PREFIX + (
        "SELECT ?p WHERE { ?s a pv:Service ; pv:price ?p . ?p pv:amount ?a } ORDER BY ?a LIMIT 1"
    )
    lowest = PREFIX + "SELECT (MIN(?a) AS ?m) WHERE { ?s a pv:Service ; pv:price/pv:amount ?a }"
    got = values(guard.run(corporate_store, reach_through(cheapest, "p", PV + "amount")))
    assert [float(v) for v in got] == [float(v) for v in values(guard.run(corporate_store, lowest))]
    with pytest.raises(ValueError):
        reach_through(PRICE_OF_PART, "x } DELETE", PV + "amount")


def test_a_chosen_price_node_is_answered_with_its_amount(pipeline: QAPipeline) -> None:
    proposal = Proposal(query=PRICE_OF_PART, origin="example", prior=0.9)
    _, chosen, result = pipeline.choose("What does A998-9941987 cost?", [], [], (), [proposal])
    assert chosen is not None and result is not None
    assert chosen.reached_through == PV + "amount"
    assert [row["x_value"]["value"] for row in rows(result)] == ["5.29"]
    assert chosen.query is not None and "pv:price" in chosen.query


def test_a_question_for_things_keeps_the_things(pipeline: QAPipeline) -> None:
    departments = PREFIX + "SELECT DISTINCT ?d WHERE { ?e pv:memberOf ?d }"
    proposal = Proposal(query=departments, origin="example", prior=0.9)
    _, chosen, result = pipeline.choose("Which departments are there?", [], [], (), [proposal])
    assert chosen is not None and chosen.reached_through is None
    assert chosen.query == departments and result is not None and len(list(rows(result))) > 1


def test_bom_lines_are_link_nodes_to_their_part(
    corporate_store: EmbeddedStore, guard: Guard
) -> None:
    lines = nodes(corporate_store, guard, "SELECT ?b WHERE { ?b a pv:BomPart } LIMIT 30")
    assert link_property(corporate_store, lines) == PV + "hasPart"
    prices = nodes(corporate_store, guard, "SELECT ?p WHERE { ?x pv:price ?p } LIMIT 30")
    assert link_property(corporate_store, prices) is None  # leads nowhere: a value node
    for query in (
        "SELECT ?d WHERE { ?d a pv:Department }",
        "SELECT ?h WHERE { ?h a pv:Hardware } LIMIT 30",
        "SELECT ?e WHERE { ?e a pv:Employee } LIMIT 30",
    ):
        assert link_property(corporate_store, nodes(corporate_store, guard, query)) is None


def test_a_chosen_bom_line_is_answered_with_its_part(pipeline: QAPipeline) -> None:
    lines = PREFIX + (
        'SELECT DISTINCT ?x WHERE { ?b pv:name "NaviTech Pulsar" ; pv:hasBomPart ?x }'
    )
    proposal = Proposal(query=lines, origin="example", prior=0.9)
    question = "What parts go into the NaviTech Pulsar?"
    _, chosen, result = pipeline.choose(question, [], [], (), [proposal])
    assert chosen is not None and result is not None
    assert chosen.reached_through == PV + "hasPart"
    parts = [row["x_value"]["value"] for row in rows(result)]
    assert parts and all("/hw-" in p for p in parts)
