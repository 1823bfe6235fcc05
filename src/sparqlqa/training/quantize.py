"""Quantization of a loaded translator for CPU inference.

``int8`` is PyTorch's dynamic quantization of the ``Linear`` layers: their weights are kept
as int8 and the activations are quantized on the fly, which makes the small matrix products
of beam search faster on a CPU (``bench/quantize_bench.py`` measures it, and the answers it
changes). The embeddings, layer norms and attention arithmetic stay in float32.

torch is imported inside the functions, never at import time.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, Literal, cast, get_args

from sparqlqa.errors import ConfigError

log = logging.getLogger(__name__)

Quantize = Literal["none", "int8"]
QUANTIZE_MODES: tuple[str, ...] = get_args(Quantize)


def quantize_mode(value: str) -> Quantize:
    """``value`` as a quantization mode (``ConfigError`` naming the modes if it is none)."""
    mode = value.strip().lower()
    if mode not in QUANTIZE_MODES:
        raise ConfigError(f"unknown quantization {value!r}: use one of {', '.join(QUANTIZE_MODES)}")
    return cast(Quantize, mode)


def quantize(model: Any, mode: str, device: str) -> Any:
    """``model`` quantized as ``mode`` says (the same object for ``none``). Dynamic int8
    quantization runs on CPUs only: on another device the model is returned as it is, with a
    log line."""
    checked = quantize_mode(mode)
    if checked == "none":
        return model
    if device != "cpu":
        log.info("int8 quantization runs on CPUs only: the model on %s stays float", device)
        return model
    import torch

    with warnings.catch_warnings():
        # torch.ao.quantization warns that it moves to torchao; it is what ships with torch.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
