"""The evaluation run: ask the system every question, run its query, score, write reports.

Per-question results are appended to ``results.jsonl`` in the output folder as they come, so
an interrupted run resumes where it stopped (questions whose id is already there are
skipped). The reports are always computed from that whole file.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sparqlqa import paths
from sparqlqa.errors import ConfigError, QueryError
from sparqlqa.eval.datasets import FORMATS, Dataset, Question, ReadOptions, read_dataset
from sparqlqa.eval.execute import Execution, GoldCache, execute
from sparqlqa.eval.metrics import answer_scores, is_boolean, official_set_prf, sentence_bleu_nspm
from sparqlqa.eval.systems import Prediction, predict
from sparqlqa.kg.guard import Guard, Limits, query_form
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.store import Store

RESULTS = "results.jsonl"
# Config fields that must match for a run to resume into an existing output folder.
_RESUME_KEYS = ("dataset", "format", "system", "store", "endpoint", "languages", "kg")


@dataclass
class EvalConfig:
    """Everything one evaluation run needs."""

    dataset: Path  # the dataset file
    format: str  # lcquad2, lcquad1, qald, text2sparql or jsonl
    system: str  # gold, an http(s) URL, a predictions JSONL file, or a checkpoint folder
    out: Path  # output folder (results.jsonl, report.json, summary.md, ...)
    store: Path | None = None  # embedded store folder to run queries on
    endpoint: str | None = None  # or a remote SPARQL endpoint URL
    graph: str | None = None  # default graph IRI at the remote endpoint
    api: str = "auto"  # HTTP systems: text2sparql, sparqlqa, or auto (by URL)
    languages: tuple[str, ...] = ("en",)  # QALD / TEXT2SPARQL question languages
    kg: str = "wikidata"  # LC-QuAD 2.0: wikidata or dbpedia gold queries
    missing_question: str = "skip"  # LC-QuAD 2.0 null/"[]" questions: skip, paraphrase, nnqt
    result_set: Path | None = None  # TEXT2SPARQL true result set (gold answers)
    prefix: str | None = None  # TEXT2SPARQL qname prefix override
    split: str | None = None  # JSONL, TEXT2SPARQL: only this split
    dataset_iri: str | None = None  # dataset IRI sent to TEXT2SPARQL APIs
    gold_from: str = "auto"  # auto (dataset answers if any, else the store) or store
    limit: int | None = None  # evaluate a random sample of this many questions
    seed: int = 0  # seed of that sample
    concurrency: int = 1  # questions in flight at once (for remote systems)
    timeout_s: float = 30.0  # per query on the store/endpoint
    system_timeout_s: float = 120.0  # per question for HTTP systems
    max_rows: int = 10_000  # rows kept per query result
    cache: Path | None = None  # gold answer cache (default $SPARQLQA_HOME/eval-cache/gold.jsonl)
    overwrite: bool = False  # discard earlier results in ``out`` instead of resuming
    progress: bool = True  # show a progress bar
    extra_prefixes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ConfigError(f"unknown --format {self.format!r}; expected one of {FORMATS}")
        if self.store and self.endpoint:
            raise ConfigError("give --store or --endpoint, not both")
        if self.concurrency < 1:
            raise ConfigError("--concurrency must be at least 1")
        if self.limit is not None and self.limit < 1:
            raise ConfigError("--limit must be at least 1")
        if self.gold_from not in ("auto", "store"):
            raise ConfigError("--gold-from must be 'auto' or 'store'")
        if self.timeout_s <= 0:
            raise ConfigError("--timeout must be positive")

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, Path):
                out[key] = str(value)
            elif isinstance(value, tuple):
                out[key] = list(value)
        return out


@dataclass
class Context:
    """What scoring one question needs besides the question itself."""

    system: Any
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
    from sparqlqa.eval.canonical import exact_match

    pred = record["pred_query"]
    out: dict[str, Any] = {
        "parses": None,
        "parse_error": None,
        "exact_match": None,
        "sentence_bleu": None,
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


def sample(questions: list[Question], limit: int | None, seed: int) -> list[Question]:
    """``limit`` questions drawn with ``seed``, kept in file order (all when no limit)."""
    if limit is None or limit >= len(questions):
        return questions
    keep = set(random.Random(seed).sample(range(len(questions)), limit))
    return [q for i, q in enumerate(questions) if i in keep]


def read_results(path: Path) -> dict[str, dict[str, Any]]:
    """Per-question records of earlier runs by id (the last one wins; cut lines skipped)."""
    out: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return out
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # the last line of an interrupted run
            if isinstance(record, dict) and "id" in record:
                out[str(record["id"])] = record
    return out


@contextmanager
def open_target(
    config: EvalConfig, given: Store | None = None
) -> Iterator[tuple[Store | None, dict[str, str]]]:
    """The store or endpoint queries run on (None when neither is given), and its prefixes."""
    if given is not None:
        yield given, dict(getattr(given, "prefixes", {}) or {})
    elif config.endpoint:
        from sparqlqa.kg.remote import RemoteEndpoint

        yield (
            RemoteEndpoint(config.endpoint, default_graph=config.graph, timeout_s=config.timeout_s),
            {},
        )
    elif config.store:
        from sparqlqa.kg.embedded import EmbeddedStore

        with EmbeddedStore(config.store) as store:
            yield store, dict(store.prefixes)
    else:
        yield None, {}


def _prepare_out(config: EvalConfig) -> None:
    out = config.out
    out.mkdir(parents=True, exist_ok=True)
    results = out / RESULTS
    saved = out / "config.json"
    if config.overwrite:
        results.unlink(missing_ok=True)
    elif results.is_file() and saved.is_file():
        before = json.loads(saved.read_text())
        now = config.to_json()
        changed = [k for k in _RESUME_KEYS if before.get(k) != now.get(k)]
        if changed:
            raise ConfigError(
                f"{out} holds results of another run (different {', '.join(changed)}); "
                "pick another --out or pass --overwrite"
            )
    elif results.is_file():
        raise ConfigError(f"{out} holds results of an unknown run; pass --overwrite")
    if results.is_file():
        _drop_cut_line(results)
    saved.write_text(json.dumps(config.to_json(), indent=2) + "\n")


def _drop_cut_line(path: Path) -> None:
    """Remove a last line left without its newline by an interrupted run."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])


def run(config: EvalConfig, *, system: Any = None, store: Store | None = None) -> dict[str, Any]:
    """Run the evaluation described by ``config`` and write its reports; the report dict.

    ``system`` overrides ``config.system`` with an object (e.g. the in-process pipeline);
    ``store`` overrides ``--store``/``--endpoint`` with a store already open.
    """
    from sparqlqa.eval.report import write_reports
    from sparqlqa.eval.systems import make_system

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
    _prepare_out(config)
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
    closer = getattr(system, "close", None)
    if callable(closer):
        closer()
    records = read_results(results_path)
    ordered = [records[q.id] for q in questions if q.id in records]
    return write_reports(ordered, dataset_summary(dataset, questions, config), config.out)


def _run_questions(
    todo: list[Question], ctx: Context, results_path: Path, config: EvalConfig
) -> None:
    lock = threading.Lock()
    bar = _progress(len(todo), config.progress)

    def one(question: Question) -> None:
        record = evaluate_question(question, ctx)
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with lock, results_path.open("a", encoding="utf-8") as fh:
            fh.write(line)
        bar(1)

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
        bar(0)


def _progress(total: int, enabled: bool) -> Callable[[int], None]:
    if not enabled:
        return lambda n: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc="questions", unit="q")

    def update(n: int) -> None:
        if n:
            bar.update(n)
        else:
            bar.close()

    return update


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
