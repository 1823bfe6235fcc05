"""The candidate ranker of a graph folder: training it (the adapt stage ``rank`` and
``sparqlqa rank train``) and choosing its abstention threshold on dev questions
(``sparqlqa rank curve``).

The ranker is trained on the folder's generated pairs (``pairs/``) and saved in
``ranker/``; the translator is not touched, so a ranker can be added to a finished folder.
The curve answers dev questions (e.g. the realistic set's ``split: dev`` half) and nonsense
questions through the folder's pipeline, then tabulates precision and coverage by the
ranker's confidence (``qa.abstain.precision_coverage``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sparqlqa.benchmarks.datasets import ReadOptions, read_dataset
from sparqlqa.benchmarks.metrics import answer_scores
from sparqlqa.errors import ConfigError, SparqlqaError
from sparqlqa.jsonl import read_jsonl, write_jsonl
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.results import rows
from sparqlqa.ontology.schema import Schema
from sparqlqa.qa.abstain import precision_coverage, recommend
from sparqlqa.qa.graphs import Graph, GraphSettings, GraphSpec, open_graph
from sparqlqa.training.ranker import RankerConfig, RankerMeta, train_ranker

RANKER_DIR = "ranker"


def ranker_preset(translator_model: str) -> str:
    """The ranker preset that goes with a translator preset: the tiny random one for the
    tiny translators (tests, smoke runs), MiniLM otherwise."""
    return "tiny" if translator_model.startswith("tiny") else "minilm"


def train_folder_ranker(
    folder: Path, *, steps: int = 300, seed: int = 0, preset: str = "minilm", threads: int = 0
) -> RankerMeta:
    """Train the ranker of a graph folder on its ``pairs/`` and save it in ``ranker/``
    (replacing one there); the translator and the rest of the folder stay as they are."""
    folder = Path(folder)
    schema_file = folder / "schema.json"
    if not schema_file.is_file() or not (folder / "pairs" / "train.jsonl").is_file():
        raise ConfigError(
            f"{folder} is not an adapted graph folder: it needs schema.json and "
            "pairs/train.jsonl (run `sparqlqa adapt` first)"
        )
    schema = Schema.from_json(json.loads(schema_file.read_text()))
    config = RankerConfig(preset=preset, steps=steps, seed=seed, threads=threads)  # type: ignore[arg-type]
    return train_ranker(folder / "pairs", schema, COMMON_PREFIXES, folder / RANKER_DIR, config)


def curve_rows(
    folder: Path,
    dataset: Path,
    *,
    format: str = "text2sparql",
    split: str | None = "dev",
    language: str | None = "en",
    nonsense: Path | None = None,
    k: int = 5,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Answer the questions of ``dataset`` (``split``, ``language``) and of ``nonsense`` (a
    JSON Lines file of ``question`` records) with the folder's pipeline, abstention off.
    One row per question: ``confidence`` (of the accepted candidate, None when none was),
    ``grounded``, ``right`` (answer F1 = 1 against the gold query's answers; a nonsense
    question answered is wrong), ``nonsense`` and ``set``."""
    settings = GraphSettings()
    graph = open_graph(folder, settings)
    try:
        if graph.pipeline is None:
            raise ConfigError(graph.problem or f"{folder}: the pipeline cannot load")
        pipeline = graph.pipeline
        pipeline.abstain_below = None  # the curve needs every accepted candidate's confidence
        options = ReadOptions(split=split, languages=(language or "en",))
        questions = read_dataset(dataset, format, options).questions[: limit or None]
        out: list[dict[str, Any]] = []
        for q in questions:
            gold = list(q.answers) if q.answers is not None else _gold_answers(graph, q.query)
            if gold is None:
                continue
            answer = pipeline.answer(q.question, k=k, language=language)
            right = False
            if answer.answered and answer.result is not None:
                pred = _values(answer.result)
                ask = "boolean" in answer.result
                right = answer_scores(gold, pred, ask=ask)["plain"].f1 >= 0.999
            out.append(_row(answer, right=right, nonsense=False, set_=dataset.name))
        if nonsense is not None:
            for _, record in read_jsonl(nonsense):
                answer = pipeline.answer(str(record["question"]), k=k, language=language)
                out.append(_row(answer, right=False, nonsense=True, set_=nonsense.name))
        return out
    finally:
        graph.close()


def _row(answer: Any, *, right: bool, nonsense: bool, set_: str) -> dict[str, Any]:
    accepted = next((c for c in answer.candidates if c.accepted), None)
    return {
        "question": answer.question,
        "confidence": accepted.confidence if accepted else None,
        "grounded": answer.grounded,
        "right": right,
        "nonsense": nonsense,
        "set": set_,
    }


def _gold_answers(graph: Any, query: str | None) -> list[str] | None:
    """The gold query's answers as strings; None without a query or when it fails."""
    if not query:
        return None
    try:
        return _values(graph.guard.run(graph.store, query))
    except SparqlqaError:
        return None


def _values(result: Any) -> list[str]:
    """A result's values as strings (["true"]/["false"] for ASK)."""
    if "boolean" in result:
        return ["true" if result["boolean"] else "false"]
    return [term["value"] for row in rows(result) for term in row.values()]


def choose_threshold(
    rows_: Sequence[dict[str, Any]], min_precision: float = 0.85
) -> tuple[list[dict[str, float]], float]:
    """The precision/coverage table over ranker confidences and the threshold it recommends
    (``qa.abstain.recommend``: the lowest at which no nonsense question is answered by the
    confidence alone and precision reaches ``min_precision``)."""
    thresholds = [round(0.05 * i, 2) for i in range(20)] + [0.97, 0.99]
    table = precision_coverage(rows_, thresholds)
    return table, recommend(table, min_precision)


def save_threshold(folder: Path, threshold: float) -> None:
    """Record ``threshold`` as the ranker's ``abstain_below`` in ``ranker/ranker.json``."""
    ranker = Path(folder) / RANKER_DIR
    meta = RankerMeta.read(ranker)
    meta.abstain_below = threshold
    meta.write(ranker)


# ---------------------------------------------------------------- the candidate pool


def harvest_pools(
    folder: Path,
    questions: int,
    *,
    seed: int = 0,
    languages: Sequence[str] = ("en",),
    spec: GraphSpec | None = None,
) -> list[Path]:
    """Write ``pairs/ranker-pool-{train,dev}.jsonl`` (``training.ranker.POOL_FILE``) for a
    seeded sample of at most ``questions`` generated train questions and a quarter as many
    dev questions (of ``languages``), opening the folder's pipeline once: for each question,
    the candidates the pipeline proposes (the proposers', not the beam's: the translator has
    seen these questions) that run and fit the expected answer type, rendered as the ranker
    reads them, each marked ``right`` when its answers are the gold query's. The ranker
    trains on the lists with a right and a wrong candidate (``training.ranker.pool_groups``):
    the near misses it meets in ``/ask`` are these, not only mutations of the gold query.
    ``spec``: stands in for the folder's ``graph.json`` (adapt harvests before it writes
    that file)."""
    folder = Path(folder)
    graph = open_graph(folder, GraphSettings(), spec=spec)
    try:
        if graph.pipeline is None:
            raise ConfigError(graph.problem or f"{folder}: the pipeline cannot load")
        limits = {"train": questions, "dev": max(1, questions // 4)}
        return [
            _harvest_split(graph, folder, split, limit, seed, languages)
            for split, limit in limits.items()
        ]
    finally:
        graph.close()


def _harvest_split(
    graph: Graph, folder: Path, split: str, limit: int, seed: int, languages: Sequence[str]
) -> Path:
    from sparqlqa.ontology.gloss import gloss
    from sparqlqa.training.ranker import POOL_FILE, Vocabulary, render_query

    pairs = [
        r
        for _, r in read_jsonl(folder / "pairs" / f"{split}.jsonl")
        if r.get("language", "en") in languages
    ]
    if len(pairs) > limit:
        pairs = random.Random(seed).sample(pairs, limit)
    pipeline = graph.pipeline
    assert pipeline is not None  # harvest_pools checked
    base = Vocabulary.of(pipeline.schema, pipeline.prefixes)
    records = []
    for pair in tqdm(pairs, desc=f"ranker pool ({split})", unit="question"):
        question, language = str(pair["question"]), str(pair.get("language") or "en")
        # A generated pair carries its gold answers from execution; run the query only for
        # a record without them.
        recorded = pair.get("answers")
        gold = recorded if isinstance(recorded, list) else _gold_answers(graph, pair.get("query"))
        if not gold:
            continue
        _, entities, values, schema_iris, _ = pipeline.prepare(question, language)
        proposals = pipeline.propose(question, entities, values, schema_iris, language)
        _, fitting = pipeline.execute_candidates(question, [], entities, values, proposals)
        vocabulary = base.with_entities((e.iri, e.label) for e in entities)
        candidates = []
        for candidate, result in fitting:
            f1 = answer_scores(gold, _values(result), ask="boolean" in result)["plain"].f1
            candidates.append(
                {
                    "text": render_query(candidate.query or "", vocabulary),
                    "right": f1 >= 0.999,
                    "f1": round(f1, 4),
                    "origin": candidate.origin,
                }
            )
        keep = [(e.start, e.end, e.label) for e in entities]
        records.append(
            {
                "id": pair.get("id"),
                "question": gloss(question, language, keep),
                "language": language,
                "candidates": candidates,
            }
        )
    out = folder / "pairs" / POOL_FILE.format(split=split)
    write_jsonl(out, records)
    return out
