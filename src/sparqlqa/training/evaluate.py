"""A model on generated pairs: exact match after slot filling, answer F1 of the executed
predictions, and latency. This measures the translator alone: the prompts carry the gold
entities and a schema block made as in training (gold terms plus distractors), so it is an
upper bound for the whole pipeline, which ``eval`` measures with the real linker and
retriever.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparqlqa.benchmarks.metrics import boolean_prf, is_boolean, set_prf
from sparqlqa.errors import ConfigError, QueryError, StoreError
from sparqlqa.kg.guard import Guard, Limits
from sparqlqa.kg.results import values
from sparqlqa.kg.store import Store
from sparqlqa.training.examples import (
    Example,
    PromptBuilder,
    SchemaSource,
    load_split,
    schema_source,
)
from sparqlqa.training.translate import Translator


@dataclass
class Outcome:
    """One pair: what the model proposed and how it scored."""

    id: str
    shape: str
    gold: str  # the gold target
    predicted: str  # the chosen candidate's target
    exact: bool
    f1: float | None  # None when no store was given
    error: str | None = None


@dataclass
class Report:
    model: str
    split: str
    k: int
    outcomes: list[Outcome] = field(default_factory=list)
    seconds_per_question: float = 0.0

    def summary(self) -> dict[str, Any]:
        n = len(self.outcomes)
        f1s = [o.f1 for o in self.outcomes if o.f1 is not None]
        shapes: dict[str, list[Outcome]] = {}
        for outcome in self.outcomes:
            shapes.setdefault(outcome.shape, []).append(outcome)
        return {
            "model": self.model,
            "split": self.split,
            "k": self.k,
            "questions": n,
            "exact_match": sum(o.exact for o in self.outcomes) / max(n, 1),
            "answer_f1": statistics.fmean(f1s) if f1s else None,
            "seconds_per_question": round(self.seconds_per_question, 4),
            "by_shape": {
                shape: {
                    "questions": len(items),
                    "exact_match": round(sum(o.exact for o in items) / len(items), 4),
                    "answer_f1": round(statistics.fmean(o.f1 or 0.0 for o in items), 4)
                    if f1s
                    else None,
                }
                for shape, items in sorted(shapes.items())
            },
        }


def answer_f1(gold: Sequence[str], predicted: Sequence[str] | None) -> float:
    """Set F1 of the answers (an ASK: right or wrong on its boolean; no answer: 0)."""
    if is_boolean(gold):
        return boolean_prf(gold, predicted).f1
    if predicted is None:
        return 0.0
    return set_prf(gold, predicted).f1


def evaluate_model(
    model_dir: Path,
    data: Path,
    schema: Sequence[Path],
    *,
    split: str = "test",
    k: int = 1,
    limit: int = 0,
    seed: int = 0,
    batch_size: int = 32,
    output: Path | None = None,
) -> Report:
    """Translate the pairs of ``split`` and score them (see the module docstring).

    With ``k`` > 1 the chosen candidate is the first that decodes, runs and returns a
    non-empty answer (execution-guided, as the service does), else the first.
    """
    translator = Translator(model_dir, batch_size=batch_size)
    given = schema_source(list(schema))
    source = SchemaSource(given.schema, translator.prefixes, given.store)
    builder = PromptBuilder(
        source,
        schema_items=translator.meta.schema_items,
        max_chars=translator.meta.prompt_max_chars,
        seed=seed,
    )
    records = load_split(data, split)
    if limit and len(records) > limit:
        # A seeded sample, not the head: generated files are grouped by template.
        picked = sorted(random.Random(seed).sample(range(len(records)), limit))
        records = [records[i] for i in picked]
    if not records:
        raise ConfigError(f"no pairs of split {split!r} in {data}")
    examples = builder.examples(records, strict=False)
    guard = Guard(Limits(timeout_s=10.0), prefixes=translator.prefixes)
    report = Report(model=str(model_dir), split=split, k=k)
    start = time.perf_counter()
    candidates = translator.translate(
        [e.prompt for e in examples], k=k, slot_iris=[e.slot_iris for e in examples]
    )
    report.seconds_per_question = (time.perf_counter() - start) / len(examples)
    for example, group in zip(examples, candidates, strict=True):
        report.outcomes.append(_score(example, group, given.store, guard))
    if output is not None:
        with output.open("w") as fh:
            for outcome in report.outcomes:
                fh.write(json.dumps(outcome.__dict__) + "\n")
    return report


def _score(example: Example, group: Sequence[Any], store: Store | None, guard: Guard) -> Outcome:
    chosen, answers, error = group[0], None, None
    if store is not None:
        for candidate in group:
            if candidate.sparql is None:
                error = error or candidate.error
                continue
            try:
                result = values(guard.run(store, candidate.sparql))
            except (QueryError, StoreError) as exc:
                error = error or str(exc)
                continue
            if answers is None or (result and not answers):
                chosen, answers = candidate, result
            if result:
                break
    return Outcome(
        id=example.id,
        shape=example.shape,
        gold=example.target,
        predicted=chosen.target,
        exact=chosen.target == example.target,
        f1=answer_f1(list(example.answers), answers) if store is not None else None,
        error=None if answers is not None else error,
    )
