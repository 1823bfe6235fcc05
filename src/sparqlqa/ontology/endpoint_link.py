"""Linking against a graph too large to index here: ask its endpoint for the labels that
contain the question's words, then rank them with the usual linker."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from sparqlqa.errors import ConfigError
from sparqlqa.kg.store import DEFAULT_LABEL_PREDICATES, RDF, Store
from sparqlqa.ontology.schema import Schema
from sparqlqa.ontology.words import (
    STOPWORDS,
    tokens,
)

if TYPE_CHECKING:
    pass

from sparqlqa.ontology.label_index import LabelIndex, is_data
from sparqlqa.ontology.link import EntityLinker
from sparqlqa.ontology.linked import LinkedEntity, LinkerConfig


class EndpointLinker:
    """Links entities against a graph too large to index here (a remote endpoint), by asking
    it for the labels that contain the question's words.

    Each content word of the question (3 letters or more, not a stopword) and each pair of
    adjacent content words is looked up with ``CONTAINS`` (or Virtuoso's full-text
    ``bif:contains`` with ``search="virtuoso"``, much faster on large graphs) under
    ``predicates``, shortest labels first; answers are cached per word (``cache`` entries),
    so a word costs one query per process. The labels found form a small index per
    question that the usual :class:`EntityLinker` ranks. Typos are not found this way: build a
    :class:`LabelIndex` from a label dump for that.
    """

    def __init__(
        self,
        store: Store,
        *,
        schema: Schema | None = None,
        predicates: Sequence[str] = DEFAULT_LABEL_PREDICATES[:1],
        lang: str | None = "en",
        search: str = "contains",  # "contains" (any SPARQL 1.1 store) or "virtuoso"
        per_word: int = 50,  # labels fetched per word
        cache: int = 4096,  # words remembered
        timeout_s: float | None = 10.0,
        config: LinkerConfig | None = None,
    ) -> None:
        if search not in ("contains", "virtuoso"):
            raise ConfigError(f"unknown label search {search!r} (known: contains, virtuoso)")
        self.store = store
        self.schema = schema
        self.predicates = list(predicates)
        self.lang = lang
        self.search = search
        self.per_word = per_word
        self.timeout_s = timeout_s
        # Every fetched label contains a question word: commonness inside such a sample
        # means nothing, so any matched word may start a match.
        self.config = config or LinkerConfig(common_share=1.0)
        self._cache: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
        self._cache_size = cache
        self._types: dict[str, list[str]] = {}

    def _query(self, word: str) -> str:
        values = " ".join(f"<{p}>" for p in self.predicates)
        lang = f' && (lang(?l) = "" || langMatches(lang(?l), "{self.lang}"))' if self.lang else ""
        if self.search == "virtuoso":
            match = f"?l <bif:contains> '\"{word}\"' ."
            filt = f"FILTER(isLiteral(?l){lang})"
        else:
            match = ""
            filt = f'FILTER(isLiteral(?l) && CONTAINS(LCASE(STR(?l)), "{word}"){lang})'
        return (
            f"SELECT DISTINCT ?s ?l WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?l . {match} "
            f"{filt} FILTER(isIRI(?s)) }} ORDER BY STRLEN(STR(?l)) LIMIT {self.per_word}"
        )

    def labels_with(self, word: str) -> list[tuple[str, str]]:
        """(IRI, label) pairs whose label contains ``word`` (cached)."""
        if word in self._cache:
            self._cache.move_to_end(word)
            return self._cache[word]
        rows = self.store.select(self._query(word), timeout_s=self.timeout_s)
        found = [(r["s"]["value"], r["l"]["value"]) for r in rows]
        self._cache[word] = found
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return found

    def _classes(self, iris: Sequence[str]) -> dict[str, list[str]]:
        missing = [i for i in dict.fromkeys(iris) if i not in self._types]
        for start in range(0, len(missing), 100):
            chunk = missing[start : start + 100]
            for iri in chunk:
                self._types[iri] = []
            values = " ".join(f"<{i}>" for i in chunk)
            query = f"SELECT ?s ?c WHERE {{ VALUES ?s {{ {values} }} ?s <{RDF}type> ?c }}"
            for row in self.store.select(query, timeout_s=self.timeout_s):
                self._types[row["s"]["value"]].append(row["c"]["value"])
        return {i: self._types[i] for i in iris}

    def link(
        self, question: str, k: int = 5, *, schema_terms: Iterable[object] = ()
    ) -> list[LinkedEntity]:
        """As :meth:`EntityLinker.link`, over the labels the endpoint has for the words."""
        content = [
            t.norm
            for t in tokens(question)
            if t.norm not in STOPWORDS and re.fullmatch(r"[a-z0-9]+", t.norm)
        ]
        # Single words (shortest labels first), and adjacent pairs, so that a name made of
        # common words ("Transformer Compensator") is found among many longer labels.
        keys = [w for w in content if len(w) >= 3]
        keys += [f"{a} {b}" for a, b in pairwise(content)]
        labels = [pair for key in dict.fromkeys(keys) for pair in self.labels_with(key)]
        if not labels:
            return []
        classes = self._classes([iri for iri, _ in labels])
        if self.schema is not None:
            labels = [(i, lab) for i, lab in labels if is_data(i, classes, self.schema)]
        index = LabelIndex(labels, classes, self.schema)
        return EntityLinker(index, config=self.config).link(question, k, schema_terms=schema_terms)
