"""What a composed query does with its pattern: list, count, ASK, top-N, aggregates,
GROUP BY/HAVING, OPTIONAL projections, arithmetic BIND; sampled and written as SPARQL.

``render`` writes three queries for one graph and operator: the query itself (slots as
``<A>`` placeholders, filled by the instantiator), the *candidate* query that binds the
slots from the data (``?A`` ...; number filters bind their threshold from a real value), and
one *pool* query per slot (values that slot may take, for ASK's false cases and for the
slots of negated constraints).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sparqlqa.templates.compose import Constraint, Graph, Numeric, SchemaView, Step, Writer

Name = Callable[[str], str]
OPERATORS = ("list", "count", "ask", "top", "aggregate", "group", "optional", "bind")
#: Letter of the threshold slot of HAVING and of a filtered BIND.
THRESHOLD = "N"


@dataclass(frozen=True)
class Operator:
    """kind: one of ``OPERATORS``. ``numeric``: the number ranked or aggregated;
    ``fn``: COUNT/AVG/SUM/MIN/MAX; ``key``: the group key (a step, or a string property);
    ``having``/``best``: HAVING threshold, or the best group only; ``limit``/``offset``;
    ``props``: OPTIONAL projections; ``arith``: ``*``, ``/``, ``-`` of ``props``;
    ``form`` (bind): ``value`` of one entity, ``top`` or ``filter``; ``desc``: order."""

    kind: str
    numeric: Numeric | None = None
    fn: str = "COUNT"
    key: Step | str | None = None
    having: bool = False
    best: bool = False
    limit: int = 1
    offset: int = 0
    desc: bool = True
    props: tuple[str, ...] = ()
    arith: str = "*"
    form: str = "top"
    show_value: bool = False


@dataclass(frozen=True)
class Rendered:
    query: str
    candidates: str  # SELECT DISTINCT over the slots (may be empty when there are none)
    pools: dict[str, str]  # slot → SELECT DISTINCT ?<slot> ...
    numbers: tuple[str, ...]  # slots holding numbers


def sample_operator(view: SchemaView, graph: Graph, rng: random.Random) -> Operator | None:
    """An operator that fits ``graph`` (None when the drawn one does not)."""
    kind = rng.choices(OPERATORS, weights=[3, 2, 2, 3, 2, 3, 2, 2])[0]
    nums = view.numerics(graph.focus)
    if kind in ("list", "count"):
        return Operator(kind)
    if kind == "ask":
        if not any(c.slot for c in graph.constraints):  # always true: nothing to ask
            return None
        if rng.random() < 0.3 and graph.constraints:
            graph.focus_slot = "Z"
        return Operator("ask")
    if kind == "top" and nums:
        limit = rng.choice([1, 1, 1, 3, 5])
        offset = rng.choice([0, 0, 1, 2]) if limit == 1 else rng.choice([0, limit])
        return Operator(
            "top",
            numeric=rng.choice(nums),
            limit=limit,
            offset=offset,
            desc=rng.random() < 0.6,
            show_value=rng.random() < 0.3,
        )
    if kind == "aggregate" and nums:
        return Operator(
            "aggregate", numeric=rng.choice(nums), fn=rng.choice(["AVG", "SUM", "MIN", "MAX"])
        )
    if kind == "group":
        keys: list[Step | str] = [
            s for s in view.steps(graph.focus) if s.target not in view.value_nodes
        ]
        keys += [p.iri for p in view.strings(graph.focus)]
        if not keys:
            return None
        key = rng.choice(keys)
        fn = "COUNT" if not nums or rng.random() < 0.5 else rng.choice(["AVG", "SUM", "MIN", "MAX"])
        having = rng.random() < 0.4
        return Operator(
            "group",
            numeric=rng.choice(nums) if fn != "COUNT" else None,
            fn=fn,
            key=key,
            having=having,
            best=not having and rng.random() < 0.3,
        )
    if kind == "optional":
        props = [p.iri for p in view.datatype(graph.focus) if not p.numeric or rng.random() < 0.5]
        props += [
            s.prop
            for s in view.steps(graph.focus)
            if s.forward and s.target not in view.value_nodes
        ]
        props = list(dict.fromkeys(props))
        if not props:
            return None
        return Operator(
            "optional", props=tuple(rng.sample(props, min(len(props), rng.choice([1, 2, 2]))))
        )
    if kind == "bind":
        direct = [p.iri for p in view.numbers(graph.focus)]
        if len(direct) < 2:
            return None
        a, b = rng.sample(direct, 2)
        form = rng.choice(["value", "top", "filter"])
        if form == "value":
            graph.focus_slot = "Z"
        return Operator(
            "bind",
            props=(a, b),
            arith=rng.choice(["*", "/", "-"]),
            form=form,
            desc=rng.random() < 0.6,
        )
    return None


def render(graph: Graph, op: Operator, name: Name, *, distinct_types: bool = True) -> Rendered:
    """The query, candidate query and pools of ``graph`` under ``op``."""
    focus = f"<{graph.focus_slot}>" if graph.focus_slot else "?x"
    w = Writer(name)
    lines = w.pattern(graph, focus)
    g = Writer(name, generator=True)
    gen_focus = f"?{graph.focus_slot}" if graph.focus_slot else "?x"
    gen_lines = g.pattern(graph, gen_focus)
    numbers = tuple(c.slot for c in graph.constraints if c.kind == "number" and c.slot)
    slots = ([graph.focus_slot] if graph.focus_slot else []) + [
        c.slot for c in graph.constraints if c.slot
    ]
    body = " ".join(lines)
    gen_body = " ".join(gen_lines)
    extra_gen = ""
    k = op.kind
    if k == "list":
        query = f"SELECT DISTINCT ?x WHERE {{ {body} }}"
    elif k == "count":
        query = f"SELECT (COUNT(DISTINCT ?x) AS ?count) WHERE {{ {body} }}"
    elif k == "ask":
        query = f"ASK {{ {body} }}"
    elif k == "top" and op.numeric:
        triples, v = _numeric(w, focus, op.numeric)
        order = f"{'DESC' if op.desc else 'ASC'}({v})"
        project = f"?x {v}" if op.show_value else "?x"
        tail = f" LIMIT {op.limit}" + (f" OFFSET {op.offset}" if op.offset else "")
        query = f"SELECT {project} WHERE {{ {body} {triples} }} ORDER BY {order}{tail}"
    elif k == "aggregate" and op.numeric:
        triples, v = _numeric(w, focus, op.numeric)
        query = f"SELECT ({op.fn}({v}) AS ?value) WHERE {{ {body} {triples} }}"
    elif k == "group":
        key_triple = _key(name, op.key, "?x", "?g")
        value_triples, v = ("", "?x") if op.numeric is None else _numeric(w, "?x", op.numeric)
        agg = f"{op.fn}(DISTINCT ?x)" if op.fn == "COUNT" else f"{op.fn}({v})"
        where = f"{{ {body} {key_triple} {value_triples} }}"
        if op.having:
            query = f"SELECT ?g WHERE {where} GROUP BY ?g HAVING({agg} > <{THRESHOLD}>)"
            gv, gvt = ("?x", "") if op.numeric is None else _numeric(g, "?x", op.numeric)[::-1]
            gagg = "COUNT(DISTINCT ?x)" if op.fn == "COUNT" else f"FLOOR({op.fn}({gv}))"
            inner = " ".join(f"?{s}" for s in slots)
            extra_gen = (
                f"SELECT DISTINCT {inner} ?{THRESHOLD} WHERE {{ SELECT {inner} ?g "
                f"({gagg} AS ?{THRESHOLD}) WHERE {{ {gen_body} {_key(name, op.key, '?x', '?g')} "
                f"{gvt} }} GROUP BY {inner} ?g }}"
            )
            numbers += (THRESHOLD,)
        elif op.best:
            query = f"SELECT ?g WHERE {where} GROUP BY ?g ORDER BY DESC({agg}) LIMIT 1"
        else:
            query = f"SELECT ?g ({agg} AS ?value) WHERE {where} GROUP BY ?g"
    elif k == "optional":
        columns = " ".join(["?x", *(f"?o{i}" for i in range(len(op.props)))])
        optional = " ".join(
            f"OPTIONAL {{ ?x {name(prop)} ?o{i} }}" for i, prop in enumerate(op.props)
        )
        query = f"SELECT DISTINCT {columns} WHERE {{ {body} {optional} }}"
    elif k == "bind":
        a, b = op.props
        expr = f"(?a {op.arith} ?b)"
        guard = " FILTER(?b != 0)" if op.arith == "/" else ""
        bind = f"{focus} {name(a)} ?a . {focus} {name(b)} ?b .{guard} BIND({expr} AS ?c)"
        if op.form == "value":
            query = f"SELECT ?c WHERE {{ {body} {bind} }}"
        elif op.form == "top":
            order = "DESC" if op.desc else "ASC"
            query = f"SELECT ?x WHERE {{ {body} {bind} }} ORDER BY {order}(?c) LIMIT 1"
        else:
            query = f"SELECT DISTINCT ?x WHERE {{ {body} {bind} FILTER(?c > <{THRESHOLD}>) }}"
            gbind = f"{gen_focus} {name(a)} ?a . {gen_focus} {name(b)} ?b .{guard}"
            gen_body += f" {gbind} BIND(FLOOR({expr}) AS ?{THRESHOLD})"
            slots = [*slots, THRESHOLD]
            numbers += (THRESHOLD,)
    else:
        raise ValueError(f"operator {k!r} does not fit")
    candidates = extra_gen or (
        f"SELECT DISTINCT {' '.join(f'?{s}' for s in slots)} WHERE {{ {gen_body} }}"
        if slots
        else ""
    )
    pools = {c.slot: _pool(name, graph, c) for c in graph.constraints if c.slot}
    if graph.focus_slot:
        z = f"?{graph.focus_slot}"
        pools[graph.focus_slot] = f"SELECT DISTINCT {z} WHERE {{ {z} a {name(graph.focus)} }}"
    return Rendered(" ".join(query.split()), " ".join(candidates.split()), pools, numbers)


def _numeric(w: Writer, focus: str, numeric: Numeric) -> tuple[str, str]:
    triples, node = w.path(focus, numeric.path)
    v = w.var("v")
    return " ".join([*triples, f"{node} {w.name(numeric.prop)} {v} ."]), v


def _key(name: Name, key: Step | str | None, focus: str, var: str) -> str:
    if isinstance(key, Step):
        return (
            f"{focus} {name(key.prop)} {var} ."
            if key.forward
            else f"{var} {name(key.prop)} {focus} ."
        )
    return f"{focus} {name(key or '')} {var} ."


def _pool(name: Name, graph: Graph, c: Constraint) -> str:
    """Values the slot of ``c`` takes for some instance of the focus class."""
    w = Writer(name)
    slot = f"?{c.slot}"
    if c.kind in ("entity", "absent"):
        triples, _ = w.path("?x", c.path, slot)
    else:
        triples, node = w.path("?x", c.path)
        triples.append(f"{node} {name(c.prop or '')} {slot} .")
    body = " ".join([f"?x a {name(graph.focus)} .", *triples])
    return f"SELECT DISTINCT {slot} WHERE {{ {body} }}"
