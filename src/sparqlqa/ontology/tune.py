"""Fine-tuning the schema retriever on questions whose queries are known.

all-MiniLM-L6-v2 knows English, not how the questions of a graph name its schema: "Give me
all Danish films" needs ``dbo:country``, "Who is married to ..." ``dbo:spouse``. Given
questions with their SPARQL queries (LC-QuAD, QALD-format training sets, the generator's
pairs), each question is paired with the sentence of every schema term its query uses
(``ontology.retrieve.describe``) and with a hard negative (a term the untuned retriever ranks
high that the query does not use), and the embedding model is trained with in-batch
negatives (``MultipleNegativesRankingLoss``) by sentence-transformers' trainer.

A held-out share of the questions then chooses the retriever's fusion weights (how much the
lexical ranking, the usage prior and the answer-type and class-fit boosts count next to the
tuned embedding) by recall@10, and measures recall before and after. The result is a folder:

    <output>/model/          the tuned sentence-transformers model
    <output>/retriever.json  the fusion weights, the data, the dev recall before and after

that :func:`open_retriever` loads (a graph folder keeps it as ``index/retriever/``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sparqlqa.errors import ConfigError
from sparqlqa.ontology.embed import Embedder, SentenceTransformerEmbedder, default_model_path
from sparqlqa.ontology.prompt import query_terms
from sparqlqa.ontology.retrieve import Mode, SchemaRetriever, Term, describe
from sparqlqa.ontology.schema import Schema

#: Where a graph folder keeps its tuned retriever, under ``index/``.
TUNED_DIR = "retriever"
SETTINGS_FILE = "retriever.json"
log = logging.getLogger(__name__)

#: The fusion weights tried on the dev questions (all combinations).
GRID: dict[str, tuple[float, ...]] = {
    "lexical_weight": (0.25, 0.5, 1.0),
    "prior_weight": (0.0, 0.5, 1.0, 1.5),
    "answer_type_weight": (0.0, 0.2),
    "class_fit_weight": (0.0, 0.2),
}


@dataclass
class TuneConfig:
    """How to tune (defaults measured in docs/ontology.md)."""

    output: Path  # the folder written: model/ and retriever.json
    base_model: str | None = None  # sentence-transformers id or folder; None: bundled MiniLM
    epochs: float = 1.0  # passes over the (question, term) pairs
    batch_size: int = 32  # pairs per step; the other pairs of a batch are its negatives
    learning_rate: float = 3e-5
    warmup_ratio: float = 0.1
    hard_negatives: bool = True  # add a term the untuned retriever ranks high, wrongly
    dev_share: float = 0.1  # questions held out to choose the weights and measure recall
    max_minutes: float = 0.0  # stop training after this much wall time (0: no limit)
    threads: int | None = None  # torch threads (None: torch's setting)
    seed: int = 0
    progress: bool = True  # progress bar of the trainer

    def __post_init__(self) -> None:
        if self.epochs <= 0 or self.batch_size < 2:
            raise ValueError("epochs must be > 0 and batch_size at least 2")
        if not 0 < self.dev_share < 1:
            raise ValueError("dev_share must be in (0, 1)")


@dataclass
class TuneReport:
    """What a tuning run did; also written as ``retriever.json``."""

    model: str  # the tuned model folder, relative to the output folder
    weights: dict[str, float]  # the fusion weights chosen on the dev questions
    train_questions: int
    dev_questions: int
    pairs: int  # (question, term) training pairs
    dev_recall_at_10: dict[str, float]  # untuned default retriever vs the tuned one
    seconds: float
    base_model: str | None = None
    data: list[str] = field(default_factory=list)


def questions_with_terms(
    questions: Sequence[tuple[str, str]], schema: Schema, prefixes: dict[str, str]
) -> list[tuple[str, list[str]]]:
    """(question, the schema terms its query uses) for each (question, query) that uses any."""
    out = []
    for question, query in questions:
        terms = query_terms(query, schema, prefixes)
        if question.strip() and terms:
            out.append((question.strip(), list(dict.fromkeys(terms))))
    return out


def recall_at(
    retriever: SchemaRetriever, items: Sequence[tuple[str, list[str]]], k: int = 10
) -> float:
    """Mean share of each question's terms among the ``k`` the retriever ranks first."""
    if not items:
        return 0.0
    total = 0.0
    for question, gold in items:
        ranked = {t.iri for t, _ in retriever.retrieve(question, k)}
        total += len(ranked & set(gold)) / len(gold)
    return total / len(items)


def training_pairs(
    items: Sequence[tuple[str, list[str]]],
    schema: Schema,
    untuned: SchemaRetriever | None,
    seed: int = 0,
) -> dict[str, list[str]]:
    """Columns ``anchor`` (question), ``positive`` (a gold term's sentence) and, with an
    ``untuned`` retriever, ``negative`` (a term it ranks in its top 20 that is not gold)."""
    rng = random.Random(seed)
    terms: dict[str, Term] = {**schema.classes, **schema.properties}
    columns: dict[str, list[str]] = {"anchor": [], "positive": []}
    if untuned is not None:
        columns["negative"] = []
    for question, gold in items:
        confusable: list[str] = []
        if untuned is not None:
            confusable = [t.iri for t, _ in untuned.retrieve(question, 20) if t.iri not in gold]
            if not confusable:
                continue
        for iri in gold:
            columns["anchor"].append(question)
            columns["positive"].append(describe(terms[iri], schema))
            if untuned is not None:
                columns["negative"].append(describe(terms[rng.choice(confusable)], schema))
    return columns


def tune_retriever(
    schema: Schema,
    prefixes: dict[str, str],
    questions: Sequence[tuple[str, str]],
    config: TuneConfig,
    *,
    cache_dir: Path | None = None,
    data: Sequence[str] = (),
) -> TuneReport:
    """Tune the embedding model on ``questions`` (question, query) and choose the fusion
    weights; writes ``config.output``."""
    started = time.perf_counter()
    items = questions_with_terms(questions, schema, prefixes)
    if len(items) < 20:
        raise ConfigError(
            f"only {len(items)} of {len(questions)} questions have a query that uses the "
            "schema's classes or properties: too few to tune the retriever on"
        )
    rng = random.Random(config.seed)
    order = list(range(len(items)))
    rng.shuffle(order)
    n_dev = max(10, round(len(items) * config.dev_share))
    dev = [items[i] for i in order[:n_dev]]
    train = [items[i] for i in order[n_dev:]]
    base = SentenceTransformerEmbedder(
        config.base_model, index_threads=config.threads, cache_size=len(items) + 16
    )
    untuned = SchemaRetriever(schema, base, cache_dir=cache_dir)
    before = recall_at(untuned, dev)
    log.info(
        f"retriever: {len(train)} training and {len(dev)} dev questions; dev recall@10 {before:.3f}"
    )
    columns = training_pairs(train, schema, untuned if config.hard_negatives else None, config.seed)
    log.info(f"retriever: training on {len(columns['anchor'])} (question, term) pairs")
    model_dir = config.output / "model"
    _train(config, columns, model_dir)
    tuned = SentenceTransformerEmbedder(
        str(model_dir), index_threads=config.threads, cache_size=len(items) + 16
    )
    weights, after = choose_weights(SchemaRetriever(schema, tuned, cache_dir=cache_dir), dev)
    log.info(f"retriever: tuned dev recall@10 {after:.3f} with {weights}")
    report = TuneReport(
        model="model",
        weights=weights,
        train_questions=len(train),
        dev_questions=len(dev),
        pairs=len(columns["anchor"]),
        dev_recall_at_10={"untuned": round(before, 4), "tuned": round(after, 4)},
        seconds=round(time.perf_counter() - started, 1),
        base_model=config.base_model,
        data=list(data),
    )
    (config.output / SETTINGS_FILE).write_text(json.dumps(asdict(report), indent=2))
    return report


def choose_weights(
    retriever: SchemaRetriever, dev: Sequence[tuple[str, list[str]]]
) -> tuple[dict[str, float], float]:
    """The combination of :data:`GRID` with the best dev recall@10 (ties: the earlier)."""
    import itertools

    best: tuple[float, dict[str, float]] = (-1.0, {})
    names = list(GRID)
    for values in itertools.product(*(GRID[n] for n in names)):
        weights = dict(zip(names, values, strict=True))
        for name, value in weights.items():
            setattr(retriever, name, value)
        score = recall_at(retriever, dev)
        if score > best[0] + 1e-9:
            best = (score, weights)
    return best[1], best[0]


def _train(config: TuneConfig, columns: dict[str, list[str]], model_dir: Path) -> None:
    """sentence-transformers' trainer, in-batch negatives, no duplicate texts in a batch."""
    import tempfile

    import torch
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.training_args import BatchSamplers
    from transformers import TrainerCallback

    class TimeLimit(TrainerCallback):
        def __init__(self, minutes: float) -> None:
            self.deadline = time.monotonic() + minutes * 60 if minutes > 0 else None

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if self.deadline is not None and time.monotonic() > self.deadline:
                control.should_training_stop = True
            return control

    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    base = config.base_model or str(default_model_path())
    model = SentenceTransformer(base, device="cpu" if not torch.cuda.is_available() else None)
    dataset = Dataset.from_dict(columns).shuffle(seed=config.seed)
    with tempfile.TemporaryDirectory() as scratch:
        args = SentenceTransformerTrainingArguments(
            output_dir=scratch,
            num_train_epochs=config.epochs,
            per_device_train_batch_size=config.batch_size,
            learning_rate=config.learning_rate,
            warmup_ratio=config.warmup_ratio,
            seed=config.seed,
            report_to="none",
            save_strategy="no",
            logging_strategy="no",
            disable_tqdm=not config.progress,
            batch_sampler=BatchSamplers.NO_DUPLICATES,
            dataloader_pin_memory=torch.cuda.is_available(),
        )
        trainer = SentenceTransformerTrainer(
            model=model,
            args=args,
            train_dataset=dataset,
            loss=MultipleNegativesRankingLoss(model),
            callbacks=[TimeLimit(config.max_minutes)],
        )
        # the trainer prints its final figures on stdout, which belongs to the caller
        with contextlib.redirect_stdout(sys.stderr):
            trainer.train()
    model_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(model_dir))


def tuned_settings(folder: Path) -> dict[str, Any] | None:
    """The ``retriever.json`` of a tuned retriever folder, or ``None`` when there is none."""
    path = folder / SETTINGS_FILE
    if not path.is_file():
        return None
    try:
        settings: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path}: not valid JSON ({err})") from err
    if not (folder / settings.get("model", "model")).is_dir():
        raise ConfigError(f"{path}: its model folder {settings.get('model')!r} is missing")
    return settings


def load_tuned(
    schema: Schema, folder: Path, *, mode: Mode = "hybrid", cache_dir: Path | None = None
) -> SchemaRetriever:
    """The retriever a tuning run wrote to ``folder``: its model and fusion weights."""
    settings = tuned_settings(folder)
    if settings is None:
        raise ConfigError(f"{folder}: no tuned retriever (no {SETTINGS_FILE})")
    model = folder / settings.get("model", "model")
    retriever = SchemaRetriever(
        schema, SentenceTransformerEmbedder(str(model)), mode=mode, cache_dir=cache_dir
    )
    for name, value in settings.get("weights", {}).items():
        if name in GRID:
            setattr(retriever, name, float(value))
    return retriever


def open_retriever(
    schema: Schema,
    index_dir: Path,
    *,
    mode: Mode = "hybrid",
    embedder: Embedder | None = None,
) -> SchemaRetriever:
    """The schema retriever of a graph's ``index/`` folder: the tuned one when
    ``index/retriever/`` holds one (its model and fusion weights), else one with
    ``embedder`` (default: the bundled MiniLM)."""
    if mode == "lexical" or tuned_settings(index_dir / TUNED_DIR) is None:
        return SchemaRetriever(schema, embedder, mode=mode, cache_dir=index_dir)
    return load_tuned(schema, index_dir / TUNED_DIR, mode=mode, cache_dir=index_dir)
