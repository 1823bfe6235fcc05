"""The query guard: what runs before any query that did not come from the operator.

Generated SPARQL is untrusted. ``Guard.check`` refuses, each time saying why:

- queries longer than ``Limits.max_query_chars``;
- queries over the bounds checked before anything parses them (``scan``: nesting depth of
  ``{ ( [``, token count, longest literal), and queries whose parsing and planning takes
  longer than ``Limits.plan_timeout_s`` (pyoxigraph's parser recurses on native code and
  its planner is super-linear in places: ``QueryTooComplex``);
- updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, COPY, MOVE, ADD);
- SERVICE clauses (no fetching of arbitrary URLs from our machine);
- queries that do not parse (with the parser's position), unknown prefixes by name.

The parse runs in a worker process (``kg.worker.shared_parser``), never in the caller's: a
query that crashes the parser costs that query only (``QueryFailed``). A query that parses but
uses what our engine does not implement (``xsd:int(...)``) is let through: the engine that
runs it decides (the embedded store answers ``QueryFailed`` naming the function; Virtuoso or
QLever run it).

It then caps the result (``LIMIT`` added when the query has none; rows cut at ``max_rows`` in
any case) and ``Guard.run`` executes with the time limit, which the store enforces without
blocking the caller (the embedded store kills a worker process, a remote endpoint gets a
client and server timeout).

Keyword checks work on the query with strings, IRIs and comments blanked out, so ``"DROP"``
in a literal or ``ex:load`` as a name are not mistaken for operations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sparqlqa.errors import QueryRefused, QuerySyntaxError, QueryTimeout, QueryTooComplex
from sparqlqa.kg.store import QueryResult, Store
from sparqlqa.kg.worker import FAILED, OK, SYNTAX, QueryWorkerPool, raise_outcome, shared_parser

_LEXEMES = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<comment>#[^\n]*)",
    re.DOTALL,
)
# A keyword is a bare word: not a variable (?x), not part of a prefixed name (ex:load, load:x).
_UPDATE = re.compile(
    r"(?<![\w?$:.-])(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|COPY|MOVE|ADD)(?![\w:-])", re.I
)
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:-])", re.I)
_FORM = re.compile(r"(?<![\w?$:.-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.I)
_DECLARED = re.compile(r"(?<![\w?$:.-])PREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.I)
_USED = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w-]*(?:\.[\w-]+)*)?:(?=[\w%\\]|\s|[.;,)\]}]|$)")
_TOP_LEVEL_WORD = re.compile(r"[{}]|(?<![\w?$:.-])(LIMIT|VALUES)(?![\w:-])", re.I)


def blank_out(sparql: str) -> str:
    """``sparql`` with string literals, IRIs and comments replaced by neutral placeholders."""

    def repl(match: re.Match[str]) -> str:
        if match.group("string"):
            return '""'
        if match.group("iri"):
            return "<>"
        return " "

    return _LEXEMES.sub(repl, sparql)


def query_form(sparql: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of the query, or None if none is found."""
    match = _FORM.search(blank_out(sparql))
    return match.group(1).upper() if match else None


# Linear-time pieces of the bounds scan, each matched at a known position (no backtracking:
# the alternatives inside each are disjoint).
_STRING_AT = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.DOTALL,
)
_IRI_AT = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD_AT = re.compile(r"[\w?$:.%\\-]+")
_OPEN, _CLOSE = "{([", "})]"


@dataclass(frozen=True)
class Shape:
    """What the bounds scan measured of a query."""

    depth: int  # deepest nesting of { ( [ (outside strings, IRIs and comments)
    tokens: int  # names, numbers, literals, IRIs, punctuation
    longest: int  # characters of the longest literal, IRI, number or name


def scan(sparql: str) -> Shape:
    """Measure ``sparql`` without parsing it: one pass, no recursion, linear time.

    Brackets inside strings, IRIs and comments are not counted; an unterminated string runs
    to the end of the text. Safe on any input, which is the point: it runs before the parser.
    """
    depth = deepest = tokens = longest = 0
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":
            end = sparql.find("\n", i)
            i = n if end < 0 else end
            continue
        tokens += 1
        if c in "\"'":
            match = _STRING_AT.match(sparql, i)
            end = match.end() if match else n
        elif c == "<" and (match := _IRI_AT.match(sparql, i)):
            end = match.end()
        elif c in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
            end = i + 1
        elif c in _CLOSE:
            depth = max(0, depth - 1)
            end = i + 1
        elif match := _WORD_AT.match(sparql, i):
            end = match.end()
        else:
            end = i + 1  # an operator or any other character
        longest = max(longest, end - i)
        i = end
    return Shape(depth=deepest, tokens=tokens, longest=longest)


@dataclass(frozen=True)
class Limits:
    """How far an untrusted query may go."""

    max_query_chars: int = 10_000  # longer queries are refused outright
    # Bounds checked before parsing. pyoxigraph 0.5 overflows its stack at about 2,400 nested
    # groups (fewer for nested expressions), and its planner slows down past about 50 nested
    # blank-node lists: far beyond any real query.
    max_nesting: int = 50  # deepest nesting of { ( [
    max_tokens: int = 4_000  # names, literals, IRIs and punctuation
    max_literal_chars: int = 2_000  # longest string literal, IRI, number or name
    plan_timeout_s: float = 1.0  # CPU time of parsing and planning, in a worker process
    max_rows: int = 10_000  # result rows kept; the rest is cut and flagged "truncated"
    timeout_s: float = 10.0  # wall-clock time a query may run before it is stopped


@dataclass(frozen=True)
class CheckedQuery:
    """A query the guard let through, as it will be sent."""

    text: str
    form: str
    limit_added: bool


@dataclass
class Guard:
    """Checks untrusted queries and runs them within ``limits``.

    ``prefixes`` (name → namespace IRI) are declared for the query when it uses them without
    a PREFIX line. ``strict_syntax`` off lets through queries our SPARQL 1.1 parser rejects
    (for engines with their own dialect, e.g. Virtuoso's ``COUNT(?x)`` without ``AS``); the
    update and SERVICE refusals still apply.
    """

    limits: Limits = field(default_factory=Limits)
    prefixes: Mapping[str, str] = field(default_factory=dict)
    strict_syntax: bool = True
    #: Worker processes that parse queries (None: this process's shared pool).
    parser: QueryWorkerPool | None = field(default=None, repr=False)

    def check(self, sparql: str) -> CheckedQuery:
        """Refuse or accept ``sparql``: raises ``QueryRefused`` (``QueryTooComplex`` for the
        bounds), ``QuerySyntaxError``, or ``QueryFailed`` when the parser's worker dies on it.
        Nothing of ``sparql`` is parsed in this process."""
        if len(sparql) > self.limits.max_query_chars:
            raise QueryTooComplex(
                f"the query is {len(sparql):,} characters long; the limit is "
                f"{self.limits.max_query_chars:,} (max_query_chars)"
            )
        check_bounds(sparql, self.limits)
        bare = blank_out(sparql)
        update = _UPDATE.search(bare)
        if update:
            raise QueryRefused(
                f"updates are not allowed: the query contains {update.group(1).upper()}; "
                "only SELECT, ASK, CONSTRUCT and DESCRIBE queries are run"
            )
        if _SERVICE.search(bare):
            raise QueryRefused(
                "SERVICE clauses are not allowed: queries may not make the server fetch "
                "other endpoints"
            )
        form_match = _FORM.search(bare)
        if not form_match:
            raise QuerySyntaxError(
                "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE"
            )
        form = form_match.group(1).upper()
        text = self._declare_prefixes(sparql, bare)
        variants = [text]
        if form != "ASK" and not _has_top_level(blank_out(text), ("LIMIT", "VALUES")):
            variants.append(f"{text.rstrip()}\nLIMIT {self.limits.max_rows + 1}")
        outcomes = self._parse(variants)
        kind, message = outcomes[0]
        if kind == SYNTAX:
            if self.strict_syntax:
                raise QuerySyntaxError(f"the query does not parse: {_first_line(message or '')}")
        elif kind not in (OK, FAILED):  # FAILED: it parses; the engine that runs it decides
            raise_outcome(kind, message)
        limit_added = len(outcomes) > 1 and outcomes[1][0] in (OK, FAILED)
        return CheckedQuery(
            text=variants[-1] if limit_added else text, form=form, limit_added=limit_added
        )

    def run(self, store: Store, sparql: str) -> QueryResult:
        """Check ``sparql`` and run it on ``store`` within the time and row limits."""
        checked = self.check(sparql)
        return store.query(
            checked.text, timeout_s=self.limits.timeout_s, max_rows=self.limits.max_rows
        )

    def _declare_prefixes(self, sparql: str, bare: str) -> str:
        """Add PREFIX lines for known prefixes the query uses undeclared; name unknown ones."""
        declared = {m.group(1) or "" for m in _DECLARED.finditer(bare)}
        used = {m.group(1) or "" for m in _USED.finditer(bare)} - declared
        unknown = sorted(p + ":" for p in used if p not in self.prefixes)
        if unknown and self.strict_syntax:
            names = ", ".join(f"'{p}'" for p in unknown)
            raise QuerySyntaxError(
                f"unknown prefix {names}: declare it with PREFIX {unknown[0]} <namespace IRI>"
            )
        lines = [f"PREFIX {p}: <{self.prefixes[p]}>" for p in sorted(used) if p in self.prefixes]
        return "\n".join([*lines, sparql]) if lines else sparql

    def _parse(self, texts: list[str]) -> list[tuple[str, str | None]]:
        """Parse ``texts`` in a parser worker, within ``plan_timeout_s`` of its CPU time."""
        parser = self.parser or shared_parser()
        try:
            return parser.parse(texts, self.limits.plan_timeout_s)
        except QueryTimeout as exc:
            raise QueryTooComplex(
                "the query is too costly to plan: parsing and planning it took more than "
                f"{self.limits.plan_timeout_s:g} s of CPU time (plan_timeout_s)"
            ) from exc


def check_bounds(sparql: str, limits: Limits) -> Shape:
    """Refuse ``sparql`` with ``QueryTooComplex`` if it is over a bound of ``limits`` that
    can be checked without parsing it; return what was measured otherwise."""
    shape = scan(sparql)
    over = [
        (shape.depth, limits.max_nesting, "nests { ( [ # levels deep", "max_nesting"),
        (shape.tokens, limits.max_tokens, "has # tokens", "max_tokens"),
        (
            shape.longest,
            limits.max_literal_chars,
            "has a literal, IRI or name of # characters",
            "max_literal_chars",
        ),
    ]
    for value, limit, what, name in over:
        if value > limit:
            raise QueryTooComplex(
                f"the query {what.replace('#', f'{value:,}')}; the limit is {limit:,} ({name})"
            )
    return shape


def _has_top_level(bare: str, words: tuple[str, ...]) -> bool:
    """Whether any of ``words`` appears outside every ``{ }`` block of the query."""
    depth = 0
    for match in _TOP_LEVEL_WORD.finditer(bare):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and token.upper() in words:
            return True
    return False


def _first_line(message: str) -> str:
    first = message.splitlines()[0] if message else message
    return first if len(first) < 300 else first[:300] + "…"
