"""Candidate queries that do not come from the translator's beam.

A *proposer* (enumerated query graphs around the linked entities, re-linked queries of the
graph's own question/query examples, ...) turns a question and what the pipeline found for it
into whole SPARQL queries. The pipeline executes them beside the beam's candidates, and the
ranker (when the graph has one) orders all of them against the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.ontology.prompt import PromptValue


@dataclass(frozen=True)
class Proposal:
    """One whole SPARQL query proposed for a question.

    ``origin`` names the proposer ("beam", "enumerated", "example", ...); ``prior`` is the
    proposer's own score in [0, 1] (how sure it is), used when no ranker is present.
    ``lead``: the proposer is sure enough (by a threshold measured on a dev set) that the
    pipeline tries this query before the translator's candidates."""

    query: str
    origin: str
    prior: float
    lead: bool = False


class Proposer(Protocol):
    """Whole candidate queries for a question, from what the pipeline found for it."""

    def propose(
        self,
        question: str,
        entities: Sequence[LinkedEntity],
        values: Sequence[PromptValue],
        schema_iris: Sequence[str],
        language: str,
    ) -> list[Proposal]:
        """At most a bounded number of proposals, best first; never raises for a question
        it cannot help with (an empty list)."""
        ...
