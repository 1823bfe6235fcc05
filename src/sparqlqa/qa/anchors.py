"""Whether a candidate query uses what the question names.

A question that names a resource or a value ("the Japanese suppliers": Japan; "Anna from
Procurement") is about it: a candidate that mentions none of the question's firmly linked
entities answers another question ("all suppliers"). Such a candidate is chosen only when
no candidate that uses one fits (a soft check, as ``qa.answer_type.form_problem``). Firm
links are those whose label shares a word with the words they were found on
(``qa.abstain.firm_link``): a loose link ("Product" for "product categories") is no
evidence of what the question is about, and candidates without it are not judged.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sparqlqa.errors import SparqlqaError
from sparqlqa.kg.results import is_literal_term
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.qa.abstain import firm_link
from sparqlqa.qa.relink import lexical_form, query_terms


def anchors(
    question: str, entities: Sequence[LinkedEntity], classes: Collection[str] = ()
) -> list[LinkedEntity]:
    """The entities of ``question`` a candidate should use: firmly linked resources and
    values, not schema classes (``classes``: the schema's class IRIs; a class constrains
    the answer and may be written as a type the question only implies)."""
    return [
        e
        for e in entities
        if e.iri not in classes and firm_link(e.label, question[e.start : e.end])
    ]


def anchor_problem(
    query: str, named: Sequence[LinkedEntity], prefixes: Mapping[str, str]
) -> str | None:
    """Why ``query`` ignores the question, or ``None``: ``named`` (the question's
    :func:`anchors`) is not empty and the query writes none of them, neither as the IRI
    (full or prefixed, with the query's own PREFIX lines or ``prefixes``), nor as the value,
    nor as a literal of the label (a query that finds the resource by its name: ``?e pv:name
    "Wolfgang Martin"``). Text the tokenizer cannot read is not judged."""
    if not named:
        return None
    try:
        terms = query_terms(query, prefixes)
    except SparqlqaError:
        return None
    iris = {t.value for t in terms if t.kind == "iri"}
    texts = {lexical_form(t.value) for t in terms if t.kind == "literal"}
    for entity in named:
        if is_literal_term(entity.iri):
            if lexical_form(entity.iri) in texts:
                return None
        elif entity.iri in iris or entity.label in texts:
            return None
    return "uses none of the resources or values the question names"
