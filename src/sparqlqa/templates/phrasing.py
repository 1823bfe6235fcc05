"""English phrasing of schema terms, for templates derived from any ontology.

Property labels come in a few grammatical kinds, each asked about differently:

============  =====================  ===========================================
kind          examples               forward question / reverse question
============  =====================  ===========================================
noun          manager, price,        What is the manager of <A>? /
              has manager (→ noun)   Which employees have <B> as manager?
relation      member of, part of     What is <A> a member of? / Who are the members of <B>?
predicate     responsible for,       What is <A> responsible for? /
              born in, written by    Which department is responsible for <B>?
verb          supplies, manages      What does <A> supply? / Which supplier supplies <B>?
============  =====================  ===========================================

Pure functions; no knowledge of any particular graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PhraseKind = Literal["noun", "relation", "predicate", "verb"]

_PREPOSITIONS = frozenset(
    [
        "of",
        "for",
        "by",
        "in",
        "to",
        "with",
        "at",
        "from",
        "on",
        "into",
        "about",
        "under",
        "over",
        "as",
    ]
)
_UNCOUNTABLE = frozenset(
    [
        "hardware",
        "software",
        "equipment",
        "information",
        "data",
        "staff",
        "personnel",
        "music",
        "furniture",
        "money",
        "news",
        "series",
        "species",
        "feedback",
        "research",
        "advice",
        "evidence",
        "knowledge",
        "luggage",
        "baggage",
    ]
)
_PERSON_WORDS = frozenset(
    [
        "person",
        "people",
        "employee",
        "manager",
        "agent",
        "author",
        "artist",
        "actor",
        "actress",
        "writer",
        "director",
        "producer",
        "player",
        "athlete",
        "politician",
        "musician",
        "singer",
        "composer",
        "scientist",
        "member",
        "worker",
        "customer",
        "buyer",
        "user",
        "owner",
        "founder",
        "leader",
        "president",
        "officer",
        "engineer",
        "teacher",
        "student",
        "child",
        "parent",
        "spouse",
        "doctor",
        "staff",
        "contact",
        "creator",
    ]
)
#: Words ending in "s" that are not third-person verbs.
_NOT_VERBS = frozenset(
    [
        "address",
        "business",
        "status",
        "class",
        "process",
        "series",
        "species",
        "news",
        "analysis",
        "basis",
        "focus",
        "campus",
        "census",
        "genus",
        "bus",
        "gas",
        "plus",
        "alias",
        "canvas",
        "atlas",
        "bonus",
        "thesis",
        "axis",
        "lens",
    ]
)
_ADJECTIVE_ENDINGS = ("ible", "able", "ent", "ant", "ive", "ed", "al", "ous", "ful", "less", "en")
_UNIT = re.compile(r"\s*\(([^()]*)\)\s*$")


@dataclass(frozen=True)
class PropertyPhrase:
    """How to speak of a property: its kind, its words and an optional unit."""

    kind: PhraseKind
    text: str  # the cleaned label, e.g. "member of", "supplies", "depth"
    noun: str  # a noun for the relation ("member", "supplier", "depth")
    unit: str | None = None

    @property
    def nouns(self) -> str:
        return plural(self.noun)

    @property
    def verb_base(self) -> str:
        return verb_base(self.text)


def tidy(label: str) -> str:
    """A schema label in running text: lower case except acronyms, single spaces."""
    words = []
    for word in label.replace("_", " ").split():
        letters = [c for c in word if c.isalpha()]
        acronym = len(letters) > 1 and all(c.isupper() for c in letters)
        words.append(word if acronym else word.lower())
    return " ".join(words)


def class_phrase(label: str) -> str:
    """A class label in running text: ``"Bill of Material (BOM)"`` → ``"bill of material"``."""
    stripped = _UNIT.sub("", label).strip() or label
    return tidy(stripped)


def plural(noun: str) -> str:
    """English plural of a noun phrase (the head word before ``of`` is the one inflected)."""
    if not noun:
        return noun
    head, sep, tail = noun.partition(" of ")
    if sep:
        return f"{plural(head)} of {tail}"
    *rest, last = head.split(" ")
    lower = last.lower()
    if lower in _UNCOUNTABLE or lower.endswith(("ware", "ment info")):
        word = last
    elif last.isupper() and len(last) > 1:
        word = last + "s"
    elif lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        word = last[:-1] + "ies"
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        word = last + "es"
    elif lower.endswith("person"):
        word = last[:-6] + "people"
    elif lower.endswith("child"):
        word = last + "ren"
    else:
        word = last + "s"
    return " ".join([*rest, word])


def is_uncountable(noun: str) -> bool:
    return plural(noun) == noun


def verb_base(verb: str) -> str:
    """``supplies`` → ``supply``, ``manages`` → ``manage``, ``contains`` → ``contain``."""
    first, _, rest = verb.partition(" ")
    if first.endswith("ies"):
        base = first[:-3] + "y"
    elif first.endswith(("sses", "shes", "ches", "xes", "zes")):
        base = first[:-2]
    elif first.endswith("s") and not first.endswith("ss"):
        base = first[:-1]
    else:
        base = first
    return f"{base} {rest}".strip()


def is_person(class_label: str) -> bool:
    """Whether instances of a class with this label are people (ask "who", not "what")."""
    words = class_phrase(class_label).split()
    return bool(words) and words[-1] in _PERSON_WORDS


def property_phrase(label: str) -> PropertyPhrase:
    """Classify a property label (see the module docstring)."""
    unit_match = _UNIT.search(label)
    unit = unit_match.group(1).strip() if unit_match else None
    text = tidy(_UNIT.sub("", label).strip() or label)
    words = text.split()
    if not words:
        return PropertyPhrase("noun", text, text, unit)
    if words[0] in ("has", "have") and len(words) > 1:
        rest = " ".join(words[1:])
        return PropertyPhrase("noun", rest, rest, unit)
    if words[0] == "is" and len(words) > 1:
        words = words[1:]
        text = " ".join(words)
    if (
        len(words) > 1
        and words[-1] not in _PREPOSITIONS
        and (words[0] in _PREPOSITIONS or _past_verb(words[0]))
    ):
        # "on album", "by artist", "won award", "held at venue" → the thing named: "album"
        rest = " ".join(words[2:] if words[1] in _PREPOSITIONS else words[1:])
        return PropertyPhrase("noun", rest, rest, unit)
    last = words[-1]
    if len(words) > 1 and last in _PREPOSITIONS:
        head = " ".join(words[:-1])
        if last == "of" and not _adjective(words[-2]):
            return PropertyPhrase("relation", text, head, unit)
        return PropertyPhrase("predicate", text, head, unit)
    if (
        len(words) <= 2
        and _third_person(words[0])
        and (len(words) == 1 or words[1] not in _PREPOSITIONS)
    ):
        return PropertyPhrase("verb", text, _agent_noun(words[0]), unit)
    return PropertyPhrase("noun", text, text, unit)


_IRREGULAR_PAST = frozenset(
    [
        "won",
        "made",
        "wrote",
        "written",
        "built",
        "held",
        "led",
        "sung",
        "sang",
        "drawn",
        "drew",
        "given",
        "gave",
        "taken",
        "took",
        "found",
        "bought",
        "sold",
        "sent",
        "kept",
    ]
)


def _past_verb(word: str) -> bool:
    """A past form that opens a label of a relation to a thing ("won award", "composed
    song"); "speed" or "feed" are nouns."""
    if word in _IRREGULAR_PAST:
        return True
    return len(word) >= 6 and word.endswith("ed") and not word.endswith("eed")


def _adjective(word: str) -> bool:
    return word.endswith(_ADJECTIVE_ENDINGS)


def _third_person(word: str) -> bool:
    if word in _NOT_VERBS or len(word) < 4 or not word.endswith("s"):
        return False
    return not word.endswith(("ss", "us", "is", "ics", "ness", "ys"))


def _agent_noun(verb: str) -> str:
    base = verb_base(verb)
    if base.endswith("e"):
        return base + "r"
    if base.endswith("y"):
        return base[:-1] + "ier"
    return base + "er"


def article(noun: str) -> str:
    """``a`` or ``an`` for a noun phrase (by its first letter; acronyms by sound)."""
    first = noun.split(" ")[0] if noun else ""
    if not first:
        return "a"
    if first.isupper() and len(first) > 1:
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    return "an" if first[0].lower() in "aeiou" else "a"


def superlatives(noun: str) -> tuple[str, str]:
    """Words for the largest and smallest value of a numeric property."""
    head = noun.split()[-1] if noun else noun
    table = {
        "weight": ("heaviest", "lightest"),
        "height": ("tallest", "shortest"),
        "price": ("most expensive", "cheapest"),
        "amount": ("largest", "smallest"),
        "age": ("oldest", "youngest"),
        "length": ("longest", "shortest"),
        "population": ("most populous", "least populous"),
    }
    return table.get(head, ("highest", "lowest"))
