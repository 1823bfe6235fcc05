"""The query guard on its own: pure checks, no store."""

from __future__ import annotations

import pytest

from sparqlqa.errors import QueryRefused, QuerySyntaxError
from sparqlqa.kg.guard import Guard, Limits, blank_out, query_form

PREFIXES = {"pv": "http://ld.company.org/prod-vocab/", "xsd": "http://www.w3.org/2001/XMLSchema#"}


@pytest.mark.parametrize(
    "sparql",
    [
        pytest.param('SELECT ?x WHERE { ?x ?p "please DROP ALL" }', id="keyword-in-string"),
        pytest.param("SELECT ?load WHERE { ?load ?p ?o }", id="keyword-as-variable"),
        pytest.param(
            "PREFIX ex: <http://e/> SELECT ?x WHERE { ?x ex:delete ?y . ?y ex:Service ?z }",
            id="keyword-as-local-name",
        ),
        pytest.param("SELECT ?x WHERE { ?x <http://e/insert#service> ?y }", id="keyword-in-iri"),
        pytest.param("SELECT ?x WHERE { ?x ?p ?o } # CLEAR later", id="keyword-in-comment"),
        pytest.param('ASK { ?x ?p """a\nSERVICE "quoted" """ }', id="keyword-in-long-string"),
    ],
)
def test_keywords_outside_code_are_not_operations(sparql: str) -> None:
    assert Guard().check(sparql).text.startswith(sparql)


@pytest.mark.parametrize(
    ("sparql", "word"),
    [
        pytest.param(
            "INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT", id="insert-data"
        ),
        pytest.param("DELETE WHERE { ?s ?p ?o }", "DELETE", id="delete-where"),
        pytest.param(
            "PREFIX ex: <http://e/> "
            "DELETE { ?s ex:p ?o } INSERT { ?s ex:q ?o } WHERE { ?s ex:p ?o }",
            "DELETE",
            id="modify",
        ),
        pytest.param("LOAD <http://example.org/data.ttl>", "LOAD", id="load"),
        pytest.param("clear graph <http://g>", "CLEAR", id="clear-lowercase"),
        pytest.param("CREATE GRAPH <http://g>", "CREATE", id="create"),
        pytest.param("SELECT * WHERE { ?s ?p ?o } ; DROP ALL", "DROP", id="smuggled-after-select"),
    ],
)
def test_updates_are_refused(sparql: str, word: str) -> None:
    with pytest.raises(QueryRefused, match=f"updates are not allowed: the query contains {word}"):
        Guard().check(sparql)


def test_service_is_refused() -> None:
    with pytest.raises(QueryRefused, match="SERVICE clauses are not allowed"):
        Guard().check("SELECT * WHERE { service <http://evil.example/sparql> { ?s ?p ?o } }")


def test_over_long_query_is_refused() -> None:
    query = "SELECT ?x WHERE { ?x ?p ?o " + "FILTER(?o != 1) " * 100 + "}"
    with pytest.raises(QueryRefused, match=r"characters long; the limit is 1,000"):
        Guard(Limits(max_query_chars=1000)).check(query)


@pytest.mark.parametrize(
    ("sparql", "message"),
    [
        pytest.param(
            "SELECT ?x WHERE { ?x ?y }", "does not parse: error at 1:", id="triple-missing"
        ),
        pytest.param("SELEC ?x WHERE { ?x ?y ?z }", "not a SPARQL query", id="typo-keyword"),
        pytest.param("", "not a SPARQL query", id="empty"),
        pytest.param(
            "SELECT ?x WHERE { ?x a foo:Bar . ?x bar:baz 1 }", "'bar:', 'foo:'", id="prefixes"
        ),
    ],
)
def test_bad_queries_say_why(sparql: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message):
        Guard(prefixes=PREFIXES).check(sparql)


@pytest.mark.parametrize(
    ("sparql", "limit_added"),
    [
        pytest.param("SELECT ?x WHERE { ?x ?p ?o }", True, id="no-limit"),
        pytest.param("SELECT ?x WHERE { ?x ?p ?o } LIMIT 5", False, id="own-limit"),
        pytest.param(
            "SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p ?o } LIMIT 3 } }", True, id="inner-limit"
        ),
        pytest.param(
            "SELECT ?x WHERE { ?x ?p ?o } VALUES ?x { <http://a> }", False, id="trailing-values"
        ),
        pytest.param("ASK { ?x ?p ?o }", False, id="ask"),
        pytest.param("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", True, id="construct"),
    ],
)
def test_result_cap(sparql: str, limit_added: bool) -> None:
    checked = Guard(Limits(max_rows=100)).check(sparql)
    assert checked.limit_added is limit_added
    assert checked.text.endswith("LIMIT 101") is limit_added


def test_known_prefixes_are_declared_once() -> None:
    checked = Guard(prefixes=PREFIXES).check("SELECT ?p WHERE { ?p a pv:Hardware ; pv:price ?x }")
    assert checked.text.count("PREFIX pv: <http://ld.company.org/prod-vocab/>") == 1
    assert "PREFIX xsd:" not in checked.text


def test_lenient_syntax_lets_dialects_through() -> None:
    virtuoso_count = "SELECT COUNT(?x) WHERE { ?x ?p ?o }"
    with pytest.raises(QuerySyntaxError):
        Guard().check(virtuoso_count)
    assert Guard(strict_syntax=False).check(virtuoso_count).form == "SELECT"
    with pytest.raises(QueryRefused):
        Guard(strict_syntax=False).check("INSERT DATA { <http://a> <http://b> 1 }")


@pytest.mark.parametrize(
    ("sparql", "form"),
    [
        pytest.param(
            "PREFIX ask: <http://a/> SELECT ?x WHERE { ?x ask:p 1 }",
            "SELECT",
            id="prefix-named-ask",
        ),
        pytest.param("# SELECT\nASK { ?s ?p ?o }", "ASK", id="comment-first"),
        pytest.param("describe <http://a>", "DESCRIBE", id="describe"),
        pytest.param("PREFIX x: <http://x/>", None, id="none"),
    ],
)
def test_query_form(sparql: str, form: str | None) -> None:
    assert query_form(sparql) == form


def test_blank_out_keeps_structure() -> None:
    assert blank_out('SELECT ?x { ?x <http://a#b> "x # y" } # note') == 'SELECT ?x { ?x <> "" }  '
