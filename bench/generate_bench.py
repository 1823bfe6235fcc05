"""Benchmark: pairs per second (with gold answers) generated from the corporate graph.

    .venv/bin/python bench/generate_bench.py [--per-template 200] [--store PATH] [--repeat 3]
                                             [--processes 2] [--virtuoso]

Builds the corporate store in a temporary folder unless --store is given, then runs the same
generation as ``sparqlqa generate OUT --set corporate --schema-derived`` (embedded store,
queries in-process) and prints one JSON line per run and a summary: pairs, wall seconds,
pairs/s end to end (schema reading, label loading, writing included), pairs per CPU second
(the same work, independent of other load on a shared machine: one process is one thread) and
pairs/s of instantiation alone (the generator, label and filled queries of every template).
With ``--processes N`` the run is split into N shards (``--shard i/N``) run side by side, as
on N cores. With ``--virtuoso`` the same templates run against a private Virtuoso (Debian's
``virtuoso-opensource``) loaded with the corporate graph, over HTTP on loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sparqlqa.bundled import CORPORATE_FILES
from sparqlqa.kg import virtuoso
from sparqlqa.kg.embedded import build_store
from sparqlqa.templates.generate import GenerateArgs, run

GRAPH = "https://text2sparql.aksw.org/2025/corporate/"


def one_shard(
    out: Path, store: Path | str, per_template: int, seed: int, shard: str
) -> dict[str, Any]:
    """Run one shard on a store folder or an endpoint URL; return its pair count, CPU seconds
    and instantiation seconds."""
    cpu_started = time.process_time()
    endpoint = store if isinstance(store, str) else None
    summary = run(
        GenerateArgs(
            output=out,
            seed=seed,
            store=None if endpoint else Path(store),
            endpoint=endpoint,
            default_graph=GRAPH if endpoint else None,
            sets=["corporate"],
            schema_derived=True,
            per_template=per_template,
            shard=shard,
            progress=False,
        )
    )
    lines = (out / "progress.jsonl").read_text().splitlines()
    progress = [json.loads(line) for line in lines]
    return {
        "pairs": summary.pairs,
        "templates": len(progress),
        "cpu_s": time.process_time() - cpu_started,
        "instantiate_s": sum(r["stats"].get("ms", 0) for r in progress) / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--per-template", type=int, default=200, help="target pairs per template")
    parser.add_argument("--store", type=Path, default=None, help="corporate store folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is reported")
    parser.add_argument("--processes", type=int, default=1, help="shards run side by side")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--virtuoso", action="store_true", help="against a loopback Virtuoso over HTTP"
    )
    args = parser.parse_args()
    n = args.processes
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        store: Path | str
        if args.virtuoso:
            if not virtuoso.available():
                raise SystemExit("--virtuoso needs the Debian package virtuoso-opensource")
            files = list(CORPORATE_FILES)
            server = virtuoso.VirtuosoServer(Path(tmp) / "virtuoso")
            server.start(load_dirs=sorted({f.parent for f in files}))
            server.load(files, GRAPH)
            store = server.sparql_url
        elif args.store is None:
            store = Path(tmp) / "store"
            build_store(store, CORPORATE_FILES, progress=False)
        else:
            store = args.store
        try:
            results = run_all(args, store, Path(tmp), n)
        finally:
            if server:
                server.stop()
        print(
            json.dumps(
                {
                    "engine": "virtuoso" if args.virtuoso else "embedded",
                    "median_pairs_per_s": statistics.median(r["pairs_per_s"] for r in results),
                    "median_pairs_per_cpu_s": statistics.median(
                        r["pairs_per_cpu_s"] for r in results
                    ),
                    "median_instantiate_pairs_per_s": statistics.median(
                        r["instantiate_pairs_per_s"] for r in results
                    ),
                    "cpus": os.cpu_count(),
                    "load_average_1min": round(os.getloadavg()[0], 2),
                }
            )
        )


def run_all(args: argparse.Namespace, store: Path | str, tmp: Path, n: int) -> list[dict[str, Any]]:
    """``args.repeat`` runs of ``n`` shards side by side; one JSON line each."""
    results = []
    for i in range(args.repeat):
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=n) as pool:
            futures = [
                pool.submit(
                    one_shard,
                    Path(tmp) / f"run{i}-shard{k}",
                    store,
                    args.per_template,
                    args.seed,
                    f"{k}/{n}",
                )
                for k in range(1, n + 1)
            ]
            shards = [f.result() for f in futures]
        wall = time.perf_counter() - started
        pairs = sum(s["pairs"] for s in shards)
        cpu = sum(s["cpu_s"] for s in shards)
        instantiate = sum(s["instantiate_s"] for s in shards)
        result = {
            "processes": n,
            "pairs": pairs,
            "templates": sum(s["templates"] for s in shards),
            "wall_s": round(wall, 2),
            "pairs_per_s": round(pairs / wall),
            "cpu_s": round(cpu, 2),
            "pairs_per_cpu_s": round(pairs / cpu),
            "instantiate_s": round(instantiate, 2),
            "instantiate_pairs_per_s": round(pairs / instantiate),
        }
        results.append(result)
        print(json.dumps(result), flush=True)
    return results


if __name__ == "__main__":
    main()
