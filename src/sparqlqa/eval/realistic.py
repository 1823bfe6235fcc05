"""The realistic question set over the bundled corporate graph (``eval/data/``).

``corporate-realistic.yml`` is a TEXT2SPARQL questions file with three extra fields per
question: ``group`` (its feature group, for the mix), ``tags`` (features of its gold query) and
``split`` (``dev`` or ``test``). ``corporate-realistic.answers.json`` holds each gold query's
answer as the TEXT2SPARQL scoring sees it. This module reads both, derives the tags a query
shows, and computes the answers on the embedded corporate graph; ``bench/split_realistic.py``,
``bench/record_realistic_answers.py`` and the tests use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from sparqlqa.bundled import CORPORATE_FILES
from sparqlqa.kg.guard import blank_out
from sparqlqa.kg.results import oxigraph_result, values

DATA = Path(__file__).parent / "data"
QUESTIONS = DATA / "corporate-realistic.yml"
ANSWERS = DATA / "corporate-realistic.answers.json"

#: The feature groups and the least share of the set each must have.
GROUP_SHARES: dict[str, float] = {
    "lookup": 0.35,  # one constraint
    "join": 0.20,  # two or three constraints with literal values
    "aggregate": 0.15,  # GROUP BY, HAVING, ORDER BY an aggregate, top-N, OFFSET, AVG/SUM/...
    "columns": 0.10,  # several answer columns with OPTIONAL
    "negation": 0.10,  # NOT EXISTS / MINUS and yes/no questions
    "derived": 0.10,  # arithmetic over numeric properties
}
SPLITS = ("dev", "test")
LANGUAGES = ("en", "de", "es")
#: A tag judged by hand (the question asks for an order), not read off the query.
ORDER_TAG = "RESULT_ORDER_MATTERS"
#: Every feature tag, in the order the README's table lists them.
TAGS = (
    "SELECT", "ASK", "COUNT", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "FILTER",
    "OPTIONAL", "EXISTS", "BIND", "AVG", "SUM", "MIN", "MAX", "SUBSELECT", ORDER_TAG,
)  # fmt: skip
README = DATA / "README.md"

_PATTERNS: dict[str, str] = {
    "COUNT": r"\bCOUNT\s*\(",
    "AVG": r"\bAVG\s*\(",
    "SUM": r"\bSUM\s*\(",
    "MIN": r"\bMIN\s*\(",
    "MAX": r"\bMAX\s*\(",
    "GROUP": r"\bGROUP\s+BY\b",
    "HAVING": r"\bHAVING\b",
    "ORDER": r"\bORDER\s+BY\b",
    "LIMIT": r"\bLIMIT\b",
    "OFFSET": r"\bOFFSET\b",
    # FILTER with an expression; FILTER (NOT) EXISTS counts as EXISTS only
    "FILTER": r"\bFILTER\b(?!\s*(?:NOT\s+)?EXISTS\b)",
    "OPTIONAL": r"\bOPTIONAL\b",
    "EXISTS": r"\bEXISTS\b|\bMINUS\b",
    "BIND": r"\bBIND\s*\(",
    "SUBSELECT": r"\{\s*SELECT\b",
}


def query_tags(sparql: str) -> tuple[str, ...]:
    """The feature tags ``sparql`` shows (query form first), read off its text."""
    bare = blank_out(sparql).upper()
    form = "ASK" if re.search(r"\bASK\b", bare) else "SELECT"
    return (form, *(tag for tag, pattern in _PATTERNS.items() if re.search(pattern, bare)))


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    """The question records of the YAML, as written (with ``group``, ``tags``, ``split``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = data["questions"]
    assert isinstance(questions, list)
    return questions


def corporate_store() -> ox.Store:
    """The bundled corporate graph in an in-memory store (well under a second)."""
    store = ox.Store()
    for path in CORPORATE_FILES:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def gold_answer(store: ox.Store, sparql: str, ordered: bool) -> list[str]:
    """The answer the TEXT2SPARQL scoring sees: the values of all bindings (``["true"]`` or
    ``["false"]`` for ASK), as a sorted set, or in result order when ``ordered``."""
    found = values(oxigraph_result(store.query(sparql)))
    return found if ordered else sorted(set(found))


def record_answers(questions: list[dict[str, Any]], store: ox.Store) -> dict[str, list[str]]:
    """Question id → gold answer, for every question."""
    return {
        str(q["id"]): gold_answer(store, q["query"]["sparql"], ORDER_TAG in q.get("tags", ()))
        for q in questions
    }


def load_answers(path: Path = ANSWERS) -> dict[str, list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, Mapping)
    return {str(k): list(v) for k, v in data.items()}


def dump_answers(answers: Mapping[str, list[str]]) -> str:
    return json.dumps(answers, ensure_ascii=False, indent=1) + "\n"


def count_tables(questions: list[dict[str, Any]]) -> str:
    """Markdown tables of the questions per group, per tag and per language, by split (the
    README shows them; ``bench/record_realistic_answers.py --tables`` prints them)."""

    def row(name: str, keep: Any, share: bool = False) -> str:
        counts = [sum(1 for q in questions if q["split"] == s and keep(q)) for s in SPLITS]
        cells = [name, *map(str, counts), str(sum(counts))]
        if share:
            cells.append(f"{100 * sum(counts) / len(questions):.1f} %")
        return "| " + " | ".join(cells) + " |"

    lines = ["| group | dev | test | all | share |", "| --- | ---: | ---: | ---: | ---: |"]
    lines += [row(g, lambda q, g=g: q["group"] == g, share=True) for g in GROUP_SHARES]
    lines += [row("**all**", lambda q: True, share=True), ""]
    lines += ["| tag | dev | test | all |", "| --- | ---: | ---: | ---: |"]
    lines += [row(t, lambda q, t=t: t in q["tags"]) for t in TAGS]
    lines += ["", "| language | dev | test | all |", "| --- | ---: | ---: | ---: |"]
    lines += [row(lang, lambda q, lang=lang: bool(q["question"].get(lang))) for lang in LANGUAGES]
    return "\n".join(lines) + "\n"
