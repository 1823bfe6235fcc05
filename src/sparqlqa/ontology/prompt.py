"""The prompt the translator sees: the question, its linked entities and the schema that matters.

One compact, stable text form, shared by training (``training/``) and inference (``service/``)::

    question: Which department does Wolfgang Martin work in?
    entities: ENT0 = Wolfgang Martin (Employee)
    schema: pv:Department = class Department | pv:memberOf = member of (Agent -> Department)
    sparql:

The model writes its query with entity slots (``ENT0``, ``ENT1``...) where IRIs of entities go
and prefixed names (``pv:memberOf``) for schema terms; the slots are filled with IRIs after
decoding. Numbers in the question (outside entity names) get value slots the same way, on a
``values:`` line that appears only when there are some (``values: NUM0 = 0.15``): the model
copies ``NUM0`` instead of spelling the number. Schema items come most relevant first; when
the prompt is over budget the least relevant ones are dropped, never the question or the
entities.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from sparqlqa.ontology.schema import (
    DATE_DATATYPES,
    NUMERIC_DATATYPES,
    OWL,
    Schema,
    SchemaClass,
    SchemaProperty,
    local_name,
    words_of,
)

#: Bumped whenever the rendered text changes: a model trained on one format needs that format.
PROMPT_FORMAT_VERSION = 2
#: The default budget in characters (about 4 characters per token for English and IRIs).
DEFAULT_MAX_CHARS = 1600
ITEM_SEPARATOR = " | "
ENTITY_SEPARATOR = " ; "
#: The last line; the model continues after it with the query.
ANSWER_CUE = "sparql:"

_PN_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_PREFIX_NAME = re.compile(r"^[A-Za-z]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$|^$")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"


@dataclass(frozen=True)
class PromptEntity:
    """One linked entity as the prompt shows it; ``slot`` is what the query writes for it."""

    slot: str  # "ENT0", "ENT1"... in the order of the entities in the prompt
    iri: str
    label: str
    class_label: str | None = None


@dataclass(frozen=True)
class PromptSchemaItem:
    """One class or property as the prompt shows it."""

    kind: Literal["class", "property"]
    iri: str
    prefixed: str  # "pv:memberOf", or "<iri>" when no prefix fits
    label: str
    domain_label: str | None = None  # properties only: "Agent", "Employee or Manager"
    range_label: str | None = None  # properties only: "Department", "number", "date"


def _clean(text: str) -> str:
    """One line of text: whitespace collapsed, the prompt's separators kept out."""
    return " ".join(text.replace("|", "/").split())


@dataclass(frozen=True)
class PromptValue:
    """A number of the question as the prompt shows it; ``slot`` is what the query writes."""

    slot: str  # "NUM0", "NUM1"... in question order
    text: str  # the number as a SPARQL literal writes it: "1000" for "1,000"
    start: int
    end: int


# A number standing alone: not part of a word ("v2", "ENT0") or of a longer number.
_ALONE_BEFORE = r"(?<![\w.,])(?<!\d-)"
_ALONE_AFTER = r"(?![\w]|[.,]\d)"
_NUMBER = re.compile(_ALONE_BEFORE + r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?" + _ALONE_AFTER)
# German and Spanish write 2,5 for 2.5 and 1.000 for 1000; "3.96" (as technical writing and
# our generated questions have it) still reads as a decimal, and "0.661" cannot group
# thousands. Alternatives in that order: grouped thousands, decimal comma, decimal point.
_NUMBER_DECIMAL_COMMA = re.compile(
    _ALONE_BEFORE
    + r"-?(?:(?P<grouped>[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?)|(?P<comma>\d+,\d+)|\d+(?:\.\d+)?)"
    + _ALONE_AFTER
)
#: The languages whose numbers use a decimal comma.
DECIMAL_COMMA_LANGUAGES = frozenset({"de", "es"})


def _number_text(match: re.Match[str], language: str) -> str:
    """The number of ``match`` as a SPARQL literal writes it ("1000", "2.5")."""
    text = match.group()
    if language not in DECIMAL_COMMA_LANGUAGES:
        return text.replace(",", "")
    if match.group("grouped"):
        return text.replace(".", "").replace(",", ".")
    return text.replace(",", ".") if match.group("comma") else text


def question_values(
    question: str, taken: Iterable[tuple[int, int]] = (), language: str = "en"
) -> list[PromptValue]:
    """The numbers of ``question`` in order, leaving out those inside the ``taken`` spans
    (the linked entities' names: the 3000 of "Printer 3000" is not a value), each as a
    SPARQL literal writes it. ``language``: the question's; German and Spanish read "2,5"
    as 2.5 and "1.000" as 1000, English "1,000" as 1000."""
    spans = list(taken)
    pattern = _NUMBER_DECIMAL_COMMA if language in DECIMAL_COMMA_LANGUAGES else _NUMBER
    found: list[PromptValue] = []
    for m in pattern.finditer(question):
        if any(start < m.end() and m.start() < end for start, end in spans):
            continue
        found.append(PromptValue(f"NUM{len(found)}", _number_text(m, language), *m.span()))
    return found


def render_value(value: PromptValue) -> str:
    return f"{value.slot} = {value.text}"


def render_entity(entity: PromptEntity) -> str:
    text = f"{entity.slot} = {_clean(entity.label)}"
    return f"{text} ({_clean(entity.class_label)})" if entity.class_label else text


def render_schema_item(item: PromptSchemaItem) -> str:
    if item.kind == "class":
        return f"{item.prefixed} = class {_clean(item.label)}"
    text = f"{item.prefixed} = {_clean(item.label)}"
    if item.domain_label or item.range_label:
        domain = _clean(item.domain_label or "any")
        range_ = _clean(item.range_label or "any")
        text += f" ({domain} -> {range_})"
    return text


def render_prompt(
    question: str,
    entities: Sequence[PromptEntity],
    schema_items: Sequence[PromptSchemaItem],
    max_chars: int = DEFAULT_MAX_CHARS,
    *,
    values: Sequence[PromptValue] = (),
    length: Callable[[str], int] = len,
) -> str:
    """The prompt for ``question``, within ``max_chars`` as measured by ``length``.

    ``schema_items`` must come most relevant first: items are dropped from the end until the
    prompt fits (duplicates of an IRI keep the first). The question and the entities are never
    cut, so a prompt whose question and entities alone exceed the budget is returned without
    schema items, over budget. Pass a tokenizer's counting function as ``length`` (e.g.
    ``lambda s: len(tok(s).input_ids)``) to budget in tokens instead of characters.
    """
    seen: set[str] = set()
    items: list[str] = []
    for item in schema_items:
        if item.iri not in seen:
            seen.add(item.iri)
            items.append(render_schema_item(item))
    head = [
        f"question: {' '.join(question.split())}",
        "entities: " + (ENTITY_SEPARATOR.join(map(render_entity, entities)) or "(none)"),
    ]
    if values:
        head.append("values: " + ENTITY_SEPARATOR.join(map(render_value, values)))

    def assemble(n: int) -> str:
        schema = ITEM_SEPARATOR.join(items[:n]) or "(none)"
        return "\n".join([*head, f"schema: {schema}", ANSWER_CUE])

    # Binary search for the most items that fit: length() may be a slow tokenizer.
    lo, hi = 0, len(items)
    if length(assemble(hi)) <= max_chars:
        return assemble(hi)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if length(assemble(mid)) <= max_chars:
            lo = mid
        else:
            hi = mid - 1
    return assemble(lo)


def prefixed(iri: str, prefixes: Mapping[str, str]) -> str:
    """``iri`` as a prefixed name (``pv:memberOf``) with the longest matching namespace, or
    ``<iri>`` when none matches or the rest is not a valid local name."""
    best: tuple[int, str] | None = None
    for prefix, namespace in prefixes.items():
        if not namespace or not iri.startswith(namespace) or not _PREFIX_NAME.match(prefix):
            continue
        rest = iri[len(namespace) :]
        if _PN_LOCAL.match(rest) and (best is None or len(namespace) > best[0]):
            best = (len(namespace), f"{prefix}:{rest}")
    return best[1] if best else f"<{iri}>"


def merge_prefixes(*tables: Mapping[str, str]) -> dict[str, str]:
    """Prefix tables merged, the earlier ones winning: pass the graph's own prefixes first
    (``store.prefixes``), then ``kg.prefixes.COMMON_PREFIXES``. A namespace already bound to
    a prefix is not bound again."""
    merged: dict[str, str] = {}
    namespaces: set[str] = set()
    for table in tables:
        for prefix, namespace in table.items():
            if prefix not in merged and namespace not in namespaces:
                merged[prefix] = namespace
                namespaces.add(namespace)
    return merged


def type_label(iri: str, schema: Schema) -> str:
    """A class or datatype in words: a schema label, or "number", "date", "text"..."""
    if iri in schema.classes:
        return schema.classes[iri].label
    if iri in NUMERIC_DATATYPES:
        return "number"
    if iri in DATE_DATATYPES:
        return "date"
    if iri == _XSD + "boolean":
        return "boolean"
    if iri in (_XSD + "string", _RDF + "langString", _RDFS + "Literal", _RDF + "PlainLiteral"):
        return "text"
    if iri in (OWL + "Thing", _RDFS + "Resource"):
        return "thing"
    return words_of(local_name(iri)) or iri


def _types_label(iris: Iterable[str], schema: Schema, limit: int = 3) -> str | None:
    words = list(dict.fromkeys(type_label(i, schema) for i in iris))
    if not words:
        return None
    return " or ".join(words[:limit]) + (" ..." if len(words) > limit else "")


def schema_item(
    term: SchemaClass | SchemaProperty, schema: Schema, prefixes: Mapping[str, str]
) -> PromptSchemaItem:
    """The prompt form of one class or property of ``schema``."""
    if isinstance(term, SchemaClass):
        return PromptSchemaItem("class", term.iri, prefixed(term.iri, prefixes), term.label)
    return PromptSchemaItem(
        "property",
        term.iri,
        prefixed(term.iri, prefixes),
        term.label,
        domain_label=_types_label(term.domain, schema),
        range_label=_types_label(term.range, schema),
    )


def schema_items(
    terms: Iterable[SchemaClass | SchemaProperty | str],
    schema: Schema,
    prefixes: Mapping[str, str],
) -> list[PromptSchemaItem]:
    """Prompt items for ``terms`` (terms or IRIs of ``schema``, most relevant first), in order.

    ``prefixes`` should prefer the graph's own, e.g.
    ``merge_prefixes(store.prefixes, COMMON_PREFIXES)``. IRIs not in the schema are skipped.
    """
    items: list[PromptSchemaItem] = []
    for term in terms:
        if isinstance(term, str):
            found = schema.classes.get(term) or schema.properties.get(term)
            if found is None:
                continue
            term = found
        items.append(schema_item(term, schema, prefixes))
    return items


_STRING_LITERAL = re.compile(
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"", re.S
)
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.\-]*)?:\s*<([^>]*)>", re.I)
_IRI_REF = re.compile(r"<([^<>\s\"{}|^`\\]+)>")
_PREFIXED = re.compile(r"(?<![\w<\"'?$:])([A-Za-z][\w\-]*)?:([A-Za-z0-9_](?:[\w.\-]*[\w\-])?)")


def query_terms(
    sparql: str, schema: Schema, prefixes: Mapping[str, str] | None = None
) -> list[str]:
    """The IRIs of ``schema``'s classes and properties that ``sparql`` uses, in order of first
    use: written in full or as prefixed names (declared in the query, else in ``prefixes``).
    Used to measure retrieval and to make sure a training prompt shows the gold terms."""
    table = dict(prefixes or {})
    for prefix, namespace in _PREFIX_DECL.findall(sparql):
        table[prefix] = namespace
    body = _PREFIX_DECL.sub(" ", _STRING_LITERAL.sub('""', sparql))
    found: list[tuple[int, str]] = [(m.start(), m.group(1)) for m in _IRI_REF.finditer(body)]
    masked = _IRI_REF.sub(lambda m: " " * len(m.group()), body)
    for m in _PREFIXED.finditer(masked):
        namespace = table.get(m.group(1) or "")
        if namespace is not None:
            found.append((m.start(), namespace + m.group(2)))
    terms = [iri for _, iri in sorted(found) if iri in schema.classes or iri in schema.properties]
    return list(dict.fromkeys(terms))


_SLOT = re.compile(r"\bENT(\d+)\b")


def fill_slots(query: str, entities: Sequence[PromptEntity]) -> str:
    """``query`` with each entity slot (``ENT0``...) replaced by the entity's ``<IRI>``; a slot
    with no entity is left as it is (the query guard will refuse it)."""
    iris = {e.slot: e.iri for e in entities}
    return _SLOT.sub(lambda m: f"<{iris[m.group()]}>" if m.group() in iris else m.group(), query)


def slot_query(query: str, entities: Sequence[PromptEntity]) -> str:
    """The inverse of :func:`fill_slots`, for training targets: each entity's ``<IRI>`` in
    ``query`` replaced by its slot."""
    for entity in entities:
        query = query.replace(f"<{entity.iri}>", entity.slot)
    return query
