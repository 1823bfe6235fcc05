"""Benchmark: the first run's generate stage (``sparqlqa serve --prepare``) on its own.

    PYTHONPATH=src .venv/bin/python bench/first_run_generate_bench.py var/graphs/corporate \
        [--max-pairs 8000] [--out DIR] [--profile FILE.prof]

Runs what ``sparqlqa adapt``'s generate stage runs for the bundled corporate preset: the
corporate template set, schema-derived templates from the folder's ``schema.json``, half of
``--max-pairs`` composed from the schema in English, German and Spanish (the default
languages), the pairs per template set as ``adapt.stages.GenerateStage`` sets them, against
the folder's embedded store (opened read-only, not changed). Prints one JSON line: pairs,
wall seconds, pairs/s, CPU seconds of this process and of its query workers (the same work
whatever else runs on a shared machine), and the sha256 of ``pairs.jsonl``, which is the same
for the same seed and code (compare it before and after a speed change).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from sparqlqa.bundled import CORPORATE_TEMPLATE_SET
from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.templates import generate


def bench(folder: Path, out: Path, max_pairs: int, profile: Path | None) -> dict[str, object]:
    """One generation into ``out`` (replaced); its figures."""
    store = EmbeddedStore(folder / "store", workers=1, cpu_timeouts=True)  # as adapt's Context
    args = generate.GenerateArgs(
        output=out,
        seed=0,
        store=folder / "store",
        sets=[CORPORATE_TEMPLATE_SET],
        schema_derived=True,
        schema_file=folder / "schema.json",
        graph="corporate",
        progress=False,
        overwrite=True,
    )
    composed = round(max_pairs * 0.5)  # AdaptArgs.composed_share
    prefixes = {**COMMON_PREFIXES, **store.prefixes}
    templates, _ = generate.collect_templates(
        args, store, prefixes, generate.label_predicates(args, store)
    )
    # GenerateStage._per_template: the other half spread over the non-composed templates.
    args.per_template = max(2, min(200, (max_pairs - composed) // max(len(templates), 1)))
    args.compose = composed
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    summary = generate.run(args, store=store)
    if profiler:
        profiler.disable()
        profiler.dump_stats(str(profile))
    wall = time.perf_counter() - started
    store.close()  # joins the query workers, so their CPU time is counted below
    times = os.times()
    digest = hashlib.sha256((out / "pairs.jsonl").read_bytes()).hexdigest()
    return {
        "pairs": summary.pairs,
        "per_template": args.per_template,
        "composed": composed,
        "wall_s": round(wall, 1),
        "pairs_per_s": round(summary.pairs / wall, 1),
        "cpu_s": round(times.user + times.system, 1),
        "worker_cpu_s": round(times.children_user + times.children_system, 1),
        "pairs_sha256": digest,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("folder", type=Path, help="an adapted graph folder (store/, schema.json)")
    parser.add_argument("--max-pairs", type=int, default=8000, help="the corporate preset's")
    parser.add_argument("--out", type=Path, default=None, help="pairs folder (default: temp)")
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "pairs"
        print(json.dumps(bench(args.folder, out, args.max_pairs, args.profile)), flush=True)


if __name__ == "__main__":
    main()
