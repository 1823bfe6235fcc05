"""The schema of a graph: its classes and properties with labels, comments, domains, ranges.

Read from the declarations of an ontology (OWL, RDFS, in any RDF syntax), from the same
declarations inside a store, or, where a graph declares little or nothing, inferred from the
data: classes from ``rdf:type``, property domains and ranges from the types of subjects and
objects (or the datatypes of literals), labels from ``rdfs:label`` or the local name split
into words (``hasAlignment`` → "has alignment").
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from sparqlqa.kg.embedded import MemoryStore
from sparqlqa.kg.store import RDF, RDFS, XSD, Store

OWL = "http://www.w3.org/2002/07/owl#"

NUMERIC_DATATYPES = frozenset(
    XSD + t
    for t in [
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    ]
)
DATE_DATATYPES = frozenset(XSD + t for t in ("date", "dateTime", "gYear", "gYearMonth"))
#: Vocabulary namespaces whose terms describe the schema itself, not the data.
_META_NAMESPACES = (RDF, RDFS, OWL, "http://purl.org/vocab/vann/", "http://rdfs.org/ns/void#")
_KEEP_META = frozenset({RDFS + "label", RDFS + "comment"})

PropertyKind = Literal["object", "datatype"]


@dataclass
class SchemaClass:
    iri: str
    label: str
    comment: str = ""
    parents: list[str] = field(default_factory=list)
    instances: int = 0  # how many resources have this type in the data (0: unknown or none)
    mentions: int = 0  # how many queries of a query log use it (see ontology.usage)


@dataclass
class SchemaProperty:
    iri: str
    label: str
    comment: str = ""
    kind: PropertyKind = "object"
    domain: list[str] = field(default_factory=list)  # class IRIs
    range: list[str] = field(default_factory=list)  # class IRIs or datatype IRIs
    parents: list[str] = field(default_factory=list)
    usage: int = 0  # how many triples use it in the data (0: unknown or none)
    mentions: int = 0  # how many queries of a query log use it (see ontology.usage)

    @property
    def numeric(self) -> bool:
        return any(r in NUMERIC_DATATYPES for r in self.range)

    @property
    def temporal(self) -> bool:
        return any(r in DATE_DATATYPES for r in self.range)


@dataclass
class Schema:
    classes: dict[str, SchemaClass] = field(default_factory=dict)
    properties: dict[str, SchemaProperty] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        """The label of a class or property, else the local name in words."""
        term = self.classes.get(iri) or self.properties.get(iri)
        return term.label if term else words_of(local_name(iri))

    def merge_data(self, data: Schema, used_by: Mapping[str, Sequence[str]] | None = None) -> None:
        """Take what the data says into this (declared) schema: instance and usage counts
        (from ``data``, the schema read off the store), and, from ``used_by`` (property →
        the classes whose instances use it, see :func:`classes_using`), the classes that use
        a property without its declared domain covering them (the corporate vocabulary
        gives addresses to ``Agent``; the data gives them to ``Supplier`` too)."""
        for iri, cls in self.classes.items():
            if iri in data.classes:
                cls.instances = data.classes[iri].instances
        for iri, prop in self.properties.items():
            if iri in data.properties:
                prop.usage = data.properties[iri].usage
            covered = {c for d in prop.domain for c in self.descendants(d)}
            prop.domain += [
                c for c in (used_by or {}).get(iri, ()) if c in self.classes and c not in covered
            ]

    def ancestors(self, iri: str) -> set[str]:
        """``iri`` and every class above it."""
        seen: set[str] = set()
        todo = [iri]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                known = self.classes.get(current)
                todo.extend(known.parents if known is not None else ())
        return seen

    def descendants(self, iri: str) -> set[str]:
        """``iri`` and every class below it."""
        children: dict[str, list[str]] = {}
        for cls in self.classes.values():
            for parent in cls.parents:
                children.setdefault(parent, []).append(cls.iri)
        seen, todo = set(), [iri]
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(children.get(c, ()))
        return seen

    def fingerprint(self) -> str:
        """A hash of the whole schema, to key caches built from it."""
        payload = json.dumps(
            [
                [asdict(c) for c in sorted(self.classes.values(), key=lambda c: c.iri)],
                [asdict(p) for p in sorted(self.properties.values(), key=lambda p: p.iri)],
            ],
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, list[dict[str, object]]]:
        return {
            "classes": [asdict(c) for c in self.classes.values()],
            "properties": [asdict(p) for p in self.properties.values()],
        }

    @classmethod
    def from_json(cls, data: dict[str, list[dict[str, object]]]) -> Schema:
        classes = {c["iri"]: SchemaClass(**c) for c in data["classes"]}  # type: ignore[arg-type]
        props = {p["iri"]: SchemaProperty(**p) for p in data["properties"]}  # type: ignore[arg-type]
        return cls(classes=classes, properties=props)  # type: ignore[arg-type]


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#``, ``/`` or ``:``."""
    return re.split(r"[#/:]", iri.rstrip("/#"))[-1]


def words_of(name: str) -> str:
    """A local name as words: ``hasAlignment`` → "has alignment", ``BOM_part`` → "BOM part"."""
    name = re.sub(r"[_\-.]+", " ", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
    words = [w if (w.isupper() and len(w) > 1) else w.lower() for w in name.split()]
    return " ".join(words)


def load_schema(files: Sequence[Path], *, lang: str = "en") -> Schema:
    """The schema declared in ontology files (OWL/RDFS in Turtle, RDF/XML, N-Triples...)."""
    return schema_from_store(MemoryStore(files, name="ontology"), lang=lang, infer=False)


def schema_from_store(
    store: Store,
    *,
    lang: str = "en",
    infer: bool = True,
    drop_metadata: bool = False,
    vocabulary_as_data: bool = False,
) -> Schema:
    """The schema of ``store``: its declarations, completed from its data when ``infer``.

    With ``drop_metadata``, inferred classes whose instances only describe the ontology
    itself (its creator, a ``foaf:Person`` linked from the ``owl:Ontology``) are left out,
    and the properties used only on them.

    With ``vocabulary_as_data``, a graph that *is* a vocabulary (an ontology file served as
    the data: questions about its classes and properties) is described as data: the
    declarations are not read as the schema, and ``owl:Class``, ``rdfs:subClassOf``,
    ``rdfs:domain``... become its classes and properties, inferred from their use.
    """
    schema = Schema()
    if not vocabulary_as_data:
        _read_declarations(store, schema)
    if infer or vocabulary_as_data:
        _infer_from_data(
            store,
            schema,
            drop_metadata and not vocabulary_as_data,
            skip=() if vocabulary_as_data else _META_NAMESPACES,
        )
    if vocabulary_as_data:
        schema.properties.pop(RDF + "type", None)  # class membership: the list/count shapes
    _read_labels(store, schema, lang)
    return schema


def ontology_with_data_counts(files: Sequence[Path], store: Store) -> Schema:
    """The schema declared in ontology ``files``, with the instance counts of its classes and
    the usage counts of its properties taken from the data in ``store``, and the domains of
    its properties completed by the classes that use them (:meth:`Schema.merge_data`)."""
    schema = load_schema(files)
    schema.merge_data(schema_from_store(store, infer=True), classes_using(store))
    return schema


def describes_vocabulary(schema: Schema, share: float = 0.1) -> bool:
    """Whether a graph read with :func:`schema_from_store` holds a vocabulary rather than
    data: it declares classes and properties (at least 10), and fewer resources are typed
    with its classes than a tenth of the terms it declares."""
    terms = len(schema.classes) + len(schema.properties)
    instances = sum(c.instances for c in schema.classes.values())
    return terms >= 10 and instances < share * terms


def _best_literal(rows: Iterable[dict[str, dict[str, str]]], key: str, lang: str) -> dict[str, str]:
    """Per subject ``?x``, the value of ``key`` in ``lang``, else untagged, else any."""
    ranked: dict[str, tuple[int, str]] = {}
    for row in rows:
        term = row[key]
        tag = term.get("xml:lang", "")
        rank = 0 if tag.split("-")[0] == lang else (1 if not tag else 2)
        iri = row["x"]["value"]
        if iri not in ranked or rank < ranked[iri][0]:
            ranked[iri] = (rank, term["value"])
    return {iri: value for iri, (_, value) in ranked.items()}


def _read_declarations(store: Store, schema: Schema) -> None:
    class_q = f"{{ ?x a <{OWL}Class> }} UNION {{ ?x a <{RDFS}Class> }} FILTER(isIRI(?x))"
    for row in store.select(f"SELECT DISTINCT ?x WHERE {{ {class_q} }}"):
        iri = row["x"]["value"]
        schema.classes[iri] = SchemaClass(iri=iri, label=words_of(local_name(iri)))
    kinds = {
        OWL + "ObjectProperty": "object",
        OWL + "DatatypeProperty": "datatype",
        RDF + "Property": "",
    }
    values = " ".join(f"<{k}>" for k in kinds)
    for row in store.select(
        f"SELECT ?x ?k WHERE {{ VALUES ?k {{ {values} }} ?x a ?k FILTER(isIRI(?x)) }}"
    ):
        iri, kind = row["x"]["value"], kinds[row["k"]["value"]]
        prop = schema.properties.setdefault(
            iri, SchemaProperty(iri=iri, label=words_of(local_name(iri)))
        )
        if kind:
            prop.kind = kind  # type: ignore[assignment]
    links = (
        (RDFS + "subClassOf", schema.classes, "parents"),
        (RDFS + "subPropertyOf", schema.properties, "parents"),
        (RDFS + "domain", schema.properties, "domain"),
        (RDFS + "range", schema.properties, "range"),
    )
    for predicate, table, attribute in links:
        for row in store.select(f"SELECT ?x ?y WHERE {{ ?x <{predicate}> ?y FILTER(isIRI(?y)) }}"):
            term = table.get(row["x"]["value"])
            if term is not None:
                getattr(term, attribute).append(row["y"]["value"])
    for prop in schema.properties.values():
        if prop.range and all(r.startswith(XSD) or r == RDFS + "Literal" for r in prop.range):
            prop.kind = "datatype"


def _read_labels(store: Store, schema: Schema, lang: str) -> None:
    """Labels and comments of the terms, declared or inferred, from ``rdfs:label`` and
    ``rdfs:comment``; terms without one keep their local name in words."""
    terms = {**schema.classes, **schema.properties}
    for predicate, attribute in ((RDFS + "label", "label"), (RDFS + "comment", "comment")):
        rows = store.select(f"SELECT ?x ?v WHERE {{ ?x <{predicate}> ?v FILTER(isLiteral(?v)) }}")
        for iri, text in _best_literal(rows, "v", lang).items():
            if iri in terms:
                setattr(terms[iri], attribute, " ".join(text.split()))


def _infer_from_data(
    store: Store,
    schema: Schema,
    drop_metadata: bool = False,
    skip: tuple[str, ...] = _META_NAMESPACES,
) -> None:
    """Classes, properties, domains and ranges from the data; terms in the ``skip``
    namespaces (the vocabulary's own: rdf, rdfs, owl...) are not data."""
    declared = set(schema.properties)
    declared_classes = set(schema.classes)
    for row in store.select(
        "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c"
    ):
        iri = row["c"]["value"]
        if skip and iri.startswith(skip):
            continue
        cls = schema.classes.setdefault(iri, SchemaClass(iri=iri, label=words_of(local_name(iri))))
        cls.instances = int(row["n"]["value"])
    for row in store.select("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"):
        iri = row["p"]["value"]
        if skip and iri.startswith(skip) and iri not in _KEEP_META:
            continue
        prop = schema.properties.setdefault(
            iri, SchemaProperty(iri=iri, label=words_of(local_name(iri)))
        )
        prop.usage = int(row["n"]["value"])
    domains: dict[str, Counter[str]] = defaultdict(Counter)
    ranges: dict[str, Counter[str]] = defaultdict(Counter)
    literal_share: dict[str, Counter[bool]] = defaultdict(Counter)
    for row in store.select(
        "SELECT ?p ?c (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?s a ?c } GROUP BY ?p ?c"
    ):
        domains[row["p"]["value"]][row["c"]["value"]] += int(row["n"]["value"])
    for row in store.select(
        "SELECT ?p ?c (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?o a ?c } GROUP BY ?p ?c"
    ):
        ranges[row["p"]["value"]][row["c"]["value"]] += int(row["n"]["value"])
    for row in store.select(
        "SELECT ?p ?lit ?dt (COUNT(*) AS ?n) WHERE { ?s ?p ?o "
        "BIND(isLiteral(?o) AS ?lit) BIND(IF(?lit, datatype(?o), ?unbound) AS ?dt) } "
        "GROUP BY ?p ?lit ?dt"
    ):
        p, n = row["p"]["value"], int(row["n"]["value"])
        is_literal = row["lit"]["value"] == "true"
        literal_share[p][is_literal] += n
        if is_literal and "dt" in row:
            ranges[p][row["dt"]["value"]] += n
    for iri, prop in schema.properties.items():
        if not prop.domain and domains.get(iri):
            prop.domain = _dominant(domains[iri], schema)
        if not prop.range and ranges.get(iri):
            prop.range = _dominant(ranges[iri], schema)
        share = literal_share.get(iri)
        if share and share[True] > share[False]:
            prop.kind = "datatype"
        elif share and not any(r.startswith(XSD) for r in prop.range):
            prop.kind = "object"
    # Undeclared classes whose instances only describe the ontology itself (its creator, a
    # foaf:Person linked from the owl:Ontology) and touch no data resource are metadata too.
    metadata_classes = _metadata_classes(store) - declared_classes if drop_metadata else set()
    for iri in metadata_classes:
        schema.classes.pop(iri, None)
    # Undeclared properties used only on schema terms (the ontology's own metadata: creator,
    # licence, depiction of a class) say nothing about the data.
    for iri in [i for i, p in schema.properties.items() if i not in declared]:
        domain = schema.properties[iri].domain
        meta = bool(skip) and all(d.startswith(skip) or d in metadata_classes for d in domain)
        if domain and meta:
            del schema.properties[iri]


def _metadata_classes(store: Store) -> set[str]:
    """Classes with an instance linked from a resource typed in a schema namespace (an
    ``owl:Ontology``, a ``void:Dataset``) and none linked to or from a data resource."""
    meta = " || ".join(f'STRSTARTS(STR(?t), "{ns}")' for ns in _META_NAMESPACES)
    linked_from_meta = {
        row["c"]["value"]
        for row in store.select(
            f"SELECT DISTINCT ?c WHERE {{ ?s a ?t FILTER({meta}) ?s ?p ?x "
            f"FILTER(?p != <{RDF}type>) ?x a ?c }}"
        )
    }
    if not linked_from_meta:
        return set()
    used_by_data = set()
    for cls in linked_from_meta:
        for pattern in ("?s ?p ?x", "?x ?p ?s"):
            if store.ask(
                f"ASK {{ ?x a <{cls}> . {pattern} . ?s a ?t "
                f"FILTER(?p != <{RDF}type> && !({meta})) }}"
            ):
                used_by_data.add(cls)
                break
    return linked_from_meta - used_by_data


def _dominant(counts: Counter[str], schema: Schema, share: float = 0.2) -> list[str]:
    """The types that account for at least ``share`` of the uses, most specific kept:
    a class is dropped when one of its subclasses is also listed."""
    total = sum(counts.values())
    chosen = [c for c, n in counts.most_common() if n >= share * total]
    parents = {p for c in chosen for p in schema.classes.get(c, SchemaClass(c, "")).parents}
    specific = [c for c in chosen if c not in parents]
    return specific or chosen


def classes_using(store: Store, min_share: float = 0.05) -> dict[str, list[str]]:
    """Property → the classes whose instances use it, each with at least ``min_share`` of
    the property's uses (one grouped query over the data)."""
    counts: dict[str, dict[str, int]] = {}
    for row in store.select(
        "SELECT ?p ?c (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?s a ?c FILTER(isIRI(?c)) } "
        "GROUP BY ?p ?c"
    ):
        counts.setdefault(row["p"]["value"], {})[row["c"]["value"]] = int(row["n"]["value"])
    out: dict[str, list[str]] = {}
    for prop, by_class in counts.items():
        total = sum(by_class.values())
        out[prop] = sorted(c for c, n in by_class.items() if n >= min_share * total)
    return out
