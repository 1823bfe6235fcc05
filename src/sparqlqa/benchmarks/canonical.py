"""Query canonicalisation for exact match, and the NSpM encoding used by sentence BLEU.

Two queries are an exact match when their canonical forms are equal: PREFIX declarations
dropped and prefixed names expanded to full IRIs, ``a`` written as ``rdf:type``, variables
renamed in order of first appearance (``?v0``, ``?v1``...), keywords upper-cased and
whitespace collapsed. The order of triple patterns is kept (reordering them is a different
query text, even when it means the same).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sparqlqa.kg.prefixes import COMMON_PREFIXES

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

_TOKENS = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<var>[?$][\w\u00b7-]+)"
    # A local name may contain dots, but not end with one (that dot ends the triple).
    r"|(?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w%\\:-]|\.(?=[\w%\\:-]))*)"
    r"|(?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<punct>\^\^|&&|\|\||<=|>=|!=|[{}()\[\].,;*=<>!+/|^@-])"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)


def tokens(sparql: str) -> list[tuple[str, str]]:
    """``(kind, text)`` tokens of a query, comments and whitespace dropped."""
    out: list[tuple[str, str]] = []
    for match in _TOKENS.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        out.append((kind, match.group(0)))
    return out


def canonical(sparql: str, prefixes: Mapping[str, str] | None = None) -> str:
    """The canonical text of ``sparql`` (see the module docstring).

    ``prefixes`` are used for prefixed names the query does not declare (default: the
    project's common prefixes); names with unknown prefixes are kept as written.
    """
    known = dict(COMMON_PREFIXES if prefixes is None else prefixes)
    toks = tokens(sparql)
    declared: dict[str, str] = {}
    body: list[tuple[str, str]] = []
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        if kind == "word" and text.upper() == "PREFIX" and i + 2 < len(toks):
            (_, name), (iri_kind, iri) = toks[i + 1], toks[i + 2]
            if name.endswith(":") and iri_kind == "iri":
                declared[name[:-1]] = iri[1:-1]
                i += 3
                continue
        if kind == "word" and text.upper() == "BASE" and i + 1 < len(toks):
            i += 2
            continue
        body.append((kind, text))
        i += 1
    namespaces = {**known, **declared}
    renamed: dict[str, str] = {}
    out: list[str] = []
    for kind, text in body:
        if kind == "pname":
            prefix, _, local = text.partition(":")
            if prefix in namespaces:
                out.append(f"<{namespaces[prefix]}{local.replace(chr(92), '')}>")
            else:
                out.append(text)
        elif kind == "var":
            name = text[1:]
            renamed.setdefault(name, f"?v{len(renamed)}")
            out.append(renamed[name])
        elif kind == "word":
            if text == "a":
                out.append(RDF_TYPE)
            elif text.lower() in ("true", "false"):
                out.append(text.lower())
            else:
                out.append(text.upper())
        else:
            out.append(text)
    return " ".join(out)


def exact_match(predicted: str, gold: str, prefixes: Mapping[str, str] | None = None) -> bool:
    """Whether two queries are the same after canonicalisation."""
    return canonical(predicted, prefixes) == canonical(gold, prefixes)


# The NSpM encoding (LiberAI/NSpM generator_utils.py): punctuation spelled as words, so that a
# whitespace tokenizer sees SPARQL's structure. Applied in this order.
_NSPM_REPLACEMENTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("dbo:", "http://dbpedia.org/ontology/"), "dbo_"),
    (("dbp:", "http://dbpedia.org/property/"), "dbp_"),
    (("dbc:", "http://dbpedia.org/resource/Category:"), "dbc_"),
    (("dbr:", "res:", "http://dbpedia.org/resource/"), "dbr_"),
    (("dct:",), "dct_"),
    (("rdf:",), "rdf_"),
    (("rdfs:",), "rdfs_"),
    (("foaf:",), "foaf_"),
    (("owl:",), "owl_"),
    (("skos:",), "skos_"),
    ((" ( ",), "  par_open  "),
    ((" ) ",), "  par_close  "),
    (("(",), " attr_open "),
    ((") ", ")"), " attr_close "),
    (("{",), " brack_open "),
    (("}",), " brack_close "),
    ((" . ",), " sep_dot "),
    ((". ",), " sep_dot "),
    (("?",), "var_"),
    (("*",), " wildcard "),
    ((" <= ",), " math_leq "),
    ((" >= ",), " math_geq "),
    ((" < ",), " math_lt "),
    ((" > ",), " math_gt "),
)


def nspm_encode(sparql: str) -> str:
    """A query in NSpM's encoded form (``{`` → ``brack_open``, ``?x`` → ``var_x``...)."""
    text = " ".join(sparql.split())
    for originals, encoding in _NSPM_REPLACEMENTS:
        for original in originals:
            text = text.replace(original, encoding)
    return " ".join(text.split())
