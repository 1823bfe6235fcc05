"""One contract, two engines: the embedded store and a real Virtuoso must answer alike."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sparqlqa.errors import QueryRefused, QuerySyntaxError, QueryTimeout
from sparqlqa.kg.guard import Guard, Limits
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.results import rows
from sparqlqa.kg.store import SparqlStore, Term

PV = "http://ld.company.org/prod-vocab/"
INST = "http://ld.company.org/prod-instances/"
PREFIXES = {**COMMON_PREFIXES, "pv": PV}
DENZEL = f"<{INST}empl-Ulrik.Denzel%40company.org>"


def comparable(term: Term) -> tuple[str, ...]:
    """A term reduced to what both engines must agree on (numbers compared by value)."""
    if term.get("datatype", "").startswith(COMMON_PREFIXES["xsd"]) and term["datatype"].endswith(
        ("integer", "decimal", "double", "float", "int", "long")
    ):
        return ("number", str(Decimal(term["value"]).normalize()))
    return (term["type"], term["value"], term.get("xml:lang", ""), term.get("datatype", ""))


def answer_set(store: SparqlStore, sparql: str) -> set[tuple[tuple[str, tuple[str, ...]], ...]]:
    result = store.query(sparql)
    return {tuple(sorted((k, comparable(v)) for k, v in row.items())) for row in rows(result)}


CASES = [
    pytest.param(
        f"SELECT ?name WHERE {{ {DENZEL} <{PV}name> ?name }}",
        {(("name", ("literal", "Ulrik Denzel", "", "")),)},
        id="attribute-lookup",
    ),
    pytest.param(
        f"SELECT ?dept ?deptName WHERE {{ {DENZEL} <{PV}memberOf> ?dept . "
        f"?dept <{PV}name> ?deptName }}",
        None,
        id="two-hop-join",
    ),
    pytest.param(
        "SELECT ?c (COUNT(?p) AS ?n) WHERE { ?p a ?c . ?c a <http://www.w3.org/2002/07/owl#Class> }"
        " GROUP BY ?c",
        None,
        id="count-group-by",
    ),
    pytest.param(
        f"SELECT ?p ?w WHERE {{ ?p a <{PV}Hardware> ; <{PV}weight_g> ?w }} "
        "ORDER BY DESC(?w) ?p LIMIT 3",
        None,
        id="superlative",
    ),
    pytest.param(
        f"SELECT (COUNT(DISTINCT ?p) AS ?n) "
        f"WHERE {{ ?p <{PV}reliabilityIndex> ?r FILTER(?r > 0.9) }}",
        None,
        id="numeric-filter",
    ),
    pytest.param(
        f"SELECT ?e WHERE {{ ?e a <{PV}Employee> FILTER NOT EXISTS {{ ?x <{PV}hasManager> ?e }} }}",
        None,
        id="negation",
    ),
    pytest.param(
        "SELECT ?l WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = 'en') }",
        None,
        id="language-tags",
    ),
]


@pytest.mark.parametrize(("sparql", "expected"), CASES)
def test_select_answers_agree(
    any_store: SparqlStore, corporate_store: SparqlStore, sparql: str, expected: object
) -> None:
    got = answer_set(any_store, sparql)
    assert got, "every contract query has answers on the corporate graph"
    assert got == answer_set(corporate_store, sparql)
    if expected is not None:
        assert got == expected


def test_count_triples(any_store: SparqlStore) -> None:
    assert any_store.count_triples() == 26903


@pytest.mark.parametrize(
    ("sparql", "expected"),
    [
        pytest.param(f"ASK {{ {DENZEL} a <{PV}Employee> }}", True, id="true"),
        pytest.param(f"ASK {{ {DENZEL} a <{PV}Product> }}", False, id="false"),
    ],
)
def test_ask(any_store: SparqlStore, sparql: str, expected: bool) -> None:
    assert any_store.ask(sparql) is expected


def test_construct_returns_triples(any_store: SparqlStore) -> None:
    result = any_store.query(f"CONSTRUCT {{ {DENZEL} ?p ?o }} WHERE {{ {DENZEL} ?p ?o }}")
    assert result["head"]["vars"] == ["s", "p", "o"]
    predicates = {row["p"]["value"] for row in rows(result)}
    assert {f"{PV}name", f"{PV}memberOf", f"{PV}email"} <= predicates


def test_labels_agree(any_store: SparqlStore, corporate_store: SparqlStore) -> None:
    predicates = ("http://www.w3.org/2000/01/rdf-schema#label", f"{PV}name")
    got = {(label.iri, label.label, label.lang) for label in any_store.labels(predicates)}
    assert len(got) > 2000
    assert got == {(x.iri, x.label, x.lang) for x in corporate_store.labels(predicates)}
    assert (f"{INST}empl-Ulrik.Denzel%40company.org", "Ulrik Denzel", None) in got


def test_row_cap_flags_truncation(any_store: SparqlStore) -> None:
    result = any_store.query("SELECT ?s WHERE { ?s ?p ?o }", max_rows=5)
    assert len(result["results"]["bindings"]) == 5
    assert result["truncated"] is True


def test_guard_adds_known_prefixes_and_a_limit(any_store: SparqlStore) -> None:
    guard = Guard(Limits(max_rows=7), prefixes=PREFIXES)
    result = guard.run(any_store, "SELECT ?p WHERE { ?p a pv:Hardware }")
    assert len(result["results"]["bindings"]) == 7
    assert result["truncated"] is True


@pytest.mark.parametrize(
    ("sparql", "error", "message"),
    [
        pytest.param(
            "INSERT DATA { <http://a> <http://b> <http://c> }", QueryRefused, "INSERT", id="insert"
        ),
        pytest.param("DROP ALL", QueryRefused, "DROP", id="drop"),
        pytest.param(
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
            QueryRefused,
            "SERVICE",
            id="service",
        ),
        pytest.param(
            "SELECT ?x WHERE { ?x ?y }", QuerySyntaxError, "does not parse", id="malformed"
        ),
        pytest.param("SELECT ?x WHERE { ?x a foo:Bar }", QuerySyntaxError, "'foo:'", id="prefix"),
    ],
)
def test_guard_refuses_on_both(
    any_store: SparqlStore, sparql: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        Guard(prefixes=PREFIXES).run(any_store, sparql)


def test_runaway_query_is_stopped(any_store: SparqlStore) -> None:
    """A cross join over the whole graph (26903³ rows) is stopped at the time limit."""
    guard = Guard(Limits(timeout_s=2))
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(QueryTimeout):
        guard.run(any_store, runaway)
    # the store still answers afterwards
    assert any_store.count_triples() == 26903
