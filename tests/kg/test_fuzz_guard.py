"""A small, derandomized run of bench/fuzz_sparql.py's generator against the guard (seconds):
whatever the input, the guard answers with one of sparqlqa's errors or a checked query, and
no parser worker dies (the bounds stop the inputs that would crash it first)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from sparqlqa.errors import QueryFailed, SparqlqaError
from sparqlqa.kg.guard import Guard, Limits
from sparqlqa.kg.prefixes import COMMON_PREFIXES

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fuzz_sparql.py"


def _fuzz_module() -> Any:
    spec = importlib.util.spec_from_file_location("fuzz_sparql", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_sparql"] = module
    spec.loader.exec_module(module)
    return module


FUZZ = _fuzz_module()
GUARD = Guard(Limits(plan_timeout_s=0.3), prefixes=dict(COMMON_PREFIXES))


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(FUZZ.queries())
def test_the_guard_answers_every_generated_input(sparql: str) -> None:
    try:
        checked = GUARD.check(sparql)
    except QueryFailed as exc:  # a parser worker died: the bounds let a crasher through
        pytest.fail(f"{exc}: {sparql[:200]!r}")
    except SparqlqaError as exc:
        assert str(exc)  # refused, with a reason
    else:
        assert checked.form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
