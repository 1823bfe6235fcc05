"""Whether a candidate query uses what the question names.

A question that names a resource or a value ("the Japanese suppliers": Japan; "Anna from
Procurement") is about it: a candidate that mentions none of the question's firmly linked
entities answers another question ("all suppliers"). Such a candidate is chosen only when
no candidate that uses one fits (a soft check, as ``qa.answer_type.form_problem``). Firm
links are those whose label shares a word with the words they were found on
(``qa.abstain.firm_link``): a loose link ("Product" for "product categories") is no
evidence of what the question is about, and candidates without it are not judged.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from sparqlqa.kg.results import is_literal_term
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.qa.abstain import firm_link

_PREFIX_DECLARATION = re.compile(r"\bPREFIX\s+([\w.-]*):\s*<([^<>\s]*)>", re.I)


def anchors(
    question: str, entities: Sequence[LinkedEntity], classes: Collection[str] = ()
) -> list[LinkedEntity]:
    """The entities of ``question`` a candidate should use: firmly linked resources and
    values, not schema classes (``classes``: the schema's class IRIs; a class constrains
    the answer and may be written as a type the question only implies)."""
    return [
        e
        for e in entities
        if e.iri not in classes and firm_link(e.label, question[e.start : e.end])
    ]


def written_forms(entity: LinkedEntity, prefixes: Mapping[str, str]) -> list[str]:
    """The ways a query may write ``entity``: ``<iri>`` and each ``prefix:local`` the
    prefixes allow, or a literal's quoted text; and its label as a literal (a query that
    finds the resource by its name: ``?e pv:name "Wolfgang Martin"``)."""
    if is_literal_term(entity.iri):
        quote = entity.iri[0]
        text = entity.iri[1 : entity.iri.rfind(quote)] if entity.iri.count(quote) > 1 else ""
        return [entity.iri, f'"{text}"', f"'{text}'"] if text else [entity.iri]
    forms = [f"<{entity.iri}>", f'"{entity.label}"', f"'{entity.label}'"]
    for prefix, namespace in prefixes.items():
        if namespace and entity.iri.startswith(namespace) and len(entity.iri) > len(namespace):
            forms.append(f"{prefix}:{entity.iri[len(namespace) :]}")
    return forms


def anchor_problem(
    query: str, named: Sequence[LinkedEntity], prefixes: Mapping[str, str]
) -> str | None:
    """Why ``query`` ignores the question, or ``None``: ``named`` (the question's
    :func:`anchors`) is not empty and the query writes none of them."""
    if not named:
        return None
    # The query's own prefixes as well: a proposal may declare others than the graph's.
    prefixes = {**prefixes, **dict(_PREFIX_DECLARATION.findall(query))}
    for entity in named:
        if any(form in query for form in written_forms(entity, prefixes)):
            return None
    return "uses none of the resources or values the question names"
