"""Bilingual dictionaries: German and Spanish words that the graph's English labels translate.

The embedded cross-lingual vectors (``ontology.crosslingual``) find "Frankreich" for "France"
but not every common noun: "Widerstände" lands nearer "Potentiometer" than "Resistor",
"Spulen" nearer "Supplier" than "Coil". A dictionary knows them. sparqlqa reads dictionaries
in the dictd format of the FreeDict project (``freedict-deu-eng``, ``freedict-spa-eng``: an
``.index`` of headwords and a gzip- or dictzip-compressed ``.dict`` of entries), the files of
the Debian packages ``dict-freedict-deu-eng`` and ``dict-freedict-spa-eng``. They are
GPL-licensed and not shipped: ``make dictionaries`` (part of ``make run``) unpacks the
packages into ``var/dictionaries``, and ``/usr/share/dictd`` is looked in too;
``SPARQLQA_DICTIONARIES`` names other folders instead, or none (:func:`dictionary_folders`).
Without one, linking works as before.

A word has many senses ("Widerstand": obstruction, resistance, resistor, opposition, stand);
the graph decides among them: :class:`GraphDictionary` keeps, for each foreign noun, only
its first few translations that are one-word category labels of the graph, so "Widerstand"
is "resistor" in an electronics catalogue and nothing in a music graph. That table is built
on the first German (Spanish) question a graph gets, by a scan of the whole dictionary
(about 6 s for the German one on 2 cores), and cached beside the label index.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sparqlqa.ontology.word_forms import DEMONYMS, DERIVED_ENDINGS
from sparqlqa.ontology.words import UMLAUT_LANGUAGES, fold, stem, umlauts_folded
from sparqlqa.paths import home

if TYPE_CHECKING:
    from sparqlqa.ontology.label_index import LabelIndex

#: The FreeDict dictionary of each question language, to English.
DICTIONARY_NAMES = {"de": "freedict-deu-eng", "es": "freedict-spa-eng"}

#: Languages read through another one's dictionary as well: the FreeDict dictionary from
#: the pivot language into this one, read backwards (the Spanish-English one has 4,500
#: headwords, the German-Spanish one 31,600, and the German-English one 519,000).
PIVOTS = {"es": ("freedict-deu-spa", "de")}
_PLURALS = ("es", "s")

#: Languages whose nouns compound ("Produktmanagement"), and the links between the parts.
COMPOUNDING = frozenset({"de"})
_LINKS = ("", "s", "n", "es", "en")
_MIN_PART = 3
_INFLECTIONS = ("s", "es", "n", "en", "e")  # "des Produktmanagements", "Datendiensten"
_FUNCTION_WORDS = frozenset({"of", "the", "a", "an", "to", "for", "with", "in", "on", "from", "by"})

#: Category labels of at most this many words are a dictionary's targets.
LONGEST_LABEL = 2

#: The ending of the adjectives of countries, per language ("französisch", "indisch"),
#: and the inflections they take in a question ("französischen Lieferanten").
DEMONYM_ENDINGS = {"de": "isch"}
_ADJECTIVE_INFLECTIONS = ("en", "er", "es", "em", "e")

#: Languages that capitalise their nouns (an entry without a grammar note is a noun only
#: when its headword is capitalised).
CAPITALISED_NOUNS = frozenset({"de"})

#: The system's dictionaries (the Debian packages install them here).
SYSTEM_FOLDER = Path("/usr/share/dictd")

#: How far down a headword's distinct translations (in the dictionary's order) one may be
#: and still count: "Widerstand" is a resistor third (after obstruction and resistance),
#: "Spule" an inductor first and a coil fourth; "Breite" is a gauge only fifth.
SENSE_PLACES = 4

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TABLE_VERSION = "7"
# What a sense line carries besides its translations: [domain], <grammar>, /phonetics/,
# (remarks), {cross references}.
_MARKUP = re.compile(r"\[[^\]]*\]|<[^>]*>|/[^/]*/|\([^)]*\)|\{[^}]*\}")
_NOT_A_SENSE = ("synonym", "see:", "note:", '"', "siehe", "ver:")
_NUMBERED = re.compile(r"^\d+\.\s*")


def _write_cache(path: Path, data: bytes) -> None:
    """``data`` written to ``path`` whole or not at all (through a ``.part`` file); a
    read-only folder is no error: the table is built again next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(data)
        partial.replace(path)
    except OSError:
        pass


def spellings(word: str, language: str) -> list[str]:
    """The folded forms under which ``word`` is looked up: as written, then, for a German
    word typed without umlauts, as if typed with them (``words.umlauts_folded``)."""
    folded = fold(word)
    if language not in UMLAUT_LANGUAGES:
        return [folded]
    return list(dict.fromkeys([folded, umlauts_folded(folded)]))


def _word_hash(word: str) -> int:
    """A stable 64-bit hash of a folded word (Python's own is salted per process)."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def _number(text: str) -> int:
    """A dictd index number (offset, length): base 64 over ``A-Za-z0-9+/``."""
    value = 0
    for char in text:
        value = value * 64 + _B64.index(char)
    return value


def dictionary_folders() -> list[Path]:
    """The folders searched for dictionaries, in order: those of ``SPARQLQA_DICTIONARIES``
    (``os.pathsep``-separated; set but empty: none, the dictionaries are off) when it is
    set, else the data folder's ``dictionaries`` (``make dictionaries``; ``paths.home``) and
    the system's."""
    named = os.environ.get("SPARQLQA_DICTIONARIES")
    if named is not None:
        return [Path(p) for p in named.split(os.pathsep) if p]
    return [home() / "dictionaries", SYSTEM_FOLDER]


def find_dictionary(language: str, folders: Sequence[Path] | None = None) -> Path | None:
    """The ``.index`` file of ``language``'s dictionary in the first folder holding one (and
    its ``.dict.dz`` or ``.dict``), or None."""
    name = DICTIONARY_NAMES.get(language)
    return None if name is None else find_dictionary_file(name, folders)


def find_dictionary_file(name: str, folders: Sequence[Path] | None = None) -> Path | None:
    """The ``.index`` file of the dictionary ``name`` (``freedict-deu-spa``) in the first
    folder holding it whole, or None."""
    for folder in dictionary_folders() if folders is None else folders:
        index = folder / f"{name}.index"
        if index.is_file() and _data_file(index) is not None:
            return index
    return None


def _data_file(index: Path) -> Path | None:
    stem = index.with_suffix("")
    for candidate in (stem.with_suffix(".dict.dz"), stem.with_suffix(".dict")):
        if candidate.is_file():
            return candidate
    return None


def entries(index: Path) -> Iterator[tuple[str, str]]:
    """Every (headword, entry text) of a dictd dictionary, in the index's order (a headword
    of several senses comes once per entry). Raises ``OSError``/``ValueError`` for files
    that are not a dictd dictionary."""
    data_path = _data_file(index)
    if data_path is None:
        raise FileNotFoundError(f"{index}: no .dict.dz or .dict beside it")
    opener = gzip.open if data_path.suffix == ".dz" else open
    with opener(data_path, "rb") as fh:
        data = fh.read()
    with index.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or not parts[0] or parts[0].startswith("00-database"):
                continue  # the dictionary's own metadata entries
            offset, length = _number(parts[1]), _number(parts[2])
            yield parts[0], data[offset : offset + length].decode("utf-8", "replace")


def senses(entry: str) -> list[str]:
    """The English translations of one entry, in its order: the phrases of its sense lines
    (the lines after the headword that are not examples, synonyms, notes or references),
    without domain, grammar and pronunciation markup."""
    out: list[str] = []
    for line in entry.splitlines()[1:]:
        text = _NUMBERED.sub("", line.strip())
        if not text or text.casefold().startswith(_NOT_A_SENSE):
            continue
        for phrase in re.split(r"[,;]", _MARKUP.sub(" ", text)):
            phrase = " ".join(phrase.split())
            if phrase and any(ch.isalpha() for ch in phrase) and phrase not in out:
                out.append(phrase)
    return out


def is_noun(entry: str, *, capitalised: bool = False) -> bool:
    """Whether an entry's headword is a noun by its grammar note (``<masc, n, sg>``,
    ``<pl>``); without a note (the small Spanish dictionary has none) any entry counts, or
    with ``capitalised`` (German, whose nouns are capitalised) one whose headword is.
    Verbs, adjectives and participles ("aufgewickelt": coiled) are not nouns."""
    header = entry.split("\n", 1)[0]
    notes = re.findall(r"<([^>]*)>", header)
    if not notes:
        return not capitalised or header[:1].isupper()
    marks = {m.strip() for note in notes for m in note.split(",")}
    return bool(marks & {"n", "pl", "noun"})


def _head(phrase: str, words: set[str]) -> str | None:
    """The word of ``words`` a translation stands for: itself (or its singular), or the last
    word of a translation of up to three words without function words, since English noun
    compounds end in their head ("power circuit breaker" is a breaker; "crystal meth" no
    crystal)."""
    parts = phrase.split(" ")
    if len(parts) > 3 or _FUNCTION_WORDS & set(parts):
        return None  # "line of least resistance" is no resistance
    last = parts[-1]
    for word in (last, stem(last)):
        if word in words:
            return word
    return None


def backwards(index: Path) -> dict[str, list[str]]:
    """A dictionary read backwards: each folded translation (one word) with the folded
    headwords it translates, in the index's order. Only the first line of an entry and
    its numbered senses are translations ("1. resistencia"); the other lines of the
    German-Spanish dictionary are definitions in German."""
    out: dict[str, list[str]] = {}
    for headword, entry in entries(index):
        lines = entry.splitlines()[1:]
        chosen = [line for i, line in enumerate(lines) if i == 0 or _NUMBERED.match(line.strip())]
        for line in chosen:
            for phrase in re.split(r"[,;]", _MARKUP.sub(" ", _NUMBERED.sub("", line.strip()))):
                word = fold(phrase.strip())
                if word and " " not in word and word.isalpha():
                    found = out.setdefault(word, [])
                    if fold(headword) not in found:
                        found.append(fold(headword))
    return out


def _demonym(phrase: str) -> str | None:
    """The English demonym of an adjective's translation ("French Fr.", "South Korean",
    "Dutch"), folded: its first capitalised word that is one (``word_forms``: irregular, or
    with a demonym's ending); None for "logical"."""
    for word in phrase.split(" "):
        folded = fold(word)
        demonym = folded in DEMONYMS or folded.endswith(DERIVED_ENDINGS)
        if word[:1].isupper() and demonym and folded.isalpha() and len(folded) >= 4:
            return folded
    return None


def label_translations(
    index: Path,
    vocabulary: Iterable[str],
    *,
    capitalised: bool = False,
    demonyms: dict[str, str] | None = None,
    demonym_ending: str | None = None,
    firsts: dict[str, str] | None = None,
) -> dict[str, list[str]]:
    """For each folded noun headword of the dictionary at ``index``, its translations that
    are one word of ``vocabulary`` (folded label words; a plural translation counts as its
    singular, a two-word one as its head, :func:`_head`) among its first
    :data:`SENSE_PLACES` distinct translations, in that order;
    headwords with none are left out. A sense far down the list is a rare one ("Breite":
    width, breadth, broadness, wide range, gauge; "Art": kind, sort, ..., strain).
    ``capitalised``: the language capitalises its nouns (:func:`is_noun`). With
    ``demonyms`` and ``demonym_ending`` (German "isch"), the adjectives so ending whose
    translation is an English demonym are put in ``demonyms`` ("franzosisch": "french").
    ``firsts``: filled with the headwords whose very first translation is a word of
    ``vocabulary`` ("kondensator": "capacitor"), for reading through a pivot."""
    words = set(vocabulary)
    table: dict[str, list[str]] = {}
    # The index is sorted: the entries of one headword are neighbours.
    for headword, group in itertools.groupby(entries(index), key=lambda pair: fold(pair[0])):
        places: list[str] = []
        adjective = demonyms is not None and demonym_ending and headword.endswith(demonym_ending)
        for _, entry in group:
            if adjective and demonyms is not None and headword not in demonyms:
                found_demonym = next(filter(None, map(_demonym, senses(entry))), None)
                if found_demonym:
                    demonyms[headword] = found_demonym
            if not is_noun(entry, capitalised=capitalised):
                continue
            for phrase in senses(entry):
                folded = fold(phrase)
                if folded not in places:
                    places.append(folded)
        found = list(dict.fromkeys(h for p in places[:SENSE_PLACES] if (h := _head(p, words))))
        if firsts is not None and places and (first := _head(places[0], words)):
            firsts[headword] = first
        if found:
            table[headword] = found
    return table


@dataclass(frozen=True)
class _Tables:
    """What one scan of a language's dictionary gives a graph (:func:`label_translations`)."""

    nouns: dict[str, list[str]] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)
    firsts: dict[str, str] = field(default_factory=dict)


class GraphDictionary:
    """The translations of foreign words into one graph's label words, per language,
    from the dictionaries found (:func:`find_dictionary`); built on first use of a
    language and cached under ``cache_dir``."""

    def __init__(
        self,
        labels: Iterable[Sequence[str]],
        *,
        cache_dir: Path | None = None,
        folders: Sequence[Path] | None = None,
    ) -> None:
        """``labels``: the folded words of each label a foreign word may stand for."""
        kept = {tuple(words) for words in labels if words}
        #: One-word labels: a foreign word translated to one of them links it.
        self.single = frozenset(words[0] for words in kept if len(words) == 1)
        #: Longer labels, as word sets: a compound links one when its parts translate to
        #: all of its words ("Produktmanagement": Product Management).
        self.phrases = frozenset(frozenset(words) for words in kept if len(words) > 1)
        self.vocabulary = sorted({word for words in kept for word in words})
        self._words = frozenset(self.vocabulary)
        self.cache_dir = cache_dir
        self.folders = folders
        self._tables: dict[str, _Tables] = {}
        self._pivots: dict[str, dict[str, list[str]]] = {}
        self._headwords: dict[str, np.ndarray] = {}

    @classmethod
    def of_categories(
        cls,
        index: LabelIndex,
        in_degree: int,
        *,
        cache_dir: Path | None = None,
        folders: Sequence[Path] | None = None,
    ) -> GraphDictionary:
        """The dictionary of ``index``'s category-like labels (resources that ``in_degree``
        triples point to: "Resistor", "Product Management", "Jazz") of at most
        :data:`LONGEST_LABEL` words: common nouns, which people translate. Not the words
        of names (people, firms, products are named as written, and "Abteilung":
        department, ..., ward would link a person "Ward"); a word of a longer label counts
        only beside the others, in a compound ("Art", a kind, is also a strain: not
        "Strain Gauge"). ``folders``: where to look for dictionaries (default:
        :func:`dictionary_folders`)."""
        labels = {
            entry.words
            for entry in index.entries
            if len(entry.words) <= LONGEST_LABEL
            and all(w.isalpha() and len(w) >= 3 for w in entry.words)
            and index.is_category(entry.iri, in_degree)
        }
        return cls(labels, cache_dir=cache_dir, folders=folders)

    def available(self, language: str) -> bool:
        """Whether a dictionary of ``language`` was found."""
        return find_dictionary(language, self.folders) is not None

    def translations(self, word: str, language: str) -> list[str]:
        """The label words ``word`` (a question word of ``language``, as written) stands
        for: the one-word labels it translates to, best sense first, else (in German) the
        words of one longer label that its parts translate to (:meth:`compound`); empty
        when none or when no dictionary is found. A German word typed without its umlauts
        ("Widerstaende") is looked up as written, then as if typed with them."""
        table = self.table(language)
        for folded in spellings(word, language):
            direct = [w for w in table.get(folded, []) if w in self.single]
            if not direct and language in PIVOTS:
                direct = self.pivoted(folded, language)
            if not direct and language in COMPOUNDING:
                direct = self.compound(folded, table)
            if direct:
                return direct
        return []

    def pivoted(self, folded: str, language: str) -> list[str]:
        """The one-word labels a word of ``language`` stands for through the pivot language
        (:data:`PIVOTS`: a Spanish word is looked up in the German-Spanish dictionary read
        backwards, and each German word found whose first translation is a one-word label
        gives it: two dictionaries multiply the senses, "dirección" is a "Richtung", whose
        second sense is a strain), the word as written first, then its singular
        ("condensadores": condensador); empty without both dictionaries."""
        name, pivot = PIVOTS[language]
        if language not in self._pivots:
            index = find_dictionary_file(name, self.folders)
            try:
                self._pivots[language] = backwards(index) if index is not None else {}
            except (OSError, ValueError, EOFError):
                self._pivots[language] = {}
        backward = self._pivots[language]
        if not backward:
            return []
        firsts = self._tables_of(pivot).firsts
        found: list[str] = []
        forms = [folded, *(folded[: -len(e)] for e in _PLURALS if folded.endswith(e))]
        for form in forms:
            found += [firsts[o] for o in backward.get(form, []) if firsts.get(o) in self.single]
        return list(dict.fromkeys(found))[:SENSE_PLACES]

    def compound(self, folded: str, table: dict[str, list[str]]) -> list[str]:
        """The words of the longer label that a compound's two parts stand for, each part
        translated (``table``) or an English word of the label as it is ("Management"),
        with or without a linking ``s``/``n``/``es``/``en`` ("Leistungs-schalter"); the
        split with the longest head first; empty when none covers a whole label."""

        def readings(part: str) -> set[str]:
            found = set(table.get(part, []))
            if part in self._words:
                found.add(part)
            return found

        for at in range(_MIN_PART, len(folded) - _MIN_PART + 1):
            first, head = folded[:at], folded[at:]
            heads = readings(head).union(
                *(readings(head[: -len(e)]) for e in _INFLECTIONS if head.endswith(e))
            )
            if not heads:
                continue
            firsts = set().union(
                *(
                    readings(first[: len(first) - len(link)])
                    for link in _LINKS
                    if first.endswith(link) and len(first) - len(link) >= _MIN_PART
                )
            )
            for a in sorted(firsts):
                for b in sorted(heads):
                    if a != b and frozenset((a, b)) in self.phrases:
                        return [a, b]
        return []

    def demonym(self, word: str, language: str) -> str | None:
        """The English demonym of a country's adjective of ``language`` as a question writes
        it ("französischen": "french"), which the linker takes to its country; None."""
        ending = DEMONYM_ENDINGS.get(language)
        if ending is None:
            return None
        demonyms = self._tables_of(language).demonyms
        for folded in spellings(word, language):
            for inflection in ("", *_ADJECTIVE_INFLECTIONS):
                if folded.endswith(ending + inflection):
                    base = folded[: len(folded) - len(inflection)]
                    if base in demonyms:
                        return demonyms[base]
        return None

    def knows(self, word: str, language: str, *, inflected: bool = True) -> bool:
        """Whether ``word`` (as written) is a word of ``language``'s dictionary: a headword,
        or (``inflected``) one with an inflection's ending off ("Namens": Namen). Such a
        word is no typo of a name ("Namen" is not the city "Nanmen"). False without a
        dictionary."""
        known = self._headwords_of(language)
        if known.size == 0:
            return False
        endings = _INFLECTIONS if inflected else ()
        forms = [
            form
            for folded in spellings(word, language)
            for form in (folded, *(folded[: -len(e)] for e in endings if folded.endswith(e)))
        ]
        hashes = np.array([_word_hash(f) for f in forms if len(f) >= _MIN_PART], dtype=np.uint64)
        at = np.searchsorted(known, hashes)
        return bool(np.any(known[np.minimum(at, known.size - 1)] == hashes))

    def _headwords_of(self, language: str) -> np.ndarray:
        if language not in self._headwords:
            self._headwords[language] = self._load_headwords(language)
        return self._headwords[language]

    def _load_headwords(self, language: str) -> np.ndarray:
        """The sorted 64-bit hashes of ``language``'s one-word headwords: 8 bytes a word
        instead of a set of strings (280,000 German words: 2 MB against 34), cached under
        ``cache_dir``."""
        index = find_dictionary(language, self.folders)
        if index is None:
            return np.zeros(0, dtype=np.uint64)
        key = hashlib.sha256(
            f"{_TABLE_VERSION}\n{index.name}:{index.stat().st_size}".encode()
        ).hexdigest()[:16]
        cached = self.cache_dir / f"words-{language}-{key}.npy" if self.cache_dir else None
        if cached is not None and cached.is_file():
            try:
                return np.asarray(np.load(cached), dtype=np.uint64)
            except (OSError, ValueError):
                pass  # rebuilt below
        words: set[str] = set()
        try:
            with index.open(encoding="utf-8", errors="replace") as lines:
                for line in lines:
                    word = fold(line.split("\t", 1)[0])
                    if word.isalpha():
                        words.add(word)
        except OSError:
            return np.zeros(0, dtype=np.uint64)
        hashes = np.unique(np.array([_word_hash(w) for w in words], dtype=np.uint64))
        if cached is not None:
            buffer = io.BytesIO()
            np.save(buffer, hashes)
            _write_cache(cached, buffer.getvalue())
        return hashes

    def table(self, language: str) -> dict[str, list[str]]:
        """The whole table of ``language``'s nouns (empty without a dictionary)."""
        return self._tables_of(language).nouns

    def _tables_of(self, language: str) -> _Tables:
        if language not in self._tables:
            self._tables[language] = self._load(language)
        return self._tables[language]

    def _load(self, language: str) -> _Tables:
        index = find_dictionary(language, self.folders)
        if index is None:
            return _Tables()
        stat = index.stat()
        key = hashlib.sha256(
            "\n".join([_TABLE_VERSION, str(stat.st_size), *self.vocabulary]).encode()
        ).hexdigest()[:16]
        cached = self.cache_dir / f"dictionary-{language}-{key}.json" if self.cache_dir else None
        if cached is not None and cached.is_file():
            try:
                loaded = json.loads(cached.read_text(encoding="utf-8"))
                return _Tables(
                    dict(loaded["nouns"]), dict(loaded["demonyms"]), dict(loaded["firsts"])
                )
            except (OSError, ValueError, KeyError, TypeError):
                pass  # rebuilt below
        demonyms: dict[str, str] = {}
        firsts: dict[str, str] = {}
        try:
            table = label_translations(
                index,
                self.vocabulary,
                capitalised=language in CAPITALISED_NOUNS,
                demonyms=demonyms,
                demonym_ending=DEMONYM_ENDINGS.get(language),
                firsts=firsts,
            )
        except (OSError, ValueError, EOFError):
            return _Tables()  # a broken dictionary: linking goes on without it
        if cached is not None:
            tables = {"nouns": table, "demonyms": demonyms, "firsts": firsts}
            _write_cache(cached, json.dumps(tables, ensure_ascii=False).encode("utf-8"))
        return _Tables(table, demonyms, firsts)
