"""Whether a candidate answers with things of the kind the question asks for.

"Who reports to Thomas Mueller?", "Who's in charge of Marketing?", "Wer kennt sich mit
Sensoren aus?", "¿Quién gestiona X?" ask for agents; "Which department has the most
employees?", "Welche Abteilung …?" for departments. A candidate answering with products, or
with a yes/no, answers another question. Which classes are agents is read off the schema,
never a graph's own names: a class whose label or local name is an agent noun ("Employee",
"Person", "Organisation", "Supplier", "Musician", "Band"), or a subclass of one (an
ontology's ``Manager`` below ``Employee`` below ``Agent``; DBpedia's classes below
``dbo:Person``, ``dbo:Organisation``). The class a "which" question asks for is the one
whose whole label follows the question word ("which department", "which product
categories"), with its subclasses. A soft check, as ``qa.answer_type.form_problem``: such a
candidate is chosen only when no candidate answering with the right kind fits; a schema with
no such class, and answers whose class is unknown, are not judged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping, Sequence

from sparqlqa.errors import SparqlqaError
from sparqlqa.kg.results import is_number, rows, sparql_term
from sparqlqa.kg.store import RDF, QueryResult, Store
from sparqlqa.ontology.schema import Schema, local_name, words_of
from sparqlqa.ontology.words import stem
from sparqlqa.qa.value_nodes import NOT_IN_IRI

# An interrogative "who", at the start of a sentence or after "tell me" / "show me": not
# the relative pronoun of "products managed by someone who works in Sales". German "wer",
# "wem", "wen", "wessen"; Spanish "quién", "a quién", "de quién".
_WHO = re.compile(
    r"(?:^|[.?!;]\s+|\b(?:tell|show|let)\s+me\s+|\bknow\s+)(?:who|whom|whose|who's)\b"
    r"|(?:^|[.?!;]\s+)(?:wer|wem|wen|wessen)\b"
    r"|(?:^|[.?!;]\s+)¿?\s*(?:(?:a|de|con|para)\s+)?qui[ée]n(?:es)?\b"
    # "Which Procurement colleagues ...", "Which of the Data Services people ...": people,
    # named before the verb ("Which products do people in Marketing manage" asks products).
    r"|(?:^|[.?!;]\s+)(?:which|what)\s+(?:of\s+(?:the|our)\s+)?"
    r"(?:(?!(?:do|does|did|is|are|was|were|have|has|had|can|will|would)\b)[\w'-]+\s+){0,3}?"
    r"(?:people|persons|colleagues|staff|folks|co-?workers|team\s+members)\b"
    r"|(?:^|[.?!;]\s+)welche\s+(?:der\s+)?"
    r"(?:(?!(?:ist|sind|hat|haben|war|waren|wird|werden|kann|können)\b)[\w'-]+\s+){0,3}?"
    r"(?:leute|personen|kolleg(?:en|innen)|mitarbeit(?:er|erinnen)|mitarbeitende[n]?)\b"
    r"|(?:^|[.?!;]\s+)¿?\s*(?:qu[ée]|cu[áa]les)\s+(?:de\s+(?:los|las|nuestr[oa]s)\s+)?"
    r"(?:(?!(?:es|son|fue|está|están|tiene|tienen|hay)\b)[\w'-]+\s+){0,3}?"
    r"(?:personas|gente|compañer[oa]s|colegas|emplead[oa]s)\b",
    re.I,
)

# Nouns naming people or organisations (singular, as ``stem`` leaves them): general
# English, not one graph's vocabulary.
AGENT_WORDS = frozenset(
    stem(w)
    for w in [
        "agent",
        "person",
        "people",
        "human",
        "individual",
        "organisation",
        "organization",
        "company",
        "corporation",
        "business",
        "firm",
        "institution",
        "employee",
        "staff",
        "member",
        "worker",
        "colleague",
        "manager",
        "supplier",
        "vendor",
        "seller",
        "customer",
        "client",
        "user",
        "artist",
        "musician",
        "singer",
        "composer",
        "band",
        "author",
        "writer",
        "actor",
        "player",
        "athlete",
        "politician",
        "scientist",
        "producer",
        "manufacturer",
        "publisher",
    ]
)

# Words that end a noun rather than continue it ("which department *has*").
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or"}
    | {"is", "are", "was", "be", "has", "have", "had", "its", "it", "do", "does", "did", "can"}
)
#: Answer resources whose classes are looked up, at most.
_LOOKED_UP = 20


# "Which department …", "What products …", "Welche Abteilung …", "¿Qué productos …": the
# words after the question word (German and Spanish questions glossed into English first).
# Not "What is the price of X?": an auxiliary after the question word asks about a thing.
_WHICH = re.compile(
    r"(?:^|[.?!;]\s+)\W*(?:which|what)\s+(?!(?:is|are|was|were|do|does|did|has|have|had|"
    r"can|could|would|will|should)\b)((?:[^\W\d_]+\s*){1,4})",
    re.I,
)


class ClassWords:
    """What :func:`asked_classes` reads off a schema, built once per schema: each class's
    label as stemmed words, the properties' labels (roles: "has product manager"), and
    every content word of either."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.classes = [(iri, _stems(cls.label)) for iri, cls in schema.classes.items()]
        # "Which *product managers*": a role a property names ("has product manager"),
        # not the class Manager.
        self.roles = [_stems(p.label) for p in schema.properties.values()]
        # Words of the schema's labels: "which *product* managers" is about managers.
        named = {w for _, label in self.classes for w in label}
        named |= {w for label in self.roles for w in label}
        self.named = frozenset(named - _FUNCTION_WORDS)

    def asked(self, glossed: str) -> frozenset[str]:
        """As :func:`asked_classes`."""
        found = _WHICH.search(glossed.strip())
        if found is None:
            return frozenset()
        words = _stems(found.group(1))
        best: tuple[int, str] | None = None
        for iri, label in self.classes:
            if not label or len(label) > len(words):
                continue
            # The label comes first, or after one word ("which Italian suppliers"), and
            # ends the noun: no schema word follows it.
            starts = [
                i
                for i in (0, 1)
                if words[i : i + len(label)] == label
                and not (i + len(label) < len(words) and words[i + len(label)] in self.named)
                and not (i == 1 and _in_a_label(words[: 1 + len(label)], self.roles))
            ]
            if starts and (best is None or len(label) > best[0]):
                best = (len(label), iri)
        if best is None:
            return frozenset()
        return frozenset(self.schema.descendants(best[1]))


def asked_classes(glossed: str, schema: Schema) -> frozenset[str]:
    """The class a "which"/"what" question asks for and its subclasses: the longest class
    label written out right after the question word ("Which department has …" →
    Department; "What product categories …" → Product Category); empty for none.
    ``glossed``: the question in English words (``ontology.gloss``). Many questions over
    one schema: :class:`ClassWords` once, then its ``asked``."""
    return ClassWords(schema).asked(glossed)


def asks_who(question: str) -> bool:
    """Whether ``question`` asks who (en, de, es): "Who …?", "Whose number …?", "Tell me
    who …", "Wer …?", "¿Quién …?"."""
    return bool(_WHO.search(question.strip()))


def agent_classes(schema: Schema) -> frozenset[str]:
    """The schema's classes of people and organisations: those whose label or local name
    holds an agent noun (``AGENT_WORDS``), and every class below one of them."""
    agents = [
        iri
        for iri, cls in schema.classes.items()
        if AGENT_WORDS.intersection(_stems(cls.label), _stems(words_of(local_name(iri))))
    ]
    return frozenset().union(*(schema.descendants(iri) for iri in agents))


def class_problem(
    store: Store,
    result: QueryResult,
    wanted: frozenset[str],
    known: MutableMapping[str, frozenset[str]],
    label_predicates: Sequence[str] = (),
) -> str | None:
    """Why ``result`` does not answer with things of the ``wanted`` classes (the agents of a
    "who" question, the class of a "which" question), or ``None``.

    A yes/no answer does not, nor one of numbers only. A result's resources (the first
    ``_LOOKED_UP``) are judged by their classes: a problem when some have a class and none
    has one of ``wanted`` (resources of no class are not judged). A result of other
    literals is judged by whose labels (under ``label_predicates``) they are: a name is an
    answer ("Who manages X?" → "Ann Lee"), an e-mail address is not; with no
    ``label_predicates`` they are not judged. ``known`` caches each resource's classes
    across the candidates of one question. ``None`` when a lookup fails."""
    if not wanted:
        return None
    if "boolean" in result:
        return "a yes/no answer where the question asks who or which"
    terms = [t for row in rows(result) for t in row.values()]
    iris = list(dict.fromkeys(t["value"] for t in terms if t.get("type") == "uri"))
    try:
        if not iris:
            literals = [t for t in terms if t.get("type") == "literal"][:_LOOKED_UP]
            if literals and all(is_number(t) for t in literals):
                return "answers with numbers, where the question asks who or which"
            if not literals or not label_predicates:
                return None
            iris = _named_by(store, literals, label_predicates)
            if not iris:
                return "answers with values that are nobody's name (the question asks who or which)"
        iris = iris[:_LOOKED_UP]
        missing = [i for i in iris if i not in known]
        if missing:
            known.update(_classes_of(store, missing))
    except SparqlqaError:
        return None
    typed = [known.get(i, frozenset()) for i in iris]
    typed = [t for t in typed if t]
    if not typed or any(t & wanted for t in typed):
        return None
    return "answers with things of another kind than the question asks for"


def _named_by(
    store: Store, literals: Sequence[Mapping[str, str]], label_predicates: Sequence[str]
) -> list[str]:
    """The resources (at most ``_LOOKED_UP``) that have one of ``literals`` as a label."""
    values = " ".join(sparql_term(t) for t in literals)
    predicates = " ".join(f"<{p}>" for p in label_predicates)
    sparql = (
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?v {{ {values} }} VALUES ?p {{ {predicates} }} "
        f"?s ?p ?v FILTER(isIRI(?s)) }} LIMIT {_LOOKED_UP}"
    )
    return [row["s"]["value"] for row in rows(store.query(sparql))]


def _classes_of(store: Store, iris: list[str]) -> dict[str, frozenset[str]]:
    """Each IRI's ``rdf:type`` classes (an empty set for none), by one bounded query of
    our own (trusted: the IRIs come from a result and are written between brackets)."""
    values = " ".join(f"<{i}>" for i in iris if not NOT_IN_IRI.search(i))
    found: dict[str, set[str]] = {i: set() for i in iris}
    if values:
        sparql = f"SELECT ?s ?c WHERE {{ VALUES ?s {{ {values} }} ?s <{RDF}type> ?c }}"
        for row in rows(store.query(sparql)):
            found.setdefault(row["s"]["value"], set()).add(row["c"]["value"])
    return {i: frozenset(c) for i, c in found.items()}


def _in_a_label(words: list[str], labels: list[list[str]]) -> bool:
    """Whether ``words`` come one after the other in one of ``labels``."""
    n = len(words)
    return any(label[i : i + n] == words for label in labels for i in range(len(label) - n + 1))


def _stems(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"[^\W\d_]+", text.casefold())]
