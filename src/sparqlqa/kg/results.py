"""Result normalisation: every store's output in one SPARQL-JSON shape.

Engines disagree in details: Virtuoso writes ``"type": "typed-literal"`` (an old draft of the
format), some write ``xsd:string`` datatypes on plain strings. ``normalise_result`` maps
them to SPARQL 1.1 JSON so results from different stores compare equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from sparqlqa.kg.store import XSD, Binding, QueryResult, Term

_XSD_STRING = XSD + "string"
# The numeric XSD datatypes, by their local name.
_NUMERIC = re.compile(r"(integer|decimal|double|float|int|long|short|byte)$", re.I)


def is_number(term: Mapping[str, str]) -> bool:
    """Whether a SPARQL-JSON term is a literal of a numeric XSD datatype."""
    datatype = term.get("datatype", "")
    return datatype.startswith(XSD) and _NUMERIC.search(datatype) is not None


def term_to_json(term: Any) -> Term:
    """A pyoxigraph term as a SPARQL-JSON term."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: Term = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):  # RDF-star quoted triple: keep it readable
        return {"type": "triple", "value": str(term)}
    raise TypeError(f"unexpected term {term!r}")


def oxigraph_result(result: Any, max_rows: int | None = None) -> QueryResult:
    """Turn what ``pyoxigraph.Store.query`` returned into SPARQL-JSON shape.

    Rows are read lazily, so a cap stops a huge (or endless) result early.
    """
    if isinstance(result, ox.QueryBoolean):
        return {"head": {}, "boolean": bool(result)}
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = ({n: term_to_json(sol[n]) for n in names if sol[n] is not None} for sol in result)
        return _bindings_result(names, rows, max_rows)
    if isinstance(result, ox.QueryTriples):
        return triples_result(result, max_rows)
    raise TypeError(f"unexpected pyoxigraph result {type(result).__name__}")


def triples_result(triples: Iterable[ox.Triple], max_rows: int | None = None) -> QueryResult:
    """Triples (a CONSTRUCT or DESCRIBE result) as bindings of ``s``, ``p`` and ``o``."""
    rows = (
        {
            "s": term_to_json(t.subject),
            "p": term_to_json(t.predicate),
            "o": term_to_json(t.object),
        }
        for t in triples
    )
    return _bindings_result(["s", "p", "o"], rows, max_rows)


def _bindings_result(
    names: list[str], rows: Iterator[Binding], max_rows: int | None
) -> QueryResult:
    bindings: list[Binding] = []
    truncated = False
    for row in rows:
        if max_rows is not None and len(bindings) >= max_rows:
            truncated = True
            break
        bindings.append(row)
    out: QueryResult = {"head": {"vars": names}, "results": {"bindings": bindings}}
    if truncated:
        out["truncated"] = True
    return out


def normalise_term(term: Term) -> Term:
    """A SPARQL-JSON term in SPARQL 1.1 form (``typed-literal`` and ``xsd:string`` folded)."""
    kind = term.get("type")
    out = dict(term)
    if kind == "typed-literal":
        out["type"] = "literal"
    if out.get("datatype") == _XSD_STRING:
        del out["datatype"]
    return out


def normalise_result(result: dict[str, Any], max_rows: int | None = None) -> QueryResult:
    """Normalise a SPARQL-JSON document from a remote engine, cutting it at ``max_rows``."""
    if "boolean" in result:
        return {"head": result.get("head", {}), "boolean": bool(result["boolean"])}
    names: list[str] = list(result.get("head", {}).get("vars", []))
    raw = result.get("results", {}).get("bindings", [])
    rows = ({k: normalise_term(v) for k, v in row.items()} for row in raw)
    return _bindings_result(names, rows, max_rows)


def values(result: QueryResult) -> list[str]:
    """The values of all projected variables, flattened (TEXT2SPARQL's answer set), or the
    boolean of an ASK as ``"true"``/``"false"``."""
    if "boolean" in result:
        return ["true" if result["boolean"] else "false"]
    return [t["value"] for row in result["results"]["bindings"] for t in row.values()]


def rows(result: QueryResult) -> Iterable[Binding]:
    """The bindings of a SELECT/CONSTRUCT result (empty for ASK)."""
    return result.get("results", {}).get("bindings", [])


def sparql_term(term: Mapping[str, str]) -> str:
    """A SPARQL-JSON term written in SPARQL syntax."""
    value = term["value"]
    if term["type"] == "uri":
        return f"<{value}>"
    if term["type"] == "bnode":
        raise ValueError("a blank node cannot be written into a query")
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    if "xml:lang" in term:
        return f'"{escaped}"@{term["xml:lang"]}'
    if "datatype" in term:
        return f'"{escaped}"^^<{term["datatype"]}>'
    return f'"{escaped}"'


def is_literal_term(text: str) -> bool:
    """Is ``text`` a literal written in SPARQL syntax (``"Breda"``, ``"x"@en``), as value
    entities carry it in place of an IRI?"""
    return text.startswith(('"', "'"))
