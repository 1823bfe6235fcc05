"""Training: generated pairs → a translator model folder (``train``, or ``python -m``).

Read top to bottom: prepare the output folder, build the examples, build (or reload) the
model, then loop over batches with accelerate, evaluating on the dev split, saving the
training state every ``save_steps`` and keeping the best model by dev exact match.

The same command runs on CPU, one GPU or several (``accelerate launch -m training.train
--config ...`` or ``torchrun``): accelerate shards the batches and averages the gradients.

The parts: ``trainer`` (the loop, ``Trainer``), ``features`` (examples to batches, loss,
dev figures), ``optim`` (parameter groups, schedule, LoRA), ``checkpoints`` (state, model
folders, ``sparqlqa.json``).

Output folder::

    train_config.json     the resolved configuration
    metrics.jsonl         one line per evaluation (step, losses, dev exact match, examples/s)
    init/                 the model as built, before training (resume rebuilds from it)
    checkpoints/step-N/   accelerate states for resume (the newest save_total_limit kept)
    best/                 the best model so far by dev exact match
    model/                the final model: save_pretrained files + sparqlqa.json
    train_result.json     final step, best dev figures, throughput
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence

from sparqlqa.training.checkpoints import latest_checkpoint
from sparqlqa.training.config import TrainConfig, parse_args
from sparqlqa.training.trainer import Trainer, TrainResult

__all__ = ["TrainResult", "latest_checkpoint", "main", "train"]


def train(config: TrainConfig, *, on_step: Callable[[int], None] | None = None) -> TrainResult:
    """Run (or resume) the training ``config`` describes; see the module docstring.

    ``on_step`` is called with the global step after each optimizer step (tests use it to
    interrupt a run).
    """
    return Trainer(config, on_step=on_step).run()


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m training.train`` / ``accelerate launch -m training.train``: flags as in
    ``sparqlqa train run``."""
    config = parse_args(sys.argv[1:] if argv is None else argv)
    result = train(config)
    print(
        json.dumps(
            {
                "model_dir": str(result.model_dir),
                "global_step": result.global_step,
                "best_exact_match": result.best_exact_match,
            }
        )
    )


if __name__ == "__main__":
    main()
