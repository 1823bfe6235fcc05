"""The label index: every label of a graph, and the values people name, searchable by word.

Labels are folded into words with an inverse document frequency each; resources that are
linked to but have no label get one from their IRI; literal values (see
:mod:`sparqlqa.ontology.values`) are entries too, with the properties that hold them; word
stems give plural forms; ``links`` (what each resource is joined to) tell categories.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from sparqlqa.errors import ConfigError
from sparqlqa.kg.results import is_literal_term
from sparqlqa.kg.store import DEFAULT_LABEL_PREDICATES, RDF, Store
from sparqlqa.ontology.schema import Schema, SchemaClass, SchemaProperty, local_name, words_of
from sparqlqa.ontology.values import lexical, neighbours, value_properties
from sparqlqa.ontology.words import (
    STOPWORDS,
    stem,
    tokens,
)

if TYPE_CHECKING:
    pass

#: Local names of properties that name things, found in a graph by ``name_predicates``.
NAME_LOCAL_NAMES = frozenset({"name", "title", "label", "prefLabel", "fullName", "nickname"})
#: Local names of properties that hold identifiers.
ID_LOCAL_NAMES = frozenset({"id", "identifier", "code", "sku", "productID"})
_PARENTHESIS = re.compile(r"^(.*\S)\s*\(([^()]*)\)\s*$")
#: A local name that reads as words: letters first, no digits ("Korea, Republic of").
_WORDY = re.compile(r"^[^\W\d_][^\d]*$")


@dataclass(frozen=True)
class LabelEntry:
    """One label of one resource as the index holds it."""

    iri: str
    label: str
    words: tuple[str, ...]  # the folded words, unique, in order
    weight: float = 1.0  # below 1 for derived aliases ("Chess" from "Chess (musical)")


def label_from_iri(iri: str) -> str:
    """A label made from an IRI's local name: ``dbr:Chess_(musical)`` → "Chess (musical)"."""
    name = unquote(re.split(r"[#/]", iri.rstrip("/#"))[-1])
    return " ".join(name.replace("_", " ").split())


def _aliases(label: str) -> list[tuple[str, float]]:
    """The label and what it is also called: "Chess (musical)" also "Chess" (slightly less);
    a number in parentheses ("N560-4369045 (52)") is a quantity, not a qualifier: no alias."""
    out = [(label, 1.0)]
    match = _PARENTHESIS.match(label)
    if match and re.search(r"[^\W\d_]", match.group(2)):
        out.append((match.group(1), 0.9))
    return out


class LabelIndex:
    """The labels of a graph, searchable by word."""

    def __init__(
        self,
        labels: Iterable[tuple[str, str]],
        classes: Mapping[str, Sequence[str]] | None = None,
        schema: Schema | None = None,
        *,
        values: Mapping[str, Sequence[str]] | None = None,
        links: Mapping[str, set[str]] | None = None,
    ) -> None:
        """``labels``: (IRI, label) pairs; ``classes``: the types of each IRI; ``schema``
        names the classes and says which is the most specific; ``values``: literal values
        (in SPARQL syntax) → the properties holding them; ``links``: what each resource or
        value is joined to by one triple (for joint linking and for telling categories)."""
        self.schema = schema or Schema()
        self.classes: dict[str, list[str]] = {k: list(v) for k, v in (classes or {}).items()}
        self.values: dict[str, list[str]] = {k: list(v) for k, v in (values or {}).items()}
        self.links: dict[str, set[str]] = dict(links or {})
        seen: set[tuple[str, str]] = set()
        self.entries: list[LabelEntry] = []
        labels = [*labels, *((term, lexical(term)) for term in self.values)]
        named = [(iri, a, w) for iri, label in labels for a, w in _aliases(" ".join(label.split()))]
        # A label given as such wins over the same words derived as an alias of another.
        for iri, alias, weight in sorted(named, key=lambda n: -n[2]):
            words = tuple(dict.fromkeys(t.norm for t in tokens(alias)))
            if words and (iri, " ".join(words)) not in seen:
                seen.add((iri, " ".join(words)))
                self.entries.append(LabelEntry(iri, alias, words, weight))
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(self.entries):
            for word in entry.words:
                self.postings[word].append(i)
        n = max(len(self.entries), 1)
        self.idf = {w: math.log(1 + n / len(ids)) for w, ids in self.postings.items()}
        self.fuzzy_vocabulary = [w for w in self.postings if w.isalpha() and len(w) >= 3]
        # Word forms: "resistors" and "resistor" share a stem; "italian" starts like "italy".
        self.stems: dict[str, list[str]] = defaultdict(list)
        for word in self.postings:
            if word.isalpha():
                self.stems[stem(word)].append(word)
        # Stopwords inside a label ("Benitez and Sons") are not asked for: they weigh nothing.
        self.label_weight = [
            sum(self.idf[w] for w in content_words(e.words)) or 1.0 for e in self.entries
        ]
        self._specific: dict[str, str | None] = {}
        # Words of the schema ("weight", "supplier") are not fuzzy-matched to names ("Wright").
        terms: list[SchemaClass | SchemaProperty] = [
            *self.schema.classes.values(),
            *self.schema.properties.values(),
        ]
        self.schema_words = {
            stem(t.norm)
            for term in terms
            for t in tokens(f"{term.label} {words_of(local_name(term.iri))}")
        }

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def from_store(
        cls,
        store: Store,
        *,
        schema: Schema | None = None,
        predicates: Sequence[str] | None = None,
        lang: str | None = "en",
        iri_labels: bool = True,
        values: bool = True,
    ) -> LabelIndex:
        """Every label of ``store`` under ``predicates`` (default: the common label properties
        plus the graph's own name and id properties, see :func:`name_predicates`).

        With ``iri_labels``, resources that are linked to but have no label (the corporate
        graph's ``dbpedia:Germany``) get one made from their IRI (:func:`label_from_iri`)
        when its local name reads as words. With ``values``, the literal values people
        name (:func:`~sparqlqa.ontology.values.value_properties`) are indexed too. This
        scans the graph: for embedded stores.
        """
        if predicates is None:
            predicates = [*DEFAULT_LABEL_PREDICATES, *name_predicates(store)]
        predicates = list(dict.fromkeys(predicates))
        labels = [(lab.iri, lab.label) for lab in store.labels(predicates, lang)]
        if iri_labels:
            labelled = {iri for iri, _ in labels}
            rows = store.select(
                f"SELECT DISTINCT ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?o) && ?p != <{RDF}type>) }}"
            )
            for row in rows:
                iri = row["o"]["value"]
                label = label_from_iri(iri)
                if iri not in labelled and _WORDY.match(label):
                    labels.append((iri, label))
        classes: dict[str, list[str]] = defaultdict(list)
        for row in store.select(f"SELECT ?s ?c WHERE {{ ?s <{RDF}type> ?c FILTER(isIRI(?c)) }}"):
            classes[row["s"]["value"]].append(row["c"]["value"])
        if schema is not None:
            labels = [(iri, label) for iri, label in labels if is_data(iri, classes, schema)]
        found = value_properties(store, exclude=predicates) if values else {}
        return cls(labels, classes, schema, values=found, links=neighbours(store, found))

    @classmethod
    def from_tsv(cls, path: Path, *, schema: Schema | None = None) -> LabelIndex:
        """A label dump: one ``IRI<TAB>label[<TAB>class IRI]`` per line; a line with only an
        IRI gets the label made from its local name (:func:`label_from_iri`). A value is a
        line ``"literal"<TAB>text<TAB><TAB>property IRIs separated by spaces``."""
        labels: list[tuple[str, str]] = []
        classes: dict[str, list[str]] = defaultdict(list)
        values: dict[str, list[str]] = {}
        with Path(path).open(encoding="utf-8", newline="") as fh:
            for line_no, row in enumerate(csv.reader(fh, delimiter="\t"), start=1):
                if not row or not row[0].strip():
                    continue
                iri = row[0].strip()
                if is_literal_term(iri):  # a value: literal, label, (no class), properties
                    values[iri] = row[3].split() if len(row) > 3 else []
                    continue
                if not iri.startswith(("http://", "https://", "urn:")):
                    raise ConfigError(f"{path}:{line_no}: not an IRI: {iri[:80]!r}")
                labels.append((iri, row[1] if len(row) > 1 and row[1] else label_from_iri(iri)))
                if len(row) > 2 and row[2]:
                    classes[iri].append(row[2])
        return cls(labels, classes, schema, values=values)

    def is_category(self, iri: str, in_degree: int) -> bool:
        """Is ``iri`` a category-like resource: one that at least ``in_degree`` resources are
        joined to (a product category, a genre), as a generic noun names it?"""
        return not is_literal_term(iri) and len(self.links.get(iri, ())) >= in_degree

    def class_of(self, iri: str) -> str | None:
        """The most specific known class of ``iri`` (one with no subclass among its types)."""
        if iri not in self._specific:
            types = sorted(self.classes.get(iri, ()))
            ancestors = {a for t in types for a in self.ancestors(t) if a != t}
            specific = [t for t in types if t not in ancestors]
            in_schema = [t for t in specific if t in self.schema.classes]
            chosen = in_schema or specific
            self._specific[iri] = chosen[0] if chosen else None
        return self._specific[iri]

    def ancestors(self, cls_iri: str) -> set[str]:
        """``cls_iri`` and all its super-classes in the schema."""
        seen, todo = set(), [cls_iri]
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(self.schema.classes.get(c, SchemaClass(c, "")).parents)
        return seen


def content_words(words: Sequence[str]) -> Sequence[str]:
    """The words of a label that are not stopwords (all of them if all are)."""
    return [w for w in words if w not in STOPWORDS] or words


def is_data(iri: str, classes: Mapping[str, Sequence[str]], schema: Schema) -> bool:
    """Is ``iri`` a resource of the data, not a term of the schema or metadata (an ontology,
    a dataset description) typed only with classes outside the schema?"""
    if iri in schema.classes or iri in schema.properties:
        return False
    types = classes.get(iri)
    return not types or any(t in schema.classes for t in types)


def name_predicates(store: Store) -> list[str]:
    """The graph's own properties that name or identify things (``pv:name``, ``pv:id``):
    those with literal values whose local name is a usual name or id property."""
    rows = store.select("SELECT DISTINCT ?p WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }")
    wanted = NAME_LOCAL_NAMES | ID_LOCAL_NAMES
    found = [r["p"]["value"] for r in rows if local_name(r["p"]["value"]) in wanted]
    return sorted(p for p in found if p not in DEFAULT_LABEL_PREDICATES)
