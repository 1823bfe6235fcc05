"""The evaluation run: ask the system every question, run its query, score, write reports.

Per-question results are appended to ``results.jsonl`` in the output folder as they come, so
an interrupted run resumes where it stopped (questions whose id is already there are
skipped). The reports are always computed from that whole file. The parts: ``config`` (the
run's settings), ``scoring`` (one question), ``results`` (the results file), ``report``.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sparqlqa import paths
from sparqlqa.benchmarks.datasets import Dataset, Question, ReadOptions, read_dataset
from sparqlqa.eval.config import EvalConfig
from sparqlqa.eval.execute import GoldCache
from sparqlqa.eval.report import write_reports
from sparqlqa.eval.results import RESULTS, prepare_out, read_results
from sparqlqa.eval.scoring import Context, evaluate_question
from sparqlqa.eval.systems import QuestionSystem, System, make_system
from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.guard import Guard, Limits
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.remote import RemoteEndpoint
from sparqlqa.kg.store import Store

__all__ = ["RESULTS", "EvalConfig", "read_results", "run", "sample"]


def sample(questions: list[Question], limit: int | None, seed: int) -> list[Question]:
    """``limit`` questions drawn with ``seed``, kept in file order (all when no limit)."""
    if limit is None or limit >= len(questions):
        return questions
    keep = set(random.Random(seed).sample(range(len(questions)), limit))
    return [q for i, q in enumerate(questions) if i in keep]


@contextmanager
def open_target(
    config: EvalConfig, given: Store | None = None
) -> Iterator[tuple[Store | None, dict[str, str]]]:
    """The store or endpoint queries run on (None when neither is given), and its prefixes."""
    if given is not None:
        yield given, dict(given.prefixes)
    elif config.endpoint:
        yield (
            RemoteEndpoint(config.endpoint, default_graph=config.graph, timeout_s=config.timeout_s),
            {},
        )
    elif config.store:
        with EmbeddedStore(config.store) as store:
            yield store, dict(store.prefixes)
    else:
        yield None, {}


def run(
    config: EvalConfig, *, system: System | QuestionSystem | None = None, store: Store | None = None
) -> dict[str, Any]:
    """Run the evaluation described by ``config`` and write its reports; the report dict.

    ``system`` overrides ``config.system`` with an object (e.g. the in-process pipeline);
    ``store`` overrides ``--store``/``--endpoint`` with a store already open.
    """
    dataset = read_dataset(
        config.dataset,
        config.format,
        ReadOptions(
            languages=config.languages,
            kg=config.kg,  # type: ignore[arg-type]
            missing_question=config.missing_question,  # type: ignore[arg-type]
            result_set=config.result_set,
            prefix=config.prefix,
            split=config.split,
            dataset_iri=config.dataset_iri,
        ),
    )
    questions = sample(dataset.questions, config.limit, config.seed)
    prepare_out(config)
    system = system or make_system(config.system, api=config.api, timeout_s=config.system_timeout_s)
    cache = GoldCache(config.cache or paths.home() / "eval-cache" / "gold.jsonl")
    results_path = config.out / RESULTS
    done = read_results(results_path)
    todo = [q for q in questions if q.id not in done]
    with open_target(config, store) as (store, store_prefixes):
        prefixes = {
            **COMMON_PREFIXES,
            **dataset.prefixes,
            **store_prefixes,
            **config.extra_prefixes,
        }
        limits = Limits(timeout_s=config.timeout_s, max_rows=config.max_rows)
        ctx = Context(
            system=system,
            store=store,
            guard=Guard(limits, prefixes=prefixes, strict_syntax=config.endpoint is None),
            parser=Guard(limits, prefixes=prefixes, strict_syntax=True),
            gold_cache=cache,
            gold_from=config.gold_from,
            prefixes=prefixes,
        )
        _run_questions(todo, ctx, results_path, config)
    closer = getattr(system, "close", None)  # systems over HTTP hold a client
    if callable(closer):
        closer()
    records = read_results(results_path)
    ordered = [records[q.id] for q in questions if q.id in records]
    return write_reports(ordered, dataset_summary(dataset, questions, config), config.out)


def _run_questions(
    todo: list[Question], ctx: Context, results_path: Path, config: EvalConfig
) -> None:
    lock = threading.Lock()
    bar = tqdm(total=len(todo), desc="questions", unit="q", disable=not config.progress)

    def one(question: Question) -> None:
        record = evaluate_question(question, ctx)
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with lock, results_path.open("a", encoding="utf-8") as fh:
            fh.write(line)
        bar.update(1)

    try:
        if config.concurrency == 1:
            for question in todo:
                one(question)
        else:
            with ThreadPoolExecutor(max_workers=config.concurrency) as pool:
                futures = [pool.submit(one, q) for q in todo]
                try:
                    for future in as_completed(futures):
                        future.result()  # re-raise the first failure (the system is down)
                except BaseException:
                    for future in futures:
                        future.cancel()
                    raise
    finally:
        bar.close()


def dataset_summary(
    dataset: Dataset, questions: list[Question], config: EvalConfig
) -> dict[str, Any]:
    """What the report says about the dataset and the run."""
    return {
        "dataset": str(dataset.path),
        "format": dataset.format,
        "dataset_iri": dataset.iri,
        "questions_in_file": len(dataset.questions),
        "questions_evaluated": len(questions),
        "skipped": [asdict(s) for s in dataset.skipped],
        "system": config.system,
        "target": config.endpoint or (str(config.store) if config.store else None),
        "seed": config.seed,
        "limit": config.limit,
    }
