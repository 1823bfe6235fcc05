"""Candidates that tie a variable to itself are refused before they run."""

from __future__ import annotations

import pytest

from sparqlqa.qa.degenerate import degenerate_problem


@pytest.mark.parametrize(
    "query",
    [
        # What the beam was seen to write: abbreviated with ';', then chained with '.'.
        "SELECT (COUNT(DISTINCT ?x0) AS ?x1) WHERE { ?x0 pv:price ?x0 ; pv:price ?x2 }",
        "SELECT ?x0 WHERE { ?x0 a pv:Hardware . ?x2 pv:price ?x3 . ?x3 pv:price ?x3 . }",
        "SELECT ?x WHERE { ?x <http://example.org/knows> ?x }",
        "ASK { ?x a ?x }",
    ],
)
def test_a_variable_tied_to_itself_is_refused(query: str) -> None:
    problem = degenerate_problem(query)
    assert problem is not None and "ties ?x" in problem


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?x WHERE { ?x pv:hasManager ?m . ?m pv:hasManager ?x }",  # a cycle of two
        "SELECT ?x WHERE { ?x pv:partOf+ ?x }",  # through a path: may be meant
        "SELECT ?x WHERE { ?x pv:p ?x10 }",  # another variable that starts alike
        "SELECT ?x WHERE { ?x pv:name ?n FILTER(?n = ?n) }",
        'SELECT ?x WHERE { ?x pv:name "?x pv:p ?x" }',
    ],
)
def test_other_queries_pass(query: str) -> None:
    assert degenerate_problem(query) is None


@pytest.mark.parametrize(
    "query",
    [
        # What the beam was seen to write for "Which product managers look after ...".
        "SELECT ?x0 WHERE { ?x0 pv:hasProductManager ?x1 . ?x0 pv:hasProductManager ?x1 . }",
        'SELECT ?x WHERE { ?x pv:city "Breda" . ?x a pv:Supplier . ?x pv:city "Breda" }',
        "SELECT ?x WHERE { ?x a <http://example.org/C> . ?x a <http://example.org/C> }",
    ],
)
def test_a_triple_pattern_written_twice_is_refused(query: str) -> None:
    problem = degenerate_problem(query)
    assert problem is not None and "written twice" in problem


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?x WHERE { ?x pv:city "Breda" . ?x pv:city "Delft" }',  # two values differ
        "SELECT ?x WHERE { ?x pv:p ?y . ?y pv:p ?x }",
        # Nested groups may repeat an outer pattern on purpose.
        "SELECT ?x WHERE { ?x pv:p ?y MINUS { ?x pv:p ?y . ?y a pv:C } }",
        "SELECT ?x WHERE { ?x pv:p ?y . { SELECT ?x WHERE { ?x pv:p ?y } } }",
    ],
)
def test_repeats_in_nested_groups_and_different_values_pass(query: str) -> None:
    assert degenerate_problem(query) is None


@pytest.mark.parametrize(
    "query",
    [
        'ASK { ?x0 a pv:Supplier . "Toulouse" pv:hasSupplier ?x0 . }',  # seen from the beam
        'SELECT ?x WHERE { "EUR"@en <http://example.org/p> ?x }',
        'SELECT ?x WHERE { "5"^^<http://www.w3.org/2001/XMLSchema#int> a ?x }',
    ],
)
def test_a_literal_as_a_subject_is_refused(query: str) -> None:
    problem = degenerate_problem(query)
    assert problem is not None and "a literal is the subject" in problem


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?x WHERE { ?x pv:city "EUR" . ?x pv:q ?y }',
        'SELECT ?x WHERE { VALUES ?o { "a" "b" } ?x pv:p ?o }',
        'SELECT ?x WHERE { ?x pv:p ?o FILTER(?o = "a") }',
        'SELECT ?x WHERE { ?x pv:p "a" ; pv:q "b" . }',
    ],
)
def test_literals_as_objects_pass(query: str) -> None:
    assert degenerate_problem(query) is None
