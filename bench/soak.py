"""Soak test: mixed traffic at a fixed concurrency for a fixed time, on loopback.

Run: ``.venv/bin/python bench/soak.py [--minutes 20] [--concurrency 16] [--graph DIR]``

One ``sparqlqa serve`` in a subprocess (the default limits, but no rate limit,
``SPARQLQA_RATE_LIMIT_PER_MINUTE=0``, and one torch thread) over a graph folder with a model:
``--graph``, else the tiny model that ``bench/service_bench.py --tiny`` trains (seeded, about
20 s). ``--concurrency`` closed-loop clients, each from a loopback address of its own
(127.0.0.2, ...), send at random: ``POST /ask``, ``GET /sparql`` (valid queries),
``GET /text2sparql`` (both corporate dataset ids), and bad inputs (queries drawn from
``bench/fuzz_sparql.py``'s generator, deep nesting, ``xsd:int``, malformed /ask bodies).

Printed (and written to ``--out``) as JSON: requests and statuses by kind, p50/p95 latency by
kind, 5xx responses with their error kinds, and the server's resident memory (its own, and
with its worker processes) sampled every 30 s: start, middle, end and the largest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import psutil

import fuzz_sparql  # bench/, beside this script
import service_bench

ROOT = Path(__file__).resolve().parents[1]

#: The service bench's questions and queries, and a few more kinds (German, ASK, CONSTRUCT).
QUESTIONS = [*service_bench.QUESTIONS, "Welche Abteilung leitet Heinrich Hoch?"]
QUERIES = [
    *service_bench.QUERIES,
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 20",
]
DATASETS = [
    "https://text2sparql.aksw.org/2025/corporate/",
    "https://text2sparql.aksw.org/2026/corporate/",
]
FIXED_BAD = [
    "SELECT * WHERE " + "{" * 2400 + "?s ?p ?o" + "}" * 2400,
    'SELECT ?x WHERE { BIND(xsd:int("3") AS ?x) }',
    "INSERT DATA { <a> <b> <c> }",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p (" + " 1" * 300 + ") }",
    "not sparql at all",
]


def fuzz_inputs(count: int, seed: int) -> list[str]:
    """``count`` inputs drawn from the fuzzer's generator (seeded)."""
    from hypothesis import given, settings
    from hypothesis import seed as hypothesis_seed

    drawn: list[str] = []

    @hypothesis_seed(seed)
    @settings(fuzz_sparql.ROUND, max_examples=count)
    @given(fuzz_sparql.queries())
    def draw(sparql: str) -> None:
        drawn.append(sparql)

    draw()
    return drawn


def rss_mb(pid: int) -> dict[str, int]:
    """Resident memory of the server process, and with all its descendants (workers)."""
    process = psutil.Process(pid)
    own = process.memory_info().rss
    total = own
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return {"server_mb": round(own / 2**20), "with_workers_mb": round(total / 2**20)}


class Tally:
    """Statuses, latencies and 5xx bodies by kind of request."""

    def __init__(self) -> None:
        self.statuses: dict[str, Counter[str]] = defaultdict(Counter)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.server_errors: Counter[str] = Counter()
        self.errors: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, kind: str, status: str, seconds: float, response: httpx.Response | None) -> None:
        self.statuses[kind][status] += 1
        self.latencies[kind].append(seconds * 1000)
        if response is not None and response.status_code >= 400:
            try:
                body = response.json()
                error = body.get("error", "?") if isinstance(body, dict) else "not an object"
            except ValueError:
                error = "not JSON"
            self.errors[kind][f"{response.status_code} {error}"] += 1
            if response.status_code >= 500:
                self.server_errors[f"{kind} {response.status_code} {error}"] += 1

    def report(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        every: list[float] = []
        for kind, latencies in sorted(self.latencies.items()):
            latencies.sort()
            every.extend(latencies)
            out[kind] = {
                "requests": len(latencies),
                "statuses": dict(sorted(self.statuses[kind].items())),
                "errors": dict(sorted(self.errors[kind].items())),
                "p50_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(latencies[round(0.95 * (len(latencies) - 1))], 1),
            }
        every.sort()
        out["all"] = {
            "requests": len(every),
            "p95_ms": round(every[round(0.95 * (len(every) - 1))], 1) if every else None,
            "5xx": dict(self.server_errors),
        }
        return out


async def client_loop(
    client: httpx.AsyncClient,
    url: str,
    stop: float,
    tally: Tally,
    bad: list[str],
    rng: random.Random,
) -> None:
    kinds = ["ask", "sparql", "text2sparql", "bad"]
    while time.monotonic() < stop:
        kind = rng.choice(kinds)
        started = time.perf_counter()
        response: httpx.Response | None = None
        try:
            if kind == "ask":
                response = await client.post(f"{url}/ask", json={"question": rng.choice(QUESTIONS)})
            elif kind == "sparql":
                response = await client.get(f"{url}/sparql", params={"query": rng.choice(QUERIES)})
            elif kind == "text2sparql":
                response = await client.get(
                    f"{url}/text2sparql",
                    params={"question": rng.choice(QUESTIONS), "dataset": rng.choice(DATASETS)},
                )
            elif rng.random() < 0.1:
                response = await client.post(f"{url}/ask", content=b"{not json")
            else:
                response = await client.post(f"{url}/sparql", data={"query": rng.choice(bad)})
            status = str(response.status_code)
        except httpx.HTTPError as exc:
            status = f"no response ({type(exc).__name__})"
        tally.add(kind, status, time.perf_counter() - started, response)


async def soak(
    url: str, pid: int, minutes: float, concurrency: int, bad: list[str]
) -> dict[str, Any]:
    tally = Tally()
    memory: list[dict[str, Any]] = []
    started = time.monotonic()
    stop = started + minutes * 60

    async def sample() -> None:
        while True:
            memory.append({"t_s": round(time.monotonic() - started), **rss_mb(pid)})
            if time.monotonic() >= stop:
                return
            await asyncio.sleep(min(30.0, max(0.0, stop - time.monotonic())))

    # Each client sends from an address of its own (127.0.0.2, 127.0.0.3, ...: loopback too),
    # so that the per-client limits apply as they would to separate clients.
    clients = [
        httpx.AsyncClient(
            timeout=120, transport=httpx.AsyncHTTPTransport(local_address=f"127.0.0.{2 + i}")
        )
        for i in range(concurrency)
    ]
    try:
        await asyncio.gather(
            sample(),
            *(
                client_loop(client, url, stop, tally, bad, random.Random(i))
                for i, client in enumerate(clients)
            ),
        )
    finally:
        for client in clients:
            await client.aclose()
    memory.append({"t_s": round(time.monotonic() - started), **rss_mb(pid)})
    report = tally.report()
    report["memory"] = {
        "start": memory[0],
        "middle": memory[len(memory) // 2],
        "end": memory[-1],
        "max_with_workers_mb": max(m["with_workers_mb"] for m in memory),
        "samples": memory,
    }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--graph", type=Path, help="a graph folder with a model")
    parser.add_argument("--fuzz-inputs", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "soak.json")
    args = parser.parse_args()
    store = service_bench.corporate_store()
    graph = args.graph or service_bench.build_tiny(ROOT / "var" / "bench" / "soak-graph", store)
    bad = FIXED_BAD + fuzz_inputs(args.fuzz_inputs, seed=14)
    port = service_bench.free_port()
    with tempfile.TemporaryFile() as log:
        # The default limits, but one torch thread (much faster on a busy machine: see
        # docs/service.md) and no rate limit.
        server = service_bench.serve(graph, port, {"SPARQLQA_TORCH_THREADS": "1"}, output=log)
        url = f"http://127.0.0.1:{port}"
        try:
            fuzz_sparql.wait_up(url, 300)
            report: dict[str, Any] = {
                "minutes": args.minutes,
                "concurrency": args.concurrency,
                "graph": str(graph),
                "bad_inputs": len(bad),
                "machine": f"{os.cpu_count()} cores",
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            report.update(asyncio.run(soak(url, server.pid, args.minutes, args.concurrency, bad)))
            report["server_alive"] = server.poll() is None
            report["health_after"] = httpx.get(f"{url}/health", timeout=10).status_code
        finally:
            server.terminate()
            server.wait(timeout=60)
        log.seek(0)
        tracebacks = log.read().decode("utf-8", "replace").count("Traceback")
    report["server_log_tracebacks"] = tracebacks
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    summary = {k: v for k, v in report.items() if k != "memory"}
    summary["memory"] = {k: v for k, v in report["memory"].items() if k != "samples"}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
