"""Coverage-guided fuzzing of the query guard (atheris, libFuzzer), bounded in time.

Run: ``.venv/bin/python bench/fuzz_guard_atheris.py -max_total_time=180 [corpus_dir]``
(any libFuzzer flag works; ``-timeout=5`` flags an input that takes over 5 s, such as a regex
that backtracks catastrophically).

The guard's own Python code is instrumented (``kg/guard.py``: the bounds scan, the blanking
of strings, IRIs and comments, the keyword, prefix and LIMIT logic); each input is also
checked in full, through the real parser worker processes. A finding is any exception that
is not one of sparqlqa's errors, a parser worker that died (the bounds should stop such an
input first), or an input slower than the timeout. libFuzzer stops at the first finding and
writes it to ``crash-*`` / ``timeout-*``; the seeds are the shapes that broke pyoxigraph.

libFuzzer prints the inputs tried and the time at the end (``Done N runs in S second(s)``)
and exits non-zero on a finding.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["sparqlqa.kg.guard"]):
    from sparqlqa.errors import QueryFailed, SparqlqaError
    from sparqlqa.kg.guard import Guard, Limits, blank_out, check_bounds, query_form, scan
    from sparqlqa.kg.prefixes import COMMON_PREFIXES

GUARD = Guard(Limits(plan_timeout_s=0.5), prefixes=dict(COMMON_PREFIXES))


def test_one(data: bytes) -> None:
    """One input: the pure checks, then the full check; raises only on a finding."""
    provider = atheris.FuzzedDataProvider(data)
    text = provider.ConsumeUnicodeNoSurrogates(len(data))
    scan(text)
    blank_out(text)
    query_form(text)
    try:
        check_bounds(text, GUARD.limits)
        GUARD.check(text)
    except QueryFailed as exc:
        raise RuntimeError(f"a parser worker died on this input: {exc}") from exc
    except SparqlqaError:
        pass  # a refusal, with its reason: what the guard is for


def main() -> None:
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
