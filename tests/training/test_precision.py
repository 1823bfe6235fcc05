"""The ranker's number format: parsing, and ``auto`` following the CPU's flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from sparqlqa.errors import ConfigError
from sparqlqa.qa.graphs import GraphSettings
from sparqlqa.training.precision import cpu_flags, precision_mode, resolve


def test_auto_takes_bfloat16_only_on_a_cpu_that_has_it() -> None:
    assert resolve("auto", native=True) == "bfloat16"
    assert resolve("auto", native=False) == "float32"
    assert resolve(" BFloat16 ", native=False) == "bfloat16"  # asked for: taken as asked
    assert resolve("float32", native=True) == "float32"


def test_an_unknown_precision_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="auto, float32, bfloat16"):
        precision_mode("fp8")
    with pytest.raises(ValueError, match="unknown precision 'half'"):
        GraphSettings(ranker_precision="half")


def test_cpu_flags_read_linux_cpuinfo(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx512f avx512_bf16\nbugs\t: x\n")
    assert {"avx512_bf16", "sse2"} <= cpu_flags(info)
    assert cpu_flags(tmp_path / "absent") == frozenset()
