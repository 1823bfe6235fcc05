"""Composed templates against a store: sample query graphs and operators (``compose``,
``operators``), phrase them (``verbalise``), find slot bindings in the data, and hand them
to the instantiator as ordinary ``Template`` objects.

Each composed template carries its candidates as a ``VALUES`` generator: bindings drawn
from the data (so the query has answers), with, for ASK, as many bindings in which one slot
is swapped for another value it takes elsewhere (mostly false), and, for negated
constraints, slot values from the slot's pool. The instantiator then executes every filled
query, records the answers and drops empty or oversized ones, as for any template.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sparqlqa.errors import QuerySyntaxError, QueryTimeout, TemplateError
from sparqlqa.kg.results import sparql_term
from sparqlqa.kg.store import Store, Term
from sparqlqa.ontology.prompt import prefixed
from sparqlqa.ontology.schema import Schema
from sparqlqa.templates.compose import Graph, SchemaView, sample_graph
from sparqlqa.templates.fill import check_template, declare_prefixes
from sparqlqa.templates.languages import pick_language, verbaliser
from sparqlqa.templates.model import SourceRef, Template
from sparqlqa.templates.operators import Operator, Rendered, render, sample_operator

TAG = "composed"


@dataclass(frozen=True)
class ComposeConfig:
    """How many composed templates to make and how many bindings each carries."""

    templates: int = 1000  # composed templates wanted
    per_template: int = 3  # pairs the instantiator makes of each (its per_template)
    candidates: int = 400  # candidate rows read per template
    phrasings: int = 6  # question phrasings per template
    attempts: int = 8  # draws per wanted template at most
    timeout_s: float | None = 2.0  # per candidate query (None: in-process, no limit)
    #: Share of templates phrased in each language (``languages.parse_languages``).
    languages: tuple[tuple[str, float], ...] = (("en", 1.0),)


def shape_of(graph: Graph, op: Operator) -> str:
    """The closest of the template shapes (``model.SHAPES``), for per-shape evaluation."""
    if op.kind == "ask":
        return "ask"
    if op.kind == "count":
        return "count"
    if op.kind in ("top", "aggregate") or (op.kind == "bind" and op.form == "top"):
        return "superlative" if op.kind == "top" or op.fn in ("MIN", "MAX") else "other"
    if (op.kind == "bind" and op.form == "filter") or any(
        c.kind in ("number", "compare") for c in graph.constraints
    ):
        return "comparison" if op.kind == "list" else "other"
    if any(c.kind == "absent" for c in graph.constraints):
        return "negation" if op.kind == "list" else "other"
    if op.kind == "list" and any(len(c.path) > 1 for c in graph.constraints):
        return "two_hop"
    if op.kind == "list" and graph.constraints:
        return "reverse_lookup"
    return "list" if op.kind in ("list", "optional") else "other"


def composed_templates(
    store: Store,
    schema: Schema,
    prefixes: Mapping[str, str],
    *,
    seed: int = 0,
    config: ComposeConfig | None = None,
    label_properties: Iterable[str] = (),
) -> list[Template]:
    """Up to ``config.templates`` composed templates, the same for the same seed and data."""
    config = config or ComposeConfig()
    view = SchemaView(schema, label_properties)
    table = dict(prefixes)

    def name(iri: str) -> str:
        return prefixed(iri, table)

    out: list[Template] = []
    seen: set[str] = set()
    for attempt in range(config.templates * config.attempts):
        if len(out) >= config.templates:
            break
        rng = random.Random(f"{seed}\x00compose\x00{attempt}")
        graph = sample_graph(view, rng)
        if graph is None:
            break
        op = sample_operator(view, graph, rng)
        if op is None:
            continue
        if op.kind == "bind" and op.form == "value":
            graph.constraints = []
        rendered = render(graph, op, name)
        if rendered.query in seen:
            continue
        seen.add(rendered.query)
        rows = _bindings(store, rendered, op, prefixes, rng, config)
        if rows is None:
            continue
        # Its own draw, so the queries are the same whatever the languages' shares.
        language = pick_language(
            dict(config.languages), random.Random(f"{seed}\x00language\x00{attempt}")
        )
        questions = verbaliser(language, view, rng).questions(
            graph, op, config.phrasings if rows else 2
        )
        digest = hashlib.sha1(rendered.query.encode()).hexdigest()[:10]
        template = Template(
            id=f"compose-{attempt:05d}-{digest}" + ("" if language == "en" else f"-{language}"),
            questions=questions,
            query=rendered.query,
            source=SourceRef(f"compose#seed{seed}-{attempt}"),
            shape=shape_of(graph, op),
            answer_type="boolean" if op.kind == "ask" else None,
            generator=_values_query(rows) if rows else None,
            tags=[TAG, op.kind],
            prefixes=dict(prefixes),
            value_slots=list(rendered.numbers),
            language=language,
        )
        try:
            check_template(template)
        except TemplateError:
            continue
        out.append(template)
    return out


def _bindings(
    store: Store,
    rendered: Rendered,
    op: Operator,
    prefixes: Mapping[str, str],
    rng: random.Random,
    config: ComposeConfig,
) -> list[dict[str, Term]] | None:
    """Slot bindings for one composed query ([] when it has no slots), None when the data
    has none."""
    if not rendered.candidates:
        return []
    found = _select(store, f"{rendered.candidates} LIMIT {config.candidates}", prefixes, config)
    slots = [v.lstrip("?") for v in re.findall(r"\?\w+", rendered.candidates.split(" WHERE ")[0])]
    found = [r for r in found if all(s in r for s in slots if s not in rendered.pools or s in r)]
    if not found:
        return None
    want = config.per_template * 5
    rows = rng.sample(found, min(want, len(found)))
    pools: dict[str, list[Term]] = {}

    def pool(slot: str) -> list[Term]:
        if slot not in pools:
            pools[slot] = _column(store, rendered.pools[slot], slot, prefixes, config)
        return pools[slot]

    filled: list[dict[str, Term]] = []
    for row in rows:
        row = dict(row)
        for slot in rendered.pools:
            if slot not in row:  # the slot of a negated constraint
                options = pool(slot)
                if not options:
                    return None
                row[slot] = rng.choice(options)
        filled.append(row)
    if op.kind == "ask":
        swappable = [s for s in rendered.pools if pool(s)]
        for row in filled[: len(filled) // 2]:
            if swappable:
                slot = rng.choice(swappable)
                row[slot] = rng.choice(pools[slot])
    return filled


def _values_query(rows: list[dict[str, Term]]) -> str:
    slots = sorted({s for row in rows for s in row})
    lines = []
    for row in rows:
        if any(s not in row or row[s]["type"] == "bnode" for s in slots):
            continue
        lines.append("(" + " ".join(sparql_term(row[s]) for s in slots) + ")")
    head = " ".join(f"?{s}" for s in slots)
    return f"SELECT {head} WHERE {{ VALUES ({head}) {{ {' '.join(lines)} }} }}"


def _column(
    store: Store, query: str, slot: str, prefixes: Mapping[str, str], config: ComposeConfig
) -> list[Term]:
    rows = _select(store, f"{query} LIMIT {config.candidates}", prefixes, config)
    return [r[slot] for r in rows if slot in r]


def _select(
    store: Store, query: str, prefixes: Mapping[str, str], config: ComposeConfig
) -> list[dict[str, Term]]:
    """Rows of a candidate query; none when it is too slow (its template is not made)."""
    try:
        result = store.query(declare_prefixes(query, prefixes), timeout_s=config.timeout_s)
    except (QuerySyntaxError, QueryTimeout):
        return []
    rows: list[dict[str, Term]] = result.get("results", {}).get("bindings", [])
    return rows
