"""The wording of generated questions: casual variants, capitals that leave entity labels
exact, numbers as people write them, and pairs whose question gives the answer away."""

from __future__ import annotations

import hashlib

from sparqlqa.kg.store import Term
from sparqlqa.ontology.prompt import DECIMAL_COMMA_LANGUAGES
from sparqlqa.ontology.schema import NUMERIC_DATATYPES
from sparqlqa.ontology.word_forms import COUNTRY_NAMES
from sparqlqa.templates.model import EntitySpan, ValueSpan


def answer_given_away(answers: list[str], labels: list[str]) -> bool:
    """Whether every answer is a literal already written in the question (``What is the ID
    of J731-7469427?``): such pairs teach nothing."""
    folded = " ".join(labels).casefold()
    return bool(answers) and all(
        len(a) >= 3 and not a.startswith(("http://", "https://")) and a.casefold() in folded
        for a in answers
    )


def value_text(term: Term, language: str = "en") -> str:
    """A literal value as a question writes it: a number without trailing zeros, and in
    German or Spanish mostly with a decimal comma ("2,5"; three in four numbers, chosen by
    the digits, so that the generator's random draws stay as they are), as people there
    write it; ``ontology.prompt.question_values`` reads both forms back."""
    value = term["value"]
    if term.get("datatype") in NUMERIC_DATATYPES and "." in value:
        if "e" in value.lower():
            return value
        value = value.rstrip("0").rstrip(".")
        if language in DECIMAL_COMMA_LANGUAGES and "." in value:
            draw = hashlib.blake2b(value.encode(), digest_size=2).digest()[0]
            if draw % 4:
                value = value.replace(".", ",")
    return value


def casual(question: str, spans: list[EntitySpan | ValueSpan]) -> str:
    """The question as typed in a hurry: first letter in lower case (unless it starts a
    name), no final question mark. Spans stay valid: only their outside changes."""
    if question.endswith("?") and all(s.end < len(question) for s in spans):
        question = question[:-1]
    if question[:1].isupper() and not any(s.start == 0 for s in spans):
        word = question.split(" ", 1)[0]
        if not (len(word) > 1 and word[1:2].isupper()):  # keep acronyms ("BOM")
            question = question[:1].lower() + question[1:]
    return question


def capitalise(question: str, entities: list[EntitySpan]) -> str:
    """Upper-case the first letter unless it belongs to an entity's label (kept exact)."""
    if not question[:1].islower() or any(e.start == 0 for e in entities):
        return question
    return question[:1].upper() + question[1:]


def localised(label: str, language: str) -> str:
    """A label as a question in ``language`` writes it: country names translated
    ("Germany" → "Deutschland", "España"), everything else (products, people) as it is."""
    names = COUNTRY_NAMES.get(label.strip().casefold())
    if names is None or language not in ("de", "es"):
        return label
    return names[0 if language == "de" else 1]
