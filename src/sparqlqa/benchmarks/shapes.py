"""The question shape a query has, read off its form and keywords (one classifier for the
datasets' question types and the imported NSpM templates' shapes)."""

from __future__ import annotations

from sparqlqa.kg.guard import blank_out, query_form


def query_shape(query: str, otherwise: str = "list") -> str:
    """A coarse question type read off a query: ask, count, superlative, negation,
    comparison, else ``otherwise`` (a dataset's plain questions are lists; a template that
    is none of these is a lookup)."""
    form = query_form(query)
    if form == "ASK":
        return "ask"
    bare = " ".join(blank_out(query).replace("<>", " ").upper().split())
    if "COUNT(" in bare.replace("COUNT (", "COUNT("):
        return "count"
    if "ORDER BY" in bare and "LIMIT" in bare:
        return "superlative"
    if "NOT EXISTS" in bare or "MINUS" in bare:
        return "negation"
    if "FILTER" in bare and any(op in bare for op in ("<", ">")):
        return "comparison"
    return otherwise
