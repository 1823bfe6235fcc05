"""Schema retrieval: the classes and properties of a schema that matter to a question.

Three ways to rank every term of the schema, measured side by side in docs/ontology.md:

``lexical``     BM25 over the words of each term (label twice, local name, comment), stemmed.
``embedding``   cosine similarity between the question and a sentence describing the term
                (label, comment, domain → range in words), from a sentence-transformers model.
``hybrid``      reciprocal-rank fusion of both rankings.

The term embeddings are computed once per (schema, model) and stored under ``cache_dir``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from ontology.embed import Embedder, SentenceTransformerEmbedder, embed_cached
from ontology.prompt import type_label
from ontology.schema import Schema, SchemaClass, SchemaProperty, local_name, words_of
from ontology.words import STOPWORDS, stem, tokens
from sparqlqa.errors import ConfigError

Mode = Literal["lexical", "embedding", "hybrid"]
MODES: tuple[Mode, ...] = ("lexical", "embedding", "hybrid")
Term = SchemaClass | SchemaProperty
#: Bumped when the text of a term changes, so that stale cached embeddings are not reused.
DOCUMENT_VERSION = "1"


def _types(iris: Sequence[str], schema: Schema) -> str:
    return " or ".join(dict.fromkeys(type_label(i, schema) for i in iris)) or "anything"


def describe(term: Term, schema: Schema) -> str:
    """The sentence embedded for ``term``: its label, comment, and for a property what it
    links ("member of: The department to which an agent belongs. (agent -> department)")."""
    text = term.label
    if term.comment:
        text += f": {term.comment}"
    if isinstance(term, SchemaProperty) and (term.domain or term.range):
        text += f" ({_types(term.domain, schema)} -> {_types(term.range, schema)})"
    elif isinstance(term, SchemaClass) and term.parents:
        text += f" (a kind of {_types(term.parents, schema)})"
    return text


def bag_of_words(text: str) -> list[str]:
    """Stemmed content words, the unit of lexical retrieval."""
    return [stem(t.norm) for t in tokens(text) if t.norm not in STOPWORDS]


def _lexical_document(term: Term) -> list[str]:
    name_words = words_of(local_name(term.iri))
    label = words_of(term.label)  # raw labels may be camel case ("tvShow")
    return bag_of_words(f"{label} {label} {name_words} {term.comment}")


class SchemaRetriever:
    """Ranks the classes and properties of ``schema`` for a question.

    ``embedder`` defaults to the bundled all-MiniLM-L6-v2 (loaded when first needed; the
    ``lexical`` mode never loads it). ``cache_dir`` keeps the term embeddings between runs.
    """

    def __init__(
        self,
        schema: Schema,
        embedder: Embedder | None = None,
        *,
        mode: Mode = "hybrid",
        cache_dir: Path | None = None,
        rrf_k: int = 10,  # reciprocal-rank fusion constant: higher flattens the top ranks
        lexical_weight: float = 1.0,  # weight of the lexical ranking in the fusion
    ) -> None:
        if mode not in MODES:
            raise ConfigError(f"unknown retrieval mode {mode!r} (known: {', '.join(MODES)})")
        if not schema.classes and not schema.properties:
            raise ConfigError("the schema is empty: no classes or properties to retrieve")
        self.schema = schema
        self.mode = mode
        self.rrf_k = rrf_k
        self.lexical_weight = lexical_weight
        self.terms: list[Term] = [*schema.classes.values(), *schema.properties.values()]
        from rank_bm25 import BM25Okapi

        self._bm25 = BM25Okapi([_lexical_document(t) or ["_"] for t in self.terms])
        self._vectors: np.ndarray | None = None
        if mode != "lexical":
            self.embedder: Embedder = embedder or SentenceTransformerEmbedder()
            texts = [describe(t, schema) for t in self.terms]
            key = f"schema-{schema.fingerprint()}-v{DOCUMENT_VERSION}"
            self._vectors = embed_cached(self.embedder, texts, cache_dir, key)

    def scores(self, question: str, mode: Mode | None = None) -> np.ndarray:
        """One score per term of ``self.terms``, higher is more relevant."""
        mode = mode or self.mode
        if mode == "lexical":
            return self._lexical(question)
        if mode == "embedding":
            return self._embedding(question)
        fused = np.zeros(len(self.terms))
        lexical, embedding = self._lexical(question), self._embedding(question)
        for part, weight, ranked in (
            # Terms sharing no word with the question get no lexical rank at all: an arbitrary
            # order among zeros must not outvote the embedding.
            (lexical, self.lexical_weight, lexical > 0),
            (embedding, 1.0, np.ones(len(embedding), dtype=bool)),
        ):
            ranks = np.empty(len(part))
            ranks[np.argsort(-part, kind="stable")] = np.arange(1, len(part) + 1)
            fused += np.where(ranked, weight / (self.rrf_k + ranks), 0.0)
        return fused

    def _lexical(self, question: str) -> np.ndarray:
        words = bag_of_words(question)
        if not words:
            return np.zeros(len(self.terms))
        return np.asarray(self._bm25.get_scores(words), dtype=np.float64)

    def _embedding(self, question: str) -> np.ndarray:
        if self._vectors is None:
            raise ConfigError("this retriever was built in lexical mode: no embeddings")
        query = self.embedder.encode([question])[0]
        return np.asarray(self._vectors @ query, dtype=np.float64)

    def retrieve(
        self,
        question: str,
        k: int = 10,
        *,
        kind: Literal["class", "property"] | None = None,
        mode: Mode | None = None,
    ) -> list[tuple[Term, float]]:
        """The ``k`` most relevant terms (only classes or properties when ``kind`` is given),
        best first, with their scores; ties keep the schema's order."""
        scores = self.scores(question, mode)
        order = np.argsort(-scores, kind="stable")
        out: list[tuple[Term, float]] = []
        for i in order:
            term = self.terms[int(i)]
            if kind == "class" and not isinstance(term, SchemaClass):
                continue
            if kind == "property" and not isinstance(term, SchemaProperty):
                continue
            out.append((term, float(scores[i])))
            if len(out) >= k:
                break
        return out
