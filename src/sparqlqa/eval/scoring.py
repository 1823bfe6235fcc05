"""Scoring one question: ask the system, run its query and the gold one, score both.

``evaluate_question`` returns the per-question record that ``results.jsonl`` keeps and the
reports are computed from.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from sparqlqa.benchmarks.canonical import exact_match
from sparqlqa.benchmarks.datasets import Question
from sparqlqa.benchmarks.metrics import (
    answer_scores,
    is_boolean,
    official_set_prf,
    sentence_bleu_nspm,
)
from sparqlqa.benchmarks.structure import structure_scores
from sparqlqa.errors import QueryError
from sparqlqa.eval.execute import Execution, GoldCache, execute
from sparqlqa.eval.systems import Prediction, QuestionSystem, System, predict
from sparqlqa.kg.guard import Guard, query_form
from sparqlqa.kg.store import Store


@dataclass
class Context:
    """What scoring one question needs besides the question itself."""

    system: System | QuestionSystem
    store: Store | None
    guard: Guard  # runs queries (lenient syntax on remote endpoints)
    parser: Guard  # strict SPARQL 1.1 parse check for the "parses" metric
    gold_cache: GoldCache
    gold_from: str = "auto"
    prefixes: dict[str, str] = field(default_factory=dict)


def evaluate_question(question: Question, ctx: Context) -> dict[str, Any]:
    """Ask, execute and score one question; the per-question record."""
    start = time.perf_counter()
    prediction = predict(ctx.system, question)
    latency = time.perf_counter() - start
    record: dict[str, Any] = {
        "id": question.id,
        "source_id": question.source_id or question.id,
        "question": question.question,
        "language": question.language,
        "template": question.template,
        "question_type": question.question_type,
        "tags": list(question.tags),  # feature tags (TEXT2SPARQL): the per-feature breakdown
        "latency_s": round(latency, 4),  # the system's time to answer
    }
    record.update(_gold(question, ctx))
    start = time.perf_counter()
    record.update(_predicted(prediction, ctx))
    # Running the system's query on the store, when the system did not answer itself.
    record["execution_s"] = round(time.perf_counter() - start, 4)
    record["answer_type"] = question.answer_type or _infer_answer_type(record)
    record.update(_query_scores(question, record, ctx))
    record.update(_answer_scores(record))
    return record


def _gold(question: Question, ctx: Context) -> dict[str, Any]:
    out: dict[str, Any] = {"gold_query": question.query, "gold_error": None}
    ask = question.answer_type == "boolean" or (
        question.query is not None and query_form(question.query) == "ASK"
    )
    if question.answers is not None and (ctx.gold_from == "auto" or question.query is None):
        answers: list[str] | None = list(question.answers)
        out["gold_source"] = "dataset"
    elif question.query is None:
        answers = None
        out["gold_source"] = None
        out["gold_error"] = "the dataset has neither answers nor a gold query"
    elif ctx.store is None:
        answers = None
        out["gold_source"] = None
        out["gold_error"] = "no answers in the dataset and no --store/--endpoint to run it"
    else:
        run = ctx.gold_cache.execute(ctx.store, ctx.guard, question.query)
        answers = run.answers
        out["gold_source"] = "store"
        out["gold_error"] = run.error
        ask = ask or run.form == "ASK"
    if answers is None:
        status = "error"
    elif not answers:
        status = "empty"
    else:
        status = "ok"
    out.update(
        gold_answers=answers, gold_status=status, ask=ask or _looks_boolean(answers, question)
    )
    return out


def _looks_boolean(answers: list[str] | None, question: Question) -> bool:
    return question.query is None and is_boolean(answers)


def _predicted(prediction: Prediction, ctx: Context) -> dict[str, Any]:
    out: dict[str, Any] = {
        "pred_query": prediction.query,
        "pred_answers": prediction.answers,
        "pred_error": prediction.error,
        "pred_form": None,
        "pred_truncated": False,
    }
    if prediction.query:
        out["pred_form"] = query_form(prediction.query)
    if prediction.answers is None and prediction.query and ctx.store is not None:
        run: Execution = execute(ctx.store, ctx.guard, prediction.query)
        out["pred_answers"] = run.answers
        out["pred_truncated"] = run.truncated
        if run.error:
            out["pred_error"] = (prediction.error + "; " if prediction.error else "") + run.error
    elif (
        prediction.answers is not None
        and out["pred_form"] is None
        and is_boolean(prediction.answers)
    ):
        out["pred_form"] = "ASK"
    return out


def _query_scores(question: Question, record: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pred = record["pred_query"]
    out: dict[str, Any] = {
        "parses": None,
        "parse_error": None,
        "exact_match": None,
        "sentence_bleu": None,
        # Structural metrics (benchmarks.structure): None when there is no gold query or it
        # does not parse (``gold_parses`` says which), so the question leaves their mean.
        "gold_parses": None,
        "triple_precision": None,
        "triple_recall": None,
        "triple_f1": None,
        "iri_precision": None,
        "iri_recall": None,
        "iri_f1": None,
    }
    if pred:
        try:
            ctx.parser.check(pred)
            out["parses"] = True
        except QueryError as exc:
            out["parses"] = False
            out["parse_error"] = str(exc)
    else:
        out["parses"] = False
    if question.query:
        out["exact_match"] = bool(pred) and exact_match(pred, question.query, ctx.prefixes)
        out["sentence_bleu"] = round(sentence_bleu_nspm(pred or "", question.query), 4)
        structure = structure_scores(pred, question.query, ctx.prefixes)
        out["gold_parses"] = structure is not None
        if structure is not None:
            for name, prf in (("triple", structure.triples), ("iri", structure.iris)):
                out[f"{name}_precision"] = prf.precision
                out[f"{name}_recall"] = prf.recall
                out[f"{name}_f1"] = prf.f1
    return out


def _answer_scores(record: dict[str, Any]) -> dict[str, Any]:
    empty = {
        "scored": False,
        "precision": None,
        "recall": None,
        "f1": None,
        "qald_precision": None,
        "qald_recall": None,
        "qald_f1": None,
        "official_precision": None,
        "official_recall": None,
        "official_f1": None,
    }
    gold = record["gold_answers"]
    if gold is None:
        return empty
    pred = record["pred_answers"]
    scores = answer_scores(gold, pred, ask=record["ask"])
    official = official_set_prf(
        gold,
        pred,
        gold_ask=record["ask"],
        # An ASK that failed gives the official client an empty result, not a boolean.
        predicted_ask=record["pred_form"] == "ASK" and is_boolean(pred),
    )
    return {
        "scored": True,
        "precision": scores["plain"].precision,
        "recall": scores["plain"].recall,
        "f1": scores["plain"].f1,
        "qald_precision": scores["qald"].precision,
        "qald_recall": scores["qald"].recall,
        "qald_f1": scores["qald"].f1,
        "official_precision": official.precision if official else None,
        "official_recall": official.recall if official else None,
        "official_f1": official.f1 if official else None,
    }


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
_DATE = re.compile(r"^-?\d{4}-\d{2}-\d{2}")


def _infer_answer_type(record: dict[str, Any]) -> str:
    if record["ask"]:
        return "boolean"
    gold = record["gold_answers"] or []
    if not gold:
        return "unknown"
    if all(v.startswith(("http://", "https://", "urn:")) for v in gold):
        return "resource"
    if all(_NUMBER.match(v) for v in gold):
        return "number"
    if all(_DATE.match(v) for v in gold):
        return "date"
    return "string"
