"""Query skeletons and feature counts: how varied a set of queries is, for generation and
evaluation alike. Pure functions of the query text.

A *skeleton* is a query with its variables renamed in order (``?v0``, ``?v1`` ...), its IRIs
replaced by their kind (``CLASS`` after ``a``, ``PROP`` in predicate position, ``ENT``
elsewhere), literals by ``STR``/``NUM``, prefixes dropped and spacing normalised: two
queries share a skeleton when they differ only in which terms and values they use.

``python -m sparqlqa.templates.skeleton PAIRS.jsonl ...`` prints the figures of a dataset.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sparqlqa.kg.guard import blank_out
from sparqlqa.ontology.tokens import tokens

FEATURES: dict[str, re.Pattern[str]] = {
    "GROUP BY": re.compile(r"\bGROUP\s+BY\b", re.I),
    "HAVING": re.compile(r"\bHAVING\b", re.I),
    "ORDER BY": re.compile(r"\bORDER\s+BY\b", re.I),
    "LIMIT": re.compile(r"\bLIMIT\b", re.I),
    "OFFSET": re.compile(r"\bOFFSET\b", re.I),
    "OPTIONAL": re.compile(r"\bOPTIONAL\b", re.I),
    "BIND": re.compile(r"\bBIND\b", re.I),
    "COUNT": re.compile(r"\bCOUNT\s*\(", re.I),
    "AVG": re.compile(r"\bAVG\s*\(", re.I),
    "SUM": re.compile(r"\bSUM\s*\(", re.I),
    "MIN/MAX": re.compile(r"\b(?:MIN|MAX)\s*\(", re.I),
    "NOT EXISTS/MINUS": re.compile(r"\bNOT\s+EXISTS\b|\bMINUS\b", re.I),
    "FILTER": re.compile(r"\bFILTER\b", re.I),
    "ASK": re.compile(r"^\s*(?:PREFIX\s+\S*\s*<[^>]*>\s*)*ASK\b", re.I),
}
_TERMS = frozenset({"iri", "pname", "var", "string", "number", "slot", "blank"})
_NEXT = {0: 1, 1: 2, 2: 3, 3: 1}  # subject → predicate → object → (done) → predicate


def _term(kind: str, text: str, pos: int, depth: int, previous: str) -> str:
    if kind == "string":
        return "STR"
    if kind == "number":
        return "NUM"
    if kind == "word":
        return "a"
    if depth > 0 or pos in (0, 3):
        return "ENT"
    if pos == 1:
        return "PROP"
    return "CLASS" if previous == "a" else "ENT"


def _walk(query: str) -> tuple[list[str], int]:
    """The skeleton's tokens and the number of triple patterns."""
    toks = list(tokens(query))
    out: list[str] = []
    names: dict[str, str] = {}
    pos, depth, triples, i = 0, 0, 0, 0
    while i < len(toks):
        kind, text = toks[i].kind, toks[i].text
        i += 1
        if kind == "word" and text.upper() == "PREFIX":
            i += 2
            continue
        if kind == "langtag":
            continue
        if kind in _TERMS or (kind == "word" and text == "a" and depth == 0):
            if kind == "var":
                word = names.setdefault(text[1:], f"?v{len(names)}")
            elif kind == "string" and i + 1 < len(toks) and toks[i].text == "^^":
                word = "NUM" if re.fullmatch(r"-?[\d.eE+-]+", text.strip("\"'")) else "STR"
                i += 2
            else:
                word = _term(kind, text, pos, depth, out[-1] if out else "")
            out.append(word)
            if depth == 0:
                triples += pos == 2
                pos = _NEXT[pos]
            continue
        if text == "(":
            depth += 1
        elif text == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and text in (".", "{", "}"):
            pos = 0
        elif depth == 0 and text == ";":
            pos = 1
        elif depth == 0 and text == ",":
            pos = 2
        elif depth == 0 and kind == "word":
            pos = 0
        out.append(text.upper() if kind == "word" else text)
    return out, triples


def skeleton(query: str) -> str:
    """The canonical skeleton of ``query`` (see the module docstring)."""
    return " ".join(_walk(query)[0])


def triple_patterns(query: str) -> int:
    """How many triple patterns ``query`` has (inside OPTIONAL, MINUS, NOT EXISTS too)."""
    return _walk(query)[1]


def features(query: str) -> set[str]:
    """The ``FEATURES`` that ``query`` uses."""
    bare = blank_out(query)
    return {name for name, pattern in FEATURES.items() if pattern.search(bare)}


def summary(queries: Iterable[str]) -> dict[str, Any]:
    """Distinct skeletons, triple patterns per query and feature counts of ``queries``."""
    skeletons: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    total = patterns = 0
    for query in queries:
        total += 1
        skeletons[skeleton(query)] += 1
        patterns += triple_patterns(query)
        counts.update(features(query))
    return {
        "queries": total,
        "skeletons": len(skeletons),
        "triple_patterns_per_query": round(patterns / total, 2) if total else 0.0,
        "features": {name: counts[name] for name in FEATURES},
    }


def main(argv: list[str]) -> None:
    """Print the ``summary`` of the queries of the given pairs.jsonl files."""
    queries = [
        json.loads(line)["query"]
        for path in argv
        for line in Path(path).read_text().splitlines()
        if line.strip()
    ]
    print(json.dumps(summary(queries), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
