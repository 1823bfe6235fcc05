"""Entity labels as people would type them, and where to get them from a store.

``clean_label`` is pure: ``"Paris (band)"`` → ``"Paris"``, ``"Barack_Obama"`` → ``"Barack
Obama"``, ``"ACME  LTD"`` → ``"Acme Ltd"``. ``LabelSource`` fetches the labels of a batch of
IRIs in one query (``VALUES``) and keeps them, so each template costs one label query.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sparqlqa.kg.store import DEFAULT_LABEL_PREDICATES, Store
from sparqlqa.ontology.schema import local_name

_BRACKETS = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_SPACES = re.compile(r"\s+")


def clean_label(label: str) -> str:
    """A label as a person would type it: no disambiguation brackets at the end, no
    underscores, single spaces, shouting turned into title case, Unicode normalised (NFC)."""
    text = unicodedata.normalize("NFC", label)
    if "_" in text and " " not in text:
        text = text.replace("_", " ")
    stripped = _BRACKETS.sub("", text)
    if stripped.strip():
        text = stripped
    text = _SPACES.sub(" ", text).strip().strip(",;")
    letters = [c for c in text if c.isalpha()]
    if len(letters) > 4 and all(c.isupper() for c in letters) and " " in text:
        text = text.title()
    return text


_WORDY = re.compile(r"^[^\W\d_]+(?:[ _,'&-]+[^\W\d_]+)*$")


def label_from_iri(iri: str) -> str | None:
    """A readable label made from an IRI's local name when it is made of words (DBpedia
    style ``Barack_Obama`` → "Barack Obama"); None for codes such as ``hw-K926-9334427`` or
    ``empl-Ida.Halle%40company.org``, which nobody would type as a name."""
    from urllib.parse import unquote

    name = unquote(local_name(iri))
    name = re.sub(r"_\([^()]*\)$", "", name)  # Paris_(band): drop the disambiguation
    if not _WORDY.match(name):
        return None
    return clean_label(name)


@dataclass
class LabelSource:
    """Labels of resources in ``store``, under ``predicates`` in the order given (the first
    predicate that has a label wins; ties broken by language ``lang``, then untagged)."""

    store: Store
    predicates: Sequence[str] = DEFAULT_LABEL_PREDICATES
    lang: str = "en"
    #: Make a label from the IRI when a resource has none (useful for DBpedia-like IRIs).
    fallback_to_iri: bool = False
    batch_size: int = 2000
    _cache: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    _owners: dict[str, set[str]] | None = field(default=None, init=False, repr=False)
    _types: dict[str, set[str]] = field(default_factory=dict, init=False, repr=False)

    def preload(self) -> None:
        """Fetch every label (and type) of the graph at once (small graphs: the embedded
        store), which also lets ``ambiguous`` say whether a label names more than one
        resource of the same kind."""
        found: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        rank = {p: i for i, p in enumerate(self.predicates)}
        for item in self.store.labels(self.predicates, lang=self.lang):
            found[item.iri].append(
                (rank.get(item.predicate, len(rank)), self._lang_rank(item.lang), item.label)
            )
        owners: dict[str, set[str]] = defaultdict(set)
        for iri, items in found.items():
            labels = _ordered(items)
            self._cache[iri] = labels
            for label in labels:
                owners[label.casefold()].add(iri)
        self._owners = owners
        types: dict[str, set[str]] = defaultdict(set)
        for row in self.store.select("SELECT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?t)) }"):
            types[row["s"]["value"]].add(row["t"]["value"])
        self._types = dict(types)

    def labels(self, iris: Iterable[str]) -> dict[str, list[str]]:
        """Cleaned labels of each IRI, best first (IRIs without a label are left out unless
        ``fallback_to_iri``)."""
        wanted = [i for i in dict.fromkeys(iris) if i not in self._cache]
        if wanted and self._owners is None:
            for start in range(0, len(wanted), self.batch_size):
                self._fetch(wanted[start : start + self.batch_size])
        out: dict[str, list[str]] = {}
        for iri in iris:
            labels = self._cache.get(iri)
            if not labels and self.fallback_to_iri and iri.startswith(("http://", "https://")):
                made = label_from_iri(iri)
                labels = [made] if made else []
            if labels:
                out[iri] = labels
        return out

    def ambiguous(self, label: str, iri: str) -> bool:
        """Whether ``label`` also names another resource of a type ``iri`` has (any other
        resource when ``iri`` has no type); known only after ``preload``."""
        if self._owners is None:
            return False
        others = self._owners.get(label.casefold(), set()) - {iri}
        mine = self._types.get(iri)
        if not others or not mine:
            return bool(others)
        return any(self._types.get(other, set()) & mine for other in others)

    def _fetch(self, iris: list[str]) -> None:
        values = " ".join(f"<{i}>" for i in iris if ">" not in i and " " not in i)
        preds = " ".join(f"<{p}>" for p in self.predicates)
        rows = self.store.select(
            f"SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {preds} }} "
            "?s ?p ?l FILTER(isLiteral(?l)) }"
        )
        rank = {p: i for i, p in enumerate(self.predicates)}
        found: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for row in rows:
            tag = row["l"].get("xml:lang")
            if tag and self._lang_rank(tag) > 1:
                continue
            found[row["s"]["value"]].append(
                (rank.get(row["p"]["value"], len(rank)), self._lang_rank(tag), row["l"]["value"])
            )
        for iri in iris:
            self._cache[iri] = _ordered(found.get(iri, []))

    def _lang_rank(self, tag: str | None) -> int:
        if not tag:
            return 1
        return 0 if tag.lower().split("-")[0] == self.lang else 2


def _ordered(items: list[tuple[int, int, str]]) -> list[str]:
    """Distinct cleaned labels, best predicate and language first."""
    labels: list[str] = []
    for _, _, raw in sorted(items):
        label = clean_label(raw)
        if label and label not in labels:
            labels.append(label)
    return labels
