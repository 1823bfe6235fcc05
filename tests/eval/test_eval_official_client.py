"""Opt-in: the official TEXT2SPARQL client (in its own venv, var/t2s-venv) scores the same
predictions as sparqlqa's emulation of it. Skipped when that environment is absent."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "var" / "t2s-venv"


def _bench() -> object:
    spec = importlib.util.spec_from_file_location(
        "official_client_check", ROOT / "bench" / "official_client_check.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (VENV / "bin" / "python").is_file()
    or not any(VENV.glob("lib/python*/site-packages/text2sparql_client")),
    reason=f"the official TEXT2SPARQL client is not installed in {VENV} (see docs/eval.md)",
)
def test_official_client_agrees_with_sparqlqa(tmp_path: Path) -> None:
    bench = _bench()
    result = bench.compare(VENV, tmp_path)  # type: ignore[attr-defined]
    assert result.agree, result.rows
    by_id = {row["id"]: row for row in result.rows}
    # The documented differences: an ASK with a false gold scores 0 officially even when
    # right, one with a true gold scores 1 even when wrong; an empty gold is left out.
    assert (by_id["5-en"]["official_set_F"], by_id["5-en"]["sparqlqa_f1"]) == (0.0, 1.0)
    assert (by_id["4-en"]["official_set_F"], by_id["4-en"]["sparqlqa_f1"]) == (1.0, 0.0)
    assert by_id["6-en"]["official_set_F"] is None
    assert result.official_average == pytest.approx(3 / 7)
