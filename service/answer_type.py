"""What kind of answer a question expects, and whether a result is of that kind."""

from __future__ import annotations

import re
from typing import Literal

from kg.results import rows
from kg.store import XSD, QueryResult

Expected = Literal["boolean", "number", "date", "any"]

_BOOLEAN = re.compile(
    r"^(is|are|was|were|does|do|did|has|have|had|can|could|will|would|should|shall|may)\b", re.I
)
# "the number of products", not "the phone number of Ann".
_NUMBER = re.compile(
    r"\bhow (many|much)\b|\b(the|a|total|what)\s+(total\s+)?number\s+of\b"
    r"|\b(count|total|sum|average)\s+of\b",
    re.I,
)
# Requests phrased as questions ("Can you tell me...", "Could you list...") are not yes/no.
_REQUEST = re.compile(r"^(can|could|would|will)\s+(you|u)\b", re.I)
_DATE = re.compile(r"^when\b|\b(what|which) (date|year|day|time)\b", re.I)
_NUMERIC = re.compile(r"(integer|decimal|double|float|int|long|short|byte)$", re.I)
_DATES = ("date", "dateTime", "gYear", "gYearMonth")


def expected_answer_type(question: str) -> Expected:
    """``boolean`` for yes/no questions, ``number`` for how many/much, ``date`` for when,
    ``any`` otherwise (a resource or a literal)."""
    text = question.strip()
    if _BOOLEAN.match(text) and not _REQUEST.match(text):
        return "boolean"
    if _NUMBER.search(text):
        return "number"
    if _DATE.search(text):
        return "date"
    return "any"


def fits(result: QueryResult, expected: Expected) -> str | None:
    """``None`` when ``result`` can answer a question expecting ``expected``, else why not."""
    if "boolean" in result:
        return None if expected in ("boolean", "any") else f"a yes/no answer, expected a {expected}"
    bindings = list(rows(result))
    if not bindings:
        return "the query returned no rows"
    if expected == "boolean":
        return "a list of rows, expected a yes/no answer"
    terms = [t for row in bindings for t in row.values()]
    if expected == "number":
        numeric = [
            t
            for t in terms
            if t.get("datatype", "").startswith(XSD) and _NUMERIC.search(t["datatype"])
        ]
        return None if numeric else "no number in the result"
    if expected == "date":
        dated = [t for t in terms if t.get("datatype", "").removeprefix(XSD) in _DATES]
        return None if dated else "no date in the result"
    return None


# Superlative words that ask for the top of an ordering and those that ask for the bottom.
# Words about time ("oldest", "latest") are left out: whether they sort up or down depends on
# whether the value is a date or an age.
_MOST = re.compile(
    r"\b(most|highest|largest|biggest|greatest|heaviest|longest|tallest|widest|deepest|"
    r"maximum|max|top|best|richest|strongest|fastest|priciest|most expensive)\b",
    re.I,
)
_LEAST = re.compile(
    r"\b(least|lowest|smallest|lightest|shortest|narrowest|shallowest|minimum|min|fewest|"
    r"worst|cheapest|weakest|slowest|least expensive)\b",
    re.I,
)
_ORDER = re.compile(r"\bORDER\s+BY\s+(ASC|DESC)?\s*\(?", re.I)


def order_problem(question: str, query: str) -> str | None:
    """Why the ordering of a superlative ``query`` (``ORDER BY ... LIMIT``) goes the wrong way
    for ``question`` ("the heaviest" sorted ascending), or ``None``. Questions with words of
    both kinds, or of neither, are not judged."""
    most, least = bool(_MOST.search(question)), bool(_LEAST.search(question))
    if most == least or "LIMIT" not in query.upper():
        return None
    directions = {(m.group(1) or "ASC").upper() for m in _ORDER.finditer(query)}
    if len(directions) != 1:
        return None
    (direction,) = directions
    if most and direction == "ASC":
        return "sorts ascending, but the question asks for the highest"
    if least and direction == "DESC":
        return "sorts descending, but the question asks for the lowest"
    return None
