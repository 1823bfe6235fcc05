"""Re-linking an example's query to another question's entities.

An example is a question with the query that answers it (a company's query log, a dev set).
At the time it is added, :func:`find_slots` marks in its query what the question named: the
*instances* (IRIs that are not classes or properties of the schema, nor of a standard
vocabulary), the *values* (literals that some property of the graph holds: a name, a city)
and the *numbers* the question wrote out (a ``FILTER`` bound, a ``LIMIT``). Each slot
remembers what kind of term fits it (the instance's class; the properties holding the value)
and which mention of the example question it came from (through the graph's linker).

For a new question, :func:`substitute` fills every slot with one of that question's linked
entities of a compatible kind: an instance of the same class (or a sub- or super-class), a
value of the same property (or the value of that property of an instance of the named class:
an example writing ``pv:name "Corinna Ludwig"`` takes the name of the person the new question
names), a number of the question at the same place among its numbers (when both questions
write as many). A term no mention of the example question named (the linker missed it) is a
*fixed* slot: it fits only a question that links the very same term. An example whose slots
cannot all be filled is not proposed (a query about the example's own entity answers another
question wrongly, however similar the wording).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sparqlqa.errors import SparqlqaError
from sparqlqa.kg.results import is_literal_term, rows, sparql_term
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.ontology.prompt import PromptValue, question_values
from sparqlqa.ontology.schema import Schema
from sparqlqa.ontology.tokens import Token, token_spans

SlotKind = Literal["resource", "value", "number"]

#: Namespaces of standard vocabularies: their terms are schema, never a question's entity.
VOCABULARIES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
    "http://purl.org/dc/elements/1.1/",
    "http://xmlns.com/foaf/0.1/",
)

#: A SELECT a trusted caller runs: its own text over IRIs and literals it read off a query.
Select = Callable[[str], list[dict[str, dict[str, str]]]]

_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>", re.I)


@dataclass(frozen=True)
class Slot:
    """One term of an example query that the example question named."""

    kind: SlotKind
    start: int  # span of the term in the query text
    end: int
    term: str  # resource: the full IRI; value: the literal in SPARQL syntax; number: as written
    classes: tuple[str, ...] = ()  # resource: its classes; value: those of the naming resource
    properties: tuple[str, ...] = ()  # value: the properties holding it
    mention: tuple[int, int] | None = None  # span in the example question; None: fixed
    number: int | None = None  # number: its place among the example question's numbers

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Slot:
        mention = data.get("mention")
        return cls(
            kind=data["kind"],
            start=int(data["start"]),
            end=int(data["end"]),
            term=str(data["term"]),
            classes=tuple(data.get("classes") or ()),
            properties=tuple(data.get("properties") or ()),
            mention=(int(mention[0]), int(mention[1])) if mention else None,
            number=data.get("number"),
        )


@dataclass(frozen=True)
class Term:
    """An IRI or literal of a query, with its span."""

    kind: Literal["iri", "literal", "number"]
    start: int
    end: int
    value: str  # iri: the full IRI; literal: SPARQL syntax with full IRIs; number: as written


def query_terms(query: str, prefixes: Mapping[str, str]) -> list[Term]:
    """The IRIs (prefixed names expanded with the query's PREFIX lines, else ``prefixes``),
    literals (with their language tag or datatype) and numbers of ``query``, outside the
    PREFIX/BASE declarations. Raises ``TargetError`` for text that is not SPARQL."""
    known = dict(prefixes)
    known.update({m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(query)})
    spans = list(token_spans(query))
    terms: list[Term] = []
    i = 0
    while i < len(spans):
        token, start, end = spans[i]
        word = token.text.upper()
        if token.kind == "word" and word in ("PREFIX", "BASE"):
            i += 3 if word == "PREFIX" else 2  # the name and the IRI (BASE: the IRI)
            continue
        if token.kind in ("iri", "pname"):
            iri = _expand(token, known)
            if iri is not None:
                terms.append(Term("iri", start, end, iri))
        elif token.kind == "string":
            text, stop, skip = _literal(spans, i, known)
            terms.append(Term("literal", start, stop, text))
            i += skip
        elif token.kind == "number":
            terms.append(Term("number", start, end, token.text))
        i += 1
    return terms


def _expand(token: Token, prefixes: Mapping[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    name, _, local = token.text.partition(":")
    namespace = prefixes.get(name)
    return None if namespace is None else namespace + local.replace("\\", "")


def _literal(
    spans: Sequence[tuple[Token, int, int]], i: int, prefixes: Mapping[str, str]
) -> tuple[str, int, int]:
    """The literal starting at token ``i`` in SPARQL syntax, where it ends, and how many
    further tokens (language tag, ``^^`` and datatype) it took."""
    token, _, end = spans[i]
    body = token.text
    lexical = body[3:-3] if body.startswith(('"""', "'''")) else body[1:-1]
    lexical = _unescape(lexical)
    written = sparql_term({"type": "literal", "value": lexical})
    if i + 1 < len(spans) and spans[i + 1][0].kind == "langtag":
        return written + spans[i + 1][0].text, spans[i + 1][2], 1
    if i + 2 < len(spans) and spans[i + 1][0].text == "^^":
        datatype = _expand(spans[i + 2][0], prefixes)
        if datatype is not None:
            return f"{written}^^<{datatype}>", spans[i + 2][2], 2
    return written, end, 0


_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def lexical_form(literal: str) -> str:
    """The text of a literal in SPARQL syntax, without quotes, tag or datatype."""
    match = re.match(r'"((?:[^"\\]|\\.)*)"', literal) or re.match(r"'((?:[^'\\]|\\.)*)'", literal)
    return _unescape(match.group(1)) if match else literal


def is_schema_term(iri: str, schema: Schema) -> bool:
    """A class or property of the graph's schema, or a term of a standard vocabulary."""
    return iri in schema.classes or iri in schema.properties or iri.startswith(VOCABULARIES)


def used_as_schema(iri: str, select: Select) -> bool:
    """The graph uses ``iri`` as a property or a class (one the schema does not list)."""
    found = select(
        f"SELECT ?x WHERE {{ {{ ?s <{iri}> ?o }} UNION {{ ?s a <{iri}> }} BIND(1 AS ?x) }} LIMIT 1"
    )
    return bool(found)


def classes_of(iri: str, select: Select, schema: Schema) -> tuple[str, ...]:
    """The classes of an instance, the most specific first (those of the schema first)."""
    found = [r["c"]["value"] for r in select(f"SELECT DISTINCT ?c WHERE {{ <{iri}> a ?c }}")]
    found = [c for c in found if not c.startswith(VOCABULARIES)]
    above = {a for c in found for a in schema.ancestors(c) if a != c}
    return tuple(sorted(found, key=lambda c: (c in above, c not in schema.classes, c)))


def properties_holding(literal: str, select: Select) -> tuple[str, ...]:
    """The properties whose values include ``literal`` (a plain string literal also matches
    the same text typed ``xsd:string``)."""
    found = select(f"SELECT DISTINCT ?p WHERE {{ ?s ?p {literal} }} LIMIT 20")
    return tuple(sorted(r["p"]["value"] for r in found))


def find_slots(
    question: str,
    query: str,
    linked: Sequence[LinkedEntity],
    schema: Schema,
    prefixes: Mapping[str, str],
    select: Select,
    language: str = "en",
) -> tuple[list[Slot], int]:
    """The slots of an example query (see the module docstring) and how many numbers its
    question writes out. ``linked``: the example question's entities (the graph's linker);
    ``select`` runs the lookups (through the guard: the terms come from a user's file);
    ``language``: the question's (how it writes numbers)."""
    terms = query_terms(query, prefixes)
    numbers = question_values(question, [(e.start, e.end) for e in linked], language)
    slots: list[Slot] = []
    for term in terms:
        if term.kind == "iri":
            if (
                is_schema_term(term.value, schema)
                or _is_datatype(term, terms)
                or used_as_schema(term.value, select)
            ):
                continue
            mention = next(((e.start, e.end) for e in linked if e.iri == term.value), None)
            classes = classes_of(term.value, select, schema)
            slots.append(Slot("resource", term.start, term.end, term.value, classes, (), mention))
        elif term.kind == "literal":
            properties = properties_holding(term.value, select)
            if not properties:
                continue  # not a value of the graph: part of the query's logic ("en", "%")
            mention, classes = _value_mention(term.value, properties, linked, select)
            slots.append(
                Slot("value", term.start, term.end, term.value, classes, properties, mention)
            )
        else:
            place = next(
                (n for n, v in enumerate(numbers) if _same_number(v.text, term.value)), None
            )
            if place is not None:  # else a constant of the query (LIMIT 1, > 0)
                span = (numbers[place].start, numbers[place].end)
                slots.append(
                    Slot("number", term.start, term.end, term.value, mention=span, number=place)
                )
    return slots, len(numbers)


def _is_datatype(term: Term, terms: Sequence[Term]) -> bool:
    """The IRI is the datatype of a literal (taken with the literal already)."""
    return any(t.kind == "literal" and t.start < term.start < t.end for t in terms)


def _value_mention(
    literal: str,
    properties: Sequence[str],
    linked: Sequence[LinkedEntity],
    select: Select,
) -> tuple[tuple[int, int] | None, tuple[str, ...]]:
    """Which mention named a value: a linked value with the same text, else a linked
    resource holding it under one of ``properties`` (its name: then the resource's classes
    say what fits the slot)."""
    text = lexical_form(literal).casefold()
    for e in linked:
        if is_literal_term(e.iri) and lexical_form(e.iri).casefold() == text:
            return (e.start, e.end), ()
    for e in linked:
        if is_literal_term(e.iri):
            continue
        held = [p for p in properties if _value_of(e.iri, p, select) == literal]
        if held or e.label.casefold() == text:
            classes = (e.class_iri,) if e.class_iri else ()
            return (e.start, e.end), classes
    return None, ()


def _value_of(iri: str, prop: str, select: Select) -> str | None:
    """The value of ``prop`` of ``iri`` in SPARQL syntax (``xsd:string`` written plain)."""
    found = select(f"SELECT ?v WHERE {{ <{iri}> <{prop}> ?v FILTER(isLiteral(?v)) }} LIMIT 1")
    if not found:
        return None
    term = dict(found[0]["v"])
    if term.get("datatype") == "http://www.w3.org/2001/XMLSchema#string":
        del term["datatype"]
    return sparql_term(term)


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def related_classes(a: str, b: str, schema: Schema) -> bool:
    """The same class, or one a sub-class of the other."""
    return a == b or a in schema.ancestors(b) or b in schema.ancestors(a)


def masked_question(
    question: str, entities: Sequence[LinkedEntity], values: Sequence[PromptValue] = ()
) -> str:
    """``question`` with each linked entity written as its class ("Employee"; a value or a
    resource of no known class: "X") and each number as "N": what the question asks, not
    whom it names, so that examples are found by their question's shape, not by a name
    they share (an example about Yanka Schreiber is not the nearest to every question
    about her)."""
    spans = [
        (e.start, e.end, e.class_label if e.class_iri and e.class_label else "X") for e in entities
    ]
    spans += [(v.start, v.end, "N") for v in values]
    text = question
    for start, end, word in sorted(spans, reverse=True):
        text = text[:start] + word + text[end:]
    return text


@dataclass(frozen=True)
class Substitution:
    """An example query filled with a question's entities."""

    query: str
    used: int  # the question's entities and numbers it took


def substitute(
    query: str,
    slots: Sequence[Slot],
    numbers: int,
    entities: Sequence[LinkedEntity],
    values: Sequence[PromptValue],
    schema: Schema,
    select: Select,
) -> Substitution | None:
    """``query`` with every slot filled from ``entities`` and ``values`` (see the module
    docstring), each entity taken once, in the order the questions name them; None when a
    slot cannot be filled. ``select`` runs the lookups (values of linked resources)."""
    replacement: dict[str, str] = {}  # old term → new text (a term written twice: one choice)
    taken: set[int] = set()  # indexes into entities
    used = 0
    named = sorted(
        {s.term: s for s in slots if s.kind != "number"}.values(),
        key=lambda s: s.mention or (1 << 30, 0),
    )
    for slot in named:
        choice = _fill(slot, entities, taken, schema, select)
        if choice is None:
            return None
        index, text = choice
        if index >= 0:
            taken.add(index)
            used += 1
        replacement[slot.term] = text
    number_slots = [s for s in slots if s.kind == "number"]
    if number_slots and len(values) != numbers:
        return None  # which number goes where is not clear
    edits: list[tuple[int, int, str]] = []
    for slot in slots:
        if slot.kind == "number":
            assert slot.number is not None  # set for every number slot
            edits.append((slot.start, slot.end, values[slot.number].text))
        else:
            edits.append((slot.start, slot.end, replacement[slot.term]))
    used += len({s.number for s in number_slots})
    text = query
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return Substitution(text, used)


def _fill(
    slot: Slot,
    entities: Sequence[LinkedEntity],
    taken: set[int],
    schema: Schema,
    select: Select,
) -> tuple[int, str] | None:
    """The entity (its index; -1: none taken) and the text that fills ``slot``."""
    if slot.mention is None:  # fixed: only the very same term fits
        for i, e in enumerate(entities):
            if i not in taken and _same_term(e.iri, slot.term):
                return i, _written(slot, e.iri)
        return None
    for i, e in enumerate(entities):
        if i in taken:
            continue
        if slot.kind == "resource":
            if not is_literal_term(e.iri) and _fits_classes(e, slot.classes, schema):
                return i, f"<{e.iri}>"
            continue
        if is_literal_term(e.iri):
            if set(properties_holding(e.iri, select)) & set(slot.properties):
                return i, e.iri
        elif slot.classes and _fits_classes(e, slot.classes, schema):
            for prop in slot.properties:
                value = _value_of(e.iri, prop, select)
                if value is not None:
                    return i, value
    return None


def _fits_classes(entity: LinkedEntity, classes: Sequence[str], schema: Schema) -> bool:
    if not classes:
        return entity.class_iri is None
    return entity.class_iri is not None and any(
        related_classes(entity.class_iri, c, schema) for c in classes
    )


def _same_term(linked: str, term: str) -> bool:
    if is_literal_term(linked) or is_literal_term(term):
        return lexical_form(linked) == lexical_form(term) and is_literal_term(linked) == (
            is_literal_term(term)
        )
    return linked == term


def _written(slot: Slot, linked: str) -> str:
    return f"<{linked}>" if slot.kind == "resource" else slot.term


def select_rows(run: Callable[[str], Any]) -> Select:
    """A :data:`Select` over ``run`` (a guard's or store's query function): the rows of the
    result; a query that fails reads as no rows (a lookup, not the answer)."""

    def select(sparql: str) -> list[dict[str, dict[str, str]]]:
        try:
            return list(rows(run(sparql)))
        except SparqlqaError:
            return []

    return select
