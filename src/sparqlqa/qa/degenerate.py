"""Candidate queries no question asks for, told from their text before they run.

The translator's beam sometimes ties a variable to itself (``?x0 pv:price ?x0``, ``?x2
pv:hasCategory ?x2``): a product that is its own price matches nothing, or, where a
graph happens to hold such a triple, something no question meant. Such a pattern is
never what a question asks; a candidate holding one is rejected before it reaches the
store and the ranker (which, reading German or Spanish through an English gloss, was
seen to pick them). The beam also repeats a whole triple pattern (``?x0 pv:hasProductManager
?x1 . ?x0 pv:hasProductManager ?x1``), a sign of a query it lost track of: the repeat
constrains nothing, and the query meant something else. And it puts a literal where a
subject goes (``"Toulouse" pv:hasSupplier ?x0``), which no triple of any graph matches.
"""

from __future__ import annotations

import re

# A variable, one predicate (a prefixed name, an IRI or ``a``; paths are left alone: a
# cycle through a path may be meant), then the same variable as the object.
_SELF_LOOP = re.compile(
    r"(?<![\w?$])([?$][A-Za-z_]\w*)\s+(a|[A-Za-z][\w.-]*:[\w.-]*|<[^<>\s]*>)\s+\1(?![\w])"
)

_NODE = r'(?:[?$][A-Za-z_]\w*|<[^<>\s]*>|[A-Za-z][\w.-]*:[\w.-]*|"(?:[^"\\\n]|\\.)*")'
# A whole triple pattern of one subject, predicate and object, ended by "." or "}".
_TRIPLE = re.compile(
    rf"(?<![\w?$:])({_NODE})\s+(a|[A-Za-z][\w.-]*:[\w.-]*|<[^<>\s]*>)\s+({_NODE})\s*(?=[.}}])"
)

# A string literal where a triple pattern starts, then a predicate: a literal is never the
# subject of a triple ("Toulouse" pv:hasSupplier ?x, seen from the beam).
_LITERAL_SUBJECT = re.compile(
    r'(?:^|[{.;]|\bWHERE)\s*("(?:[^"\\\n]|\\.)*"(?:@[\w-]+|\^\^\S+)?)\s+'
    r"(?:a\s|[A-Za-z][\w.-]*:|<)",
    re.I,
)

# String literals, long and short: their text is not query structure.
_STRING = re.compile(
    "|".join(
        [
            r'"""[\s\S]*?"""',
            r"'''[\s\S]*?'''",
            r'"(?:[^"\\\n]|\\.)*"',
            r"'(?:[^'\\\n]|\\.)*'",
        ]
    )
)


def degenerate_problem(query: str) -> str | None:
    """Why ``query`` is not a candidate worth running (a triple pattern whose subject and
    object are one variable, a literal as a subject, or one triple pattern written twice),
    or None."""
    text = _STRING.sub('""', query)
    found = _SELF_LOOP.search(text)
    if found is not None:
        return f"a triple pattern ties {found.group(1)} to itself ({found.group(0)})"
    subject = _LITERAL_SUBJECT.search(query)
    if subject is not None:
        return f"a literal is the subject of a triple pattern ({subject.group(1)})"
    if text.count("{") > 1:
        # A sub-query, a UNION branch, a MINUS or NOT EXISTS may repeat an outer pattern on
        # purpose; only one flat group is judged.
        return None
    seen: set[tuple[str, str, str]] = set()
    for triple in _TRIPLE.finditer(query):  # with its literals: "a" and "b" differ
        key = (triple.group(1), triple.group(2), triple.group(3))
        if key in seen:
            return f"the triple pattern {' '.join(key)} is written twice"
        seen.add(key)
    return None
