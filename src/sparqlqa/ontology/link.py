"""The entity linker: which resources of the graph a question names, and where.

A label index holds every label of the graph (``rdfs:label``, ``skos:prefLabel``... and the
graph's own name and id properties such as ``pv:name``, ``pv:id``), split into folded words
with an inverse document frequency each. Linking a question:

1. each content word of the question is looked up in the index's vocabulary: exactly, and, for
   words of letters only, fuzzily (rapidfuzz ratio), so that typos still match; words with
   digits (IDs, numbers) match only exactly, and stopwords never start a match;
2. each label sharing a word is scored by the IDF-weighted share of its words the question
   covers (so "Mr. Denzel" covers half of "Ulrik Denzel"), less a penalty for unmatched words
   inside the span, and by the share of the surrounding capitalised words it explains; a
   label needs one matched word that is rare (not in more than ``common_share`` of the
   labels, not a schema word, not a short number), or all its words matched;
3. the candidates are re-ranked with the cosine similarity between the question and the label
   (when an embedder is given) and with the retrieved schema: an entity whose class is a
   retrieved class, or the domain or range of a retrieved property, ranks higher.

The result lists, best first, one entry per IRI, each with the span it was found at, so
several candidates may share a span: :func:`best_entities` keeps the best non-overlapping ones.
``EndpointLinker`` does the same for a graph too large to index here, asking the endpoint for
the labels that contain the question's words.

Besides resources, the index holds *values*: literals people name (a city, a country written
out, a currency code; see :mod:`sparqlqa.ontology.values`), linked in place of an IRI as the
literal in SPARQL syntax, with the property that holds them as their description. Plural and
adjective forms find their noun ("resistors": Resistor, "Italian": Italy); a resource named by
a generic noun that many triples point to (a category) is preferred over a product whose name
merely contains the word; and :meth:`EntityLinker.entities` links mentions jointly: among
equally good readings of a partial name, the one joined in the graph to another mention wins
("Anna from Procurement": the Anna who is a member of Procurement).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sparqlqa.kg.results import is_literal_term
from sparqlqa.kg.store import Store
from sparqlqa.ontology.dictionary import CAPITALISED_NOUNS, COMPOUNDING
from sparqlqa.ontology.embed import Embedder, embed_cached
from sparqlqa.ontology.language import is_english, stopwords
from sparqlqa.ontology.lexicon import NOUNS
from sparqlqa.ontology.schema import Schema, SchemaClass, SchemaProperty
from sparqlqa.ontology.values import value_label
from sparqlqa.ontology.words import (
    STOPWORDS,
    Token,
    dictionary_words,
    has_digit,
    name_runs,
    normalise,
    run_breaks,
    run_coverage,
    split_compounds,
    stem,
    tokens,
    transliterated,
    umlauts_written_out,
)

if TYPE_CHECKING:
    from sparqlqa.ontology.crosslingual import CrossLingualWords
    from sparqlqa.ontology.dictionary import GraphDictionary

from sparqlqa.ontology.label_index import (
    ID_LOCAL_NAMES,
    NAME_LOCAL_NAMES,
    LabelEntry,
    LabelIndex,
    content_words,
    label_from_iri,
    name_predicates,
)
from sparqlqa.ontology.linked import (
    LinkedEntity,
    LinkerConfig,
    best_entities,
    joint,
    prompt_entities,
)
from sparqlqa.ontology.word_forms import CURRENCIES, DEMONYMS, DERIVED_ENDINGS

__all__ = [
    "CURRENCIES",
    "DEMONYMS",
    "ID_LOCAL_NAMES",
    "NAME_LOCAL_NAMES",
    "EntityLinker",
    "LabelEntry",
    "LabelIndex",
    "LinkedEntity",
    "LinkerConfig",
    "best_entities",
    "joint",
    "label_from_iri",
    "name_predicates",
    "prompt_entities",
]

_INDEX_VERSION = "2"
_LATER_SENSE = 0.02  # taken from a dictionary translation's factor per place down its senses


class EntityLinker:
    """Links the entities of questions to IRIs of one label index."""

    def __init__(
        self,
        index: LabelIndex,
        embedder: Embedder | None = None,
        *,
        config: LinkerConfig | None = None,
        cache_dir: Path | None = None,
        crosslingual: CrossLingualWords | None = None,
        dictionary: GraphDictionary | None = None,
    ) -> None:
        """``embedder`` (optional) re-ranks candidates by similarity to the question; the
        label embeddings are computed once and kept under ``cache_dir``. ``crosslingual``
        (optional) finds the label words that words of a German or Spanish question stand
        for (:mod:`sparqlqa.ontology.crosslingual`); ``dictionary`` (optional) translates
        them first (:mod:`sparqlqa.ontology.dictionary`)."""
        self.index = index
        self.crosslingual = crosslingual
        self.dictionary = dictionary
        self.config = config or LinkerConfig()
        self.embedder = embedder
        n = max(len(index), 1)
        self._common_df = max(2, int(self.config.common_share * n))
        self._vectors: np.ndarray | None = None
        if embedder is not None and len(index):
            texts = [self._entry_text(e) for e in index.entries]
            key = f"labels-{len(texts)}-v{_INDEX_VERSION}"
            self._vectors = embed_cached(embedder, texts, cache_dir, key)

    @classmethod
    def from_store(
        cls,
        store: Store,
        *,
        schema: Schema | None = None,
        predicates: Sequence[str] | None = None,
        lang: str | None = "en",
        embedder: Embedder | None = None,
        config: LinkerConfig | None = None,
        cache_dir: Path | None = None,
    ) -> EntityLinker:
        """A linker over every label of ``store`` (see :meth:`LabelIndex.from_store`)."""
        index = LabelIndex.from_store(store, schema=schema, predicates=predicates, lang=lang)
        return cls(index, embedder, config=config, cache_dir=cache_dir)

    @functools.cached_property
    def compound_heads(self) -> tuple[str, ...]:
        """The German nouns (lower case, with umlauts and written out) of the lexicon that
        name a class of the schema ("abteilung", "lieferanten"): a compound ending in one
        names an instance by its first part ("Marketingabteilung")."""
        class_words = {
            stem(word)
            for c in self.index.schema.classes.values()
            for word in normalise(c.label).split()
        }
        heads: set[str] = set()
        for english, entry in NOUNS.items():
            noun = entry.get("de")
            if noun is None or " " in english or stem(english) not in class_words:
                continue
            for form in (noun.one, noun.many):
                if len(form) >= 5 and form.isalpha():
                    heads |= {form.lower(), umlauts_written_out(form.lower())}
        return tuple(sorted(heads))

    def _known_word(self, folded: str) -> bool:
        """Whether ``folded`` is a label word of the index or a German headword as it is."""
        if folded in self.index.postings:
            return True
        return self.dictionary is not None and self.dictionary.knows(folded, "de", inflected=False)

    def _entry_text(self, entry: LabelEntry) -> str:
        cls_iri = self.index.class_of(entry.iri)
        return f"{entry.label} ({self._class_label(cls_iri)})" if cls_iri else entry.label

    def _class_label(self, cls_iri: str) -> str:
        return self.index.schema.label(cls_iri)

    def _word_matches(
        self, word: str, min_length: int | None, name_like: bool = False
    ) -> list[tuple[str, float]]:
        """Index words matching one question word, with a similarity in (0, 1]; typos are
        looked for from ``min_length`` letters (``None``: never), and in a dictionary word
        ("total") only when it is ``name_like``."""
        from rapidfuzz import fuzz, process

        out: list[tuple[str, float]] = []
        if word in self.index.postings:
            out.append((word, 1.0))
        if self.config.word_forms and word.isalpha() and len(word) >= 4:
            for other in self._word_forms(word):
                out.append((other, self.config.word_form_factor))
        # A word the index has as it is written is no typo ("Sabrina" is not "Sambrial").
        if (
            min_length is not None
            and word not in self.index.postings
            and word.isalpha()
            and len(word) >= min_length
            and stem(word) not in self.index.schema_words
            and (name_like or word not in dictionary_words())
        ):
            for other, ratio, _ in process.extract(
                word,
                self.index.fuzzy_vocabulary,
                scorer=fuzz.ratio,
                score_cutoff=self.config.fuzzy_cutoff,
                limit=10,
            ):
                if other != word:
                    out.append((other, self.config.fuzzy_factor * ratio / 100))
        return out

    def _word_forms(self, word: str) -> list[str]:
        """Index words that are another form of ``word``: the same stem ("resistors",
        "resistor"), the country of an adjective ("italian": "italy", "french": "france"),
        the thing of an agent noun ("pianists": "piano"), the code of a currency ("euros")."""
        forms = [w for w in self.index.stems.get(stem(word), ()) if w != word]
        base = DEMONYMS.get(word) or CURRENCIES.get(stem(word))
        if base and base in self.index.postings:
            forms.append(base)
        elif word.endswith(DERIVED_ENDINGS):
            # "italian": "italy", "swedish": "sweden", "pianists": "piano", "cellist": "cello"
            root = next(word[: -len(e)] for e in DERIVED_ENDINGS if word.endswith(e))
            if len(root) >= 4:
                forms += [
                    w
                    for w in self.index.fuzzy_vocabulary
                    if w.startswith(root) and len(w) - len(root) <= 2
                ]
        return list(dict.fromkeys(f for f in forms if f != word))

    def _rare(self, word: str) -> bool:
        """May this index word alone make a label a candidate? Not when it is common, a
        word of the schema ("product" in "Product Analysis") or not meaningful."""
        if (
            len(self.index.postings[word]) > self._common_df
            or stem(word) in self.index.schema_words
        ):
            return False
        return self._meaningful(word)

    def _meaningful(self, word: str) -> bool:
        if word.isdigit():
            return len(word) >= self.config.min_number_length
        return len(word) >= 2 and word not in STOPWORDS

    def link(
        self,
        question: str,
        k: int = 5,
        *,
        schema_terms: Iterable[object] = (),
        language: str | None = None,
    ) -> list[LinkedEntity]:
        """The ``k`` best candidate entities of ``question``, best first, one per IRI.

        ``schema_terms`` are the classes and properties retrieved for the question (as
        returned by ``SchemaRetriever.retrieve``, or the terms alone): entities whose class
        fits them rank higher. ``language`` (default English) chooses the function words,
        and for German and Spanish lets the cross-lingual index translate words.
        """
        cfg = self.config
        words = tokens(question)
        if language in COMPOUNDING and self.compound_heads:
            # "Einkaufsabteilung": the department Einkauf (Procurement), linked by its part.
            words = split_compounds(question, words, self.compound_heads, self._known_word)
        stop = stopwords(language)
        translate = not is_english(language) and (
            self.crosslingual is not None or self.dictionary is not None
        )
        content = [w.norm not in stop for w in words]
        # In a question written with capitals, names are capitalised: a lower-case word is
        # not fuzzy-matched, and a match made of lower-case words only counts less.
        named = [
            (question[w.start].isupper() or has_digit(w.norm)) and content[i]
            for i, w in enumerate(words)
        ]
        cased = any(named[1:])
        runs = name_runs(named, run_breaks(question, words)) if cased else [-1] * len(words)
        # entry -> label word -> every (similarity, question position) it matched at
        candidates: dict[int, dict[str, list[tuple[float, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for pos, word in enumerate(words):
            if not content[pos]:
                continue
            # Typos are looked for in names: capitalised words of a cased question (from 4
            # letters), any word of a question in one case (from 5 letters).
            min_length = (
                cfg.fuzzy_min_length - 1
                if named[pos] and cased
                else None
                if cased
                else cfg.fuzzy_min_length
            )
            # A dictionary word is taken for a typo of a name only where it is written as a
            # name: capitalised, not as the first word of the question ("Müller": "Mueller").
            name_like = named[pos] and pos > 0
            written = question[word.start : word.end]
            # A German noun is capitalised like a name, but a word of the language's
            # dictionary is no typo of one: "Namen" is not the city "Nanmen". (Spanish
            # keeps its typo matching: it finds cognates, "franceses": France.)
            known = (
                language in CAPITALISED_NOUNS
                and self.dictionary is not None
                and word.norm not in self.index.postings
                and self.dictionary.knows(written, language or "")
            )
            found = self._word_matches(word.norm, None if known else min_length, name_like)
            spelled = transliterated(written, language)  # "Müller": "mueller"
            if spelled != word.norm and spelled in self.index.postings:
                found.insert(0, (spelled, 1.0))
            if translate and word.norm not in self.index.postings:
                found = self._translated(written, found, language)
            for index_word, sim in found:
                for entry_id in self.index.postings[index_word]:
                    candidates[entry_id][index_word].append((sim, pos))
        fitting = self._fitting_classes(schema_terms)
        scored: list[tuple[float, LinkedEntity]] = []
        question_vector = None
        placements: list[tuple[int, list[tuple[float, LinkedEntity]]]] = []
        for entry_id, occurrences in candidates.items():
            entry = self.index.entries[entry_id]
            if not any(self._rare(w) for w in occurrences) and not (
                all(w in occurrences for w in content_words(entry.words))
                and any(self._meaningful(w) for w in occurrences)
            ):
                continue
            # A label whose words occur more than once is tried at each place its rarest
            # word occurs.
            tried: list[tuple[float, LinkedEntity]] = []
            for matched in self._placements(occurrences):
                entity = self._score(entry_id, matched, words, content, question)
                if entity is None:
                    continue
                score = entity.score
                if cased:
                    score *= run_coverage(matched, named, runs, cfg.lowercase_factor)
                tried.append((score, entity))
            placements.append((entry_id, tried))
        # The best placement counts, except one inside a longer label written out in full,
        # where another is left ("Sensoren" for the category Sensor, not the "Sensor" of
        # "Sensor Adjustment", which the written-out label takes: ``best_entities``).
        written_out = [e for _, tried in placements for _, e in tried if e.exact]
        for entry_id, tried in placements:
            entry = self.index.entries[entry_id]
            occurrences = candidates[entry_id]
            ranked = sorted(tried, key=lambda t: -t[0])
            free = [t for t in ranked if not _inside_written_out(t[1], written_out)]
            placed = free[0] if free else ranked[0] if ranked else None
            if placed is None or placed[0] < cfg.min_score:
                continue
            score, entity = placed
            if fitting and entity.class_iri and self.index.ancestors(entity.class_iri) & fitting:
                score += cfg.schema_weight
            if (
                cfg.category_bonus
                and len(entry.words) <= 2
                and all(w in occurrences for w in content_words(entry.words))
                and self.index.is_category(entry.iri, cfg.category_in_degree)
            ):
                score += cfg.category_bonus
            if self._vectors is not None and self.embedder is not None:
                if question_vector is None:
                    question_vector = self.embedder.encode([question])[0]
                score += cfg.embedding_weight * float(self._vectors[entry_id] @ question_vector)
            scored.append((score, entity))
        # On a tie, a resource before a value of the same name (dbr:France before "France").
        scored.sort(
            key=lambda s: (
                -s[0],
                s[1].start - s[1].end,
                is_literal_term(s[1].iri),
                s[1].iri,
                s[1].label,
            )
        )
        best: dict[str, LinkedEntity] = {}
        for score, entity in scored:
            if entity.iri not in best:
                best[entity.iri] = replace(entity, score=round(score, 4))
                if len(best) >= k:
                    break
        return list(best.values())

    def entities(
        self,
        question: str,
        *,
        candidates: int = 8,
        schema_terms: Iterable[object] = (),
        language: str | None = None,
    ) -> list[LinkedEntity]:
        """What a prompt offers: the best non-overlapping of the ``candidates`` best entities
        of ``question``, in the question's order (the service's and training's linking).

        Mentions are read jointly: a reading joined by one triple to a reading of another
        mention gains ``joint_weight`` when it is within ``joint_margin`` of its span's best
        (several Annas: the one who is a member of the Procurement of the question)."""
        if not (self.config.joint_weight and self.index.links):
            found = self.link(question, candidates, schema_terms=schema_terms, language=language)
            return best_entities(found)
        # More readings than offered, so that every Anna competes before one is chosen.
        found = self.link(question, 2 * candidates, schema_terms=schema_terms, language=language)
        return best_entities(joint(found, self.index.links, self.config)[:candidates])

    def translated(self, text: str, language: str | None) -> list[str]:
        """The label words the dictionary reads the words of ``text`` as (``language``
        German or Spanish: "Widerstände" → resistor, "französischen" → france); nothing
        for English or without a dictionary."""
        if is_english(language):
            return []
        found = [w for t in tokens(text) for w, _ in self._read(text[t.start : t.end], language)]
        return list(dict.fromkeys(found))

    def _read(self, written: str, language: str | None) -> list[tuple[str, float]]:
        """The index words the dictionary reads one foreign word as, with the similarity
        the linker gives them: its translations (a later sense a little less: "Sensoren"
        is sensors before transducers), else, for a country's adjective ("französischen"),
        its English demonym's country; nothing without a dictionary."""
        if self.dictionary is None or not language:
            return []
        cfg = self.config
        read = [
            (w, cfg.dictionary_factor - _LATER_SENSE * place)
            for place, w in enumerate(self.dictionary.translations(written, language))
            if w in self.index.postings
        ]
        demonym = None if read else self.dictionary.demonym(written, language)
        if demonym:
            factor = cfg.dictionary_factor * cfg.word_form_factor
            read = [(w, factor) for w in self._word_forms(demonym)]
        return read

    def _translated(
        self, written: str, found: list[tuple[str, float]], language: str | None
    ) -> list[tuple[str, float]]:
        """The label words a foreign word stands for, in place of its typo readings: the
        dictionary's reading when it has one (:meth:`_read`), else the nearest label word by
        the cross-lingual vectors."""
        translated = self._read(written, language)
        if not translated and self.crosslingual is not None:
            translated = self.crosslingual.matches(written)
        if not translated:
            return found
        return translated + [m for m in found if m[1] >= self.config.word_form_factor]

    def _placements(
        self, occurrences: Mapping[str, list[tuple[float, int]]]
    ) -> list[dict[str, tuple[float, int]]]:
        """Ways to place a label in the question, one (similarity, position) per matched
        word: each occurrence of its rarest word anchors one placement, the other words take
        their occurrence nearest to it (a label named twice in a question, "under-20 ... and
        under-21 team", is placed where its distinctive word is)."""
        idf = self.index.idf
        anchor_word = max(occurrences, key=lambda w: (max(occurrences[w])[0] * idf[w], w))
        anchors = sorted({pos for _, pos in occurrences[anchor_word]})
        return [
            {
                word: min(
                    # The anchor word sits at its anchor; the others take their best
                    # occurrence, the nearest of equals.
                    [o for o in found if o[1] == anchor] if word == anchor_word else found,
                    key=lambda o: (-o[0], abs(o[1] - anchor), o[1]),
                )
                for word, found in occurrences.items()
            }
            for anchor in anchors
        ]

    def _score(
        self,
        entry_id: int,
        matched: Mapping[str, tuple[float, int]],
        words: Sequence[Token],
        content: Sequence[bool],
        question: str,
    ) -> LinkedEntity | None:
        cfg = self.config
        entry = self.index.entries[entry_id]
        positions = sorted({pos for _, pos in matched.values()})
        first, last = positions[0], positions[-1]
        gaps = sum(1 for p in range(first, last + 1) if content[p] and p not in positions)
        if gaps > cfg.max_gaps:
            return None
        covered = sum(
            self.index.idf[w] * sim for w, (sim, _) in matched.items() if w not in STOPWORDS
        )
        score = entry.weight * covered / self.index.label_weight[entry_id]
        score -= cfg.gap_penalty * gaps
        start, end = words[first].start, words[last].end
        exact = normalise(question[start:end]) == " ".join(entry.words)
        if exact:
            score += cfg.exact_bonus
        if is_literal_term(entry.iri):
            if not cfg.values:
                return None
            # A short code ("EUR", "IT") is a value only where it is written as one or named
            # by its word ("euros"): "it" and "in" are words.
            written = question[start:end]
            if (
                len(entry.label) <= 3
                and entry.label.isupper()
                and written != entry.label
                and written.lower() == entry.label.lower()
            ):
                return None
            description = value_label(self.index.schema, self.index.values.get(entry.iri, []))
            return LinkedEntity(entry.iri, entry.label, start, end, score, None, description, exact)
        cls_iri = self.index.class_of(entry.iri)
        cls_label = self._class_label(cls_iri) if cls_iri else None
        return LinkedEntity(entry.iri, entry.label, start, end, score, cls_iri, cls_label, exact)

    def _fitting_classes(self, schema_terms: Iterable[object]) -> set[str]:
        fitting: set[str] = set()
        for item in schema_terms:
            term = item[0] if isinstance(item, tuple) else item
            if isinstance(term, SchemaClass):
                fitting.add(term.iri)
            elif isinstance(term, SchemaProperty):
                fitting.update(term.domain)
                fitting.update(term.range)
        return fitting


def _inside_written_out(entity: LinkedEntity, written_out: Sequence[LinkedEntity]) -> bool:
    """Whether ``entity``'s span lies inside the longer span of a label written out in full."""
    return any(
        w.start <= entity.start
        and entity.end <= w.end
        and (w.end - w.start) > (entity.end - entity.start)
        for w in written_out
    )
