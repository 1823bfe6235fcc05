"""Composed templates against a store: sample query graphs and operators (``compose``,
``operators``), phrase them (``verbalise``), find slot bindings in the data, and hand them
to the instantiator as ordinary ``Template`` objects.

Each composed template carries its candidates as a ``VALUES`` generator: bindings drawn
from the data (so the query has answers), with, for ASK, as many bindings in which one slot
is swapped for another value it takes elsewhere (mostly false), and, for negated
constraints, slot values from the slot's pool. The instantiator then executes every filled
query, records the answers and drops empty or oversized ones, as for any template.

Candidate and pool queries run in a time-limited worker (a random composition can be
costly), which costs a round trip each; ``CandidateQueries`` spares the ones whose outcome
is known without it: a query asked before (draws repeat pools and candidate queries) and one
that does not parse (the worker would refuse it the same way).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

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
    queries: CandidateQueries | None = None,
) -> list[Template]:
    """Up to ``config.templates`` composed templates, the same for the same seed and data.
    ``queries`` runs the candidate and pool queries (default: ``CandidateQueries`` over
    ``store`` with ``config.timeout_s``)."""
    config = config or ComposeConfig()
    view = SchemaView(schema, label_properties)
    table = dict(prefixes)
    names: dict[str, str] = {}

    def name(iri: str) -> str:  # memoised: rendering asks for the same few IRIs again and again
        found = names.get(iri)
        if found is None:
            found = names[iri] = prefixed(iri, table)
        return found

    queries = queries or CandidateQueries(store, prefixes, config.timeout_s)
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
        rows = _bindings(queries, rendered, op, rng, config)
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
    queries: CandidateQueries,
    rendered: Rendered,
    op: Operator,
    rng: random.Random,
    config: ComposeConfig,
) -> list[dict[str, Term]] | None:
    """Slot bindings for one composed query ([] when it has no slots), None when the data
    has none."""
    if not rendered.candidates:
        return []
    found = queries.rows(f"{rendered.candidates} LIMIT {config.candidates}")
    slots = [v.lstrip("?") for v in re.findall(r"\?\w+", rendered.candidates.split(" WHERE ")[0])]
    found = [r for r in found if all(s in r for s in slots if s not in rendered.pools or s in r)]
    if not found:
        return None
    want = config.per_template * 5
    rows = rng.sample(found, min(want, len(found)))
    pools: dict[str, list[Term]] = {}

    def pool(slot: str) -> list[Term]:
        if slot not in pools:
            pools[slot] = queries.column(f"{rendered.pools[slot]} LIMIT {config.candidates}", slot)
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


@dataclass
class CandidateQueries:
    """Rows of candidate and pool queries against ``store``, each run at most once per
    composition (the same seed asks the same queries, so memoising changes nothing).

    A query that does not parse gets no rows without a trip to the time-limited worker:
    it is parsed here first, on an empty in-memory store (parsing and planning only: a
    SELECT on an empty store is evaluated lazily, i.e. not at all). That is safe in-process
    because these queries are ours (rendered from the schema, a bounded nesting depth), not
    untrusted text, and it gives the answer the worker would (the same engine's parser).
    """

    store: Store
    prefixes: Mapping[str, str]
    timeout_s: float | None
    _parser: ox.Store = field(default_factory=ox.Store, init=False, repr=False)
    _rows: dict[str, list[dict[str, Term]]] = field(default_factory=dict, init=False, repr=False)

    def rows(self, query: str) -> list[dict[str, Term]]:
        """The query's rows; none when it does not parse or is too slow (its template is
        then not made). Callers must not change the rows: they are shared."""
        found = self._rows.get(query)
        if found is None:
            found = self._rows[query] = self._run(declare_prefixes(query, self.prefixes))
        return found

    def column(self, query: str, slot: str) -> list[Term]:
        """The values ``slot`` takes in the query's rows."""
        return [r[slot] for r in self.rows(query) if slot in r]

    def _run(self, text: str) -> list[dict[str, Term]]:
        try:
            self._parser.query(text)
        except SyntaxError:
            return []
        try:
            result = self.store.query(text, timeout_s=self.timeout_s)
        except (QuerySyntaxError, QueryTimeout):
            return []
        rows: list[dict[str, Term]] = result.get("results", {}).get("bindings", [])
        return rows
