"""Service latency and throughput under load, on loopback.

Run: ``.venv/bin/python bench/service_bench.py [--graph var/graphs/corporate] [--requests 200]``

Starts ``sparqlqa serve`` in its own process, then a load generator (asyncio + httpx, in this
process) sends questions to ``POST /ask`` (the whole pipeline, model included) and queries to
``GET /sparql`` (query execution only) at concurrency 1, 8 and 32. Prints p50/p95 latency,
questions per second and the server's resident memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from kg.virtuoso import free_port

QUESTIONS = [
    "Which department does Ulrik Denzel work in?",
    "Who is the manager of Liese Adam?",
    "How many employees are there?",
    "What is the email address of Bert Blumstein?",
    "Which products are supplied by suppliers from Germany?",
    "What is the heaviest hardware product?",
    "List all product categories.",
    "Is Ulrik Denzel a manager?",
]
QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://ld.company.org/prod-vocab/Employee> }",
    'SELECT ?e WHERE { ?e <http://ld.company.org/prod-vocab/name> "Ulrik Denzel" }',
    "SELECT ?p ?w WHERE { ?p <http://ld.company.org/prod-vocab/weight_g> ?w } "
    "ORDER BY DESC(?w) LIMIT 5",
    "SELECT ?c (COUNT(?p) AS ?n) WHERE { ?p <http://ld.company.org/prod-vocab/hasCategory> ?c }"
    " GROUP BY ?c",
]


async def load(url: str, kind: str, concurrency: int, total: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            started = time.perf_counter()
            if kind == "ask":
                response = await client.post(
                    f"{url}/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]}
                )
            else:
                response = await client.get(
                    f"{url}/sparql", params={"query": QUERIES[i % len(QUERIES)]}
                )
            latencies.append((time.perf_counter() - started) * 1000)
            errors += response.status_code != 200

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "per_s": round(total / elapsed, 1),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, default=Path("var/graphs/corporate"))
    parser.add_argument("--requests", type=int, default=200, help="requests per measurement")
    parser.add_argument("--out", type=Path, default=Path("var/bench/service.json"))
    args = parser.parse_args()
    port = free_port()
    env = {**os.environ, "SPARQLQA_RATE_LIMIT_PER_MINUTE": "0"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sparqlqa.cli",
            "serve",
            "--graph",
            str(args.graph),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the service did not start")
            time.sleep(0.5)
        ready = httpx.get(f"{url}/ready").json()
        kinds = ["sparql"] + (["ask"] if ready["ready"] else [])
        report: dict[str, object] = {}
        for kind in kinds:
            for concurrency in (1, 8, 32):
                total = (
                    args.requests if kind == "sparql" else max(concurrency * 2, args.requests // 4)
                )
                report[f"{kind} c={concurrency}"] = asyncio.run(load(url, kind, concurrency, total))
        report["server_rss_mb"] = round(psutil.Process(server.pid).memory_info().rss / 2**20)
    finally:
        server.terminate()
        server.wait(timeout=30)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print("| measure | p50 (ms) | p95 (ms) | per second | errors |")
    print("| --- | --- | --- | --- | --- |")
    for name, row in report.items():
        if isinstance(row, dict):
            print(
                f"| {name} | {row['p50_ms']} | {row['p95_ms']} | {row['per_s']} | {row['errors']} |"
            )
    print(f"server memory (RSS): {report['server_rss_mb']} MiB")


if __name__ == "__main__":
    main()
