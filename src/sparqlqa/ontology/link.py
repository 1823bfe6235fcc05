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

import csv
import math
import re
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import numpy as np

from sparqlqa.errors import ConfigError
from sparqlqa.kg.results import is_literal_term
from sparqlqa.kg.store import DEFAULT_LABEL_PREDICATES, RDF, Store
from sparqlqa.ontology.embed import Embedder, embed_cached
from sparqlqa.ontology.language import is_english, stopwords
from sparqlqa.ontology.prompt import PromptEntity
from sparqlqa.ontology.schema import Schema, SchemaClass, SchemaProperty, local_name, words_of
from sparqlqa.ontology.values import lexical, neighbours, value_label, value_properties
from sparqlqa.ontology.words import (
    STOPWORDS,
    Token,
    dictionary_words,
    has_digit,
    normalise,
    stem,
    tokens,
)

if TYPE_CHECKING:
    from sparqlqa.ontology.crosslingual import CrossLingualWords

#: Local names of properties that name things, found in a graph by ``name_predicates``.
NAME_LOCAL_NAMES = frozenset({"name", "title", "label", "prefLabel", "fullName", "nickname"})
#: Local names of properties that hold identifiers.
ID_LOCAL_NAMES = frozenset({"id", "identifier", "code", "sku", "productID"})
_PARENTHESIS = re.compile(r"^(.*\S)\s*\(([^()]*)\)\s*$")
_INDEX_VERSION = "2"
#: A local name that reads as words: letters first, no digits ("Korea, Republic of").
_WORDY = re.compile(r"^[^\W\d_][^\d]*$")
#: Endings of adjectives and agent nouns that leave the stem of the thing they come from
#: ("ital-ian", "swed-ish", "pian-ists", "cell-ist").
_DERIVED_ENDINGS = ("ists", "ist", "ians", "ian", "ean", "ese", "ish", "an", "ic", "i")
#: Currency names and their ISO codes, as graphs write prices ("euros": EUR).
CURRENCIES = {
    "euro": "eur",
    "dollar": "usd",
    "pound": "gbp",
    "yen": "jpy",
    "franc": "chf",
    "yuan": "cny",
    "renminbi": "cny",
    "rupee": "inr",
    "ruble": "rub",
    "rouble": "rub",
    "krona": "sek",
    "krone": "nok",
    "zloty": "pln",
    "real": "brl",
    "peso": "mxn",
}
#: English demonyms whose country does not start with the adjective's stem: world knowledge,
#: not any one graph's.
DEMONYMS = {
    "french": "france",
    "dutch": "netherlands",
    "swiss": "switzerland",
    "spanish": "spain",
    "polish": "poland",
    "british": "kingdom",
    "english": "england",
    "welsh": "wales",
    "scottish": "scotland",
    "irish": "ireland",
    "danish": "denmark",
    "finnish": "finland",
    "norwegian": "norway",
    "greek": "greece",
    "turkish": "turkey",
    "czech": "czechia",
    "portuguese": "portugal",
    "belgian": "belgium",
    "peruvian": "peru",
    "thai": "thailand",
    "filipino": "philippines",
    "vietnamese": "vietnam",
    "chinese": "china",
    "japanese": "japan",
    "korean": "korea",
    "american": "states",
    "mexican": "mexico",
    "canadian": "canada",
    "brazilian": "brazil",
    "argentine": "argentina",
    "argentinian": "argentina",
    "german": "germany",
    "italian": "italy",
    "austrian": "austria",
    "hungarian": "hungary",
    "swedish": "sweden",
    "russian": "russia",
    "ukrainian": "ukraine",
    "indian": "india",
    "australian": "australia",
    "egyptian": "egypt",
    "israeli": "israel",
    "iranian": "iran",
    "iraqi": "iraq",
    "pakistani": "pakistan",
    "saudi": "saudi",
    "croatian": "croatia",
    "serbian": "serbia",
    "romanian": "romania",
    "bulgarian": "bulgaria",
    "slovak": "slovakia",
    "slovenian": "slovenia",
    "chilean": "chile",
    "colombian": "colombia",
    "cuban": "cuba",
    "nigerian": "nigeria",
    "kenyan": "kenya",
    "moroccan": "morocco",
    "indonesian": "indonesia",
    "malaysian": "malaysia",
    "singaporean": "singapore",
    "icelandic": "iceland",
    "lithuanian": "lithuania",
    "latvian": "latvia",
    "estonian": "estonia",
}


@dataclass(frozen=True)
class LinkedEntity:
    """One resource the question may name."""

    iri: str
    label: str  # the label that matched
    start: int  # character span of the match in the question
    end: int
    score: float
    class_iri: str | None = None  # the most specific class of the resource, if known
    class_label: str | None = None
    exact: bool = False  # the span is the label, written out (after folding)


@dataclass(frozen=True)
class LabelEntry:
    """One label of one resource as the index holds it."""

    iri: str
    label: str
    words: tuple[str, ...]  # the folded words, unique, in order
    weight: float = 1.0  # below 1 for derived aliases ("Chess" from "Chess (musical)")


@dataclass
class LinkerConfig:
    """How strict the linker is; the defaults are those measured in docs/ontology.md."""

    fuzzy_cutoff: float = 80.0  # rapidfuzz ratio (0-100) for a word with a typo to match
    fuzzy_min_length: int = 5  # shorter words match only exactly ("ones" is not "Jones"),
    # but capitalised words of a cased question from one letter less ("Bayr": "Bayer")
    fuzzy_factor: float = 0.9  # a fuzzy word counts this much of an exact one
    min_score: float = 0.3  # candidates scoring less are dropped
    common_share: float = 0.02  # a word in more labels than this share cannot start a match
    min_number_length: int = 4  # a number shorter than this cannot start a match ("52")
    gap_penalty: float = 0.15  # per unmatched content word inside a matched span
    max_gaps: int = 1  # spans with more unmatched content words are not matches
    exact_bonus: float = 0.05  # the span is exactly the label (after folding)
    lowercase_factor: float = 0.6  # a match of lower-case words only, in a cased question
    embedding_weight: float = 0.1  # weight of cosine(question, label) when an embedder is given
    schema_weight: float = 0.1  # added when the class fits the retrieved schema
    values: bool = True  # link literal values (cities, countries, codes) besides resources
    word_forms: bool = True  # plurals and adjectives find their noun ("resistors", "Italian")
    word_form_factor: float = 0.95  # a word form counts this much of the word itself
    category_bonus: float = 0.15  # a fully matched short label many triples point to
    category_in_degree: int = 20  # triples pointing to a resource that make it a category
    joint_weight: float = 0.2  # added to a reading joined in the graph to another mention
    joint_margin: float = 0.1  # readings this close to a span's best compete jointly

    def __post_init__(self) -> None:
        if not 0 < self.fuzzy_cutoff <= 100:
            raise ValueError(f"fuzzy_cutoff must be in (0, 100], got {self.fuzzy_cutoff}")
        if not 0 <= self.common_share <= 1:
            raise ValueError(f"common_share must be in [0, 1], got {self.common_share}")


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
            sum(self.idf[w] for w in _content(e.words)) or 1.0 for e in self.entries
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
            labels = [(iri, label) for iri, label in labels if _is_data(iri, classes, schema)]
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


def _name_runs(named: Sequence[bool]) -> list[int]:
    """Per word, the number of the run of consecutive capitalised words it belongs to (-1:
    none). A match may span several runs ("Benitez and Sons")."""
    runs, current, run_id = [-1] * len(named), -1, -1
    for i, is_name in enumerate(named):
        if is_name:
            if current < 0:
                run_id += 1
                current = run_id
            runs[i] = current
        else:
            current = -1
    return runs


def _run_coverage(
    matched: Mapping[str, tuple[float, int]],
    named: Sequence[bool],
    runs: Sequence[int],
    lowercase_factor: float,
) -> float:
    """The share of the capitalised words around a match that it explains: "Memristor Switch"
    explains 2 of the 3 words of "Heisenberg Memristor Switch". A match of lower-case words
    only gets ``lowercase_factor``."""
    positions = {pos for _, pos in matched.values()}
    touched = {runs[p] for p in positions if named[p]}
    if not touched:
        return lowercase_factor
    in_runs = [i for i, r in enumerate(runs) if r in touched and named[i]]
    return sum(1 for i in in_runs if i in positions) / len(in_runs)


def _content(words: Sequence[str]) -> Sequence[str]:
    """The words of a label that are not stopwords (all of them if all are)."""
    return [w for w in words if w not in STOPWORDS] or words


def _is_data(iri: str, classes: Mapping[str, Sequence[str]], schema: Schema) -> bool:
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
    ) -> None:
        """``embedder`` (optional) re-ranks candidates by similarity to the question; the
        label embeddings are computed once and kept under ``cache_dir``. ``crosslingual``
        (optional) finds the label words that words of a German or Spanish question stand
        for (:mod:`sparqlqa.ontology.crosslingual`)."""
        self.index = index
        self.crosslingual = crosslingual
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
        elif word.endswith(_DERIVED_ENDINGS):
            # "italian": "italy", "swedish": "sweden", "pianists": "piano", "cellist": "cello"
            root = next(word[: -len(e)] for e in _DERIVED_ENDINGS if word.endswith(e))
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
        stop = stopwords(language)
        translate = self.crosslingual is not None and not is_english(language)
        content = [w.norm not in stop for w in words]
        # In a question written with capitals, names are capitalised: a lower-case word is
        # not fuzzy-matched, and a match made of lower-case words only counts less.
        named = [
            (question[w.start].isupper() or has_digit(w.norm)) and content[i]
            for i, w in enumerate(words)
        ]
        cased = any(named[1:])
        runs = _name_runs(named) if cased else [-1] * len(words)
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
            found = self._word_matches(word.norm, min_length, name_like)
            if translate and word.norm not in self.index.postings:
                found = self._translated(question[word.start : word.end], found)
            for index_word, sim in found:
                for entry_id in self.index.postings[index_word]:
                    candidates[entry_id][index_word].append((sim, pos))
        fitting = self._fitting_classes(schema_terms)
        scored: list[tuple[float, LinkedEntity]] = []
        question_vector = None
        for entry_id, occurrences in candidates.items():
            entry = self.index.entries[entry_id]
            if not any(self._rare(w) for w in occurrences) and not (
                all(w in occurrences for w in _content(entry.words))
                and any(self._meaningful(w) for w in occurrences)
            ):
                continue
            # A label whose words occur more than once is tried at each place its rarest
            # word occurs; the best placement counts.
            placed: tuple[float, LinkedEntity] | None = None
            for matched in self._placements(occurrences):
                entity = self._score(entry_id, matched, words, content, question)
                if entity is None:
                    continue
                score = entity.score
                if cased:
                    score *= _run_coverage(matched, named, runs, cfg.lowercase_factor)
                if placed is None or score > placed[0]:
                    placed = (score, entity)
            if placed is None or placed[0] < cfg.min_score:
                continue
            score, entity = placed
            if fitting and entity.class_iri and self.index.ancestors(entity.class_iri) & fitting:
                score += cfg.schema_weight
            if (
                cfg.category_bonus
                and len(entry.words) <= 2
                and all(w in occurrences for w in _content(entry.words))
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

    def _translated(self, written: str, found: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """The label word a foreign word stands for, in place of its typo readings."""
        assert self.crosslingual is not None
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
                word: min(found, key=lambda o: (-o[0], abs(o[1] - anchor), o[1]))
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


def joint(
    linked: Sequence[LinkedEntity], links: Mapping[str, set[str]], config: LinkerConfig
) -> list[LinkedEntity]:
    """``linked`` re-scored for joint reading, best first: a candidate close to the best of
    its span (``joint_margin``) that is joined by one triple to a candidate at another,
    non-overlapping span gains ``joint_weight``."""
    best_at: dict[tuple[int, int], float] = {}
    for entity in linked:
        span = (entity.start, entity.end)
        best_at[span] = max(best_at.get(span, entity.score), entity.score)
    out: list[LinkedEntity] = []
    for entity in linked:
        near_best = entity.score >= best_at[(entity.start, entity.end)] - config.joint_margin
        joined = near_best and any(
            other.iri in links.get(entity.iri, ())
            for other in linked
            if other.end <= entity.start or other.start >= entity.end
        )
        out.append(
            replace(entity, score=round(entity.score + config.joint_weight, 4))
            if joined
            else entity
        )
    return sorted(out, key=lambda e: (-e.score, is_literal_term(e.iri), e.iri))


def best_entities(linked: Sequence[LinkedEntity]) -> list[LinkedEntity]:
    """The best candidates whose spans do not overlap, in the order of the question. A
    value and a resource of the same name at the same span are both kept ("France" the
    country and "France" the value of ``addressCountry``): the prompt shows which property
    holds which form, and the translator picks."""
    # A label written out in full over a longer span is better evidence than any reading
    # inside it: "nordic jazz" the genre, not "jazz" the larger category.
    written_out = [e for e in linked if e.exact]
    linked = [
        e
        for e in linked
        if not any(
            w.start <= e.start and e.end <= w.end and (w.end - w.start) > (e.end - e.start)
            for w in written_out
        )
    ]
    chosen: list[LinkedEntity] = []
    for entity in sorted(linked, key=lambda e: -e.score):
        if all(
            entity.end <= c.start or entity.start >= c.end or _other_form(entity, c) for c in chosen
        ):
            chosen.append(entity)
    return sorted(chosen, key=lambda e: (e.start, is_literal_term(e.iri)))


def _other_form(a: LinkedEntity, b: LinkedEntity) -> bool:
    """Are ``a`` and ``b`` one name read as a resource and as a value?"""
    return (
        (a.start, a.end) == (b.start, b.end)
        and is_literal_term(a.iri) != is_literal_term(b.iri)
        and normalise(a.label) == normalise(b.label)
    )


def prompt_entities(entities: Sequence[LinkedEntity]) -> list[PromptEntity]:
    """Prompt entities ``ENT0``, ``ENT1``... for linked entities, in the given order."""
    return [PromptEntity(f"ENT{i}", e.iri, e.label, e.class_label) for i, e in enumerate(entities)]


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
            labels = [(i, lab) for i, lab in labels if _is_data(i, classes, self.schema)]
        index = LabelIndex(labels, classes, self.schema)
        return EntityLinker(index, config=self.config).link(question, k, schema_terms=schema_terms)
