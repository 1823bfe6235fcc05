"""Template filling: placeholders, exact entity spans, query terms, prefix lines."""

from __future__ import annotations

import pytest

from sparqlqa.errors import TemplateError
from sparqlqa.kg.results import sparql_term
from sparqlqa.templates.fill import (
    check_template,
    declare_prefixes,
    fill_query,
    fill_question,
    placeholders,
)
from sparqlqa.templates.model import SourceRef, Template


@pytest.mark.parametrize(
    ("question", "labels", "expected"),
    [
        pytest.param("Who manages <A>?", {"A": "Liese Adam"}, "Who manages Liese Adam?", id="one"),
        pytest.param(
            "Is <A> compatible with <B>?",
            {"A": "Flow Meter", "B": "LCD"},
            "Is Flow Meter compatible with LCD?",
            id="two",
        ),
        pytest.param("<A>  supplier ?", {"A": "ACME"}, "ACME supplier?", id="tidied"),
        pytest.param(
            "<A> team is known as ?", {"A": "X  Y"}, "X  Y team is known as?", id="label-kept"
        ),
    ],
)
def test_fill_question_spans_are_exact(
    question: str, labels: dict[str, str], expected: str
) -> None:
    iris = {slot: f"urn:{slot}" for slot in labels}
    text, entities, values = fill_question(question, labels, iris, set())
    assert text == expected
    assert values == []
    for entity in entities:
        assert text[entity.start : entity.end] == entity.label == labels[entity.slot]
        assert entity.iri == iris[entity.slot]


def test_value_slots_are_recorded_apart_from_entities() -> None:
    text, entities, values = fill_question(
        "Which products weigh more than <N> g from <A>?",
        {"N": "12.5", "A": "Acme"},
        {"A": "urn:acme"},
        {"N"},
    )
    assert [e.slot for e in entities] == ["A"]
    assert [(v.slot, text[v.start : v.end]) for v in values] == [("N", "12.5")]


def test_fill_query_and_terms() -> None:
    query = fill_query(
        "SELECT ?x WHERE { <A> <http://x/p> ?x FILTER(?x > <N>) }",
        {
            "A": "<http://x/a>",
            "N": sparql_term(
                {
                    "type": "literal",
                    "value": "3",
                    "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                }
            ),
        },
    )
    assert query == (
        "SELECT ?x WHERE { <http://x/a> <http://x/p> ?x FILTER(?x > "
        '"3"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
    )
    assert sparql_term({"type": "literal", "value": 'a"b', "xml:lang": "en"}) == '"a\\"b"@en'
    with pytest.raises(ValueError):
        sparql_term({"type": "bnode", "value": "b0"})


def test_declare_prefixes_adds_only_used_known_ones() -> None:
    text = declare_prefixes(
        "SELECT ?x WHERE { ?x a pv:Product ; rdfs:label ?l }",
        {
            "pv": "http://ld.company.org/prod-vocab/",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
    )
    assert text.splitlines()[:2] == [
        "PREFIX pv: <http://ld.company.org/prod-vocab/>",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    ]
    assert "foaf" not in text


def _template(questions: list[str], query: str) -> Template:
    return Template(id="t1", questions=questions, query=query, source=SourceRef("f.yaml", 7))


@pytest.mark.parametrize(
    ("questions", "query", "message"),
    [
        pytest.param(
            ["Who is <C>?"],
            "SELECT ?x WHERE { <A> ?p ?x }",
            "unknown placeholder <C>",
            id="unknown-placeholder",
        ),
        pytest.param(
            ["Who is it?"],
            "SELECT ?x WHERE { <A> ?p ?x }",
            "does not mention <A>",
            id="missing-placeholder",
        ),
        pytest.param([], "SELECT ?x WHERE { ?x ?p ?o }", "no question", id="no-question"),
    ],
)
def test_check_template_names_the_template(questions: list[str], query: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message) as info:
        check_template(_template(questions, query))
    assert "'t1' (f.yaml:7)" in str(info.value)


def test_placeholders_in_order() -> None:
    assert placeholders("<B> and <A> and <B> <http://x>") == ["B", "A"]
