"""Literal values people name in questions: cities, countries, codes, department names.

A graph often holds what a question mentions as a literal, not as a resource: a supplier's
city (``pv:addressLocality "Breda"``), a country written out (``pv:addressCountry
"France"``), a currency code (``pv:currency "EUR"``). Such *value entities* are linked like
resources and carried through the pipeline in place of an IRI, written as the literal in
SPARQL syntax (``"Breda"``; see :func:`sparqlqa.kg.results.is_literal_term`), so the
translator writes a slot and the slot is filled with the literal.

Which literals qualify is read off the data, for any graph: string-valued objects (plain,
``xsd:string`` or language-tagged) of properties that are not label, name or id properties,
short (a few words), without digits or ``@`` (so phone numbers, e-mails, IDs and free text are
left out), and not more than ``max_values`` in all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sparqlqa.kg.results import is_literal_term, sparql_term
from sparqlqa.kg.store import RDF, RDFS, Store
from sparqlqa.ontology.linked import LinkedEntity
from sparqlqa.ontology.schema import OWL, Schema

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: Namespaces whose properties describe the schema or metadata, not the data.
_META = (RDF, RDFS, OWL, "http://purl.org/dc/", "http://www.w3.org/2004/02/skos/core#")
_PLAIN_VALUE = re.compile(r"^[^\d@<>{}\n]{2,40}$")


def value_properties(
    store: Store, *, exclude: Iterable[str] = (), max_values: int = 50_000
) -> dict[str, list[str]]:
    """The linkable literal values of ``store``: each value's SPARQL literal (``"Breda"``)
    → the properties that hold it. ``exclude``: properties that name things (their values
    are labels of resources, linked as those resources)."""
    skip = set(exclude)
    rows = store.select(
        "SELECT DISTINCT ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && "
        f'(datatype(?o) = <{XSD_STRING}> || lang(?o) != "")) }}'
    )
    found: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        prop, term = row["p"]["value"], row["o"]
        if prop in skip or prop.startswith(_META):
            continue
        text = term["value"]
        if len(text.split()) > 4 or not _PLAIN_VALUE.match(text):
            continue
        if term.get("datatype") == XSD_STRING:
            term = {k: v for k, v in term.items() if k != "datatype"}
        key = sparql_term(term)
        if prop not in found[key]:
            found[key].append(prop)
        if len(found) >= max_values:
            break
    return dict(found)


def is_plain_string(term: Mapping[str, str]) -> bool:
    """Is this SPARQL-JSON term a string literal (plain, ``xsd:string`` or tagged) that does
    not read as a number: a value a question names, linked like an entity?"""
    if term.get("type") not in ("literal", "typed-literal"):
        return False
    if term.get("datatype") not in (None, XSD_STRING):
        return False
    return bool(_PLAIN_VALUE.match(term["value"]))


def lexical(term: str) -> str:
    """The text of a literal written in SPARQL syntax: ``"Breda"@nl`` → ``Breda``."""
    quote = term[0]
    body = term[1 : term.rindex(quote)]
    return re.sub(r"\\(.)", r"\1", body)


def value_label(schema: Schema, properties: Sequence[str]) -> str:
    """How the prompt describes a value entity: "value of address locality"."""
    names = [schema.label(p) for p in properties[:2]]
    return "value of " + " or ".join(dict.fromkeys(names)) if names else "value"


def properties_of_values(store: Store, terms: Iterable[str]) -> dict[str, list[str]]:
    """For literals written in SPARQL syntax, the properties that hold each in ``store``
    (one query per 100 values)."""
    pending = sorted({t for t in terms if is_literal_term(t)})
    found: dict[str, list[str]] = {}
    for start in range(0, len(pending), 100):
        chunk = pending[start : start + 100]
        listed = " ".join(chunk)
        for row in store.select(
            f"SELECT DISTINCT ?o ?p WHERE {{ VALUES ?o {{ {listed} }} ?s ?p ?o }}"
        ):
            term = row["o"]
            if term.get("datatype") == XSD_STRING:
                term = {k: v for k, v in term.items() if k != "datatype"}
            found.setdefault(sparql_term(term), []).append(row["p"]["value"])
    return {t: sorted(ps) for t, ps in found.items()}


def neighbours(store: Store, values: Mapping[str, Sequence[str]]) -> dict[str, set[str]]:
    """Which resources and values each resource is joined to by one triple, in either
    direction (``rdf:type`` left out), for joint linking: the Anna who is a member of the
    department named Procurement. Reads the whole graph: for embedded stores."""
    links: dict[str, set[str]] = defaultdict(set)
    for row in store.select(
        f"SELECT ?s ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && isIRI(?o) && ?p != <{RDF}type>) }}"
    ):
        s, o = row["s"]["value"], row["o"]["value"]
        links[s].add(o)
        links[o].add(s)
    props = sorted({p for ps in values.values() for p in ps})
    for start in range(0, len(props), 50):
        listed = " ".join(f"<{p}>" for p in props[start : start + 50])
        for row in store.select(
            f"SELECT ?s ?o WHERE {{ VALUES ?p {{ {listed} }} ?s ?p ?o FILTER(isIRI(?s)) }}"
        ):
            term = row["o"]
            if term["type"] == "uri":
                continue
            if term.get("datatype") == XSD_STRING:
                term = {k: v for k, v in term.items() if k != "datatype"}
            key = sparql_term(term)
            if key in values:
                links[row["s"]["value"]].add(key)
                links[key].add(row["s"]["value"])
    return dict(links)


# A code-like token: letters, digits and the joiners of phone numbers, e-mails and ids
# ("+49-551-5670308", "anna.roth@company.org", "B488-6957957").
_CODE = re.compile(r"(?<![\w@+.\-/])\+?\w[\w.@+\-/]*\w")
_NUMBER_ONLY = re.compile(r"^[+\-]?[\d.,]+$")


def code_mentions(
    question: str, taken: Iterable[tuple[int, int]] = ()
) -> list[tuple[str, int, int]]:
    """The code-like words of ``question`` (a phone number, an e-mail, an id: 5 characters
    or more, holding a digit or ``@``, not a plain number), with their spans, leaving out
    those that overlap the ``taken`` spans. The label index leaves such values out (fuzzy
    matching on them finds neighbours, not the value); they are looked up exactly."""
    spans = list(taken)
    found: list[tuple[str, int, int]] = []
    for m in _CODE.finditer(question):
        text = m.group()
        if len(text) < 5 or _NUMBER_ONLY.match(text):
            continue
        if not any(c.isdigit() for c in text) and "@" not in text:
            continue
        if any(start < m.end() and m.start() < end for start, end in spans):
            continue
        found.append((text, m.start(), m.end()))
    return found


def code_entities(
    store: Store, schema: Schema, question: str, taken: Iterable[tuple[int, int]] = ()
) -> list[LinkedEntity]:
    """Value entities for the code-like words of ``question`` that some triple of ``store``
    holds exactly as a string ("whose number is +49-551-5670308?": the phone value), in
    question order; one bounded query for all of them."""
    mentions = code_mentions(question, taken)
    if not mentions:
        return []
    terms = {m[0]: sparql_term({"type": "literal", "value": m[0]}) for m in mentions}
    held = properties_of_values(store, terms.values())
    out: list[LinkedEntity] = []
    for text, start, end in mentions:
        properties = held.get(terms[text])
        if not properties:
            continue
        label = value_label(schema, properties)
        out.append(LinkedEntity(terms[text], text, start, end, 1.0, class_label=label, exact=True))
    return out
