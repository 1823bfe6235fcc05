"""The query form the model writes, and back: pure functions, no model, no store.

A *target* is a SPARQL query in a compact canonical form:

- one space between tokens, comments and ``PREFIX``/``BASE`` declarations dropped;
- IRIs written with the given prefixes (``pv:memberOf``) when the local part is a plain
  name, else kept as ``<...>``; prefixed names of the query are re-written with the given
  prefixes, whatever the query declared (``res:Berlin`` and ``dbr:Berlin`` are one target);
- the IRIs of linked entities replaced by their slots (``ENT0``, ``ENT1`` ...), so the model
  never has to spell an IRI; numbers that the question states replaced by value slots
  (``NUM0`` ...; ``"0.15"^^xsd:decimal`` becomes ``NUM0^^xsd:decimal``), so it never has
  to spell a number either;
- variables renamed ``?x0``, ``?x1`` ... in order of first appearance;
- keywords and function names in upper case (``a``, ``true``, ``false`` in lower case).

:func:`decode` turns a target back into an executable query: slots filled with IRIs and a
``PREFIX`` line for each prefix it uses. ``encode(decode(t)) == t`` for every target ``t``
that :func:`encode` produced, which the tests check on many real queries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from sparqlqa.errors import TargetError
from sparqlqa.kg.results import is_literal_term
from sparqlqa.ontology.prompt import prefixed
from sparqlqa.ontology.tokens import Token, tokens

#: Bumped when the target form changes; stored with each checkpoint.
TARGET_FORMAT_VERSION = 2

_LOWER_WORDS = frozenset({"a", "true", "false"})


def _split_pname(text: str) -> tuple[str, str]:
    prefix, _, local = text.partition(":")
    return prefix, re.sub(r"\\(.)", r"\1", local)


def _compact(iri: str, prefixes: Mapping[str, str]) -> str:
    """``iri`` as ``prefix:local`` with the longest matching namespace, else ``<iri>``.

    The same rule as the prompt's schema block, so the query names terms as the prompt does.
    """
    return prefixed(iri, prefixes)


def _declarations(toks: list[Token]) -> tuple[dict[str, str], list[Token]]:
    """The ``PREFIX`` declarations at the head of a query, and the tokens after them."""
    declared: dict[str, str] = {}
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("PREFIX", "BASE"):
        if toks[i].text.upper() == "BASE":
            raise TargetError("queries with BASE are not supported: write absolute IRIs")
        if i + 2 >= len(toks) or toks[i + 1].kind != "pname" or toks[i + 2].kind != "iri":
            raise TargetError(f"malformed PREFIX declaration near token {i}")
        declared[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
        i += 3
    return declared, toks[i:]


def _render(parts: list[tuple[str, str]]) -> str:
    """Tokens joined by one space, except where SPARQL wants them glued (``"x"@en``, ``^^``)."""
    out: list[str] = []
    glue = False
    for kind, text in parts:
        if out and (kind == "langtag" or text == "^^" or glue):
            out[-1] += text
        else:
            out.append(text)
        glue = text == "^^"
    return " ".join(out)


def iris(sparql: str, prefixes: Mapping[str, str] | None = None) -> list[str]:
    """Every IRI the query mentions (prefixed names expanded), in order, without repeats."""
    declared, body = _declarations(list(tokens(sparql)))
    known = {**(prefixes or {}), **declared}
    seen: dict[str, None] = {}
    for tok in body:
        if tok.kind == "iri":
            seen.setdefault(tok.text[1:-1], None)
        elif tok.kind == "pname":
            prefix, local = _split_pname(tok.text)
            if prefix in known:
                seen.setdefault(known[prefix] + local, None)
    return list(seen)


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _value_slot(tok: Token, value_slots: Mapping[Decimal, str]) -> str | None:
    """The value slot of a number token or a quoted number (``"0.15"``), if it has one."""
    if tok.kind == "number":
        key = _number(tok.text)
    elif tok.kind == "string" and tok.text[:1] in "\"'" and tok.text[1:2] not in "\"'":
        key = _number(tok.text[1:-1])
    else:
        return None
    return value_slots.get(key) if key is not None else None


def encode(
    sparql: str,
    entity_slots: Mapping[str, str],
    prefixes: Mapping[str, str],
    value_slots: Mapping[str, str] | None = None,
) -> str:
    """The canonical target of ``sparql``.

    ``entity_slots`` maps entity IRIs to their slots (``{"http://...": "ENT0"}``), and value
    entities, written as literals (``'"Breda"'``), to theirs;
    ``prefixes`` maps prefix names to namespaces. Prefixed names in ``sparql`` are read with
    its own ``PREFIX`` declarations first, then ``prefixes``; an undeclared prefix is an error.
    ``value_slots`` maps numbers of the question to their slots (``{"0.15": "NUM0"}``): a
    number literal of the query equal to one of them (``0.15``, ``"0.150"^^xsd:decimal``)
    is written as its slot.
    """
    by_value = {
        key: slot
        for text, slot in (value_slots or {}).items()
        if (key := _number(text)) is not None
    }
    declared, body = _declarations(list(tokens(sparql)))
    known = {**prefixes, **declared}
    variables: dict[str, str] = {}
    parts: list[tuple[str, str]] = []
    skip_next = False
    for i, tok in enumerate(body):
        kind, text = tok.kind, tok.text
        if skip_next:  # the language tag of a value entity written as its slot
            skip_next = False
            continue
        if kind == "string":
            tagged = text + body[i + 1].text if i + 1 < len(body) else text
            if i + 1 < len(body) and body[i + 1].kind == "langtag" and tagged in entity_slots:
                parts.append(("slot", entity_slots[tagged]))
                skip_next = True
                continue
            if text in entity_slots:  # a value entity ("Breda"): its slot
                parts.append(("slot", entity_slots[text]))
                continue
        if kind in ("iri", "pname"):
            if kind == "iri":
                iri = text[1:-1]
            else:
                prefix, local = _split_pname(text)
                if prefix not in known:
                    raise TargetError(f"prefix {prefix!r}: is used but not declared")
                iri = known[prefix] + local
            if iri in entity_slots:
                kind, text = "slot", entity_slots[iri]
            else:
                text = _compact(iri, prefixes)
                kind = "pname" if not text.startswith("<") else "iri"
        elif (slot := _value_slot(tok, by_value)) is not None:
            kind, text = "slot", slot
        elif kind == "var":
            name = text[1:]
            text = variables.setdefault(name, f"?x{len(variables)}")
        elif kind == "word":
            text = text.lower() if text.lower() in _LOWER_WORDS else text.upper()
        parts.append((kind, text))
    return _render(parts)


def decode(
    target: str,
    slot_iris: Mapping[str, str],
    prefixes: Mapping[str, str],
) -> str:
    """An executable query from ``target``: slots filled, ``PREFIX`` lines for those used.

    ``slot_iris`` maps entity slots to IRIs (``{"ENT0": "http://..."}``) and value slots to
    numbers (``{"NUM0": "0.15"}``); a value slot followed by ``^^`` becomes a quoted literal.
    Raises :class:`~sparqlqa.errors.TargetError` when the target names a slot that
    ``slot_iris`` does not fill or a prefix ``prefixes`` does not know.
    """
    used: dict[str, None] = {}
    parts: list[tuple[str, str]] = []
    toks = list(tokens(target))
    for i, tok in enumerate(toks):
        kind, text = tok.kind, tok.text
        if kind == "slot":
            if text not in slot_iris:
                what = "number of the question" if text.startswith("NUM") else "entity"
                raise TargetError(f"the query names {text}, but no {what} fills that slot")
            if is_literal_term(slot_iris[text]):  # a value entity: the literal itself
                kind, text = "string", slot_iris[text]
            elif not text.startswith("NUM"):
                kind, text = "iri", f"<{slot_iris[text]}>"
            elif i + 1 < len(toks) and toks[i + 1].text == "^^":
                kind, text = "string", f'"{slot_iris[text]}"'
            else:
                kind, text = "number", slot_iris[text]
        elif kind == "pname":
            prefix, _ = _split_pname(text)
            if prefix not in prefixes:
                raise TargetError(f"the query uses the unknown prefix {prefix!r}:")
            used.setdefault(prefix, None)
        elif kind == "word" and text.upper() in ("PREFIX", "BASE"):
            raise TargetError("a target must not declare prefixes")
        parts.append((kind, text))
    head = "".join(f"PREFIX {p}: <{prefixes[p]}>\n" for p in used)
    return head + _render(parts)


def slots_in(target: str) -> list[str]:
    """The slots a target names, in order of first appearance."""
    seen: dict[str, None] = {}
    for tok in tokens(target):
        if tok.kind == "slot":
            seen.setdefault(tok.text, None)
    return list(seen)


def normalise(text: str) -> str:
    """Generated text in the spacing :func:`encode` writes (whitespace collapsed when the text
    cannot even be read as tokens)."""
    try:
        return _render([(t.kind, t.text) for t in tokens(text)])
    except TargetError:
        return " ".join(text.split())
