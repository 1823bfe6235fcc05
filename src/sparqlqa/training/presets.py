"""Training settings per model preset: what a run bounded by wall time on a few CPU cores
uses (``sparqlqa adapt``'s first run, and a sweep's ``preset:``).

The MiniLM ones follow the measurements in docs/training.md: 4 of MiniLM's 6 layers with 6
schema items per prompt make a step about twice as fast; fixing the encoder's weights makes it
twice as fast again (1.98× the examples/s) and, after the first run's 500 steps, answered the
realistic questions as well as the fine-tuned encoder (en 0.322 against 0.312, de 0.206
against 0.195; the generated split 0.305 against 0.343), "Layer freezing".
"""

from __future__ import annotations

from typing import Any

TRAINING_PRESETS: dict[str, dict[str, Any]] = {
    "minilm-seq2seq": {
        "freeze_encoder": True,
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
