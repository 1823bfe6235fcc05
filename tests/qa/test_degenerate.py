"""Degenerate candidates are refused before they run: a variable tied to itself, a triple
pattern written twice in one flat group, a literal as a subject."""

from __future__ import annotations

import pytest

from sparqlqa.qa.degenerate import degenerate_problem

TIED = "ties ?x"
TWICE = "written twice"
LITERAL_SUBJECT = "a literal is the subject"


@pytest.mark.parametrize(
    ("query", "why"),
    [
        # What the beam was seen to write: abbreviated with ';', then chained with '.'.
        ("SELECT (COUNT(DISTINCT ?x0) AS ?x1) WHERE { ?x0 pv:price ?x0 ; pv:price ?x2 }", TIED),
        ("SELECT ?x0 WHERE { ?x0 a pv:Hardware . ?x2 pv:price ?x3 . ?x3 pv:price ?x3 . }", TIED),
        ("SELECT ?x WHERE { ?x <http://example.org/knows> ?x }", TIED),
        ("ASK { ?x a ?x }", TIED),
        # What the beam was seen to write for "Which product managers look after ...".
        (
            "SELECT ?x0 WHERE { ?x0 pv:hasProductManager ?x1 . ?x0 pv:hasProductManager ?x1 . }",
            TWICE,
        ),
        ('SELECT ?x WHERE { ?x pv:city "Breda" . ?x a pv:Supplier . ?x pv:city "Breda" }', TWICE),
        ("SELECT ?x WHERE { ?x a <http://example.org/C> . ?x a <http://example.org/C> }", TWICE),
        # Seen from the beam.
        ('ASK { ?x0 a pv:Supplier . "Toulouse" pv:hasSupplier ?x0 . }', LITERAL_SUBJECT),
        ('SELECT ?x WHERE { "EUR"@en <http://example.org/p> ?x }', LITERAL_SUBJECT),
        ('SELECT ?x WHERE { "5"^^<http://www.w3.org/2001/XMLSchema#int> a ?x }', LITERAL_SUBJECT),
    ],
)
def test_a_degenerate_candidate_is_refused(query: str, why: str) -> None:
    problem = degenerate_problem(query)
    assert problem is not None and why in problem


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?x WHERE { ?x pv:hasManager ?m . ?m pv:hasManager ?x }",  # a cycle of two
        "SELECT ?x WHERE { ?x pv:partOf+ ?x }",  # through a path: may be meant
        "SELECT ?x WHERE { ?x pv:p ?x10 }",  # another variable that starts alike
        "SELECT ?x WHERE { ?x pv:name ?n FILTER(?n = ?n) }",
        'SELECT ?x WHERE { ?x pv:name "?x pv:p ?x" }',
        'SELECT ?x WHERE { ?x pv:city "Breda" . ?x pv:city "Delft" }',  # two values differ
        "SELECT ?x WHERE { ?x pv:p ?y . ?y pv:p ?x }",
        # Nested groups may repeat an outer pattern on purpose.
        "SELECT ?x WHERE { ?x pv:p ?y MINUS { ?x pv:p ?y . ?y a pv:C } }",
        "SELECT ?x WHERE { ?x pv:p ?y . { SELECT ?x WHERE { ?x pv:p ?y } } }",
        # Literals as objects.
        'SELECT ?x WHERE { ?x pv:city "EUR" . ?x pv:q ?y }',
        'SELECT ?x WHERE { VALUES ?o { "a" "b" } ?x pv:p ?o }',
        'SELECT ?x WHERE { ?x pv:p ?o FILTER(?o = "a") }',
        'SELECT ?x WHERE { ?x pv:p "a" ; pv:q "b" . }',
    ],
)
def test_other_queries_pass(query: str) -> None:
    assert degenerate_problem(query) is None
