"""The ranker of a graph's candidate queries, as the pipeline uses it.

When a graph folder holds ``ranker/`` (trained by ``sparqlqa rank train`` or the adapt stage
``rank``; the model is ``training.ranker``), the pipeline executes every candidate (the
beam's and the proposals'), keeps those that run and fit the expected answer type, and
answers with the one this ranker scores highest against the question. Its confidence is the
sigmoid of that score, and the threshold under which the pipeline abstains is the one chosen
on a dev set (``ranker.json`` ``abstain_below``, see docs/abstention.md), else
:data:`DEFAULT_RANKER_ABSTAIN_BELOW`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from sparqlqa.ontology.gloss import GLOSSED_LANGUAGES, gloss
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.ontology.schema import Schema
from sparqlqa.training.ranker import (
    META_FILE,
    CrossEncoder,
    RankerMeta,
    Vocabulary,
    load_ranker,
    render_query,
)

#: The confidence under which a graph with a ranker abstains when its ranker.json names
#: no threshold chosen on a dev set: the one ``sparqlqa rank curve`` recommends on the
#: realistic corporate dev half with the nonsense questions (2026-12-03, docs/abstention.md;
#: 0.25 on the music graph's). The ranker's confidence separates right from wrong answers
#: only weakly there (precision 0.59 answering all, 0.62 at 0.3, 0.59 at 0.5, where 0.5
#: withheld 59 % of the answers); from 0.3 no nonsense question is answered.
DEFAULT_RANKER_ABSTAIN_BELOW = 0.3

#: Candidates executed per question at most when a ranker chooses (the beam's first, then
#: proposals).
MAX_RANKED = 40

#: Candidates the ranker scores per question at most: those of the asked form (no form
#: problem) with the highest own scores. The ranker is most of a question's time (about
#: 120 of 190 ms p50 for 20 candidates on one core), and the others hardly ever win: on the
#: realistic corporate dev half the chosen one was among the first 7 by own score in English
#: and the first 9 in German (places 0-1 for 80 of 100). Measured on the dev halves
#: (2026-12-03, docs/candidates.md), set F1 against ranking every fitting candidate: 12
#: lost nowhere (en 0.641 -> 0.665, de 0.517 -> 0.535, es 0.568 -> 0.594, music 0.527 ->
#: 0.527); 6 and 8 lost a music question.
RANKED_AT_MOST = 12

# all-MiniLM-L6-v2 is an English model: on the realistic corporate test half a ranker lowered
# German as written (set F1 0.137 -> 0.097). German and Spanish questions are therefore
# ranked glossed into English words (ontology.gloss), which on the dev half lifted them over
# the first fitting candidate (de 0.143 -> 0.190, es 0.080 -> 0.162; docs/training.md).
# The tiny test model has no language of its own.
RANKER_LANGUAGES: dict[str, frozenset[str]] = {
    "minilm": frozenset({"en"}) | GLOSSED_LANGUAGES,
    "tiny": frozenset({"en"}) | GLOSSED_LANGUAGES,
}

#: Added to the scores of a glossed question. A gloss is broken English, and the ranker
#: scores its right candidate lower than an English question's (on the dev half, abstaining
#: under the English threshold 0.5 halved German set F1, 0.190 -> 0.092, while under 0.1 it
#: cost nothing); the shift (the logit of 0.9) maps a confidence of 0.1 to 0.5, so that one
#: abstention threshold serves every language. One constant per question: the order of its
#: candidates does not change.
GLOSSED_SCORE_SHIFT = math.log(9.0)


#: How much the candidates' own scores weigh against the ranker's in :func:`fused`, both
#: standardised within the question's pool. Chosen on the realistic corporate dev halves
#: by replaying each question's ranked pool (a first-run folder, 2026-12-08; set F1 summed
#: over 100/100/38 questions, en/de/es): reciprocal-rank fusion (k = 20, what was used
#: before) 72.2 / 66.5 / 24.8; weight 1: 72.3 / 68.7 / 24.7; 2: 73.9 / 70.0 / 24.9;
#: 3: 73.0 / 70.0 / 24.3; the ranker alone 67.0 / 62.8 / 24.9, the own scores alone
#: 64.4 / 62.8 / 23.2. Places threw away how far apart two candidates are: for "Which
#: hardware ... costs more than 3 EUR?" the own scores preferred the price filter by far
#: (-0.41 against -0.61), the ranker the weight filter by little, and the places favoured
#: the weight filter.
PRIOR_WEIGHT = 2.0


def standardised(values: Sequence[float]) -> list[float]:
    """``values`` shifted to mean 0 and scaled to standard deviation 1 (all 0 when they are
    all equal): one question's scores on a scale that does not depend on the model that
    gave them."""
    if not values:
        return []
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    if spread == 0.0:
        return [0.0 for _ in values]
    return [(v - mean) / spread for v in values]


def fused(
    ranker: Sequence[float], priors: Sequence[float], weight: float = PRIOR_WEIGHT
) -> list[float]:
    """The ranker's scores fused with the candidates' own scores (the beam's
    log-probability, a proposal's log prior: how well its terms match the question's
    words), higher is better: ``z(ranker) + weight * z(priors)``, each standardised over
    the pool (:func:`standardised`).

    Standardised, because a first-run ranker's scores change scale from one training run
    to the next and the two scores are not on one scale; scores rather than places, because
    a large margin of either is evidence that places discard. The ranker alone was seen to
    prefer a count over ``memberOf`` where the question says "responsible for", which the
    priors name."""
    by_ranker, by_prior = standardised(ranker), standardised(priors)
    return [a + weight * b for a, b in zip(by_ranker, by_prior, strict=True)]


class QueryRanker(Protocol):
    """Scores whole candidate queries against a question: higher is better."""

    #: The question languages it was measured to rank well; others keep the first fitting
    #: candidate (the pipeline does not ask it).
    languages: frozenset[str]

    def rank(
        self,
        question: str,
        queries: Sequence[str],
        entities: Sequence[LinkedEntity],
        *,
        language: str = "en",
    ) -> list[float]:
        """One raw score per query (one batched forward pass); ``entities``: the question's
        linked entities, whose labels stand for their IRIs in the queries; ``language``:
        the question's."""
        ...


def rank_confidence(score: float) -> float:
    """The confidence of a ranker score: its sigmoid, rounded as candidate confidences are."""
    return round(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, score)))), 4)


class GraphRanker:
    """A trained cross-encoder with the graph's schema labels: a :class:`QueryRanker`."""

    def __init__(
        self, encoder: CrossEncoder, meta: RankerMeta, schema: Schema, prefixes: Mapping[str, str]
    ) -> None:
        self.encoder = encoder
        self.meta = meta
        self.vocabulary = Vocabulary.of(schema, prefixes)
        self.languages = RANKER_LANGUAGES.get(meta.preset, frozenset({"en"}))

    def render(self, query: str, entities: Sequence[LinkedEntity] = ()) -> str:
        """``query`` as the ranker reads it (IRIs as labels)."""
        vocabulary = self.vocabulary.with_entities((e.iri, e.label) for e in entities)
        return render_query(query, vocabulary)

    def question_text(
        self, question: str, entities: Sequence[LinkedEntity] = (), language: str = "en"
    ) -> str:
        """``question`` as the ranker reads it: a German or Spanish one glossed into English
        words (``ontology.gloss``), its linked mentions as their labels; else as it is."""
        return gloss(question, language, [(e.start, e.end, e.label) for e in entities])

    def rank(
        self,
        question: str,
        queries: Sequence[str],
        entities: Sequence[LinkedEntity],
        *,
        language: str = "en",
    ) -> list[float]:
        vocabulary = self.vocabulary.with_entities((e.iri, e.label) for e in entities)
        text = self.question_text(question, entities, language)
        scores = self.encoder.score(text, [render_query(q, vocabulary) for q in queries])
        if language in GLOSSED_LANGUAGES:
            return [score + GLOSSED_SCORE_SHIFT for score in scores]
        return scores


def open_ranker(
    folder: Path, schema: Schema, prefixes: Mapping[str, str], *, precision: str = "float32"
) -> GraphRanker | None:
    """The ranker in ``folder`` (a graph folder's ``ranker/``), or None when it has none;
    ``precision``: of its scoring (``training.precision``)."""
    if not (folder / META_FILE).is_file():
        return None
    encoder, meta = load_ranker(folder, precision=precision)
    return GraphRanker(encoder, meta, schema, prefixes)
