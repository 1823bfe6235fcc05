"""The queries of instantiation: the generator query that finds candidate bindings of a
template's placeholders, the order candidates are tried in, mismatched bindings for false
ASK cases, and the answer type a result suggests."""

from __future__ import annotations

import random
import re

from sparqlqa.errors import TemplateError
from sparqlqa.kg.store import Term
from sparqlqa.ontology.schema import DATE_DATATYPES, NUMERIC_DATATYPES
from sparqlqa.templates.fill import PLACEHOLDER
from sparqlqa.templates.model import Template

_LIMIT = re.compile(r"\bLIMIT\s+\d+\s*$", re.I)
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def answer_type_of(result: dict[str, object]) -> str:
    """The answer type a result suggests: boolean, number, date, resource or string."""
    if "boolean" in result:
        return "boolean"
    bindings = result.get("results", {}).get("bindings", [])  # type: ignore[attr-defined]
    for row in bindings:
        for term in row.values():
            if term["type"] == "uri":
                return "resource"
            datatype = term.get("datatype", "")
            if datatype in NUMERIC_DATATYPES:
                return "number"
            if datatype in DATE_DATATYPES:
                return "date"
            if datatype == _XSD_BOOLEAN:
                return "boolean"
            return "string"
    return "resource"


def generator_query(template: Template, limit: int) -> str:
    """The query that finds candidate bindings for ``template``'s placeholders.

    Its own generator when it has one; otherwise the query's own graph pattern with the
    placeholders turned into variables (so candidates have answers; for an ASK template,
    the true cases), plus the class constraints of the placeholders.
    """
    slots = list(dict.fromkeys(PLACEHOLDER.findall(template.query)))
    if template.generator:
        text = template.generator
        return text if _LIMIT.search(text) else f"{text.rstrip()} LIMIT {limit}"
    unbound_values = [s for s in template.value_slots if s in slots]
    if unbound_values:
        raise TemplateError(
            f"{template.where}: value placeholder(s) {', '.join(unbound_values)} need a "
            "'generator' query that binds them"
        )
    constraints = " ".join(f"?slot_{s} a <{c}> ." for s in slots for c in template.slots.get(s, []))
    body = constraints + " " + _where_body(template)
    body = PLACEHOLDER.sub(lambda m: f"?slot_{m.group(1)}", body)
    projection = " ".join(f"?slot_{s}" for s in slots)
    return f"SELECT DISTINCT {projection} WHERE {{ {body} }} LIMIT {limit}"


def _where_body(template: Template) -> str:
    """The outermost group graph pattern of the query, without its braces."""
    text = template.query
    start = text.find("{")
    if start < 0:
        raise TemplateError(f"{template.where}: the query has no graph pattern")
    depth = 0
    in_string: str | None = None
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if ch == in_string and text[i - 1] != "\\":
                in_string = None
            continue
        if ch in "\"'":
            in_string = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
    raise TemplateError(f"{template.where}: unbalanced braces in the query")


def extremes_first(template: Template, candidates: list[dict[str, Term]]) -> list[dict[str, Term]]:
    """For ``FILTER(?v > <N>)``, the highest thresholds first (and the lowest for ``<``): few
    answers each, as people ask ("which weigh more than 9 kg?"), and cheap to run."""
    for slot in template.value_slots:
        match = re.search(rf"([<>])=?\s*<{slot}>", template.query)
        if not match:
            continue
        sign = -1.0 if match.group(1) == ">" else 1.0

        def value(binding: dict[str, Term], slot: str = slot, sign: float = sign) -> float:
            try:
                return sign * float(binding[slot]["value"])
            except (KeyError, ValueError):
                return float("inf")

        return sorted(candidates, key=value)
    return candidates


def shuffled_pairs(
    candidates: list[dict[str, Term]], slots: list[str], rng: random.Random
) -> list[dict[str, Term]]:
    """Mismatched bindings (``<A>`` of one row, ``<B>`` of another) for false ASK cases."""
    if len(candidates) < 2:
        return []
    others = candidates[:]
    rng.shuffle(others)
    last = slots[-1]
    return [{**row, last: other[last]} for row, other in zip(candidates, others, strict=True)]
