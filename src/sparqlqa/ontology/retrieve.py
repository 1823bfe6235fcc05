"""Schema retrieval: the classes and properties of a schema that matter to a question.

Three ways to rank every term of the schema, measured side by side in docs/ontology.md:

``lexical``     BM25 over the words of each term (label twice, local name, comment), stemmed.
``embedding``   cosine similarity between the question and a sentence describing the term
                (label, comment, domain → range in words), from a sentence-transformers model.
``hybrid``      reciprocal-rank fusion of both rankings, plus a popularity prior (how often
                a term is used in the data or in a query log, ``ontology.usage``) and,
                optionally, the answer type the question asks for ("who" → a property
                whose range is a person or agent) and the fit of properties to the
                retrieved classes (their domain or range).

The term embeddings are computed once per (schema, model) and stored under ``cache_dir``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from sparqlqa.errors import ConfigError
from sparqlqa.ontology.embed import (
    Embedder,
    SentenceTransformerEmbedder,
    embed_cached,
    encode_query,
)
from sparqlqa.ontology.prompt import type_label
from sparqlqa.ontology.schema import (
    DATE_DATATYPES,
    Schema,
    SchemaClass,
    SchemaProperty,
    local_name,
    words_of,
)
from sparqlqa.ontology.usage import prior_scores
from sparqlqa.ontology.words import STOPWORDS, stem, tokens

Mode = Literal["lexical", "embedding", "hybrid"]
MODES: tuple[Mode, ...] = ("lexical", "embedding", "hybrid")
Term = SchemaClass | SchemaProperty
#: Bumped when the text of a term changes, so that stale cached embeddings are not reused.
DOCUMENT_VERSION = "1"
AnswerType = Literal["agent", "date", "place", "number"]
#: Local names of the classes that stand for each answer type, in any vocabulary.
_TYPE_CLASSES: dict[AnswerType, frozenset[str]] = {
    "agent": frozenset({"Agent", "Person", "Organisation", "Organization"}),
    "place": frozenset({"Place", "Location", "PopulatedPlace", "SpatialThing"}),
}


def answer_type(question: str) -> set[AnswerType]:
    """The kind of answer the question's opening asks for: "who" → agent, "when" / "what
    year" → date, "where" / "in which city" → place, "how many/much/tall..." → number."""
    words = [t.norm for t in tokens(question)]
    head = " ".join(words[:3])
    out: set[AnswerType] = set()
    if words[:1] in (["who"], ["whom"], ["whose"]):
        out.add("agent")
    if words[:1] == ["when"] or any(f"{w} year" in head for w in ("what", "which")):
        out.add("date")
    if words[:1] == ["where"] or any(
        f"{w} {p}" in head
        for w in ("which", "what")
        for p in ("city", "country", "place", "town", "state")
    ):
        out.add("place")
    if words[:1] == ["how"] and len(words) > 1 and words[1] in _HOW_NUMERIC:
        out.add("number")
    return out


_HOW_NUMERIC = frozenset(
    [
        "many",
        "much",
        "high",
        "tall",
        "big",
        "long",
        "large",
        "deep",
        "heavy",
        "old",
        "far",
        "wide",
        "often",
        "fast",
    ]
)


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


def _ancestors(schema: Schema) -> dict[str, set[str]]:
    """Per class, itself and all its super-classes."""
    out: dict[str, set[str]] = {}

    def walk(iri: str) -> set[str]:
        if iri not in out:
            out[iri] = {iri}
            cls = schema.classes.get(iri)
            for parent in cls.parents if cls else ():
                out[iri] |= walk(parent)
        return out[iri]

    for iri in schema.classes:
        walk(iri)
    return out


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
        rrf_k: int = 30,  # reciprocal-rank fusion constant: higher flattens the top ranks
        lexical_weight: float = 1.0,  # weight of the lexical ranking in the fusion
        prior_weight: float = 1.5,  # popularity prior, in units of a first rank (hybrid only)
        answer_type_weight: float = 0.0,  # boost of properties of the asked answer type
        class_fit_weight: float = 0.0,  # boost of properties fitting the top classes
        prior_from_data: bool = False,  # without query-log mentions, use the data's counts
    ) -> None:
        if mode not in MODES:
            raise ConfigError(f"unknown retrieval mode {mode!r} (known: {', '.join(MODES)})")
        if not schema.classes and not schema.properties:
            raise ConfigError("the schema is empty: no classes or properties to retrieve")
        self.schema = schema
        self.mode = mode
        self.rrf_k = rrf_k
        self.lexical_weight = lexical_weight
        self.prior_weight = prior_weight
        self.answer_type_weight = answer_type_weight
        self.class_fit_weight = class_fit_weight
        self.terms: list[Term] = [*schema.classes.values(), *schema.properties.values()]
        self.prior = prior_scores(self.terms, from_data=prior_from_data)
        self._ancestors = _ancestors(schema)
        self._answer_masks = self._answer_type_masks()
        self._fitting: dict[str, list[int]] = {}  # class IRI -> properties with it as domain/range
        for i, term in enumerate(self.terms):
            if isinstance(term, SchemaProperty):
                for c in dict.fromkeys([*term.domain, *term.range]):
                    self._fitting.setdefault(c, []).append(i)
        from rank_bm25 import BM25Okapi

        self._bm25 = BM25Okapi([_lexical_document(t) or ["_"] for t in self.terms])
        self._vectors: np.ndarray | None = None
        if mode != "lexical":
            self.embedder: Embedder = embedder or SentenceTransformerEmbedder()
            texts = [describe(t, schema) for t in self.terms]
            key = f"schema-{schema.fingerprint()}-v{DOCUMENT_VERSION}"
            self._vectors = embed_cached(self.embedder, texts, cache_dir, key)

    def scores(
        self, question: str, mode: Mode | None = None, *, lexical_text: str | None = None
    ) -> np.ndarray:
        """One score per term of ``self.terms``, higher is more relevant. ``lexical_text``:
        what the lexical half reads instead of ``question`` (a German question with its
        English glosses added: the schema's words are English)."""
        mode = mode or self.mode
        words_of = question if lexical_text is None else lexical_text
        if mode == "lexical":
            return self._lexical(words_of)
        if mode == "embedding":
            return self._embedding(question)
        fused = np.zeros(len(self.terms))
        lexical, embedding = self._lexical(words_of), self._embedding(question)
        for part, weight, ranked in (
            # Terms sharing no word with the question get no lexical rank at all: an arbitrary
            # order among zeros must not outvote the embedding.
            (lexical, self.lexical_weight, lexical > 0),
            (embedding, 1.0, np.ones(len(embedding), dtype=bool)),
        ):
            ranks = np.empty(len(part))
            ranks[np.argsort(-part, kind="stable")] = np.arange(1, len(part) + 1)
            fused += np.where(ranked, weight / (self.rrf_k + ranks), 0.0)
        first = 1.0 / (self.rrf_k + 1)  # the fused score of a first rank in one list
        fused += self.prior_weight * first * self.prior
        if self.answer_type_weight:
            for kind in answer_type(question):
                fused += self.answer_type_weight * first * self._answer_masks[kind]
        if self.class_fit_weight:
            fused += self.class_fit_weight * first * self._class_fit(fused)
        return fused

    def _answer_type_masks(self) -> dict[AnswerType, np.ndarray]:
        """Per answer type, 1.0 for the properties whose range is of that type."""
        masks = {k: np.zeros(len(self.terms)) for k in ("agent", "date", "place", "number")}
        for i, term in enumerate(self.terms):
            if not isinstance(term, SchemaProperty):
                continue
            names = {local_name(a) for r in term.range for a in self._ancestors.get(r, {r})}
            for kind, wanted in _TYPE_CLASSES.items():
                if names & wanted:
                    masks[kind][i] = 1.0
            if any(r in DATE_DATATYPES for r in term.range):
                masks["date"][i] = 1.0
            if term.numeric:
                masks["number"][i] = 1.0
        return masks  # type: ignore[return-value]

    def _class_fit(self, fused: np.ndarray, classes: int = 3) -> np.ndarray:
        """1/r for the properties whose domain or range is the r-th best class of the first
        ranking (or one of its super-classes), best r kept."""
        boost = np.zeros(len(self.terms))
        top = [
            self.terms[int(i)]
            for i in np.argsort(-fused, kind="stable")[:20]
            if isinstance(self.terms[int(i)], SchemaClass)
        ][:classes]
        for rank, cls in enumerate(top, start=1):
            for ancestor in self._ancestors.get(cls.iri, {cls.iri}):
                for i in self._fitting.get(ancestor, ()):
                    boost[i] = max(boost[i], 1.0 / rank)
        return boost

    def _lexical(self, question: str) -> np.ndarray:
        words = bag_of_words(question)
        if not words:
            return np.zeros(len(self.terms))
        return np.asarray(self._bm25.get_scores(words), dtype=np.float64)

    def _embedding(self, question: str) -> np.ndarray:
        if self._vectors is None:
            raise ConfigError("this retriever was built in lexical mode: no embeddings")
        query = encode_query(self.embedder, [question])[0]
        return np.asarray(self._vectors @ query, dtype=np.float64)

    def retrieve(
        self,
        question: str,
        k: int = 10,
        *,
        kind: Literal["class", "property"] | None = None,
        mode: Mode | None = None,
        language: str | None = None,  # one retriever serves every language it is given
        lexical_text: str | None = None,
    ) -> list[tuple[Term, float]]:
        """The ``k`` most relevant terms (only classes or properties when ``kind`` is given),
        best first, with their scores; ties keep the schema's order. ``lexical_text``: as
        in :meth:`scores`."""
        scores = self.scores(question, mode, lexical_text=lexical_text)
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
