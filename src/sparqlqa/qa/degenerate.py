"""Candidate queries no question asks for, told from their text before they run.

The translator's beam sometimes ties a variable to itself (``?x0 pv:price ?x0``, ``?x2
pv:hasCategory ?x2``): a product that is its own price matches nothing, or, where a
graph happens to hold such a triple, something no question meant. Such a pattern is
never what a question asks; a candidate holding one is rejected before it reaches the
store and the ranker (which, reading German or Spanish through an English gloss, was
seen to pick them).
"""

from __future__ import annotations

import re

# A variable, one predicate (a prefixed name, an IRI or ``a``; paths are left alone: a
# cycle through a path may be meant), then the same variable as the object.
_SELF_LOOP = re.compile(
    r"(?<![\w?$])([?$][A-Za-z_]\w*)\s+(a|[A-Za-z][\w.-]*:[\w.-]*|<[^<>\s]*>)\s+\1(?![\w])"
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
    object are one variable), or None."""
    found = _SELF_LOOP.search(_STRING.sub('""', query))
    if found is None:
        return None
    return f"a triple pattern ties {found.group(1)} to itself ({found.group(0)})"
