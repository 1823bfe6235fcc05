"""Training settings per model preset: what a run bounded by wall time on a few CPU cores
uses (``sparqlqa adapt``'s first run, and a sweep's ``preset:``).

The MiniLM ones follow the measurements in docs/training.md: a fine-tuned encoder learns more
per example than a frozen one, and 4 of its 6 layers with 6 schema items per prompt make a
step about twice as fast.
"""

from __future__ import annotations

from typing import Any

TRAINING_PRESETS: dict[str, dict[str, Any]] = {
    "minilm-seq2seq": {
        "freeze_encoder": False,
        "encoder_learning_rate": 1.0e-4,
        "encoder_layers": 4,
        "schema_items": 6,
        "batch_size": 16,
        "learning_rate": 1.0e-3,
        "warmup_ratio": 0.03,
    },
    "tiny-seq2seq": {"batch_size": 8, "learning_rate": 3.0e-3, "warmup_ratio": 0.0},
    "tiny-codegen": {"batch_size": 8, "learning_rate": 3.0e-3, "warmup_ratio": 0.0},
}
