"""The number format a model's matrix products run in on the CPU.

``bfloat16`` runs the forward pass under ``torch.autocast``: the matrix products (linear
layers, attention) in bfloat16, the layer norms, softmax and the weights themselves in
float32. On a CPU with native bfloat16 instructions (AVX512-BF16 or AMX) that halves the
time of a cross-encoder's batch at scores within about 1e-3 of float32 (``bench/rank_bench.py``
measures both); on a CPU without them bfloat16 is emulated and slower, so ``auto`` takes it
only where the CPU says it has them.

torch is imported inside the functions, never at import time.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, cast, get_args

from sparqlqa.errors import ConfigError

Precision = Literal["auto", "float32", "bfloat16"]
PRECISIONS: tuple[str, ...] = get_args(Precision)

#: CPU flags (Linux /proc/cpuinfo) of native bfloat16 matrix arithmetic.
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
CPUINFO = Path("/proc/cpuinfo")


def precision_mode(value: str) -> Precision:
    """``value`` as a precision (``ConfigError`` naming the choices if it is none)."""
    mode = value.strip().lower()
    if mode not in PRECISIONS:
        raise ConfigError(f"unknown precision {value!r}: use one of {', '.join(PRECISIONS)}")
    return cast(Precision, mode)


def cpu_flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The CPU's feature flags as Linux lists them; empty where there is no such file."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


@functools.cache
def native_bf16() -> bool:
    """Whether this CPU does bfloat16 matrix arithmetic in hardware."""
    return bool(cpu_flags() & BF16_FLAGS)


def resolve(value: str, *, native: bool | None = None) -> Literal["float32", "bfloat16"]:
    """The precision ``value`` stands for here: ``auto`` is ``bfloat16`` on a CPU with native
    bfloat16 (``native``, detected when None), else ``float32``."""
    mode = precision_mode(value)
    if mode == "auto":
        has = native_bf16() if native is None else native
        return "bfloat16" if has else "float32"
    return mode


@contextlib.contextmanager
def cpu_autocast(precision: str) -> Iterator[None]:
    """A context in which CPU forward passes run in ``precision`` (resolved: ``float32`` or
    ``bfloat16``)."""
    if precision != "bfloat16":
        yield
        return
    import torch

    with torch.autocast("cpu", dtype=torch.bfloat16):
        yield
