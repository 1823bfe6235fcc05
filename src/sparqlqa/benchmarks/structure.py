"""Structural query metrics: F1 over the triple patterns and over the IRIs of two queries.

BLEU and exact match compare query *texts*; these compare what a query asks of the graph:

- **triple patterns**: every pattern of the query's graph patterns — the WHERE clause with its
  OPTIONAL, UNION, MINUS and GRAPH parts, sub-SELECTs and the patterns of ``FILTER [NOT]
  EXISTS`` — after canonicalisation: prefixed names expanded to full IRIs (the query's own
  PREFIX declarations first, then the graph's prefixes), ``a`` read as ``rdf:type``, literals
  read as values (``1`` is ``"1"^^xsd:integer``), property paths written out
  (``<p>/<q>``), variables renamed ``?v0``, ``?v1``... in order of their first appearance in
  the query text (the SELECT clause comes first), blank nodes renamed ``_:b0``... in order of
  appearance. The CONSTRUCT template is not a pattern (nothing is matched against it).
- **IRIs**: the set of IRIs the query uses anywhere (patterns, paths, FILTER and BIND
  expressions, VALUES, FROM), ``rdf:type`` and other vocabulary included: the class a query
  asks for is as much its content as a property, and dropping one well-known IRI would be a
  rule about vocabularies the metric cannot know. Datatypes of literals are not counted (they
  belong to the literal, and ``1`` would otherwise differ from ``"1"^^xsd:integer``).

Each is a set precision, recall and F1 (``metrics.set_prf``): both sets empty is 1. A
prediction that does not parse (or is over the bounds below) scores 0 against a gold that
parses; when the gold itself does not parse, ``structure_scores`` returns None and the
question is left out of the averages (reports count it).

Parser. Queries are parsed with rdflib's SPARQL parser and algebra (``parseQuery``,
``translateQuery``): it expands prefixed names, ``a``, paths and literals exactly as SPARQL
defines them, and it runs in this process without crashing it — pyoxigraph's parser (the
guard's) recurses in native code and can kill the process on deep nesting, which is why the
guard parses in a worker process. A tokenizer of our own would have to reimplement SPARQL's
triple abbreviations (``;`` ``,`` ``[ ]``, collections, paths) and could not say whether a
query parses. rdflib's parser is pure Python, recursive and slow on long input, so every text
is first measured by the guard's linear bounds scan (``kg.guard.check_bounds``) with limits
below where rdflib's recursion fails (about 24 nested parentheses) or parsing takes seconds
(``STRUCTURE_LIMITS``); any failure of rdflib (``RecursionError`` included) means "does not
parse".
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseResults
from rdflib.paths import Path
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import BNode, Literal, URIRef, Variable

from sparqlqa.benchmarks.canonical import tokens
from sparqlqa.benchmarks.metrics import PRF, WRONG, set_prf
from sparqlqa.errors import QuerySyntaxError, QueryTooComplex
from sparqlqa.kg.guard import Limits, check_bounds
from sparqlqa.kg.prefixes import COMMON_PREFIXES

# Measured with rdflib 7.6 (2026-12-02): 25 nested parentheses or 37 nested groups exceed
# Python's default recursion limit; 2,000 tokens of `;`-joined patterns or `&&`-joined
# filters take about 4 s to parse, 1,000 about 1 s. Real queries are far smaller.
STRUCTURE_LIMITS = Limits(max_query_chars=10_000, max_nesting=20, max_tokens=1_000)

# rdflib documents no thread safety for its pyparsing grammar (shared module state), and eval
# scores questions on several threads: one parser thread serialises the parses (CPU-bound
# under the GIL, so no throughput is lost). The parser also recurses, and in that thread each
# parse starts at the same stack depth, so how deep a query may nest does not depend on the
# caller's stack (a deep pytest or server stack made the same query fail).
_PARSER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="structure-parse")


# pyparsing's packrat cache, which another library may switch on for the whole process
# (matplotlib's mathtext does, and the sweep plots with it), doubles the frames per nesting
# level: 18 nested parentheses then exceed Python's default limit of 1,000. The bounds above
# keep a parse far below this limit, so raising it cannot exhaust the thread's stack.
PARSE_RECURSION_LIMIT = 5_000


def _parse(sparql: str, namespaces: Mapping[str, str]) -> tuple[Any, Any]:
    if sys.getrecursionlimit() < PARSE_RECURSION_LIMIT:
        sys.setrecursionlimit(PARSE_RECURSION_LIMIT)
    tree = parseQuery(sparql)
    return tree, translateQuery(tree, initNs=dict(namespaces))


Pattern = tuple[str, str, str]


@dataclass(frozen=True)
class QueryStructure:
    """What the structural metrics compare of one query: its canonical triple patterns and
    the IRIs it uses."""

    patterns: frozenset[Pattern]
    iris: frozenset[str]


@dataclass(frozen=True)
class StructureScores:
    """Precision, recall and F1 of a predicted query against the gold one, over triple
    patterns and over IRIs."""

    triples: PRF
    iris: PRF


def query_structure(
    sparql: str, prefixes: Mapping[str, str] | None = None, limits: Limits = STRUCTURE_LIMITS
) -> QueryStructure:
    """The canonical triple patterns and IRIs of ``sparql`` (see the module docstring).

    ``prefixes`` resolve prefixed names the query does not declare (default: the project's
    common prefixes). Raises ``QueryTooComplex`` when the text is over ``limits`` (checked
    before any parser sees it) and ``QuerySyntaxError`` when rdflib cannot parse it (an
    unknown prefix included).
    """
    if len(sparql) > limits.max_query_chars:
        raise QueryTooComplex(
            f"the query is {len(sparql):,} characters long; the limit is "
            f"{limits.max_query_chars:,} (max_query_chars)"
        )
    check_bounds(sparql, limits)
    namespaces = dict(COMMON_PREFIXES if prefixes is None else prefixes)
    try:
        tree, query = _PARSER.submit(_parse, sparql, namespaces).result()
    # rdflib raises ParseException, plain Exception (unknown prefix), RecursionError and
    # others on odd input: each means the query does not parse here.
    except Exception as exc:
        raise QuerySyntaxError(
            f"the query does not parse (rdflib): {type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200] if str(exc) else ''}"
        ) from exc
    names = _Names(sparql, tree)
    patterns: set[Pattern] = set()
    iris: set[str] = set()
    for node in _walk(query.algebra):
        if isinstance(node, URIRef):
            iris.add(str(node))
        elif isinstance(node, CompValue) and node.name == "BGP":
            patterns.update(names.pattern(t) for t in node.get("triples") or ())
        elif isinstance(node, CompValue) and node.name == "TriplesBlock":
            # Patterns of FILTER EXISTS stay in the parser's form: flat lists of s, p, o...
            for flat in node.get("triples") or ():
                terms = list(flat)
                patterns.update(
                    names.pattern((terms[i], terms[i + 1], terms[i + 2]))
                    for i in range(0, len(terms) - 2, 3)
                )
    return QueryStructure(frozenset(patterns), frozenset(iris))


def structure_scores(
    predicted: str | None, gold: str, prefixes: Mapping[str, str] | None = None
) -> StructureScores | None:
    """Triple-pattern and IRI precision, recall and F1 of ``predicted`` against ``gold``.

    None when ``gold`` does not parse (or is over ``STRUCTURE_LIMITS``): there is nothing to
    compare with. A missing, unparsable or over-bounds prediction scores 0 on both.
    """
    try:
        reference = query_structure(gold, prefixes)
    except (QuerySyntaxError, QueryTooComplex):
        return None
    if not predicted:
        return StructureScores(WRONG, WRONG)
    try:
        hypothesis = query_structure(predicted, prefixes)
    except (QuerySyntaxError, QueryTooComplex):
        return StructureScores(WRONG, WRONG)
    return StructureScores(
        triples=set_prf(reference.patterns, hypothesis.patterns),
        iris=set_prf(reference.iris, hypothesis.iris),
    )


class _Names:
    """Canonical names of variables (order of first appearance in the text) and blank nodes
    (order of appearance in the parse tree, which follows the text)."""

    def __init__(self, sparql: str, tree: Any) -> None:
        self.variables: dict[str, str] = {}
        for kind, text in tokens(sparql):
            if kind == "var":
                self.variables.setdefault(text[1:], f"?v{len(self.variables)}")
        self.blanks: dict[str, str] = {}
        for node in _walk(tree):
            if isinstance(node, BNode):
                self.blanks.setdefault(str(node), f"_:b{len(self.blanks)}")

    def term(self, term: Any) -> str:
        if isinstance(term, Variable):
            # Variables rdflib makes up (none reach patterns today) come after the text's.
            return self.variables.setdefault(str(term), f"?v{len(self.variables)}")
        if isinstance(term, BNode):
            return self.blanks.setdefault(str(term), f"_:b{len(self.blanks)}")
        if isinstance(term, URIRef | Literal | Path):
            return str(term.n3())
        return str(term)

    def pattern(self, triple: Any) -> Pattern:
        s, p, o = triple
        return (self.term(s), self.term(p), self.term(o))


def _walk(root: Any) -> Iterator[Any]:
    """Every node under ``root`` (parse tree or algebra), depth first in order, without
    recursion. ``_vars`` sets (rdflib's bookkeeping, unordered) are skipped; a literal's
    datatype is not visited (it is part of the literal)."""
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, str):  # URIRef, Literal, Variable, BNode are str: leaves
            continue
        if id(node) in seen:  # a node shared by two parents is walked once (no cycles)
            continue
        seen.add(id(node))
        children: list[Any]
        if isinstance(node, CompValue):
            children = [v for k, v in node.items() if k != "_vars"]
        elif isinstance(node, list | tuple | ParseResults):
            # Before Mapping: pyparsing registers ParseResults as a MutableMapping (of its
            # named results only).
            children = list(node)
        elif isinstance(node, Mapping):
            children = [x for kv in node.items() for x in kv]
        elif isinstance(node, Path):
            children = list(vars(node).values())
        else:
            continue
        stack.extend(reversed(children))
