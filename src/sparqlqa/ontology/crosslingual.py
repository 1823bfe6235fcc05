"""Cross-lingual linking and retrieval: German and Spanish questions over English labels.

The label index matches words as written; a German question names "Frankreich" where the
graph says "France". :class:`CrossLingualWords` embeds every word of the index's labels once
(cached under the graph's index folder) and, for a content word of a non-English question
that the index does not match, offers the nearest label word as an extra candidate when
its similarity clears ``threshold`` and beats the runner-up by ``margin`` (both chosen on
the dev split, see docs/ontology.md). The entity linker then scores the labels holding that
word as usual, the word counting ``factor`` of an exact match.

:class:`LanguageRetrievers` holds one schema retriever for English and one for the other
languages (each with the embedder that measured best for it) and picks by the question's
language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from sparqlqa.ontology.embed import Embedder, embed_cached, encode_query
from sparqlqa.ontology.gloss import gloss
from sparqlqa.ontology.language import is_english

if TYPE_CHECKING:
    from sparqlqa.ontology.link import LabelIndex
    from sparqlqa.ontology.retrieve import Mode, SchemaRetriever, Term

_VOCABULARY_VERSION = "1"


@dataclass(frozen=True)
class CrossLingualConfig:
    """When a question word may stand for a label word of another language."""

    threshold: float = 0.875  # cosine (E5 query → passage) of the best label word
    margin: float = 0.015  # ... and its lead over the second best
    min_length: int = 4  # shorter question words are not translated
    factor: float = 0.9  # a translated word counts this much of an exact match


class CrossLingualWords:
    """The label words of an index, embedded, searchable by a word of another language."""

    def __init__(
        self,
        index: LabelIndex,
        embedder: Embedder,
        *,
        cache_dir: Path | None = None,
        config: CrossLingualConfig | None = None,
    ) -> None:
        self.embedder = embedder
        self.config = config or CrossLingualConfig()
        # Words of letters only: names of things, not IDs or numbers.
        self.vocabulary = sorted(w for w in index.postings if w.isalpha() and len(w) >= 3)
        self.cache_dir = cache_dir
        self._vectors: np.ndarray | None = None
        self._cache: dict[str, list[tuple[str, float]]] = {}

    @property
    def vectors(self) -> np.ndarray:
        """The label words' vectors, computed on first use (an English-only service never
        pays) and kept under ``cache_dir``."""
        if self._vectors is None:
            key = f"words-{len(self.vocabulary)}-v{_VOCABULARY_VERSION}"
            self._vectors = embed_cached(self.embedder, self.vocabulary, self.cache_dir, key)
        return self._vectors

    def nearest(self, word: str, k: int = 2) -> list[tuple[str, float]]:
        """The ``k`` label words nearest to ``word`` (as written), with their cosine."""
        if not self.vocabulary:
            return []
        vector = encode_query(self.embedder, [word])[0]
        sims = self.vectors @ vector
        top = np.argsort(-sims, kind="stable")[:k]
        return [(self.vocabulary[int(i)], float(sims[int(i)])) for i in top]

    def matches(self, word: str) -> list[tuple[str, float]]:
        """The label word ``word`` stands for, with the similarity the linker gives it
        (``factor``), or nothing when no label word is near enough and clearly nearest."""
        cfg = self.config
        if len(word) < cfg.min_length or not word.isalpha():
            return []
        if word not in self._cache:
            found = self.nearest(word)
            best = found[0] if found else None
            second = found[1][1] if len(found) > 1 else -1.0
            self._cache[word] = (
                [(best[0], cfg.factor)]
                if best and best[1] >= cfg.threshold and best[1] - second >= cfg.margin
                else []
            )
        return self._cache[word]


class LanguageRetrievers:
    """A schema retriever per language: ``english`` for English questions, ``other`` (built
    on first use when given as a factory) for German and Spanish ones."""

    def __init__(
        self,
        english: SchemaRetriever,
        other: SchemaRetriever | Callable[[], SchemaRetriever] | None = None,
    ) -> None:
        self.english = english
        self._other = other
        self.schema = english.schema

    def for_language(self, language: str | None) -> SchemaRetriever:
        """The retriever that serves questions in ``language``."""
        if is_english(language) or self._other is None:
            return self.english
        if callable(self._other) and not hasattr(self._other, "retrieve"):
            self._other = self._other()
        return self._other  # type: ignore[return-value]

    def retrieve(
        self,
        question: str,
        k: int = 10,
        *,
        kind: Literal["class", "property"] | None = None,
        language: str | None = None,
    ) -> list[tuple[Term, float]]:
        """As :meth:`SchemaRetriever.retrieve`, by the retriever of ``language``; for a
        German or Spanish question the lexical half reads the question with its English
        gloss added (``ontology.gloss``: "Welche Stücklisten haben wir? which bill of
        materials do we have?"), as the schema's words are English, and the embedding half
        the question as written."""
        retriever = self.for_language(language)
        if is_english(language):
            return retriever.retrieve(question, k, kind=kind)
        glossed = f"{question} {gloss(question, language)}"
        return retriever.retrieve(question, k, kind=kind, lexical_text=glossed)

    def scores(self, question: str, mode: Mode | None = None) -> np.ndarray:
        """As :meth:`SchemaRetriever.scores`, by the English retriever: the pipeline asks
        whether a question shares a word with the schema (its lexical score) with the
        question's English glosses added, so one vocabulary serves every language. Without
        this the pipeline could not tell, and counted every question as grounded."""
        return self.english.scores(question, mode)
