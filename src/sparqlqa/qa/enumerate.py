"""Candidate queries enumerated as small query graphs around the linked entities.

The staged query-graph search of knowledge-base QA systems (STAGG and its successors), as a
:class:`~sparqlqa.qa.proposals.Proposer`: from each linked entity (a resource, a literal
value, a class) the answer node ``?x`` is placed one or two hops away, through the
predicates that actually leave or reach the entity in the graph; the graphs are then
constrained by a class (``?x a C``), intersected (two entities constraining one answer
node), and wrapped in the form the question expects (a list, ``COUNT``, ``ASK``) or, for a
superlative, ordered by a numeric property of the answer node.

The predicates around an entity come from a few bounded queries of our own (``LIMIT``,
trusted, cached per entity); nothing else is executed here: the proposals are whole SPARQL
queries that the pipeline runs through the guard. Each proposal's ``prior`` is a cheap
score of how well the labels of its predicates and classes match the question (their words,
and their rank among the retrieved schema terms) and how many of the question's entities it
uses. Nothing here knows any particular graph: predicates come from the store, labels,
domains, ranges and numeric ranges from the schema.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from sparqlqa.errors import SparqlqaError
from sparqlqa.kg.results import is_literal_term
from sparqlqa.kg.store import RDF, XSD, Store
from sparqlqa.ontology.gloss import gloss
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.ontology.prompt import PromptValue
from sparqlqa.ontology.schema import Schema, local_name, words_of
from sparqlqa.ontology.words import stem, tokens
from sparqlqa.qa.answer_type import (
    aggregate,
    asks_all_tied,
    asks_amount,
    comparison,
    derived,
    expected_answer_type,
    full_order,
    implied_words,
    negated,
    ordinal_offset,
    per_group,
    property_comparison,
    superlative,
    superlative_head,
    top_count,
)
from sparqlqa.qa.proposals import Proposal
from sparqlqa.qa.value_nodes import SAMPLE, value_property

ORIGIN = "enumerated"
Span = tuple[int, int]  # a mention's start and end in the question
TYPE = RDF + "type"
#: What :meth:`EnumeratingProposer._ends` gives for the literal end of a datatype property.
_LITERAL_END = frozenset({""})
_PREFIXED_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
#: A prefixed name's prefix in a query we wrote (not inside an IRI or after a word).
_PREFIX_USE = re.compile(r"(?<![\w<\"/.\-])([A-Za-z][\w\-]*):")


@dataclass(frozen=True)
class Neighbourhood:
    """The predicates around one node of the graph, as the discovery queries found them."""

    out: tuple[str, ...] = ()  # node p ?o
    inward: tuple[str, ...] = ()  # ?s p node
    out_out: tuple[tuple[str, str], ...] = ()  # node p ?m . ?m q ?o
    in_in: tuple[tuple[str, str], ...] = ()  # ?m p node . ?s q ?m
    in_out: tuple[tuple[str, str], ...] = ()  # ?m p node . ?m q ?o


@dataclass(frozen=True)
class Constraint:
    """Triple patterns that tie the answer node ``?x`` to one entity (``{m}`` stands for the
    intermediate variable, named when the constraint joins a graph)."""

    patterns: tuple[str, ...]
    predicates: tuple[str, ...]
    span: tuple[int, int]  # the question span of the entity it starts from
    last: str  # the predicate that reaches ?x
    x_is_object: bool  # whether ?x is the object of ``last``


@dataclass
class QueryGraph:
    """A body of triple patterns over ``?x`` and the terms it uses."""

    patterns: list[str]
    predicates: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    spans: set[tuple[int, int]] = field(default_factory=set)
    last: str | None = None  # the predicate that reaches ?x, if one does
    x_is_object: bool = False  # whether ?x is the object of ``last``
    # The classes ?x may be in by its constraints' domains and ranges ("" for a literal);
    # None where none says.
    x_types: frozenset[str] | None = None


class EnumeratingProposer:
    """Whole candidate queries enumerated around the linked entities (see the module).

    ``max_proposals`` bounds the answer; ``max_entities`` the entities enumerated from;
    ``discovery_limit`` each discovery query's rows; ``cache_size`` the entities whose
    neighbourhood is remembered; ``discovery_timeout_s`` the time of one discovery query
    (None: the store's default; an embedded store then runs it in-process)."""

    def __init__(
        self,
        store: Store,
        schema: Schema,
        prefixes: Mapping[str, str],
        *,
        max_proposals: int = 30,
        max_entities: int = 4,
        max_classes: int = 3,
        per_entity: int = 12,
        discovery_limit: int = 50,
        cache_size: int = 4096,
        discovery_timeout_s: float | None = None,
    ) -> None:
        self.store = store
        self.schema = schema
        # Longest namespace first, so that the most specific prefix names a term.
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self._namespaces = dict(prefixes)
        self._terms: dict[str, str] = {}
        self.max_proposals = max_proposals
        self.max_entities = max_entities
        self.max_classes = max_classes
        self.per_entity = per_entity
        self.discovery_limit = discovery_limit
        self.discovery_timeout_s = discovery_timeout_s
        self._cache: OrderedDict[str, Neighbourhood] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._words: dict[str, frozenset[str]] = {}
        self._descendants: dict[str, frozenset[str]] = {}
        self._used_by: dict[str, frozenset[str]] = {}  # predicate -> its subjects' classes
        self._value_numbers: dict[str, str | None] = {}  # predicate -> its value nodes' number
        self._numbers_as_text: dict[str, bool] = {}  # predicate -> numbers written as strings
        # Paths from a node to a number (_numeric_paths): the schema's, found once.
        self._paths_to_numbers: list[tuple[str, ...]] | None = None
        # Whether the schema knows instance counts: then a class with none is left out.
        self._counted = any(c.instances for c in schema.classes.values())

    # --- the proposer ---------------------------------------------------------------------

    def propose(
        self,
        question: str,
        entities: Sequence[LinkedEntity],
        values: Sequence[PromptValue],
        schema_iris: Sequence[str],
        language: str,
    ) -> list[Proposal]:
        """At most ``max_proposals`` whole queries, best prior first; an empty list when the
        question names nothing to enumerate from. Never raises for a failed discovery (that
        entity contributes nothing)."""
        # The schema's labels are English: a German or Spanish question's words are matched
        # against them in its English gloss (ontology.gloss), as the ranker reads it too.
        glossed = gloss(question, language, [(e.start, e.end, e.label) for e in entities])
        words = content_words(glossed)
        # "costs more than 3 EUR" is about the price, "in charge of" about a manager.
        scorer = _Scorer(words + implied_words(words), schema_iris, self)
        chosen = sorted(entities, key=lambda e: -e.score)[: self.max_entities]
        spans = {(e.start, e.end) for e in chosen}
        classes = self._classes(chosen, schema_iris, scorer)
        constraints: list[Constraint] = []
        for entity in chosen:
            if entity.iri in self.schema.classes:
                continue  # a class constrains the answer node; it is not an anchor
            found = self._constraints(entity, self.neighbourhood(self._node(entity.iri)))
            # Every one-hop constraint (the discovery bounds them), the best two-hop ones.
            constraints += [c for c in found if len(c.predicates) == 1]
            longer = [c for c in found if len(c.predicates) > 1]
            longer.sort(key=lambda c: -scorer.terms(c.predicates))
            constraints += longer[: self.per_entity]
        graphs = self._graphs(constraints, classes, schema_iris, scorer)
        expected = expected_answer_type(question, language)
        scored: dict[str, float] = {}

        def add(query: str, prior: float) -> None:
            scored[query] = max(scored.get(query, 0.0), round(min(max(prior, 0.0), 1.0), 4))

        measures = property_comparison(question)
        # "más profundos que anchos" compares two measures: no superlative.
        direction = superlative(question) if measures is None else None
        compared = comparison(question)
        negative = negated(question)
        grouped = expected == "number" and per_group(question)
        function = aggregate(question)
        arithmetic = derived(question)
        whole_order = full_order(question) if expected == "any" else None
        # A superlative question asks for an order, a comparison with a number for a filter,
        # a negation for an absence, "each" for a count per group: a query without one is
        # less likely.
        plain = 1.0 if direction is None else _UNORDERED_FACTOR
        plain *= 1.0 if compared is None else _UNFILTERED_FACTOR
        plain *= _UNNEGATED_FACTOR if negative else 1.0
        plain *= _UNGROUPED_FACTOR if grouped else 1.0
        # "How many ... in total" may count or sum: only a question that asks for no count
        # makes a query without the average or the sum less likely.
        plain *= _UNAGGREGATED_FACTOR if function is not None and expected != "number" else 1.0
        plain *= _UNDERIVED_FACTOR if arithmetic is not None else 1.0
        plain *= _UNSORTED_FACTOR if whole_order is not None else 1.0
        columns = (
            self._columns(question, graphs, schema_iris, scorer, len(spans))
            if expected == "any"
            else []
        )
        plain *= _UNCOLUMNED_FACTOR if columns else 1.0
        amount = asks_amount(question)
        for graph in graphs:
            prior = scorer.graph(graph, len(spans)) * plain
            for query, weight in self._forms(graph, expected, amount):
                add(query, prior * weight)
        extra: list[tuple[str, float]] = []
        if compared is not None:
            extra += self._filtered(graphs, scorer, compared, expected, len(spans))
            extra += self._having(schema_iris, scorer, compared, expected, len(spans))
        if negative:
            extra += self._negated(graphs, schema_iris, classes, scorer, expected, len(spans))
        if grouped:
            extra += self._per_group(schema_iris, classes, scorer, len(spans))
        if function is not None:
            each = per_group(question)
            extra += self._aggregated(graphs, schema_iris, scorer, function, each, len(spans))
        if whole_order is not None:
            extra += self._sorted(graphs, scorer, whole_order, len(spans))
        extra += columns
        if arithmetic is not None and expected != "boolean":
            extra += self._derived(chosen, scorer, arithmetic, len(spans))
        if measures is not None:
            extra += self._measures_compared(graphs, scorer, measures, expected, len(spans))
        for query, prior in extra:
            add(query, prior)
        if expected == "boolean":
            for query, prior in self._edges(chosen, scorer, len(spans)):
                add(query, prior)
            for query, prior in self._has(chosen, schema_iris, scorer, len(spans)):
                add(query, prior)
        if direction is not None:
            for query, prior in self._ordered(
                graphs,
                schema_iris,
                scorer,
                direction,
                expected,
                len(spans),
                top_count(question) or 1,
                ordinal_offset(question) or 0,
                head=stem(head) if (head := superlative_head(glossed)) else None,
                tied=asks_all_tied(question),
            ):
                add(query, prior)
        best = sorted(scored.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
        return [Proposal(q, ORIGIN, p) for q, p in best[: self.max_proposals]]

    # --- discovery --------------------------------------------------------------------------

    def neighbourhood(self, node: str) -> Neighbourhood:
        """The predicates around ``node`` (an IRI in angle brackets or a literal in SPARQL
        syntax), from bounded queries of our own; cached."""
        with self._lock:
            if node in self._cache:
                self._cache.move_to_end(node)
                return self._cache[node]
        try:
            found = self._discover(node)
        except (SparqlqaError, TypeError, ValueError):
            return Neighbourhood()  # not remembered: the next question tries again
        with self._lock:
            self._cache[node] = found
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return found

    def _discover(self, node: str) -> Neighbourhood:
        n = self.discovery_limit
        not_type = f"FILTER(?q != <{TYPE}>)"
        inward = self._column(f"SELECT DISTINCT ?p WHERE {{ ?s ?p {node} }} LIMIT {n}")
        in_in = self._pairs(f"SELECT DISTINCT ?p ?q WHERE {{ ?m ?p {node} . ?s ?q ?m }} LIMIT {n}")
        in_out = self._pairs(
            f"SELECT DISTINCT ?p ?q WHERE {{ ?m ?p {node} . ?m ?q ?o {not_type} }} LIMIT {n}"
        )
        if is_literal_term(node):
            return Neighbourhood(inward=inward, in_in=in_in, in_out=in_out)
        out = self._column(f"SELECT DISTINCT ?p WHERE {{ {node} ?p ?o }} LIMIT {n}")
        out_out = self._pairs(
            f"SELECT DISTINCT ?p ?q WHERE {{ {node} ?p ?m FILTER(isIRI(?m)) ?m ?q ?o {not_type} }}"
            f" LIMIT {n}"
        )
        # rdf:type leads to the class: its members are "things of the same kind", not asked.
        out_out = tuple((p, q) for p, q in out_out if p != TYPE)
        return Neighbourhood(out, inward, out_out, in_in, in_out)

    def _select(self, sparql: str) -> list[dict[str, dict[str, str]]]:
        # Our own query, bounded by LIMIT: trusted, so it does not go through the guard.
        if self.discovery_timeout_s is None:
            return self.store.select(sparql)
        return self.store.select(sparql, timeout_s=self.discovery_timeout_s)

    def _column(self, sparql: str) -> tuple[str, ...]:
        rows = self._select(sparql)
        return tuple(r["p"]["value"] for r in rows if r.get("p", {}).get("type") == "uri")

    def _pairs(self, sparql: str) -> tuple[tuple[str, str], ...]:
        rows = self._select(sparql)
        return tuple(
            (r["p"]["value"], r["q"]["value"])
            for r in rows
            if r.get("p", {}).get("type") == "uri" and r.get("q", {}).get("type") == "uri"
        )

    # --- query graphs -----------------------------------------------------------------------

    def _constraints(self, entity: LinkedEntity, around: Neighbourhood) -> list[Constraint]:
        node = self._node(entity.iri)
        span = (entity.start, entity.end)
        t = self._term
        out: list[Constraint] = []
        # rdf:type reaches a class, which the class constraints cover; a two-hop path that
        # goes out and back through one predicate reaches the entity's siblings.
        around = Neighbourhood(
            tuple(p for p in around.out if p != TYPE),
            tuple(p for p in around.inward if p != TYPE),
            around.out_out,
            around.in_in,
            tuple((p, q) for p, q in around.in_out if p != q),
        )
        for p in around.out:
            out.append(Constraint((f"{node} {t(p)} ?x",), (p,), span, p, True))
        for p in around.inward:
            out.append(Constraint((f"?x {t(p)} {node}",), (p,), span, p, False))
        for p, q in around.out_out:
            patterns = (f"{node} {t(p)} {{m}}", f"{{m}} {t(q)} ?x")
            out.append(Constraint(patterns, (p, q), span, q, True))
        for p, q in around.in_in:
            patterns = (f"{{m}} {t(p)} {node}", f"?x {t(q)} {{m}}")
            out.append(Constraint(patterns, (p, q), span, q, False))
        for p, q in around.in_out:
            patterns = (f"{{m}} {t(p)} {node}", f"{{m}} {t(q)} ?x")
            out.append(Constraint(patterns, (p, q), span, q, True))
        return out

    def _classes(
        self, entities: Sequence[LinkedEntity], schema_iris: Sequence[str], scorer: _Scorer
    ) -> list[str]:
        """The classes the answer node may be constrained to: linked, then those whose
        every label word the question has (or implies: "in charge" a manager), then
        retrieved."""
        found = [e.iri for e in entities if e.iri in self.schema.classes]
        found += [c for c in self.schema.classes if scorer.lexical(c) == 1.0]
        found += [i for i in schema_iris if i in self.schema.classes]
        usable = [
            c for c in dict.fromkeys(found) if not self._counted or self.schema.classes[c].instances
        ]
        return usable[: self.max_classes]

    def _fits(self, cls: str, predicate: str, x_is_object: bool) -> bool:
        """Whether ``cls`` can be the answer node's class at that end of ``predicate`` (an
        undeclared domain or range fits anything)."""
        prop = self.schema.properties.get(predicate)
        if prop is None:
            return not x_is_object  # the object of an unknown property may be a literal
        ends = prop.range if x_is_object else prop.domain
        if x_is_object and prop.kind == "datatype":
            return False  # a literal has no class
        if not ends:
            return True
        return any(cls in self._below(end) for end in ends)

    def _ends(self, predicate: str, x_is_object: bool) -> frozenset[str] | None:
        """The classes (and their subclasses) a node at that end of ``predicate`` may be in,
        ``{""}`` for a literal; None where the schema does not say."""
        prop = self.schema.properties.get(predicate)
        if prop is None:
            return None
        if x_is_object and prop.kind == "datatype":
            return _LITERAL_END
        ends = prop.range if x_is_object else prop.domain
        if not ends or (x_is_object and prop.kind != "object"):
            return None
        return frozenset(c for end in ends for c in self._below(end))

    def _may_have(self, graph: QueryGraph, predicate: str) -> bool:
        """Whether the answer node of ``graph`` may be the subject of ``predicate``: its
        classes are among those the data shows using it, or fit the domain, and it is no
        literal. (Declared domains are often narrower than the use: ``name`` declared for
        products, used for people; only the classes the graph names are held against
        them.)"""
        classes = self._x_classes(graph)
        # What the data shows first: a service has a name, whatever the declared domain.
        if classes and set(classes) <= self._subject_classes(predicate):
            return True
        if not all(self._fits(c, predicate, False) for c in classes):
            return False
        types = graph.x_types
        if types is None and graph.last is not None:
            types = self._ends(graph.last, graph.x_is_object)
        if types == _LITERAL_END:
            return False
        # What the graph shows: a price node has no weight, a department no email, whatever
        # the (often missing) declared domains say.
        used = self._subject_classes(predicate)
        return not (types and used and not types & used)

    def _subject_classes(self, predicate: str) -> frozenset[str]:
        """The classes of the subjects of ``predicate`` in the graph (at most
        ``discovery_limit``; empty when its subjects have none or the query fails: then
        nothing is held against it), remembered."""
        found = self._used_by.get(predicate)
        if found is None:
            # One bounded query per property asked about, not ontology.classes_using: that
            # groups every triple of the graph, which a remote endpoint may not afford.
            sparql = (
                f"SELECT DISTINCT ?p WHERE {{ ?s <{predicate}> ?o . ?s <{TYPE}> ?p }} "
                f"LIMIT {self.discovery_limit}"
            )
            try:
                found = frozenset(self._column(sparql))
            except (SparqlqaError, TypeError, ValueError):
                return frozenset()  # not remembered: the next question tries again
            self._used_by[predicate] = found
        return found

    def _below(self, cls: str) -> frozenset[str]:
        """``cls`` and its subclasses, remembered (the schema walks them afresh)."""
        if cls not in self._descendants:
            self._descendants[cls] = frozenset(self.schema.descendants(cls))
        return self._descendants[cls]

    def _graphs(
        self,
        constraints: Sequence[Constraint],
        classes: Sequence[str],
        schema_iris: Sequence[str],
        scorer: _Scorer,
    ) -> list[QueryGraph]:
        graphs: list[QueryGraph] = []
        for c in constraints:
            graphs.append(_join([c]))
            for cls in classes:
                if self._fits(cls, c.last, c.x_is_object):
                    graphs.append(_with_class(_join([c]), cls, self._term))
        # Intersections: two entities at different spans constrain one answer node.
        by_span: dict[tuple[int, int], list[Constraint]] = {}
        for c in constraints:
            by_span.setdefault(c.span, []).append(c)
        pair_width = max(2, self.per_entity // 2)

        def for_pairs(c: Constraint) -> tuple[bool, int, float]:
            # Two entities meet at a resource: constraints that end at a literal (an id, a
            # latitude) rarely meet another's, and must not crowd out those that may; then
            # the shorter and the better matched.
            ends_at_literal = self._ends(c.last, c.x_is_object) == _LITERAL_END
            return (ends_at_literal, len(c.predicates), -scorer.terms(c.predicates))

        for span in by_span:
            by_span[span].sort(key=for_pairs)  # stable: discovery order among equals
        for a, b in combinations(sorted(by_span), 2):
            if not (a[1] <= b[0] or b[1] <= a[0]):
                continue  # one name read twice (a resource and a value): not two entities
            for ca in by_span[a][:pair_width]:
                for cb in by_span[b][:pair_width]:
                    types = _meet(
                        self._ends(ca.last, ca.x_is_object), self._ends(cb.last, cb.x_is_object)
                    )
                    if types is not None and not types:
                        continue  # a product and a price: no node is both
                    graph = _join([ca, cb])
                    graph.x_types = types
                    graphs.append(graph)
        # A class alone ("which bills of materials do we have"), and an attribute of its
        # members through a retrieved property ("the cities our suppliers are in").
        t = self._term
        for cls in classes:
            graphs.append(QueryGraph([f"?x a {t(cls)}"], classes=[cls]))
            for iri in schema_iris:
                if iri in self.schema.properties and self._fits(cls, iri, False):
                    graphs.append(
                        QueryGraph(
                            [f"?m a {t(cls)}", f"?m {t(iri)} ?x"],
                            predicates=[iri],
                            classes=[cls],
                            last=iri,
                            x_is_object=True,
                        )
                    )
        return graphs

    def _forms(
        self, graph: QueryGraph, expected: str, amount: bool = False
    ) -> list[tuple[str, float]]:
        """The whole queries of one graph for the expected answer type, with a weight;
        ``amount``: the question asks for a quantity ("how much"), not a count."""
        body = " . ".join(graph.patterns)
        header = self._header(body)
        listing = f"{header}SELECT DISTINCT ?x WHERE {{ {body} }}"
        if expected == "boolean":
            # "Does Karen Brant work in Procurement": two entities; "does Manfred Foth have a
            # phone number": one property of one entity.
            if len(graph.spans) >= 2 or (len(graph.patterns) == 1 and graph.spans):
                return [(f"{header}ASK {{ {body} }}", 1.0)]
            return []
        if expected == "number":
            prop = self.schema.properties.get(graph.last or "")
            count = 0.9 if amount else 1.0
            if amount and prop is not None and not prop.numeric and prop.range:
                # "How much does X cost?": a count of its price nodes is no quantity; the
                # amount lies one hop further, in a graph of one more pattern.
                count = _AMOUNT_COUNT_FACTOR
            forms = [(f"{header}SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {body} }}", count)]
            if prop is None or prop.numeric or not prop.range:
                # "how much does X cost": the value itself
                forms.append((listing, 1.0 if amount else 0.9))
            return forms
        return [(listing, 1.0)]

    def _edges(
        self, entities: Sequence[LinkedEntity], scorer: _Scorer, spans: int
    ) -> list[tuple[str, float]]:
        """``ASK { A p B }`` for two entities joined by a predicate both ends know."""
        out: list[tuple[str, float]] = []
        for a in entities:
            if is_literal_term(a.iri) or a.iri in self.schema.classes:
                continue
            around = self.neighbourhood(self._node(a.iri))
            for b in entities:
                if b is a or not (a.end <= b.start or b.end <= a.start):
                    continue
                reach = set(self.neighbourhood(self._node(b.iri)).inward)
                for p in around.out:
                    if p in reach:
                        body = f"{self._node(a.iri)} {self._term(p)} {self._node(b.iri)}"
                        graph = QueryGraph([body], [p], spans={(a.start, a.end), (b.start, b.end)})
                        out.append(
                            (f"{self._header(body)}ASK {{ {body} }}", scorer.graph(graph, spans))
                        )
        return out

    def _has(
        self,
        entities: Sequence[LinkedEntity],
        schema_iris: Sequence[str],
        scorer: _Scorer,
        spans: int,
    ) -> list[tuple[str, float]]:
        """``ASK { E p ?x }`` through the retrieved properties that E's class may have:
        "does Manfred Foth have a phone number" is false exactly when E has no such triple,
        which the discovery of E's predicates cannot show."""
        out: list[tuple[str, float]] = []
        for e in entities:
            if is_literal_term(e.iri) or e.iri in self.schema.classes:
                continue
            for iri in schema_iris:
                prop = self.schema.properties.get(iri)
                if prop is None or (
                    e.class_iri and prop.domain and not self._fits(e.class_iri, iri, False)
                ):
                    continue
                body = f"{self._node(e.iri)} {self._term(iri)} ?x"
                graph = QueryGraph([body], [iri], spans={(e.start, e.end)})
                out.append((f"{self._header(body)}ASK {{ {body} }}", scorer.graph(graph, spans)))
        return out

    def _ordered(
        self,
        graphs: Sequence[QueryGraph],
        schema_iris: Sequence[str],
        scorer: _Scorer,
        direction: str,
        expected: str,
        spans: int,
        limit: int = 1,
        offset: int = 0,
        head: str | None = None,
        tied: bool = False,
    ) -> list[tuple[str, float]]:
        """Superlatives: the answer node ordered by a numeric property reachable from it
        (one hop, or two through an object property), and the node most (least) often at
        one end of a retrieved object property; the first ``limit`` rows after ``offset``
        ("the 3 heaviest", "the second cheapest"), else also the MAX/MIN value itself and
        every node at it (ties). ``head``: the stemmed word the superlative qualifies; when
        the path's terms name it ("the highest *price*"), the value is what is asked.
        ``tied``: the question asks for all at the top ("the most expensive ones")."""
        order = "DESC" if direction == "most" else "ASC"
        best = "MAX" if direction == "most" else "MIN"
        window = (f" OFFSET {offset}" if offset else "") + f" LIMIT {limit}"
        single = limit == 1 and not offset
        t = self._term
        out: list[tuple[str, float]] = []
        # "the most employees" counts things of a class; "the highest price" orders a value.
        heads = [c for c in self.schema.classes if head is not None and head in self.words(c)]
        counted = bool(heads)
        for graph, path in self._orderable(graphs, scorer, spans):
            patterns = [*graph.patterns, *self._to_number(path)]
            body = " . ".join(patterns)
            header = self._header(body)
            # Sized as the base graph: the path to the number is what the question's
            # superlative asks for, not a guess added to it.
            ordered = QueryGraph(
                graph.patterns, [*graph.predicates, *path], graph.classes, graph.spans
            )
            prior = scorer.graph(ordered, spans)
            named = head is not None and any(head in self.words(p) for p in path)
            if counted and not named:
                prior *= _COUNTED_FACTOR
            out.append(
                (
                    f"{header}SELECT ?x WHERE {{ {body} }} ORDER BY {order}(?v){window}",
                    prior * (_VALUE_ASKED_FACTOR if named else 1.0),
                )
            )
            if single:
                weight = 1.0 if expected == "number" else 0.9
                out.append(
                    (
                        f"{header}SELECT ({best}(?v) AS ?value) WHERE {{ {body} }}",
                        prior * (1.1 if named and expected != "number" else weight),
                    )
                )
                top = f"{{ SELECT ({best}(?v_) AS ?top) WHERE {{ {_renamed(body)} }} }}"
                out.append(
                    (
                        f"{header}SELECT DISTINCT ?x WHERE {{ {body} {top} FILTER(?v = ?top) }}",
                        prior * (1.05 if tied else 0.9) * (_VALUE_ASKED_FACTOR if named else 1.0),
                    )
                )
        for iri in schema_iris:
            prop = self.schema.properties.get(iri)
            if prop is None or prop.kind != "object":
                continue
            for pattern, y_is_object in ((f"?y {t(iri)} ?x", False), (f"?x {t(iri)} ?y", True)):
                header = self._header(pattern)
                graph = QueryGraph([pattern], [iri])
                # "the most employees": the things counted are of the class named.
                weight = 0.9
                if counted:
                    fits = any(self._fits(c, iri, y_is_object) for c in heads)
                    weight = 1.05 if fits else 0.8
                out.append(
                    (
                        f"{header}SELECT ?x WHERE {{ {pattern} }} GROUP BY ?x "
                        f"ORDER BY {order}(COUNT(DISTINCT ?y)){window}",
                        scorer.graph(graph, spans) * weight,
                    )
                )
        return out

    def _orderable(
        self, graphs: Sequence[QueryGraph], scorer: _Scorer, spans: int
    ) -> list[tuple[QueryGraph, tuple[str, ...]]]:
        """The base graphs an order is put on (at most 6 of two patterns or fewer that
        answer with a resource, best first), each with the numeric paths (at most 3, best
        matching first) its answer node may have: a price node has no price of its own."""
        bases = [g for g in graphs if len(g.patterns) <= 2 and self._resource_answer(g)]
        bases.sort(key=lambda g: -scorer.graph(g, spans))
        numeric = self._numeric_paths(scorer)
        return [
            (graph, path)
            for graph in bases[:6]
            for path in [p for p in numeric if self._may_have(graph, p[0])][:3]
        ]

    def _to_number(self, path: Sequence[str]) -> list[str]:
        """``?x``'s patterns to the number at the end of ``path`` as ``?v`` (cast where the
        graph writes that number as a string: :meth:`_as_text`)."""
        return _path_patterns(path, self._term, self._as_text(path))

    def _sorted(
        self, graphs: Sequence[QueryGraph], scorer: _Scorer, order: str, spans: int
    ) -> list[tuple[str, float]]:
        """ "List our services from the cheapest to the most expensive": the answer node
        with every row, ordered by a numeric property it may have (best matching first)."""
        out: list[tuple[str, float]] = []
        for graph, path in self._orderable(graphs, scorer, spans):
            body = " . ".join([*graph.patterns, *self._to_number(path)])
            ordered = QueryGraph(
                graph.patterns, [*graph.predicates, *path], graph.classes, graph.spans
            )
            out.append(
                (
                    f"{self._header(body)}SELECT ?x WHERE {{ {body} }} ORDER BY {order}(?v)",
                    scorer.graph(ordered, spans),
                )
            )
        return out

    def _bases(
        self,
        graphs: Sequence[QueryGraph],
        scorer: _Scorer,
        spans: int,
        size: int,
        count: int = 0,
    ) -> list[QueryGraph]:
        """The best-scored graphs whose answer node may be a resource and that have at most
        ``size`` triple patterns: what a filter, a negation or extra columns are added to."""
        bases = [g for g in graphs if len(g.patterns) <= size and self._resource_answer(g)]
        bases.sort(key=lambda g: -scorer.graph(g, spans))
        return bases[: count or _BASES]

    def _x_classes(self, graph: QueryGraph) -> list[str]:
        """The classes ``graph`` puts its answer node in (``?x a C``)."""
        t = self._term
        return [c for c in graph.classes if f"?x a {t(c)}" in graph.patterns]

    def _wrap(self, body: str, expected: str, tail: str = "") -> str:
        """``body`` as the whole query the expected answer type asks for: a list (with
        ``tail``, e.g. a GROUP BY), a count, or ASK."""
        header = self._header(body)
        if expected == "boolean":
            return f"{header}ASK {{ {body} }}"
        if expected == "number":
            return f"{header}SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {body} }}"
        return f"{header}SELECT DISTINCT ?x WHERE {{ {body} }}{tail}"

    def _filtered(
        self,
        graphs: Sequence[QueryGraph],
        scorer: _Scorer,
        compared: tuple[str, str],
        expected: str,
        spans: int,
    ) -> list[tuple[str, float]]:
        """ "Transformers that cost over 5": a graph's answer node filtered by a numeric path
        (as superlatives order by one) compared with the question's number."""
        op, number = compared
        out: list[tuple[str, float]] = []
        numeric = self._numeric_paths(scorer)
        for graph in self._bases(graphs, scorer, spans, 3, 2 * _BASES):
            fitting = [p for p in numeric if self._may_have(graph, p[0])]
            # A path through an edge the graph already has ("over 5 EUR": the price node the
            # currency constrains) first.
            fitting.sort(key=lambda p: p[0] not in graph.predicates)
            for path in fitting[:3]:
                body = " . ".join([*graph.patterns, *self._to_number(path)])
                body += f" FILTER(?v {op} {number})"
                # Sized as the base graph: the path is what the comparison asks for.
                filtered = QueryGraph(
                    graph.patterns, [*graph.predicates, *path], graph.classes, graph.spans
                )
                prior = scorer.graph(filtered, spans)
                if path[0] in graph.predicates:
                    prior = min(1.0, prior * _REUSED_EDGE_FACTOR)
                out.append((self._wrap(body, expected), prior))
        return out

    def _having(
        self,
        schema_iris: Sequence[str],
        scorer: _Scorer,
        compared: tuple[str, str],
        expected: str,
        spans: int,
    ) -> list[tuple[str, float]]:
        """ "Managers who look after more than 24 products": the nodes at one end of a
        retrieved object property, grouped, kept where the count at the other end passes
        the question's number (``HAVING``)."""
        op, number = compared
        if expected == "boolean" or "." in number:
            return []
        out: list[tuple[str, float]] = []
        for iri in self._object_properties(schema_iris):
            for pattern in (f"?y {self._term(iri)} ?x", f"?x {self._term(iri)} ?y"):
                query = (
                    f"{self._header(pattern)}SELECT ?x WHERE {{ {pattern} }} GROUP BY ?x "
                    f"HAVING (COUNT(DISTINCT ?y) {op} {number})"
                )
                if expected == "number":
                    query = (
                        f"{self._header(pattern)}SELECT (COUNT(?x) AS ?n) WHERE {{ "
                        f"{{ SELECT ?x WHERE {{ {pattern} }} GROUP BY ?x "
                        f"HAVING (COUNT(DISTINCT ?y) {op} {number}) }} }}"
                    )
                graph = QueryGraph([pattern], [iri])
                out.append((query, scorer.graph(graph, spans) * _GROUPED_WEIGHT))
        return out

    def _object_properties(self, schema_iris: Sequence[str]) -> list[str]:
        """The retrieved object properties, best first, at most ``_GROUPING``."""
        found = [
            i
            for i in schema_iris
            if (p := self.schema.properties.get(i)) is not None and p.kind == "object"
        ]
        return found[:_GROUPING]

    def _negated(
        self,
        graphs: Sequence[QueryGraph],
        schema_iris: Sequence[str],
        classes: Sequence[str],
        scorer: _Scorer,
        expected: str,
        spans: int,
    ) -> list[tuple[str, float]]:
        """ "Who in Marketing has no phone number": a graph's answer node without a
        retrieved property (``FILTER NOT EXISTS { ?x p ?z }``, or ``?z p ?x``), also where
        the node at the other end is of a retrieved class ("not responsible for any
        service")."""
        t = self._term
        out: list[tuple[str, float]] = []
        props = [i for i in schema_iris if i in self.schema.properties][:_NEGATED]
        for graph in self._bases(graphs, scorer, spans, 2):
            on_x = self._x_classes(graph)
            for iri in props:
                if iri in graph.predicates:
                    continue  # the graph requires the very edge whose absence is asked
                prop = self.schema.properties[iri]
                absent: list[tuple[str, list[str]]] = []
                if self._may_have(graph, iri):
                    absent.append((f"?x {t(iri)} ?z", []))
                    if prop.kind == "object":
                        absent += [
                            (f"?x {t(iri)} ?z . ?z a {t(c)}", [c])
                            for c in classes
                            if c not in on_x and self._fits(c, iri, True)
                        ]
                if prop.kind == "object" and all(self._fits(c, iri, True) for c in on_x):
                    absent.append((f"?z {t(iri)} ?x", []))
                for pattern, other in absent:
                    body = " . ".join(graph.patterns) + f" FILTER NOT EXISTS {{ {pattern} }}"
                    negative = QueryGraph(
                        graph.patterns,
                        [*graph.predicates, iri],
                        [*graph.classes, *other],
                        graph.spans,
                    )
                    if expected == "boolean" and not graph.spans:
                        continue  # "is there anyone without...": about a named group
                    out.append((self._wrap(body, expected), scorer.graph(negative, spans)))
        return out

    def _per_group(
        self, schema_iris: Sequence[str], classes: Sequence[str], scorer: _Scorer, spans: int
    ) -> list[tuple[str, float]]:
        """ "How many products is each department responsible for": each node at one end of
        a retrieved object property with the count of nodes at the other end, also with the
        group node in a retrieved class."""
        t = self._term
        out: list[tuple[str, float]] = []
        for iri in self._object_properties(schema_iris):
            for pattern, group_is_object in ((f"?x {t(iri)} ?g", True), (f"?g {t(iri)} ?x", False)):
                options: list[tuple[list[str], list[str]]] = [([pattern], [])]
                options += [
                    ([f"?g a {t(c)}", pattern], [c])
                    for c in classes
                    if self._fits(c, iri, group_is_object)
                ]
                for patterns, cls in options:
                    body = " . ".join(patterns)
                    query = (
                        f"{self._header(body)}SELECT ?g (COUNT(DISTINCT ?x) AS ?n) "
                        f"WHERE {{ {body} }} GROUP BY ?g"
                    )
                    # Sized as the one edge: the class names the groups the question asks for.
                    graph = QueryGraph([pattern], [iri], cls)
                    out.append((query, scorer.graph(graph, spans)))
        return out

    def _aggregated(
        self,
        graphs: Sequence[QueryGraph],
        schema_iris: Sequence[str],
        scorer: _Scorer,
        function: str,
        grouped: bool,
        spans: int,
    ) -> list[tuple[str, float]]:
        """ "The average price of our capacitors", "what do Anna's switches weigh
        altogether": ``function`` (AVG or SUM) over a numeric path of a graph's answer nodes
        (as a comparison filters by one); ``grouped`` ("the average price per category"):
        per node at one end of a retrieved object property of the answer node."""
        t = self._term
        out: list[tuple[str, float]] = []
        numeric = self._numeric_paths(scorer)
        for graph in self._bases(graphs, scorer, spans, 3):
            fitting = [p for p in numeric if self._may_have(graph, p[0])]
            for path in fitting[:3]:
                body = " . ".join([*graph.patterns, *self._to_number(path)])
                # Sized as the base graph: the path is what the aggregate asks for.
                sized = QueryGraph(
                    graph.patterns, [*graph.predicates, *path], graph.classes, graph.spans
                )
                query = f"{self._header(body)}SELECT ({function}(?v) AS ?value) WHERE {{ {body} }}"
                out.append((query, scorer.graph(sized, spans)))
        if not grouped:
            return out
        for iri in self._object_properties(schema_iris):
            for pattern, x_is_object in ((f"?x {t(iri)} ?g", False), (f"?g {t(iri)} ?x", True)):
                ends = self._ends(iri, x_is_object)
                fitting = [
                    p
                    for p in numeric
                    if ends is None or any(self._fits(c, p[0], False) for c in ends)
                ]
                for path in fitting[:2]:
                    body = " . ".join([pattern, *self._to_number(path)])
                    query = (
                        f"{self._header(body)}SELECT ?g ({function}(?v) AS ?value) "
                        f"WHERE {{ {body} }} GROUP BY ?g"
                    )
                    sized = QueryGraph([pattern], [iri, *path])
                    out.append((query, scorer.graph(sized, spans)))
        return out

    def _measures_compared(
        self,
        graphs: Sequence[QueryGraph],
        scorer: _Scorer,
        measures: tuple[str, str, int],
        expected: str,
        spans: int,
    ) -> list[tuple[str, float]]:
        """ "Crystals that are deeper than they are wide": two numeric properties of a
        graph's answer node compared (``FILTER(?a > 2 * ?b)``), each the numeric property
        whose label or name holds the measure's noun (depth, width)."""
        greater, smaller, factor = measures
        t = self._term
        numeric = [p for p in self.schema.properties.values() if p.numeric]

        def named(noun: str) -> list[str]:
            return [p.iri for p in numeric if stem(noun) in self.words(p.iri)]

        out: list[tuple[str, float]] = []
        scale = f"{factor} * " if factor != 1 else ""
        for graph in self._bases(graphs, scorer, spans, 3):
            for a in named(greater):
                for b in named(smaller):
                    if not (self._may_have(graph, a) and self._may_have(graph, b)):
                        continue
                    patterns = [*graph.patterns, f"?x {t(a)} ?a", f"?x {t(b)} ?b"]
                    body = " . ".join(patterns) + f" FILTER(?a > {scale}?b)"
                    # Sized as the base graph: the two measures are what the question asks.
                    sized = QueryGraph(
                        graph.patterns, [*graph.predicates, a, b], graph.classes, graph.spans
                    )
                    out.append((self._wrap(body, expected), scorer.graph(sized, spans)))
        return out

    def _derived(
        self,
        entities: Sequence[LinkedEntity],
        scorer: _Scorer,
        arithmetic: str,
        spans: int,
    ) -> list[tuple[str, float]]:
        """ "How much heavier is A than B": a numeric path both entities have, B's value
        taken from A's (``BIND(?a - ?b AS ?value)``); "the height to width ratio of A" (and
        "how much deeper than wide is A"): two numeric properties of one entity divided (or
        subtracted), both ways round. Paths an entity has are the discovery's."""
        t = self._term
        numeric = self._numeric_paths(scorer)
        op = "-" if arithmetic == "difference" else "/"
        anchors = [
            e for e in entities if not is_literal_term(e.iri) and e.iri not in self.schema.classes
        ]
        anchors.sort(key=lambda e: e.start)  # "A than B": the first mention is the minuend
        out: list[tuple[str, float]] = []

        def query(
            patterns: list[str], predicates: list[str], covered: set[Span], weight: float = 1.0
        ) -> None:
            body = " . ".join(patterns) + f" BIND(?a {op} ?b AS ?value)"
            # Sized as one edge: the second value is what the arithmetic asks for.
            graph = QueryGraph(patterns[:1], predicates, spans=covered)
            out.append(
                (
                    f"{self._header(body)}SELECT ?value WHERE {{ {body} }}",
                    scorer.graph(graph, spans) * weight,
                )
            )

        pairs = [
            (a, b) for i, a in enumerate(anchors) for b in anchors[i + 1 :] if a.end <= b.start
        ]
        for a, b in pairs[:2]:
            around_a = self.neighbourhood(self._node(a.iri))
            around_b = self.neighbourhood(self._node(b.iri))
            shared = [p for p in numeric if _reaches(around_a, p) and _reaches(around_b, p)]
            for path in shared[:_DERIVED_PATHS]:
                text = self._as_text(path)
                patterns = [
                    *_value_patterns(self._node(a.iri), path, "?a", "?wa", t, text),
                    *_value_patterns(self._node(b.iri), path, "?b", "?wb", t, text),
                ]
                query(patterns, list(path), {(a.start, a.end), (b.start, b.end)})
        for e in anchors[:2]:
            around = self.neighbourhood(self._node(e.iri))
            own = [p for p in numeric if len(p) == 1 and p[0] in around.out][:_DERIVED_PATHS]
            node = self._node(e.iri)
            for p in own:
                for q in own:
                    if p != q:
                        patterns = [f"{node} {t(p[0])} ?a", f"{node} {t(q[0])} ?b"]
                        # "the height to width ratio": the first named is divided.
                        first, second = scorer.first_mention(p[0]), scorer.first_mention(q[0])
                        swapped = first is not None and second is not None and first > second
                        weight = _SWAPPED_FACTOR if swapped else 1.0
                        query(patterns, [p[0], q[0]], {(e.start, e.end)}, weight)
        return out

    def _columns(
        self,
        question: str,
        graphs: Sequence[QueryGraph],
        schema_iris: Sequence[str],
        scorer: _Scorer,
        spans: int,
    ) -> list[tuple[str, float]]:
        """ "Name, email and phone of everyone in Marketing": a graph's answer node with a
        column per property the question names (its label's words are in the question; an
        object property also by its range: "which department each is in"), each
        ``OPTIONAL``; with the node itself and without. A property whose objects are value
        nodes (a price node) gives their number (``qa.value_nodes``)."""
        # The retrieved properties first, then any other the question names: people ask for
        # "name, email and phone" whatever the retriever kept.
        others = [i for i in self.schema.properties if i not in schema_iris]
        matched: dict[str, frozenset[str]] = {}
        for i in [*schema_iris, *others]:
            prop = self.schema.properties.get(i)
            if prop is None or i in matched:
                continue
            words = self.words(i) & scorer.question
            if prop.kind == "object" and not words:
                # "which department is each in": named by what it leads to.
                ranges = [self.words(r) for r in prop.range if r in self.schema.classes]
                words = frozenset().union(*(r for r in ranges if r and r <= scorer.question))
            if words:
                matched[i] = frozenset(words)
        named = list(matched)
        # "country code" names one property whose words cover another's ("country"): one
        # column; and several columns are asked as a list ("name, email and phone").
        named = [i for i in named if not any(matched[i] < matched[j] for j in named if j != i)]
        # "addresses" names one column, not every address property: of those matching the
        # same words, the one with the fewest other words (the earlier on a tie).
        kept: dict[frozenset[str], str] = {}

        def extra(i: str) -> int:
            # "address text" is the address itself: words of data modelling do not count.
            return len(self.words(i) - matched[i] - _DATA_WORDS)

        for i in named:
            same = kept.get(matched[i])
            if same is None or extra(i) < extra(same):
                kept[matched[i]] = i
        named = [i for i in named if i in kept.values()][:_COLUMNS]
        if len(named) < 2 or not _LIST.search(question):
            return []  # one property named is a lookup, which the graphs cover
        out: list[tuple[str, float]] = []
        for graph in self._bases(graphs, scorer, spans, 2):
            # "the managers and their departments": "managers" names the answer nodes
            # ("?x a Manager"), not also a column ("has manager").
            said = frozenset().union(*(self.words(i) for i in [*graph.predicates, *graph.classes]))
            cols = [i for i in named if self._may_have(graph, i) and not matched[i] <= said]
            if len(cols) < 2:
                continue
            optional = " ".join(self._optional_column(i, n) for n, i in enumerate(cols))
            body = " . ".join(graph.patterns) + " " + optional
            names = " ".join(f"?c{n}" for n in range(len(cols)))
            header = self._header(body)
            wide = QueryGraph(
                graph.patterns, [*graph.predicates, *cols], graph.classes, graph.spans
            )
            prior = scorer.graph(wide, spans)
            out.append((f"{header}SELECT DISTINCT ?x {names} WHERE {{ {body} }}", prior))
            out.append((f"{header}SELECT DISTINCT {names} WHERE {{ {body} }}", prior * 0.95))
        return out

    def _as_text(self, path: Sequence[str]) -> bool:
        """Whether the last property of ``path`` holds its numbers as strings (``"72"``
        where the schema says decimal): every sampled value a plain literal of digits.
        From a bounded sample, remembered."""
        predicate = path[-1]
        if predicate not in self._numbers_as_text:
            sparql = f"SELECT ?v WHERE {{ ?s <{predicate}> ?v }} LIMIT {SAMPLE}"
            try:
                found = [r.get("v", {}) for r in self._select(sparql)]
            except (SparqlqaError, TypeError, ValueError):
                return False  # not remembered: the next question tries again
            self._numbers_as_text[predicate] = bool(found) and all(
                v.get("type") == "literal"
                and v.get("datatype", XSD + "string") == XSD + "string"
                and "xml:lang" not in v
                and _DIGITS.match(v.get("value", "")) is not None
                for v in found
            )
        return self._numbers_as_text[predicate]

    def _optional_column(self, predicate: str, n: int) -> str:
        """``OPTIONAL { ?x predicate ?cN }``, through to the number when ``predicate``'s
        objects are value nodes (``qa.value_nodes``)."""
        t = self._term
        number = self._value_number(predicate)
        if number is None:
            return f"OPTIONAL {{ ?x {t(predicate)} ?c{n} }}"
        return f"OPTIONAL {{ ?x {t(predicate)} ?w{n} . ?w{n} {t(number)} ?c{n} }}"

    def _value_number(self, predicate: str) -> str | None:
        """The number property of ``predicate``'s objects when they are value nodes (a
        price's amount), else ``None``; from a bounded sample, remembered."""
        prop = self.schema.properties.get(predicate)
        if prop is None or prop.kind != "object":
            return None
        if predicate not in self._value_numbers:
            sparql = (
                f"SELECT DISTINCT ?p WHERE {{ ?s <{predicate}> ?p FILTER(isIRI(?p)) }} "
                f"LIMIT {SAMPLE}"
            )
            try:
                number = value_property(self.store, list(self._column(sparql)))
            except (SparqlqaError, TypeError, ValueError):
                return None  # not remembered: the next question tries again
            self._value_numbers[predicate] = number
        return self._value_numbers[predicate]

    def _resource_answer(self, graph: QueryGraph) -> bool:
        """Whether the answer node of ``graph`` may be a resource (not a literal value)."""
        if graph.last is None or not graph.x_is_object:
            return True
        prop = self.schema.properties.get(graph.last)
        return prop is not None and prop.kind == "object"

    def _numeric_paths(self, scorer: _Scorer) -> list[tuple[str, ...]]:
        """Paths from a node to a number: a numeric property, or an object property then a
        numeric one whose domain its range fits; best matching the question first. The
        paths are the schema's (found once); their order is the question's (once per
        question: several shapes ask)."""
        if self._paths_to_numbers is None:
            props = self.schema.properties.values()
            numeric = [p for p in props if p.numeric]
            paths: list[tuple[str, ...]] = [(p.iri,) for p in numeric]
            for o in props:
                if o.kind != "object" or not o.range:
                    continue
                for n in numeric:
                    if any(r in self._below(d) for r in o.range for d in n.domain):
                        paths.append((o.iri, n.iri))
            self._paths_to_numbers = paths
        if scorer.numeric_paths is None:
            scorer.numeric_paths = sorted(
                self._paths_to_numbers, key=lambda path: (-scorer.terms(path), len(path))
            )
        return scorer.numeric_paths

    # --- writing queries --------------------------------------------------------------------

    def _node(self, iri: str) -> str:
        return iri if is_literal_term(iri) else f"<{iri}>"

    def _term(self, iri: str) -> str:
        """A prefixed name where a prefix covers ``iri`` cleanly, else ``<iri>``."""
        if iri not in self._terms:
            written = f"<{iri}>"
            for name, namespace in self.prefixes:
                if iri.startswith(namespace) and _PREFIXED_LOCAL.match(iri[len(namespace) :]):
                    written = f"{name}:{iri[len(namespace) :]}"
                    break
            self._terms[iri] = "a" if iri == TYPE else written
        return self._terms[iri]

    def _header(self, body: str) -> str:
        names = sorted(set(_PREFIX_USE.findall(body)) & self._namespaces.keys())
        return "".join(f"PREFIX {name}: <{self._namespaces[name]}>\n" for name in names)

    def words(self, iri: str) -> frozenset[str]:
        """The stemmed content words of a term's label and local name."""
        if iri not in self._words:
            text = f"{words_of(self.schema.label(iri))} {words_of(local_name(iri))}"
            words = frozenset(content_words(text))
            # "weight_g", "depth_mm": the unit is not a word a question says ("how much does
            # it weigh"), and it would halve the match of the measure's own noun.
            self._words[iri] = (words - _UNIT_WORDS) or words
        return self._words[iri]


class _Scorer:
    """How well the terms of a query graph match one question."""

    def __init__(
        self, question_words: Sequence[str], schema_iris: Sequence[str], owner: EnumeratingProposer
    ) -> None:
        self.question = frozenset(question_words)
        #: Where each word first comes in the question: "the height to width ratio".
        self.position: dict[str, int] = {}
        for i, word in enumerate(question_words):
            self.position.setdefault(word, i)
        self.rank = {iri: i for i, iri in enumerate(schema_iris)}
        self.retrieved = max(1, len(schema_iris))
        self.owner = owner
        self._memo: dict[str, float] = {}
        #: ``EnumeratingProposer._numeric_paths`` for this question, once computed.
        self.numeric_paths: list[tuple[str, ...]] | None = None

    def first_mention(self, iri: str) -> int | None:
        """Where the question first names one of the term's words, or ``None``."""
        places = [self.position[w] for w in self.owner.words(iri) if w in self.position]
        return min(places) if places else None

    def lexical(self, iri: str) -> float:
        """The share of the term's words that the question has."""
        words = self.owner.words(iri)
        return len(words & self.question) / len(words) if words else 0.0

    def term(self, iri: str) -> float:
        """In [0, 1]: the share of the term's words in the question, or its rank among the
        retrieved terms (0.8 for the first), whichever is higher."""
        if iri not in self._memo:
            rank = self.rank.get(iri)
            retrieved = 0.8 * (1 - rank / self.retrieved) if rank is not None else 0.0
            self._memo[iri] = max(self.lexical(iri), retrieved)
        return self._memo[iri]

    def terms(self, iris: Sequence[str]) -> float:
        scores = [self.term(i) for i in iris if i != TYPE]
        return sum(scores) / len(scores) if scores else 0.0

    def graph(self, graph: QueryGraph, spans: int) -> float:
        """The prior of a query graph: from one half (no term matches the question) to one
        (all do), shrunk for each triple pattern past the first (a smaller graph is
        likelier) and for each of the question's entities it leaves out. A graph of no
        entity none of whose terms the question names is only a guess: half as likely."""
        terms = [*graph.predicates, *graph.classes]
        match = self.terms(terms) if terms else 0.0
        coverage = len(graph.spans) / spans if spans else 1.0
        size = _PATTERN_FACTOR ** (len(graph.patterns) - 1)
        prior = (0.5 + 0.5 * match) * size * (0.2 + 0.8 * coverage)
        if not graph.spans and not any(self.lexical(t) for t in terms):
            prior *= 0.5
        return prior


#: A list of things asked for: "name, email and phone", "Name und Telefon", "nombre y correo".
# Spanish "e" is "and" only before an i-sound ("e Italia"): not the "E" of "E-Mail".
_LIST = re.compile(r",|\b(and|und|y|with|mit|con)\b|\be\s+h?i", re.I)
#: How much a query without an order counts for a superlative question.
_UNORDERED_FACTOR = 0.7
#: How much a query without the filter, the negation or the grouping that the question's
#: wording asks for counts.
_UNFILTERED_FACTOR = 0.7
_UNNEGATED_FACTOR = 0.85
_UNGROUPED_FACTOR = 0.8
_UNAGGREGATED_FACTOR = 0.8
_UNDERIVED_FACTOR = 0.8
#: How much a query of one column counts where the question lists several properties
#: ("which department is each in, and what are their phone numbers").
_UNCOLUMNED_FACTOR = 0.8
#: How much the thing at the top counts when the superlative names the value ("the highest
#: price": the price is asked, not the product).
_VALUE_ASKED_FACTOR = 0.85
#: How much an order by a number counts when the superlative names a class ("the most
#: employees": a count of them).
_COUNTED_FACTOR = 0.85
#: How much a list without the order the question asks for counts ("from the cheapest to
#: the most expensive").
_UNSORTED_FACTOR = 0.9
#: How much a ratio or difference of two measures counts the other way round from the
#: question's order ("the height to width ratio" as width / height).
_SWAPPED_FACTOR = 0.9
#: Numeric paths tried for a difference or a ratio.
_DERIVED_PATHS = 4
#: How much a HAVING over an edge counts beside a filter on a path (the number may be a value).
_GROUPED_WEIGHT = 0.9
#: How much a filter on a path through an edge the graph already has counts more.
_REUSED_EDGE_FACTOR = 1.15
#: Base graphs a filter, negation or columns are added to; retrieved object properties
#: grouped by; retrieved properties tried as absent; columns at most.
_BASES = 6
_GROUPING = 4
_NEGATED = 4
_COLUMNS = 4
#: How much a query graph's prior shrinks with each triple pattern past the first.
_PATTERN_FACTOR = 0.85
#: Unit abbreviations that property names carry ("weight_g", "depth_mm", "price_eur"): no
#: word of a term for matching it against a question.
_UNIT_WORDS = frozenset(
    {
        "g",
        "kg",
        "mg",
        "t",
        "mm",
        "cm",
        "m",
        "km",
        "ml",
        "l",
        "s",
        "ms",
        "h",
        "min",
        "kb",
        "mb",
        "gb",
        "eur",
        "usd",
        "gbp",
        "pct",
        "w",
        "kw",
        "v",
        "hz",
    }
)
#: How much a count of resources counts for a question asking how much (below
#: ``_PATTERN_FACTOR``: the value one pattern further wins).
_AMOUNT_COUNT_FACTOR = 0.6
#: Words too common in labels to say anything ("has manager", "part of"); the retriever's
#: stopwords also drop words that name properties ("name", "number").
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or"}
    | {"is", "are", "was", "be", "has", "have", "had", "its", "it"}
)


def content_words(text: str) -> list[str]:
    """The stemmed words of ``text`` but its function words: what labels and questions are
    compared by."""
    return [stem(t.norm) for t in tokens(text) if t.norm not in _FUNCTION_WORDS]


# Words a property label adds for the data's form, not another meaning ("address text",
# "price value", "full name"), stemmed as ``content_words`` stems them.
_DATA_WORDS = frozenset(content_words("text value string literal data full"))


def _join(constraints: Sequence[Constraint]) -> QueryGraph:
    """One graph of the constraints on ``?x``, each with its own intermediate variable."""
    patterns: list[str] = []
    predicates: list[str] = []
    for i, c in enumerate(constraints):
        patterns += [p.replace("{m}", f"?m{i}") for p in c.patterns]
        predicates += c.predicates
    one = constraints[0] if len(constraints) == 1 else None
    return QueryGraph(
        patterns,
        predicates,
        [],
        {c.span for c in constraints},
        one.last if one else None,
        one.x_is_object if one else False,
    )


def _meet(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The classes both allow (None: unconstrained)."""
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _with_class(graph: QueryGraph, cls: str, term: Callable[[str], str]) -> QueryGraph:
    """``graph`` with its answer node constrained to ``cls``."""
    graph.patterns.append(f"?x a {term(cls)}")
    graph.classes.append(cls)
    return graph


def _reaches(around: Neighbourhood, path: Sequence[str]) -> bool:
    """Whether the discovery found ``path`` (one or two predicates) leaving the node."""
    if len(path) == 1:
        return path[0] in around.out
    return (path[0], path[1]) in around.out_out


def _value_patterns(
    node: str,
    path: Sequence[str],
    value: str,
    middle: str,
    term: Callable[[str], str],
    as_text: bool = False,
) -> list[str]:
    """``node p ?value`` or ``node p ?middle . ?middle q ?value``; ``as_text``: the last
    property holds its numbers as strings ("72"), cast to a number (``BIND``)."""
    end = f"{value}_text" if as_text else value
    if len(path) == 1:
        patterns = [f"{node} {term(path[0])} {end}"]
    else:
        patterns = [f"{node} {term(path[0])} {middle}", f"{middle} {term(path[1])} {end}"]
    if as_text:
        patterns.append(f"BIND(<{XSD}decimal>({end}) AS {value})")
    return patterns


def _path_patterns(
    path: Sequence[str], term: Callable[[str], str], as_text: bool = False
) -> list[str]:
    """``?x p ?v`` or ``?x p ?w . ?w q ?v`` (cast from a string where ``as_text``)."""
    return _value_patterns("?x", path, "?v", "?w", term, as_text)


# A number written as a string: "72", "-3.5".
_DIGITS = re.compile(r"-?\d+(\.\d+)?\Z")
# A variable, or an IRI or a string that may hold a "?" and stays as it is.
_VARIABLE_OR_QUOTED = re.compile(r'(<[^>]*>|"(?:[^"\\]|\\.)*")|\?(\w+)')


def _renamed(body: str) -> str:
    """``body`` with every variable renamed apart (``?x`` → ``?x_``): the inner query of
    a subselect over the same patterns."""
    return _VARIABLE_OR_QUOTED.sub(lambda m: m.group(1) or f"?{m.group(2)}_", body)
