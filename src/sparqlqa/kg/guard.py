"""The query guard: what runs before any query that did not come from the operator.

Generated SPARQL is untrusted. ``Guard.check`` refuses, each time saying why:

- queries longer than ``Limits.max_query_chars``;
- updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, COPY, MOVE, ADD);
- SERVICE clauses (no fetching of arbitrary URLs from our machine);
- queries that do not parse (with the parser's position), unknown prefixes by name.

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

import pyoxigraph as ox

from sparqlqa.errors import QueryRefused, QuerySyntaxError
from sparqlqa.kg.store import QueryResult, Store

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


@dataclass(frozen=True)
class Limits:
    """How far an untrusted query may go."""

    max_query_chars: int = 10_000  # longer queries are refused outright
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
    _parser: ox.Store = field(default_factory=ox.Store, init=False, repr=False)

    def check(self, sparql: str) -> CheckedQuery:
        """Refuse or accept ``sparql``; raises ``QueryRefused`` or ``QuerySyntaxError``."""
        if len(sparql) > self.limits.max_query_chars:
            raise QueryRefused(
                f"the query is {len(sparql):,} characters long; the limit is "
                f"{self.limits.max_query_chars:,}"
            )
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
        self._parse(text)
        limit_added = False
        if form != "ASK" and not _has_top_level(blank_out(text), ("LIMIT", "VALUES")):
            capped = f"{text.rstrip()}\nLIMIT {self.limits.max_rows + 1}"
            if self._parses(capped):
                text, limit_added = capped, True
        return CheckedQuery(text=text, form=form, limit_added=limit_added)

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

    def _parse(self, sparql: str) -> None:
        try:
            # Parsing only: evaluation of SELECT/CONSTRUCT is lazy and the store is empty.
            self._parser.query(sparql)
        except SyntaxError as exc:
            if not self.strict_syntax:
                return
            raise QuerySyntaxError(f"the query does not parse: {_first_line(str(exc))}") from exc

    def _parses(self, sparql: str) -> bool:
        try:
            self._parser.query(sparql)
        except SyntaxError:
            return False
        return True


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
