"""What linking produces, how strict it is, and how readings are chosen: the entities a
prompt offers (best non-overlapping, a resource and a value of one name both), read jointly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sparqlqa.kg.results import is_literal_term
from sparqlqa.ontology.prompt import PromptEntity
from sparqlqa.ontology.words import (
    normalise,
)

if TYPE_CHECKING:
    pass


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
    dictionary_factor: float = 0.9  # a dictionary's translation counts this much of the word
    joint_weight: float = 0.2  # added to a reading joined in the graph to another mention
    joint_margin: float = 0.1  # readings this close to a span's best compete jointly

    def __post_init__(self) -> None:
        if not 0 < self.fuzzy_cutoff <= 100:
            raise ValueError(f"fuzzy_cutoff must be in (0, 100], got {self.fuzzy_cutoff}")
        if not 0 <= self.common_share <= 1:
            raise ValueError(f"common_share must be in [0, 1], got {self.common_share}")


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
