"""Metrics: pure functions over answer sets and query strings.

Answer sets are the values of all projected variables, flattened (``kg.results.values``);
an ASK result is ``["true"]`` or ``["false"]``. Three conventions are computed per question:

- ``plain``: set precision, recall and F1; both empty counts as a perfect answer; an ASK
  question is right (1) or wrong (0) on its boolean.
- ``qald``: GERBIL's QALD conventions (FMeasureCalculator): both empty: P = R = F = 1; the
  system empty and the gold not: P = 1, R = F = 0; the gold empty and the system not: 0.
  Its headline "Macro F1 QALD" is the harmonic mean of the macro precision and macro recall.
- ``official``: what the official TEXT2SPARQL client (pytrec_eval ``set_F``) gives: a
  question whose gold result is empty is left out of the average; an ASK is the document
  ``"true"`` with relevance 1 (true) or 0 (false), so a false gold scores 0 whatever the system
  says and a true gold scores 1 for any ASK answer.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass

from sparqlqa.benchmarks.canonical import nspm_encode

BOOLEANS = (("true",), ("false",))


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 of one question."""

    precision: float
    recall: float
    f1: float


PERFECT = PRF(1.0, 1.0, 1.0)
WRONG = PRF(0.0, 0.0, 0.0)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def is_boolean(values: Sequence[str] | None) -> bool:
    """Whether an answer set is an ASK result (``["true"]`` or ``["false"]``)."""
    return values is not None and tuple(values) in BOOLEANS


def set_prf(gold: Collection[Hashable], predicted: Collection[Hashable]) -> PRF:
    """Set precision, recall and F1; both empty is a perfect answer, one empty scores 0.
    (Answers are strings; the structural metrics compare triple patterns the same way.)"""
    g, p = set(gold), set(predicted)
    if not g and not p:
        return PERFECT
    hits = len(g & p)
    precision = hits / len(p) if p else 0.0
    recall = hits / len(g) if g else 0.0
    return PRF(precision, recall, _f1(precision, recall))


def qald_prf(gold: Collection[str], predicted: Collection[str]) -> PRF:
    """P, R, F1 with GERBIL's QALD conventions (see the module docstring)."""
    g, p = set(gold), set(predicted)
    hits = len(g & p)
    if hits == 0:
        if not p and not g:
            return PERFECT
        if not p:  # the system gave up: GERBIL counts its precision as 1
            return PRF(1.0, 0.0, 0.0)
        return WRONG
    precision, recall = hits / len(p), hits / len(g)
    return PRF(precision, recall, _f1(precision, recall))


def boolean_prf(gold: Sequence[str], predicted: Sequence[str] | None) -> PRF:
    """An ASK question: right (1) when the system's boolean equals the gold one, else 0."""
    if predicted is not None and is_boolean(predicted) and tuple(predicted) == tuple(gold):
        return PERFECT
    return WRONG


def answer_scores(
    gold: Sequence[str], predicted: Sequence[str] | None, *, ask: bool
) -> dict[str, PRF]:
    """The ``plain`` and ``qald`` scores of one question (``predicted`` None: no answer)."""
    if ask:
        score = boolean_prf(gold, predicted)
        # GERBIL sees an ASK as the set {"true"} or {"false"}: no answer at all is "the system
        # gave up" (P = 1, R = 0) there too.
        gave_up = not predicted
        return {"plain": score, "qald": PRF(1.0, 0.0, 0.0) if gave_up else score}
    pred = list(predicted) if predicted is not None else []
    return {"plain": set_prf(gold, pred), "qald": qald_prf(gold, pred)}


def official_set_prf(
    gold: Sequence[str],
    predicted: Sequence[str] | None,
    *,
    gold_ask: bool,
    predicted_ask: bool,
) -> PRF | None:
    """What the official TEXT2SPARQL client's pytrec_eval ``set_F`` gives one question.

    None when it leaves the question out (the gold result is empty). An ASK is turned into the
    document ``"true"`` (relevance 1 for true, 0 for false) on both sides.
    """
    if gold_ask:
        relevant = {"true"} if tuple(gold) == ("true",) else set()
        judged = True
    else:
        relevant = set(gold)
        judged = bool(relevant)
    if not judged:
        return None
    retrieved = {"true"} if predicted_ask else set(predicted or ())
    hits = len(relevant & retrieved)
    precision = hits / len(retrieved) if retrieved else 0.0
    recall = hits / len(relevant) if relevant else 0.0
    return PRF(precision, recall, _f1(precision, recall))


@dataclass(frozen=True)
class Macro:
    """Macro averages over questions."""

    n: int
    precision: float
    recall: float
    f1: float

    @property
    def f1_qald(self) -> float:
        """GERBIL's "Macro F1 QALD": the harmonic mean of macro precision and recall."""
        return _f1(self.precision, self.recall)


def macro(scores: Sequence[PRF]) -> Macro:
    """Mean precision, recall and F1 over questions (0 for no question)."""
    if not scores:
        return Macro(0, 0.0, 0.0, 0.0)
    return Macro(
        n=len(scores),
        precision=statistics.fmean(s.precision for s in scores),
        recall=statistics.fmean(s.recall for s in scores),
        f1=statistics.fmean(s.f1 for s in scores),
    )


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU (sacrebleu, 13a tokenisation) of predicted queries against gold ones."""
    import sacrebleu

    if not hypotheses:
        return 0.0
    return float(sacrebleu.corpus_bleu(list(hypotheses), [list(references)]).score)


def sentence_bleu_nspm(hypothesis: str, reference: str) -> float:
    """Sentence BLEU (0-100, exponential smoothing) over NSpM-encoded, whitespace-split
    queries, as NSpM-style papers report it per question."""
    import sacrebleu

    return float(
        sacrebleu.sentence_bleu(
            nspm_encode(hypothesis), [nspm_encode(reference)], tokenize="none"
        ).score
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)
