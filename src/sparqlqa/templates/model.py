"""What a template is and what instantiating one produces.

A ``Template`` is format-neutral: the NSpM CSV importer, the YAML loader and the schema
deriver all produce it. Placeholders are a single capital letter in angle brackets (``<A>``,
``<B>``...), the NSpM convention, in the question phrasings and in the query alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Shape = Literal[
    "lookup",
    "reverse_lookup",
    "list",
    "count",
    "ask",
    "superlative",
    "comparison",
    "two_hop",
    "negation",
    "other",
]
SHAPES: tuple[str, ...] = get_args(Shape)
AnswerType = Literal["resource", "number", "date", "string", "boolean"]
ANSWER_TYPES: tuple[str, ...] = get_args(AnswerType)
Split = Literal["train", "dev", "test"]


@dataclass(frozen=True)
class SourceRef:
    """Where a template came from, for error messages: ``file:line`` or a derivation."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass
class Template:
    """One question/query template.

    ``slots`` maps each placeholder letter to the class IRIs its instances must have (empty
    when unconstrained). ``generator`` is a SELECT query binding one variable per slot
    (``?A`` or ``?a`` for ``<A>``); when absent, instances are found from ``slots`` and the
    query itself (see ``candidates.generator_query``).
    """

    id: str
    questions: list[str]
    query: str
    source: SourceRef
    shape: str = "other"
    answer_type: str | None = None  # None: inferred from the answers
    slots: dict[str, list[str]] = field(default_factory=dict)
    generator: str | None = None
    tags: list[str] = field(default_factory=list)
    #: Prefixes (name → namespace) the query and generator may use undeclared.
    prefixes: dict[str, str] = field(default_factory=dict)
    #: Slots whose values are literals (numbers, dates) written as they are, not entities.
    value_slots: list[str] = field(default_factory=list)
    #: The language of the question phrasings (en, de, es).
    language: str = "en"

    @property
    def where(self) -> str:
        return f"template {self.id!r} ({self.source})"


@dataclass(frozen=True)
class EntitySpan:
    """An entity named in a question: which slot, which IRI, and where its label is."""

    slot: str
    iri: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class ValueSpan:
    """A literal value (a threshold number, a date) written into a question."""

    slot: str
    value: str
    start: int
    end: int


@dataclass
class Pair:
    """One generated question/query pair with its gold answers (the shared record format)."""

    id: str
    question: str
    query: str
    answers: list[str]
    answer_type: str
    shape: str
    template_id: str
    entities: list[EntitySpan]
    split: str
    graph: str
    values: list[ValueSpan] = field(default_factory=list)
    language: str = "en"  # the question's language (en, de, es)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "query": self.query,
            "answers": self.answers,
            "answer_type": self.answer_type,
            "shape": self.shape,
            "template_id": self.template_id,
            "entities": [e.__dict__ for e in self.entities],
            "values": [v.__dict__ for v in self.values],
            "split": self.split,
            "graph": self.graph,
            "language": self.language,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pair:
        return cls(
            id=data["id"],
            question=data["question"],
            query=data["query"],
            answers=list(data["answers"]),
            answer_type=data["answer_type"],
            shape=data["shape"],
            template_id=data["template_id"],
            entities=[EntitySpan(**e) for e in data["entities"]],
            split=data["split"],
            graph=data["graph"],
            values=[ValueSpan(**v) for v in data.get("values", [])],
            language=data.get("language", "en"),
        )
