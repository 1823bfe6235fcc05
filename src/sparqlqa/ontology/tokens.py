"""The lexical tokens of SPARQL queries and of translator targets (SPARQL with entity and
number slots, ``ENT0``, ``NUM0``): one tokenizer for the target encoder, the grammar, query
skeletons and the benchmarks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sparqlqa.errors import TargetError

SLOT = re.compile(r"(?:ENT|NUM)(\d+)\Z")

_PN_CHARS_BASE = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
_NAME = rf"[{_PN_CHARS_BASE}_0-9]"
_TOKENS = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$]"""
    + _NAME
    + r"""+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z][\w.-]*?)?:(?:(?:[\w:%-]|\\[_~.\-!$&'()*+,;=/?\#@%])
        (?:(?:[\w.:%-]|\\[_~.\-!$&'()*+,;=/?\#@%])*(?:[\w:%-]|\\[_~.\-!$&'()*+,;=/?\#@%]))?)?)
  | (?P<number>(?:\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+))
  | (?P<blank>_:[\w.-]*\w)
  | (?P<word>[A-Za-z_][\w]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;*=<>!+\-/^|?])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # string, iri, var, langtag, pname, number, blank, word, punct, slot
    text: str


def tokens(sparql: str) -> Iterator[Token]:
    """The lexical tokens of a query (or target), whitespace and comments dropped."""
    for token, _, _ in token_spans(sparql):
        yield token


def token_spans(sparql: str) -> Iterator[tuple[Token, int, int]]:
    """The tokens of :func:`tokens` with their character span in ``sparql`` (for rewriting
    one term of a query in place)."""
    pos = 0
    while pos < len(sparql):
        match = _TOKENS.match(sparql, pos)
        if match is None:
            raise TargetError(
                f"cannot read the query at character {pos}: {sparql[pos : pos + 30]!r}"
            )
        pos = match.end()
        kind = match.lastgroup or ""
        if kind in ("ws", "comment"):
            continue
        text = match.group()
        if kind == "word" and SLOT.match(text):
            kind = "slot"
        yield Token(kind, text), match.start(), match.end()
