"""The optimiser's side of training: parameter groups, the learning-rate schedule on steps
and on the clock, LoRA adapters and the mixed-precision setting."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from sparqlqa.errors import ConfigError
from sparqlqa.training.config import TrainConfig
from sparqlqa.training.model import peft_warnings_off


def mixed_precision(setting: str) -> str:
    import torch

    if setting != "auto":
        return setting
    return "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"


def param_groups(model: Any, config: TrainConfig) -> list[dict[str, Any]]:
    """AdamW groups: no decay on biases and norms; the encoder at its own rate if asked."""
    encoder = model.get_encoder() if hasattr(model, "get_encoder") else None
    encoder_ids = {id(p) for p in encoder.parameters()} if encoder is not None else set()
    groups: dict[tuple[bool, bool], list[Any]] = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        no_decay = param.ndim < 2 or "norm" in name.lower()
        in_encoder = id(param) in encoder_ids and config.encoder_learning_rate > 0
        groups.setdefault((no_decay, in_encoder), []).append(param)
    return [
        {
            "params": params,
            "weight_decay": 0.0 if no_decay else config.weight_decay,
            "lr": config.encoder_learning_rate if in_encoder else config.learning_rate,
        }
        for (no_decay, in_encoder), params in groups.items()
    ]


def freeze_encoder(model: Any, config: TrainConfig) -> int:
    """Fix the encoder's weights as ``config`` asks: all of them (``freeze_encoder``), or its
    embeddings and lowest ``freeze_encoder_layers`` layers; returns how many parameters were
    fixed. A BERT-like encoder (``embeddings``, ``encoder.layer``) is needed for the partial
    form; anything else gets a ConfigError rather than a silently unfrozen model."""
    encoder = model.get_encoder()
    if config.freeze_encoder:
        parts = [encoder]
    elif config.freeze_encoder_layers > 0:
        layers = getattr(getattr(encoder, "encoder", None), "layer", None)
        embeddings = getattr(encoder, "embeddings", None)
        if layers is None or embeddings is None:
            raise ConfigError(
                "freeze_encoder_layers needs a BERT-like encoder (embeddings, encoder.layer); "
                f"this one is a {type(encoder).__name__}"
            )
        if config.freeze_encoder_layers > len(layers):
            raise ConfigError(
                f"freeze_encoder_layers is {config.freeze_encoder_layers} but the encoder has "
                f"{len(layers)} layers"
            )
        parts = [embeddings, *layers[: config.freeze_encoder_layers]]
    else:
        return 0
    fixed = 0
    for part in parts:
        for param in part.parameters():
            param.requires_grad = False
            fixed += param.numel()
    return fixed


def clock_schedule(
    kind: str, warmup_steps: int, total_steps: int, clock: Callable[[], float]
) -> Callable[[int], float]:
    """A learning-rate factor for ``LambdaLR``: warm-up on steps, then linear or cosine decay
    by the progress of steps or of ``clock()`` (the share of the time budget used), whichever
    is further."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / (warmup_steps + 1)
        by_steps = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        done = min(1.0, max(by_steps, clock()))
        return 1.0 - done if kind == "linear" else 0.5 * (1.0 + math.cos(math.pi * done))

    return factor


def with_lora(model: Any, kind: str, config: TrainConfig) -> Any:
    from peft import LoraConfig, TaskType, get_peft_model

    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules="all-linear",
        task_type=TaskType.SEQ_2_SEQ_LM if kind == "seq2seq" else TaskType.CAUSAL_LM,
    )
    with peft_warnings_off():
        return get_peft_model(model, lora)
