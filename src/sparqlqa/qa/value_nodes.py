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

**Link nodes** are the other half of n-ary relations: a BOM line between a bill of
materials and a part (with its quantity), an order line, a role. Asked "What parts go into
X?", a query answering with the lines answers with ``bom-part-1-C247-3833661``, where the
part is meant. :func:`link_property` tells them by shape too: one owner each, and besides
literals exactly one property, with one resource per node.

:func:`reach_through` then wraps the candidate's query so that it answers with that number
(or that resource).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from sparqlqa.errors import SparqlqaError
from sparqlqa.kg.results import is_number, rows
from sparqlqa.kg.store import QueryResult, Store

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# The nodes looked at: enough to see the shape, few enough for one small bounded query.
SAMPLE = 25
# The prologue (BASE and PREFIX declarations) must stay in front of the wrapping query.
_PROLOGUE = re.compile(
    r"\A(?:\s*(?:#[^\n]*\n|PREFIX\s+[\w.-]*:\s*<[^>\s]*>|BASE\s+<[^>\s]*>))*", re.I
)
#: What no IRI in a result holds and none may hold in a query written from one.
NOT_IN_IRI = re.compile(r'[\s<>"{}|^`\\]')
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
    facts = _owned_facts(store, nodes)
    return _number_of(*facts) if facts is not None else None


def link_property(store: Store, nodes: Sequence[str]) -> str | None:
    """The property leading to the thing each of ``nodes`` stands for when they are link
    nodes, else None: each has one owner, and besides literals (a label, a quantity) exactly
    one property, the same on every node, with one resource (a BOM line's part, an order
    line's product, a role's holder: the n-ary relations of a graph). Queries ``store``
    twice, as :func:`value_property`."""
    facts = _owned_facts(store, nodes)
    return _link_of(*facts) if facts is not None else None


def through_property(store: Store, nodes: Sequence[str]) -> str | None:
    """:func:`value_property` or else :func:`link_property`, from one look at the nodes
    (two queries, not four)."""
    facts = _owned_facts(store, nodes)
    if facts is None:
        return None
    return _number_of(*facts) or _link_of(*facts)


_Fact = tuple[str, str, dict[str, str]]


def _number_of(sample: list[str], found: list[_Fact]) -> str | None:
    """The one numeric property every sampled node has, when the nodes lead nowhere."""
    numbers: dict[str, set[str]] = {}
    for node, predicate, value in found:
        if value["type"] != "literal":
            return None  # it leads on to other resources: a thing, not a value
        if is_number(value):
            numbers.setdefault(predicate, set()).add(node)
    held = [p for p, subjects in numbers.items() if len(subjects) == len(sample)]
    return held[0] if len(held) == 1 and len(numbers) == 1 else None


def _link_of(sample: list[str], found: list[_Fact]) -> str | None:
    """The one property with a resource, exactly one on every sampled node."""
    links: dict[str, Counter[str]] = {}
    for node, predicate, value in found:
        if value["type"] != "literal":
            links.setdefault(predicate, Counter())[node] += 1
    if len(links) != 1:
        return None
    ((predicate, per_node),) = links.items()
    if len(per_node) != len(sample) or any(n != 1 for n in per_node.values()):
        return None
    return predicate


def _owned_facts(store: Store, nodes: Sequence[str]) -> tuple[list[str], list[_Fact]] | None:
    """The sampled ``nodes`` and their facts other than ``rdf:type`` (node, predicate,
    object), when every sampled node is the object of exactly one triple; else None."""
    # IRIs from a result cannot hold these; one that did would not go into a query.
    sample = [n for n in dict.fromkeys(nodes) if not NOT_IN_IRI.search(n)][:SAMPLE]
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
    found = [
        (row["n"]["value"], row["p"]["value"], row["o"])
        for row in rows(facts)
        if row["p"]["value"] != RDF_TYPE
    ]
    return sample, found


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
