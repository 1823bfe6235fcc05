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

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from sparqlqa.errors import SparqlqaError
from sparqlqa.kg.results import is_literal_term, rows
from sparqlqa.kg.store import Store
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.ontology.tokens import Token, token_spans
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


# The words that open a question asking which things: what follows at once names them
# ("Which resistors ...", "Which of the LCD parts ...", "Welche Sensoren ...", "¿Qué
# sensores ...", "¿Cuáles de los sensores ...").
_WHICH = re.compile(
    r"^\W*(?:which|what)\s+(?:of\s+(?:the|our)\s+)?"
    r"|^\W*welche[rsnm]?\s+(?:der\s+)?"
    r"|^\W*(?:qu[ée]|cu[áa]les)\s+(?:de\s+(?:los|las|nuestr[oa]s)\s+)?",
    re.I,
)


def head_entity(
    question: str, entities: Sequence[LinkedEntity], classes: Collection[str] = ()
) -> LinkedEntity | None:
    """The resource ``question`` names right after its question word ("Which *resistors*
    are managed by ...": the category Resistor; "Which *Procurement* colleagues ..."), or
    ``None``: no such word, a class there (``classes``: the schema's; the answer class
    checks judge those), or a value ("Which *Italian* products": a product is not Italian
    itself, its supplier is). ``entities``: the question's firmly linked ones (a loose link
    is no evidence of what the question asks for)."""
    opened = _WHICH.match(question)
    if opened is None:
        return None
    for entity in entities:
        if entity.start == opened.end() and entity.iri not in classes:
            return None if is_literal_term(entity.iri) else entity
    return None


def head_problem(
    query: str,
    head: LinkedEntity | None,
    prefixes: Mapping[str, str],
    membership: str | None = None,
) -> str | None:
    """Why ``query`` answers with something else than what the question's :func:`head_entity`
    names, or ``None``: no answer variable of the query (projected, aggregated, or the node
    an ``OPTIONAL`` column describes) is tied to ``head`` by one triple pattern, either way
    ("Which resistors": ``?x pv:hasCategory <Resistor>``, not products compatible with a
    resistor). With ``membership`` (:func:`membership_property`), an answer pointing at the
    head ties only through it: "Which resistors" are the things in the category Resistor,
    not the people with it as their expertise. A soft check, as
    ``qa.answer_type.form_problem``; an ASK, and text the tokenizer cannot read, are not
    judged."""
    if head is None:
        return None
    try:
        spans = list(token_spans(query))
        terms = query_terms(query, prefixes)
    except SparqlqaError:
        return None
    at = {t.start for t in terms if t.kind == "iri" and t.value == head.iri}
    iri_at = {t.start: t.value for t in terms if t.kind == "iri"}
    where = next((i for i, (t, _, _) in enumerate(spans) if t.text in ("{", "WHERE")), 0)
    if not any(t.kind == "word" and t.text.upper() == "SELECT" for t, _, _ in spans[:where]):
        return None  # ASK, CONSTRUCT, DESCRIBE
    answers = {t.text[1:] for t, _, _ in spans[:where] if t.kind == "var"}
    for i, (token, _, _) in enumerate(spans):
        # "OPTIONAL { ?x p ?c0 }" with ?c0 projected: ?x is what the columns describe.
        if token.text.upper() == "OPTIONAL" and i + 4 < len(spans):
            subject, _, column = spans[i + 2][0], spans[i + 3][0], spans[i + 4][0]
            if subject.kind == "var" and column.kind == "var" and column.text[1:] in answers:
                answers.add(subject.text[1:])
    for i, (_, start, _) in enumerate(spans):
        if start not in at:
            continue
        # Tied: "?x p <head>" or "<head> p ?x", p a property (not a "." between patterns).
        before = _subject(spans, i - 2) if i >= 2 and _predicate(spans[i - 1][0]) else None
        after = spans[i + 2][0] if i + 2 < len(spans) and _predicate(spans[i + 1][0]) else None
        through = iri_at.get(spans[i - 1][1]) if i >= 1 else None
        pointing = before is not None and before.kind == "var" and before.text[1:] in answers
        if pointing and (membership is None or through == membership):
            return None
        if after is not None and after.kind == "var" and after.text[1:] in answers:
            return None
    return "answers with something else than what the question names after its question word"


def _predicate(token: Token) -> bool:
    return token.kind in ("iri", "pname") or token.text == "a"


def _subject(spans: Sequence[tuple[Token, int, int]], i: int) -> Token | None:
    """The subject of the triple pattern whose predicate follows token ``i``: that token, or,
    after a ``;``, the first token of the statement it continues."""
    token = spans[i][0]
    if token.text != ";":
        return token
    while i > 0 and spans[i - 1][0].text not in (".", "{", "}"):
        i -= 1
    return spans[i][0]


#: Subjects sampled to find a resource's membership property.
MEMBERSHIP_SAMPLE = 500


def membership_property(store: Store, iri: str, properties: Collection[str]) -> str | None:
    """The property most things that point at ``iri`` point at it through, among
    ``properties`` (the schema's: a link every resource has, such as a wiki link, is not a
    membership), when it holds at least twice as many of a bounded sample as any other: a
    category's ``hasCategory`` (85 products) over ``areaOfExpertise`` (a few people). None
    when none or no clear one, or when the store cannot be asked."""
    sparql = f"SELECT ?p WHERE {{ ?s ?p <{iri}> }} LIMIT {MEMBERSHIP_SAMPLE}"
    try:
        found = store.query(sparql)  # our own query, bounded by LIMIT
    except SparqlqaError:
        return None
    counts = Counter(
        row["p"]["value"] for row in rows(found) if row.get("p", {}).get("value") in properties
    )
    ranked = counts.most_common(2)
    if not ranked:
        return None
    if len(ranked) == 2 and ranked[0][1] < 2 * ranked[1][1]:
        return None
    return ranked[0][0]
