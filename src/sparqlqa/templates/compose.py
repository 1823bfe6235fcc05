"""Query graphs composed from a schema: the SPARQL side of compositional generation.

A composed query has a *focus* variable ``?x`` (the answer, or what is counted, grouped,
ranked) of one class, and *constraints* on it, each reached by a path of one or two object
properties in either direction (whose domains and ranges connect): an entity slot at the end
(``<A>``), a value entity (a string the data holds, ``?n p <B>``), a numeric filter
(``FILTER(?v > <N>)``), negation (``FILTER NOT EXISTS`` / ``MINUS``, also over a chain) or a
comparison of two numeric properties (``?w > ?h``). An *operator* then makes the query:
a list, a count, ASK, top-N with ``LIMIT``/``OFFSET``, an aggregate (``AVG``, ``SUM``,
``MIN``, ``MAX``), ``GROUP BY`` with ``HAVING``, several projected variables with
``OPTIONAL``, arithmetic ``BIND``.

Everything comes from the schema (classes with instances, properties with their domains,
ranges, kinds and usage); nothing names a particular graph. English is in ``verbalise``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from sparqlqa.ontology.link import ID_LOCAL_NAMES, NAME_LOCAL_NAMES
from sparqlqa.ontology.schema import Schema, SchemaProperty, local_name

_META = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2003/01/geo/wgs84_pos#",
)


@dataclass(frozen=True)
class Step:
    """One hop from a node: ``node prop other`` (forward) or ``other prop node``."""

    prop: str
    forward: bool
    target: str  # the class of the node reached


@dataclass(frozen=True)
class Numeric:
    """A number of the focus: a numeric property, directly or through a value node
    (``?x price ?p . ?p amount ?v``)."""

    path: tuple[Step, ...]
    prop: str


@dataclass(frozen=True)
class Constraint:
    """One condition on the focus, at the end of ``path`` (see the module docstring).

    kind: ``entity`` (slot at the end), ``value`` (``prop`` holds the value slot),
    ``number`` (``prop`` compared with ``op`` to the NUM slot), ``absent`` (negation of the
    path, ending in a slot when ``slot`` is set; ``minus`` picks MINUS), ``compare``
    (``prop`` ``op`` ``other``, two numbers of the node).
    """

    kind: str
    path: tuple[Step, ...]
    slot: str | None = None
    prop: str | None = None
    op: str = ">"
    other: str | None = None
    minus: bool = False


@dataclass
class Graph:
    """A focus class with constraints: the pattern every operator works on."""

    focus: str
    constraints: list[Constraint] = field(default_factory=list)
    #: The focus itself is an entity slot (``ASK { <A> ... }``, ``SELECT ?c { <A> ... }``).
    focus_slot: str | None = None


class SchemaView:
    """The parts of a schema composition uses, computed once."""

    def __init__(self, schema: Schema, label_properties: Iterable[str] = ()) -> None:
        self.schema = schema
        skip_props = set(label_properties)
        self.classes = sorted(
            c.iri
            for c in schema.classes.values()
            if c.instances > 0 and not c.iri.startswith(_META)
        )
        self.props = [
            p
            for p in schema.properties.values()
            if p.usage > 0
            and p.domain
            and p.iri not in skip_props
            and not p.iri.startswith(_META)
            and local_name(p.iri) not in NAME_LOCAL_NAMES | ID_LOCAL_NAMES
        ]
        self.prop = {p.iri: p for p in self.props}
        self._steps: dict[str, tuple[Step, ...]] = {}
        self._datatype: dict[str, tuple[SchemaProperty, ...]] = {}
        self._focus: tuple[str, ...] | None = None
        self._domains = {p.iri: self.expand(p.domain) for p in self.props}
        self._ranges = {
            p.iri: self.expand(p.range) if p.kind == "object" else [] for p in self.props
        }
        #: Classes whose instances are value nodes (one per use: prices, BOM lines).
        self.value_nodes = {
            c
            for p in self.props
            if p.kind == "object" and self._one_per_use(p)
            for c in self._ranges[p.iri]
        }

    def _one_per_use(self, prop: SchemaProperty) -> bool:
        count = sum(
            self.schema.classes[r].instances for r in prop.range if r in self.schema.classes
        )
        return bool(count) and count == prop.usage

    def expand(self, iris: Iterable[str]) -> list[str]:
        """Classes with instances standing for ``iris``: themselves, else their subclasses."""
        out: list[str] = []
        for iri in iris:
            out += [c for c in self.classes if c in self.schema.descendants(iri)]
        return list(dict.fromkeys(out))

    def steps(self, cls: str) -> list[Step]:
        """Object-property hops from an instance of ``cls``, both directions."""
        # Memoised (composition asks for the same few classes' hops hundreds of thousands
        # of times); a copy, so a caller that extends the list leaves the memo as it was.
        found = self._steps.get(cls)
        if found is None:
            found = self._steps[cls] = tuple(self._hops(cls))
        return list(found)

    def _hops(self, cls: str) -> list[Step]:
        out = [
            Step(p.iri, True, t)
            for p in self.props
            if p.kind == "object" and cls in self._domains[p.iri]
            for t in self._ranges[p.iri]
        ]
        out += [
            Step(p.iri, False, d)
            for p in self.props
            if p.kind == "object" and cls in self._ranges[p.iri]
            for d in self._domains[p.iri]
        ]
        return out

    def datatype(self, cls: str) -> list[SchemaProperty]:
        """Datatype properties of ``cls`` (memoised like ``steps``)."""
        found = self._datatype.get(cls)
        if found is None:
            found = self._datatype[cls] = tuple(
                p for p in self.props if p.kind == "datatype" and cls in self._domains[p.iri]
            )
        return list(found)

    def numbers(self, cls: str) -> list[SchemaProperty]:
        return [p for p in self.datatype(cls) if p.numeric]

    def strings(self, cls: str) -> list[SchemaProperty]:
        """String properties whose values questions name (cities, countries, codes)."""
        return [
            p
            for p in self.datatype(cls)
            if not p.numeric
            and not p.temporal
            and (not p.range or any(r.endswith(("#string", "#langString")) for r in p.range))
        ]

    def numerics(self, cls: str) -> list[Numeric]:
        """The numbers of an instance of ``cls``: its own, and those of its value nodes."""
        out = [Numeric((), p.iri) for p in self.numbers(cls)]
        for step in self.steps(cls):
            if step.forward and step.target in self.value_nodes:
                out += [Numeric((step,), p.iri) for p in self.numbers(step.target)]
        return out

    def focus_classes(self) -> list[str]:
        """Classes questions ask about: with instances, not value nodes, with properties."""
        if self._focus is None:
            self._focus = tuple(
                c
                for c in self.classes
                if c not in self.value_nodes and (self.steps(c) or self.datatype(c))
            )
        return list(self._focus)


# --- SPARQL ---------------------------------------------------------------------------


class Writer:
    """Writes constraints as triple patterns with fresh variables."""

    def __init__(self, name: Callable[[str], str], *, generator: bool = False) -> None:
        self.name = name
        self.count = 0
        #: Writing the candidate query: slots become variables, number filters bind them.
        self.generator = generator

    def var(self, stem: str = "n") -> str:
        self.count += 1
        return f"?{stem}{self.count}"

    def path(
        self, start: str, path: Sequence[Step], end: str | None = None
    ) -> tuple[list[str], str]:
        """Triples for ``path`` from ``start``; the last node is ``end`` when given."""
        triples: list[str] = []
        node = start
        for i, step in enumerate(path):
            nxt = end if end is not None and i == len(path) - 1 else self.var()
            s, o = (node, nxt) if step.forward else (nxt, node)
            triples.append(f"{s} {self.name(step.prop)} {o} .")
            node = nxt
        return triples, node

    def constraint(self, focus: str, c: Constraint) -> tuple[list[str], list[str]]:
        """(triples, filters) for one constraint on ``focus``."""
        # The query names a slot as <A> (filled later); the candidate query, which finds the
        # bindings that answer, must leave it a variable (?A), or the engine refuses the
        # relative IRI and the composition never becomes a template.
        slot = f"?{c.slot}" if self.generator else f"<{c.slot}>"
        if c.kind == "entity":
            triples, _ = self.path(focus, c.path, slot)
            return triples, []
        if c.kind == "value":
            triples, node = self.path(focus, c.path)
            return [*triples, f"{node} {self.name(c.prop or '')} {slot} ."], []
        if c.kind == "number":
            triples, node = self.path(focus, c.path)
            v = self.var("v")
            test = f"BIND({v} AS ?{c.slot})" if self.generator else f"FILTER({v} {c.op} <{c.slot}>)"
            return [*triples, f"{node} {self.name(c.prop or '')} {v} ."], [test]
        if c.kind == "compare":
            a, b = self.var("v"), self.var("v")
            return [
                f"{focus} {self.name(c.prop or '')} {a} .",
                f"{focus} {self.name(c.other or '')} {b} .",
            ], [f"FILTER({a} {c.op} {b})"]
        if c.kind == "absent":
            if self.generator:  # its slot comes from a pool (see ``pool_query``)
                return [], []
            end = f"<{c.slot}>" if c.slot else None
            inner, _ = self.path(focus, c.path, end)
            body = " ".join(inner)
            return [], [f"MINUS {{ {body} }}" if c.minus else f"FILTER NOT EXISTS {{ {body} }}"]
        raise ValueError(f"unknown constraint kind {c.kind!r}")

    def pattern(self, graph: Graph, focus: str = "?x", typed: bool = True) -> list[str]:
        """The graph pattern of ``graph`` as lines: type, triples, then filters."""
        lines = [f"{focus} a {self.name(graph.focus)} ."] if typed else []
        filters: list[str] = []
        for c in graph.constraints:
            triples, more = self.constraint(focus, c)
            lines += triples
            filters += more
        return lines + filters


def sample_graph(view: SchemaView, rng: random.Random, *, max_constraints: int = 3) -> Graph | None:
    """A random focus class with 0..``max_constraints`` constraints (1–4 triple patterns
    around the focus). None when the class offers nothing to constrain."""
    focus_classes = view.focus_classes()
    if not focus_classes:
        return None
    focus = rng.choice(focus_classes)
    graph = Graph(focus)
    names = iter(["A", "B", "C", "D"])
    wanted = rng.choices([0, 1, 2, 3], weights=[1, 5, 4, 2])[0]
    wanted = min(wanted, max_constraints)
    used: set[str] = set()
    for _ in range(wanted * 3):
        if len(graph.constraints) >= wanted:
            break
        c = _constraint(view, focus, rng, names, used)
        if c is not None:
            graph.constraints.append(c)
    return graph


def _constraint(
    view: SchemaView, focus: str, rng: random.Random, names: Iterator[str], used: set[str]
) -> Constraint | None:
    kinds = ["entity", "value", "number", "absent", "compare"]
    kind = rng.choices(kinds, weights=[5, 3, 3, 2, 1])[0]
    path = _path(
        view, focus, rng, rng.choice([0, 1, 1, 2]) if kind != "entity" else rng.choice([1, 1, 1, 2])
    )
    if path is None:
        return None
    end = path[-1].target if path else focus
    key = "|".join(s.prop for s in path)
    first = f"first:{path[0].prop}" if path else ""
    if kind == "absent" and first in used:  # "with a supplier ... and without a supplier"
        return None
    if first:
        if f"absent:{path[0].prop}" in used:
            return None
        used.add(first)
    if kind == "entity":
        if end in view.value_nodes or key in used:
            return None
        used.add(key)
        return Constraint("entity", path, slot=_next(names))
    if kind == "value":
        props = [p for p in view.strings(end) if p.iri not in used]
        if not props:
            return None
        prop = rng.choice(props).iri
        used.add(prop)
        return Constraint("value", path, slot=_next(names), prop=prop)
    if kind == "number":
        props = [p for p in view.numbers(end) if p.iri not in used]
        if not props or (path and end not in view.value_nodes and len(path) > 1):
            return None
        prop = rng.choice(props).iri
        used.add(prop)
        return Constraint("number", path, slot=_next(names), prop=prop, op=rng.choice(["<", ">"]))
    if kind == "compare":
        props = view.numbers(focus)
        if len(props) < 2:
            return None
        a, b = rng.sample(props, 2)
        return Constraint("compare", (), prop=a.iri, other=b.iri, op=rng.choice(["<", ">"]))
    # absent: the focus lacks a path (optionally one that ends in an entity)
    if not path or key in used:
        return None
    used.add(key)
    used.add(f"absent:{path[0].prop}")
    if len(path) > 1 and end in view.value_nodes:
        path, end = path[:1], path[0].target
    # A negated chain ends in an entity ("without a supplier in <B>"); one hop may not.
    ends_in_entity = end not in view.value_nodes and (len(path) > 1 or rng.random() < 0.4)
    return Constraint(
        "absent",
        path,
        slot=_next(names) if ends_in_entity else None,
        minus=ends_in_entity and rng.random() < 0.5,
    )


def _next(names: Iterator[str]) -> str:
    return next(names)


def _path(view: SchemaView, start: str, rng: random.Random, length: int) -> tuple[Step, ...] | None:
    path: list[Step] = []
    node = start
    for _ in range(length):
        options = [s for s in view.steps(node) if not (path and s.prop == path[-1].prop)]
        if path:
            options = [s for s in options if s.target not in view.value_nodes]
        if not options:
            return None if not path else tuple(path)
        step = rng.choice(options)
        path.append(step)
        node = step.target
    return tuple(path)
