"""One point of a sweep, run in its own process: train, then score the model on test pairs.

``python -m sparqlqa.training.sweep_point RUN_DIR/point.yaml --test-examples N --test-k K``

Training goes through the very path of ``sparqlqa train run --config point.yaml`` (the same
``parse_args`` and ``train``); the test figures through ``sparqlqa train predict``'s
``evaluate_model``. A run folder is resumable: a finished training is not repeated, an
interrupted one resumes from its newest checkpoint, and one interrupted before its first
checkpoint starts again from nothing. ``test_eval.json`` written last marks the point done.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sparqlqa.training.checkpoints import latest_checkpoint
from sparqlqa.training.config import parse_args

POINT_CONFIG = "point.yaml"
TEST_FILE = "test_eval.json"
#: What a training run writes into its folder; an interrupted run without a checkpoint
#: leaves some of them, which a fresh start must not mix with its own.
TRAINER_OUTPUTS = (
    "init",
    "checkpoints",
    "best",
    "model",
    "metrics.jsonl",
    "train_config.json",
    "train_result.json",
    TEST_FILE,
    "test_predictions.jsonl",
)


def trained(run_dir: Path) -> bool:
    """True when the run folder holds a finished training (its result and model)."""
    return (run_dir / "train_result.json").is_file() and (run_dir / "model").is_dir()


def finished(run_dir: Path) -> bool:
    """True when the point is done: trained and scored on the test pairs."""
    return trained(run_dir) and (run_dir / TEST_FILE).is_file()


def run_point(config_file: Path, *, test_examples: int, test_k: int) -> dict[str, Any]:
    """Train (or resume, or skip a finished training) the point ``config_file`` describes,
    then score its model on the test split; the test figures, also in ``test_eval.json``."""
    from sparqlqa.training.evaluate import evaluate_model
    from sparqlqa.training.examples import load_split
    from sparqlqa.training.train import train

    config = parse_args(["--config", str(config_file)])
    out = Path(config.output_dir)
    if not trained(out):
        checkpoint = latest_checkpoint(out)
        if checkpoint is None:
            for name in TRAINER_OUTPUTS:
                path = out / name
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
        # The folder holds point.yaml (and the log): "resume" lets the trainer use it, and
        # continues from the checkpoint when there is one.
        config.resume = True
        train(config)
    start = time.perf_counter()
    figures: dict[str, Any] = {
        "questions": 0,
        "exact_match": None,
        "answer_f1": None,
        "seconds_per_question": None,
    }
    # Test figures come from `data`'s test split; a run on graph folders alone has none.
    if config.data and load_split(Path(config.data), "test"):
        report = evaluate_model(
            out / "model",
            Path(config.data),
            [Path(s) for s in config.schema],
            split="test",
            k=test_k,
            limit=test_examples,
            seed=config.seed,
            output=out / "test_predictions.jsonl",
        )
        figures = report.summary()
    figures["seconds"] = round(time.perf_counter() - start, 2)
    figures["limit"] = test_examples
    (out / TEST_FILE).write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    """The command line of one point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m sparqlqa.training.sweep_point")
    parser.add_argument("config", type=Path, help=f"The point's {POINT_CONFIG}.")
    parser.add_argument("--test-examples", type=int, default=200)
    parser.add_argument("--test-k", type=int, default=1)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    figures = run_point(args.config, test_examples=args.test_examples, test_k=args.test_k)
    print(json.dumps({k: figures.get(k) for k in ("exact_match", "answer_f1", "questions")}))


if __name__ == "__main__":
    from sparqlqa.quiet import silence_known_noise

    silence_known_noise()
    main()
