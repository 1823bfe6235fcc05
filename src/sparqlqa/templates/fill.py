"""Filling templates: placeholders in questions and queries, pure functions.

``<A>`` in a question becomes the entity's label (and its character span is recorded);
``<A>`` in a query becomes ``<iri>`` (or the literal as written in SPARQL for value slots).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sparqlqa.errors import TemplateError
from sparqlqa.kg.guard import blank_out
from sparqlqa.templates.model import EntitySpan, Template, ValueSpan

PLACEHOLDER = re.compile(r"<([A-Z])>")
_SPACE_BEFORE_PUNCT = re.compile(r" ([?!.,])(?= |$)")
_DECLARED = re.compile(r"(?<![\w?$:.-])PREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.I)
_USED = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w-]*(?:\.[\w-]+)*)?:(?=[\w%\\])")


def placeholders(text: str) -> list[str]:
    """The placeholder letters of ``text`` in order of first appearance."""
    seen: list[str] = []
    for letter in PLACEHOLDER.findall(text):
        if letter not in seen:
            seen.append(letter)
    return seen


def check_template(template: Template) -> None:
    """Refuse a template whose placeholders do not match between question and query."""
    if not template.questions:
        raise TemplateError(f"{template.where}: no question phrasing")
    in_query = set(placeholders(template.query))
    for question in template.questions:
        in_question = set(placeholders(question))
        unknown = in_question - in_query
        if unknown:
            names = ", ".join(f"<{s}>" for s in sorted(unknown))
            raise TemplateError(
                f"{template.where}: unknown placeholder {names} in question {question!r}: "
                f"the query uses only {', '.join(f'<{s}>' for s in sorted(in_query)) or 'none'}"
            )
        missing = in_query - in_question
        if missing:
            names = ", ".join(f"<{s}>" for s in sorted(missing))
            raise TemplateError(
                f"{template.where}: question {question!r} does not mention {names}, "
                "which the query needs"
            )
    extra = set(template.slots) - in_query
    if extra:
        raise TemplateError(
            f"{template.where}: classes given for {', '.join(sorted(extra))}, "
            "which the query does not use"
        )


def fill_question(
    question: str, labels: Mapping[str, str], iris: Mapping[str, str], value_slots: set[str]
) -> tuple[str, list[EntitySpan], list[ValueSpan]]:
    """The question with each ``<X>`` replaced by ``labels[X]``, and where each ended up.

    Whitespace is tidied in the template text around the placeholders (runs of spaces, a
    space before ``?``), never inside a label, so every span is exactly its label.
    """
    question = tidy_template(question)
    out: list[str] = []
    entities: list[EntitySpan] = []
    values: list[ValueSpan] = []
    position = 0
    length = 0
    for match in PLACEHOLDER.finditer(question):
        before = question[position : match.start()]
        out.append(before)
        length += len(before)
        slot = match.group(1)
        text = labels[slot]
        if slot in value_slots:
            values.append(ValueSpan(slot, text, length, length + len(text)))
        else:
            entities.append(EntitySpan(slot, iris[slot], text, length, length + len(text)))
        out.append(text)
        length += len(text)
        position = match.end()
    out.append(question[position:])
    return "".join(out), entities, values


def tidy_template(question: str) -> str:
    """Single spaces, no space before ``?``/``!``/``.``/``,``, no spaces at the ends."""
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(question.split()))


def fill_query(query: str, terms: Mapping[str, str]) -> str:
    """The query with each ``<X>`` replaced by ``terms[X]`` (already written in SPARQL:
    ``<iri>`` or a literal)."""

    def repl(match: re.Match[str]) -> str:
        return terms[match.group(1)]

    return PLACEHOLDER.sub(repl, query)


def declare_prefixes(query: str, prefixes: Mapping[str, str]) -> str:
    """``query`` with PREFIX lines added for the known prefixes it uses undeclared."""
    bare = blank_out(query)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(bare)}
    used = {m.group(1) or "" for m in _USED.finditer(bare)} - declared
    lines = [f"PREFIX {p}: <{prefixes[p]}>" for p in sorted(used) if p in prefixes]
    return "\n".join([*lines, query]) if lines else query


def undeclared_prefixes(query: str, prefixes: Mapping[str, str]) -> list[str]:
    """Prefixes ``query`` uses that are neither declared in it nor known."""
    bare = blank_out(query)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(bare)}
    used = {m.group(1) or "" for m in _USED.finditer(bare)} - declared
    return sorted(p for p in used if p not in prefixes)
