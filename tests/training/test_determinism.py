"""Reproducible training: length-bucketed batches in a seeded order, and the same seed giving
the same weights, byte for byte."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from sparqlqa.training.config import TrainConfig
from sparqlqa.training.features import Features
from sparqlqa.training.train import train


def rows_of(lengths: list[tuple[int, int]]) -> list[dict[str, list[int]]]:
    return [{"input_ids": [1] * p, "labels": [2] * t} for p, t in lengths]


def padded(features: Features, size: int) -> int:
    """Target positions computed when the loader cuts ``size``-long batches."""
    total = 0
    for start in range(0, len(features), size):
        batch = [features[i] for i in range(start, min(start + size, len(features)))]
        total += len(batch) * max(len(r["labels"]) for r in batch)
    return total


def test_buckets_pad_less_and_keep_each_example_once_per_epoch() -> None:
    rng = random.Random(5)
    rows = rows_of([(rng.randint(5, 200), rng.randint(3, 120)) for _ in range(203)])
    plain = Features(rows, seed=1)
    bucketed = Features(rows, seed=1, batch_size=8, length_buckets=5)
    for features in (plain, bucketed):
        features.reorder(0)
    assert sorted(bucketed.order) == list(range(len(rows)))
    assert padded(bucketed, 8) < 0.8 * padded(plain, 8)
    # the one short batch (203 = 25 * 8 + 3) stays last, where the loader cuts it
    tail = [len(rows[i]["labels"]) for i in bucketed.order[-3:]]
    assert tail == sorted(tail)
    first = list(bucketed.order)
    bucketed.reorder(1)
    assert bucketed.order != first  # a new order each epoch...
    bucketed.reorder(0)
    assert bucketed.order == first  # ...the same for the same epoch (resume)


def test_two_runs_with_the_same_seed_give_the_same_weights(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    digests = []
    for name in ("first", "second"):
        config = TrainConfig(
            data=str(corporate_pairs),
            schema=[str(corporate_store_path)],
            output_dir=str(tmp_path / name),
            model="tiny-seq2seq",
            max_steps=6,
            batch_size=8,
            learning_rate=3e-3,
            schema_items=3,
            max_prompt_tokens=96,
            max_target_tokens=40,
            target_vocab_size=400,
            eval_steps=0,
            save_steps=0,
            seed=11,
        )
        result = train(config)
        weights = (result.model_dir / "model.safetensors").read_bytes()
        digests.append(hashlib.sha256(weights).hexdigest())
        recorded = json.loads((tmp_path / name / "train_config.json").read_text())
        assert recorded["num_threads"] >= 1  # the count the sums were split over
        assert recorded["length_buckets"] == 50
    assert digests[0] == digests[1]
