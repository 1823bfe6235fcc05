"""Value nodes: answers that are structured values, reached through to the number they hold.

Many graphs model a price, a weight or a measurement as a node of its own (a ``pv:Price``
with ``pv:amount`` and ``pv:currency``; schema.org's ``MonetaryAmount`` and
``QuantitativeValue``; QUDT's quantity values). Asked "what does X cost?", a query that
stops at that node answers with an IRI like ``price-hw-A998-9941987-EUR``, which no person
reads as a price: the answer they want is the node's number. :func:`value_property` tells
such nodes from things people do ask for, by shape alone (nothing about one graph's names):

- every node has exactly one owner: it is the object of one triple (a department, a
  category or a country is shared by many);
- it leads nowhere: its properties other than ``rdf:type`` all have literal values;
- it holds one number: exactly one property has a numeric literal on every node.

:func:`reach_through` then wraps the candidate's query so that it answers with that number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sparqlqa.errors import SparqlqaError
from sparqlqa.kg.results import rows
from sparqlqa.kg.store import XSD, QueryResult, Store

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# The nodes looked at: enough to see the shape, few enough for one small bounded query.
SAMPLE = 25
_NUMERIC = re.compile(r"(integer|decimal|double|float|int|long|short|byte)$", re.I)
# The prologue (BASE and PREFIX declarations) must stay in front of the wrapping query.
_PROLOGUE = re.compile(
    r"\A(?:\s*(?:#[^\n]*\n|PREFIX\s+[\w.-]*:\s*<[^>\s]*>|BASE\s+<[^>\s]*>))*", re.I
)
_NOT_IN_IRI = re.compile(r'[\s<>"{}|^`\\]')
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def answer_nodes(result: QueryResult) -> tuple[str, list[str]] | None:
    """The one column of a SELECT result and its IRIs, when the result has one column and
    every value in it is an IRI (blank nodes cannot be looked up again); else None."""
    names = result.get("head", {}).get("vars") or []
    if "boolean" in result or len(names) != 1:
        return None
    terms = [row.get(names[0]) for row in rows(result)]
    if not terms or any(t is None or t["type"] != "uri" for t in terms):
        return None
    return names[0], [t["value"] for t in terms if t is not None]


def value_property(store: Store, nodes: Sequence[str]) -> str | None:
    """The property holding the number of ``nodes`` when they are value nodes (see the
    module's docstring; ``nodes`` sampled to :data:`SAMPLE`), else None. Queries ``store``
    twice, each bounded by a VALUES block of the sampled nodes."""
    # IRIs from a result cannot hold these; one that did would not go into a query.
    sample = [n for n in dict.fromkeys(nodes) if not _NOT_IN_IRI.search(n)][:SAMPLE]
    if not sample:
        return None
    values = " ".join(f"<{n}>" for n in sample)
    try:
        owners = store.query(
            f"SELECT ?n (COUNT(*) AS ?c) WHERE {{ VALUES ?n {{ {values} }} ?x ?p ?n }} GROUP BY ?n"
        )
        facts = store.query(f"SELECT ?n ?p ?o WHERE {{ VALUES ?n {{ {values} }} ?n ?p ?o }}")
    except SparqlqaError:
        return None
    owned = {row["n"]["value"]: int(row["c"]["value"]) for row in rows(owners)}
    if any(owned.get(n) != 1 for n in sample):
        return None
    numbers: dict[str, set[str]] = {}
    for row in rows(facts):
        predicate, value = row["p"]["value"], row["o"]
        if predicate == RDF_TYPE:
            continue
        if value["type"] != "literal":
            return None  # it leads on to other resources: a thing, not a value
        datatype = value.get("datatype", "")
        if datatype.startswith(XSD) and _NUMERIC.search(datatype):
            numbers.setdefault(predicate, set()).add(row["n"]["value"])
    held = [p for p, subjects in numbers.items() if len(subjects) == len(sample)]
    return held[0] if len(held) == 1 and len(numbers) == 1 else None


def reach_through(query: str, variable: str, predicate: str) -> str:
    """``query`` (a SELECT whose one column is ``variable``) as a sub-query, answering with
    the ``predicate`` value of each of its answers instead (``ValueError`` for a variable
    name that is not one)."""
    if not _VARIABLE.match(variable):
        raise ValueError(f"not a variable name: {variable!r}")
    prologue = _PROLOGUE.match(query)
    head = prologue.group(0) if prologue else ""
    body = query[len(head) :].strip()
    value = f"{variable}_value"
    return (
        f"{head.strip()}\nSELECT DISTINCT ?{value} WHERE {{ {{ {body}\n}} "
        f"?{variable} <{predicate}> ?{value} }}"
    ).lstrip()
