"""How often the terms of a schema are used: the popularity prior of schema retrieval.

An ontology such as DBpedia's declares thousands of properties, most of them rarely used;
questions mostly ask about the common ones (``dbo:country``, ``dbo:location``). Two sources:

- the data, where a schema is read from a store (``SchemaProperty.usage``, triples using it;
  ``SchemaClass.instances``, resources typed with it), only when asked (``from_data``): on
  the corporate graph it lowered the hand-made questions' recall@10 from 0.953 to 0.895;
- a query log or template set (``mentions``: how many of its queries use the term), for a
  schema read from ontology files. It must be independent of what retrieval is measured on
  (never the test questions' own gold queries).

:func:`prior_scores` turns either into one score in [0, 1] per term: ``log(1 + n)`` over the
largest; the mentions win when any term has one.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sparqlqa.errors import ConfigError
from sparqlqa.ontology.prompt import query_terms
from sparqlqa.ontology.schema import Schema, SchemaClass, SchemaProperty

#: Keys that hold a SPARQL query in the JSON records read by :func:`read_queries`.
QUERY_KEYS = ("query", "sparql_query", "sparql", "sparql_dbpedia18")


def read_queries(path: Path) -> list[str]:
    """The SPARQL queries of a file: JSONL or a JSON list of records (a ``query``,
    ``sparql_query`` or ``sparql`` field), QALD-JSON (``questions[].query.sparql``), an NSpM
    template CSV (``;``-separated, the query template in the fifth field), or plain text
    (one query per line)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".csv":
        out = []
        for row in csv.reader(text.splitlines(), delimiter=";"):
            if len(row) >= 6:
                # a ';' inside a query splits it: the last two fields are generator and id
                out.append(";".join(row[4:-2]) if len(row) > 7 else row[4])
        return out
    if path.suffix in (".json", ".jsonl"):
        try:
            records: Any = (
                [json.loads(line) for line in text.splitlines() if line.strip()]
                if path.suffix == ".jsonl"
                else json.loads(text)
            )
        except json.JSONDecodeError as err:
            raise ConfigError(f"{path}: not valid JSON ({err})") from err
        if isinstance(records, dict):
            records = records.get("questions", [])
        return [q for r in records if isinstance(r, dict) and (q := _query_of(r))]
    return [line for line in text.splitlines() if line.strip()]


def _query_of(record: Mapping[str, Any]) -> str:
    for key in QUERY_KEYS:
        value = record.get(key)
        if isinstance(value, dict):  # QALD: {"query": {"sparql": ...}}
            value = value.get("sparql")
        if isinstance(value, str) and value.strip():
            return value
    return ""


def count_mentions(
    queries: Iterable[str], schema: Schema, prefixes: Mapping[str, str] | None = None
) -> Counter[str]:
    """Per term IRI of ``schema``, how many of ``queries`` use it (once per query)."""
    counts: Counter[str] = Counter()
    for query in queries:
        counts.update(set(query_terms(query, schema, prefixes)))
    return counts


def set_mentions(schema: Schema, counts: Mapping[str, int]) -> int:
    """Store ``counts`` as the ``mentions`` of the schema's terms (others: 0); returns how
    many terms are mentioned at least once."""
    for term in _terms(schema):
        term.mentions = int(counts.get(term.iri, 0))
    return sum(1 for t in _terms(schema) if t.mentions)


def prior_scores(
    terms: Sequence[SchemaClass | SchemaProperty], *, from_data: bool = False
) -> np.ndarray:
    """One popularity score in [0, 1] per term: log(1 + mentions) over the largest when any
    term is mentioned, else (with ``from_data``) the same of the data counts (triples,
    instances); all zeros when neither is known."""
    counts = np.array([t.mentions for t in terms], dtype=np.float64)
    if not counts.any() and from_data:
        counts = np.array(
            [t.usage if isinstance(t, SchemaProperty) else t.instances for t in terms],
            dtype=np.float64,
        )
    scaled = np.log1p(counts)
    top = scaled.max() if len(scaled) else 0.0
    return scaled / top if top > 0 else scaled


def _terms(schema: Schema) -> list[SchemaClass | SchemaProperty]:
    return [*schema.classes.values(), *schema.properties.values()]
