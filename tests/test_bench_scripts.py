"""Every benchmark script imports: a module moved inside ``sparqlqa`` breaks the scripts that
name it only when someone runs them (``bench/language_bench.py`` named
``sparqlqa.eval.datasets`` long after it became ``sparqlqa.benchmarks.datasets``), and mypy,
which ignores imports it cannot find, does not say so."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(BENCH.glob("*.py"))


def test_there_are_benchmark_scripts() -> None:
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_a_benchmark_script_imports(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Scripts import their siblings by name (fuzz_sparql uses service_bench).
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)  # runs the imports, not main (guarded by __name__)
    if '__name__ == "__main__"' in script.read_text():
        assert callable(getattr(module, "main", None)), f"{script.name} has no main()"
