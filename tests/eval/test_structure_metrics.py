"""The structural query metrics (``benchmarks.structure``): triple-pattern and IRI F1."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparqlqa.benchmarks.metrics import PRF
from sparqlqa.benchmarks.structure import (
    STRUCTURE_LIMITS,
    query_structure,
    structure_scores,
)
from sparqlqa.errors import QuerySyntaxError, QueryTooComplex
from sparqlqa.kg.guard import scan

PV = "http://ld.company.org/prod-vocab/"
GRAPH = {"pv": PV}
GOLD = (
    "PREFIX pv: <http://ld.company.org/prod-vocab/>\n"
    'SELECT ?mail WHERE { ?e a pv:Employee ; pv:name "Yanka Schreiber" ; pv:email ?mail }'
)
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def _prf(p: float, r: float) -> PRF:
    return PRF(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def _approx(a: PRF, b: PRF) -> bool:
    return (a.precision, a.recall, a.f1) == pytest.approx((b.precision, b.recall, b.f1))


def test_canonical_patterns_and_iris() -> None:
    got = query_structure(GOLD, GRAPH)
    assert got.patterns == {
        ("?v1", TYPE, f"<{PV}Employee>"),
        ("?v1", f"<{PV}name>", '"Yanka Schreiber"'),
        ("?v1", f"<{PV}email>", "?v0"),  # ?mail is first in the text: the SELECT clause
    }
    assert got.iris == {
        f"{PV}Employee",
        f"{PV}name",
        f"{PV}email",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",  # rdf:type is kept
    }


@pytest.mark.parametrize(
    ("predicted", "triples", "iris"),
    [
        pytest.param(GOLD, _prf(1, 1), _prf(1, 1), id="itself"),
        pytest.param(
            # Other variable names, full IRIs, `rdf:type` for `a`, patterns reordered
            # (the variables keep their order of first appearance).
            "SELECT ?m WHERE { ?x <http://ld.company.org/prod-vocab/email> ?m . "
            "?x rdf:type pv:Employee . ?x pv:name 'Yanka Schreiber' }",
            _prf(1, 1),
            _prf(1, 1),
            id="renamed-expanded",
        ),
        pytest.param(
            "SELECT ?m WHERE { ?x pv:name 'Yanka Schreiber' ; pv:email ?m }",
            _prf(1, 2 / 3),  # the rdf:type pattern is missing: recall drops
            _prf(1, 2 / 4),  # and pv:Employee and rdf:type with it
            id="missing-pattern",
        ),
        pytest.param(
            "SELECT ?m WHERE { ?x a pv:Employee ; pv:name 'Yanka Schreiber' ; pv:email ?m ;"
            " pv:memberOf ?d }",
            _prf(3 / 4, 1),  # one pattern too many: precision drops
            _prf(4 / 5, 1),
            id="extra-pattern",
        ),
        pytest.param(
            "SELECT ?m WHERE { ?x a pv:Employee ; pv:name 'Someone Else' ; pv:email ?m }",
            _prf(2 / 3, 2 / 3),  # a wrong literal is a wrong pattern; the IRIs are all right
            _prf(1, 1),
            id="wrong-literal",
        ),
        pytest.param(
            "SELECT ?m WHERE { ?x a pv:Employee ; pv:name }", _prf(0, 0), _prf(0, 0), id="syntax"
        ),
        pytest.param(
            "SELECT ?m WHERE { ?x nope:name ?m }", _prf(0, 0), _prf(0, 0), id="unknown-prefix"
        ),
        pytest.param(
            "SELECT ?m WHERE { ?x ?p " + "(" * 30 + "?m" + ")" * 30 + " }",
            _prf(0, 0),
            _prf(0, 0),
            id="too-deep",
        ),
        pytest.param(None, _prf(0, 0), _prf(0, 0), id="no-query"),
    ],
)
def test_prediction_against_gold(predicted: str | None, triples: PRF, iris: PRF) -> None:
    scores = structure_scores(predicted, GOLD, GRAPH)
    assert scores is not None
    assert _approx(scores.triples, triples)
    assert _approx(scores.iris, iris)


def test_patterns_inside_optional_union_minus_and_exists_count() -> None:
    query = (
        "PREFIX ex: <http://ex.org/> SELECT ?x WHERE { ?x a ex:C "
        "OPTIONAL { ?x ex:o ?y } { ?x ex:u1 ?z } UNION { ?x ex:u2 ?z } MINUS { ?x ex:m ?w } "
        "FILTER EXISTS { ?x ex:e [ ex:b ?v ] } FILTER (?x != ex:Nope) "
        "{ SELECT ?x WHERE { ?x ex:sub/ex:path 1 } } }"
    )
    got = query_structure(query, {})
    assert {p[1] for p in got.patterns} == {
        TYPE,
        "<http://ex.org/o>",
        "<http://ex.org/u1>",
        "<http://ex.org/u2>",
        "<http://ex.org/m>",
        "<http://ex.org/e>",
        "<http://ex.org/b>",
        "<http://ex.org/sub>/<http://ex.org/path>",  # a path is one pattern, written out
    }
    assert ("?v0", "<http://ex.org/e>", "_:b0") in got.patterns  # [ ] is a blank node
    assert (
        "?v0",
        "<http://ex.org/sub>/<http://ex.org/path>",
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
    ) in got.patterns
    # FILTER's IRI and both path steps are among the IRIs; the literal's datatype is not.
    assert {"http://ex.org/Nope", "http://ex.org/sub", "http://ex.org/path"} <= got.iris
    assert "http://www.w3.org/2001/XMLSchema#integer" not in got.iris


def test_the_query_prefix_wins_over_the_graph_prefix() -> None:
    query = "PREFIX pv: <http://other.org/> SELECT ?x WHERE { ?x pv:name ?n }"
    assert query_structure(query, GRAPH).iris == {"http://other.org/name"}


def test_gold_that_does_not_parse_is_left_out() -> None:
    assert structure_scores(GOLD, "SELECT ?x WHERE { ?x pv:name }", GRAPH) is None


def test_bounds_are_checked_before_parsing() -> None:
    too_long = "SELECT * WHERE { " + " ".join(f"?s <p{i}> ?o ." for i in range(300)) + " }"
    with pytest.raises(QueryTooComplex, match="max_tokens"):
        query_structure(too_long)
    with pytest.raises(QueryTooComplex, match="max_nesting"):
        query_structure("SELECT * WHERE " + "{" * 21 + "}" * 21)
    # The deepest nesting let through parses (rdflib's recursion gives out at about 26).
    deep = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 18 + "?o" + ")" * 18 + ") }"
    assert query_structure(deep).patterns == {("?v0", "?v1", "?v2")}
    # Under the bounds, rdflib's own failures are a syntax error, its recursion limit too
    # (rdflib 7.6 reaches it at about 85 patterns joined by "." in one group).
    many = "SELECT * WHERE { " + " ".join(f"?s <p{i}> ?o ." for i in range(100)) + " }"
    assert scan(many).tokens <= STRUCTURE_LIMITS.max_tokens
    try:
        assert len(query_structure(many).patterns) == 100
    except QuerySyntaxError as exc:
        assert "RecursionError" in str(exc)
    with pytest.raises(QuerySyntaxError, match="does not parse"):
        query_structure("SELECT * WHERE { ?s ?p ?o FILTER(?o && ) }")


_names = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(
    triples=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["ex:p", "ex:q", "a"]), st.integers(0, 3)),
        min_size=1,
        max_size=6,
    ),
    names=st.lists(_names, min_size=4, max_size=4, unique=True),
)
def test_a_query_matches_itself_under_variable_renaming(
    triples: list[tuple[int, str, int]], names: list[str]
) -> None:
    def query(var: list[str]) -> str:
        body = " . ".join(f"?{var[s]} {p} ?{var[o]}" for s, p, o in triples)
        return f"PREFIX ex: <http://ex.org/> SELECT * WHERE {{ {body} }}"

    scores = structure_scores(query(names), query(["s0", "s1", "s2", "s3"]), {})
    assert scores is not None
    assert scores.triples.f1 == 1.0 and scores.iris.f1 == 1.0


def test_the_worked_example_of_docs_eval() -> None:
    predicted = 'SELECT ?m WHERE { ?x pv:name "Yanka Schreiber" ; pv:email ?m ; pv:memberOf ?d }'
    assert query_structure(predicted, GRAPH).patterns == {
        ("?v1", f"<{PV}name>", '"Yanka Schreiber"'),
        ("?v1", f"<{PV}email>", "?v0"),
        ("?v1", f"<{PV}memberOf>", "?v2"),
    }
    scores = structure_scores(predicted, GOLD, GRAPH)
    assert scores is not None
    assert _approx(scores.triples, _prf(2 / 3, 2 / 3))
    assert _approx(scores.iris, _prf(2 / 3, 2 / 4))
    assert round(scores.iris.f1, 3) == 0.571
