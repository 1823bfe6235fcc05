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
