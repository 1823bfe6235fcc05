"""The target grammar: a subset of SPARQL 1.1 queries as an Earley parser with an
immutable chart.

:class:`Parse` is a position in the grammar over *terminals*: literal tokens (``SELECT``,
``{``) and categories (``%VAR``, ``%IRI``, ``%NUM`` ...) that the lexer of
:mod:`sparqlqa.training.recogniser` fills from the prompt. Feeding a terminal returns a new
position and leaves the old one intact, so beams share the chart of their common prefix.

The grammar (SELECT and ASK; triple patterns with ``;`` and ``,``, OPTIONAL, UNION, MINUS,
FILTER, BIND, expressions and built-ins, aggregates, GROUP BY, HAVING, ORDER BY, LIMIT,
OFFSET) is written below in a small EBNF: ``x?`` is optional, ``x+`` repeats, ``'...'``
quotes a literal token, ``%NAME`` is a category; a line starting with ``    |`` continues the
rule above. No rule is empty, which keeps the Earley parser simple.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

# Terminal categories (all other terminals are literal tokens, written quoted below).
VAR, NEWVAR, IRI, STR, NUM, NUMSLOT, INT, LANG, DT = (
    "%VAR", "%NEWVAR", "%IRI", "%STR", "%NUM", "%NUMSLOT", "%INT", "%LANG", "%DT"
)  # fmt: skip

GRAMMAR = r"""
query := select | ask
ask := 'ASK' 'WHERE'? group
select := 'SELECT' modifier? projection 'WHERE'? group gclause? having? order? limits?
modifier := 'DISTINCT' | 'REDUCED'
projection := '*' | proj+
proj := %VAR | '(' expr 'AS' %NEWVAR ')'
group := '{' '}' | '{' gbody '}'
gbody := triples | triples gtail+ | gtail+
gtail := pattern | pattern '.' | pattern triples | pattern '.' triples
triples := tss | tss '.' | tss '.' triples
tss := node plist
plist := verb olist | verb olist ptail+
ptail := ';' | ';' verb olist
verb := %VAR | %IRI | 'a'
olist := node | node otail+
otail := ',' node
node := %VAR | %IRI | literal
literal := %STR | %STR %LANG | %STR '^^' %DT | %NUM | %NUMSLOT '^^' %DT | 'true' | 'false'
pattern := 'OPTIONAL' group | group | group union+ | 'MINUS' group | 'FILTER' constraint
    | 'BIND' '(' expr 'AS' %NEWVAR ')'
union := 'UNION' group
constraint := '(' expr ')' | builtin
expr := and | expr '||' and
and := rel | and '&&' rel
rel := add | add relop add | add 'IN' elist | add 'NOT' 'IN' elist
relop := '=' | '!=' | '<' | '>' | '<=' | '>='
add := mul | add '+' mul | add '-' mul
mul := unary | mul '*' unary | mul '/' unary
unary := primary | '!' primary | '-' primary
primary := '(' expr ')' | builtin | %IRI | literal | %VAR | aggregate
elist := '(' ')' | '(' expr ')' | '(' expr etail+ ')'
etail := ',' expr
builtin := f1 '(' expr ')' | f2 '(' expr ',' expr ')' | 'REGEX' '(' expr ',' expr ')'
    | 'BOUND' '(' %VAR ')' | 'EXISTS' group | 'NOT' 'EXISTS' group
    | 'IF' '(' expr ',' expr ',' expr ')'
f1 := 'STR' | 'LANG' | 'DATATYPE' | 'LCASE' | 'UCASE' | 'STRLEN' | 'ABS' | 'ROUND' | 'CEIL'
    | 'FLOOR' | 'YEAR' | 'MONTH' | 'DAY' | 'ISIRI' | 'ISLITERAL' | 'ISNUMERIC'
f2 := 'LANGMATCHES' | 'CONTAINS' | 'STRSTARTS' | 'STRENDS'
aggregate := agg '(' expr ')' | agg '(' 'DISTINCT' expr ')' | 'COUNT' '(' '*' ')'
    | 'COUNT' '(' 'DISTINCT' '*' ')'
agg := 'COUNT' | 'SUM' | 'MIN' | 'MAX' | 'AVG' | 'SAMPLE'
gclause := 'GROUP' 'BY' %VAR+
having := 'HAVING' constraint+
order := 'ORDER' 'BY' ocond+
ocond := %VAR | 'ASC' '(' expr ')' | 'DESC' '(' expr ')'
limits := 'LIMIT' %INT | 'OFFSET' %INT | 'LIMIT' %INT 'OFFSET' %INT | 'OFFSET' %INT 'LIMIT' %INT
"""

AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE"})
#: Datatypes a literal may carry (``"5"^^xsd:integer``), when the prefix ``xsd`` is known.
DATATYPES = (
    "integer",
    "decimal",
    "double",
    "float",
    "date",
    "dateTime",
    "gYear",
    "string",
    "boolean",
)
#: Schema names always allowed besides the prompt's, when their prefix is known.
ALWAYS = ("rdf:type", "rdfs:label")
END = "\x00"  # the character that stands for the end of the target

Rule = tuple[str, tuple[str, ...]]


def _expand(text: str) -> list[Rule]:
    """Rules of ``text`` with ``x?`` expanded into alternatives and ``x+`` into a new
    left-recursive symbol; no rule is empty."""
    rules: list[Rule] = []
    plus: set[str] = set()
    lines: list[str] = []
    for line in text.strip().splitlines():  # "    | ..." continues the rule above
        if line.startswith("    |"):
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    for line in lines:
        head, _, body = line.partition(" := ")
        for alt in body.split(" | "):
            variants: list[list[str]] = [[]]
            for sym in alt.split():
                if sym.endswith("?"):
                    variants = [v + extra for v in variants for extra in ([], [sym[:-1]])]
                    continue
                if sym.endswith("+"):
                    plus.add(sym[:-1])
                variants = [[*v, sym] for v in variants]
            rules += [
                (head, tuple(s.strip("'") if s.startswith("'") else s for s in v))
                for v in variants
                if v
            ]
    for sym in sorted(plus):
        base = sym.strip("'")
        rules += [(sym + "+", (base,)), (sym + "+", (sym + "+", base))]
    return rules


@dataclass(frozen=True)
class _Grammar:
    rules: tuple[Rule, ...]
    by_head: dict[str, tuple[int, ...]]

    def is_terminal(self, sym: str) -> bool:
        return sym not in self.by_head


def _grammar() -> _Grammar:
    rules = tuple(_expand(GRAMMAR))
    heads: dict[str, list[int]] = {}
    for i, (head, _) in enumerate(rules):
        heads.setdefault(head, []).append(i)
    return _Grammar(rules, {h: tuple(ids) for h, ids in heads.items()})


G = _grammar()
Item = tuple[int, int, int]  # rule, dot, origin


def _close(chart: tuple[frozenset[Item], ...], seed: set[Item]) -> frozenset[Item]:
    """The Earley set at position ``len(chart)``: ``seed`` predicted and completed."""
    pos = len(chart)
    done = set(seed)
    todo = list(seed)
    while todo:
        rule, dot, origin = todo.pop()
        head, body = G.rules[rule]
        if dot < len(body):
            sym = body[dot]
            if not G.is_terminal(sym):
                for r in G.by_head[sym]:
                    new = (r, 0, pos)
                    if new not in done:
                        done.add(new)
                        todo.append(new)
            continue
        # Complete: advance every item at ``origin`` that waits for ``head``.
        waiting = done if origin == pos else chart[origin]
        for r, d, o in list(waiting):
            b = G.rules[r][1]
            if d < len(b) and b[d] == head:
                new = (r, d + 1, o)
                if new not in done:
                    done.add(new)
                    todo.append(new)
    return frozenset(done)


@dataclass(frozen=True)
class Parse:
    """An Earley chart over the terminals read so far (immutable; steps share it)."""

    chart: tuple[frozenset[Item], ...]

    @cached_property
    def expected(self) -> frozenset[str]:
        """The terminals that may come next."""
        return frozenset(
            body[d]
            for r, d, _ in self.chart[-1]
            if d < len(body := G.rules[r][1]) and G.is_terminal(body[d])
        )

    @cached_property
    def complete(self) -> bool:
        return any(
            G.rules[r][0] == "query" and d == len(G.rules[r][1]) and o == 0
            for r, d, o in self.chart[-1]
        )

    def feed(self, terminals: Iterable[str]) -> Parse | None:
        """The chart after a token that is any of ``terminals``; None if none fits."""
        kinds = set(terminals)
        seed = {
            (r, d + 1, o)
            for r, d, o in self.chart[-1]
            if d < len(body := G.rules[r][1]) and body[d] in kinds
        }
        return Parse((*self.chart, _close(self.chart, seed))) if seed else None


START = Parse((_close((), {(r, 0, 0) for r in G.by_head["query"]}),))
