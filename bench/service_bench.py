"""Service latency and throughput under load, on loopback.

Run: ``.venv/bin/python bench/service_bench.py [--graph DIR | --model DIR] [--requests 200]
[--questions generated|fixed]``

Two servers, one after the other, each ``sparqlqa serve`` in its own process:

- with a model: ``POST /ask`` (the whole pipeline: link, retrieve, translate, guard, execute)
  and ``GET /sparql``;
- without one (the same store, ``model: null``): ``GET /sparql`` only (query execution).

A load generator in this process (asyncio + httpx, closed loop: each of ``c`` clients sends
its next request when the previous one is answered) runs at concurrency 1, 8 and 32. Printed:
p50/p95 latency, requests per second, errors, the share of questions answered, and the
server's resident memory (RSS) after the load, of the server process and with its query
worker processes.

The model graph is ``--graph`` (a graph folder), else one made from ``--model`` (a model
folder) and the corporate store, else ``var/graphs/corporate`` when it has a model, else a
tiny model trained here (``--tiny``, seeded, about 20 s): the templates of
``corp-department-of``, ``corp-email`` and ``corp-manager-of``, 200 steps of ``tiny-seq2seq``.

The questions asked are the graph folder's generated test questions in English
(``pairs/test.jsonl``, what the speed issue measures; ``--questions generated``, the default
where the folder has them), each once in the file's order and then again; ``--questions
fixed`` asks the eight questions of :data:`QUESTIONS` in turn (short lookups: faster than the
generated mix, figures before 2026-12-04 were measured so).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from sparqlqa import paths
from sparqlqa.bundled import CORPORATE_DATASET, CORPORATE_FILES
from sparqlqa.jsonl import read_jsonl
from sparqlqa.kg.embedded import build_store
from sparqlqa.kg.virtuoso import free_port
from sparqlqa.qa.examples import TEST_SPLIT
from sparqlqa.qa.graphs import GraphSpec

ROOT = Path(__file__).resolve().parents[1]

QUESTIONS = [
    "Which department does Wolfgang Martin work in?",
    "What is the email address of Bert Blumstein?",
    "Who is the manager of Liese Adam?",
    "Which department does Ulrik Denzel work in?",
    "What is the email of Yanka Schreiber?",
    "Who is the manager of Heinrich Hoch?",
    "How many employees are there?",
    "Which products are supplied by suppliers from Germany?",
]
QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://ld.company.org/prod-vocab/Employee> }",
    'SELECT ?e WHERE { ?e <http://ld.company.org/prod-vocab/name> "Ulrik Denzel" }',
    "SELECT ?p ?w WHERE { ?p <http://ld.company.org/prod-vocab/weight_g> ?w } "
    "ORDER BY DESC(?w) LIMIT 5",
    "SELECT ?c (COUNT(?p) AS ?n) WHERE { ?p <http://ld.company.org/prod-vocab/hasCategory> ?c }"
    " GROUP BY ?c",
]
TINY_TEMPLATES = ("corp-department-of", "corp-email", "corp-manager-of")
CONCURRENCY = (1, 8, 32)


def generated_questions(graph: Path, language: str = "en") -> list[str]:
    """The distinct generated test questions of ``graph`` in ``language``, in file order
    (empty when the folder has no ``pairs/test.jsonl``)."""
    path = graph / TEST_SPLIT
    if not path.is_file():
        return []
    seen: dict[str, None] = {}
    for _, record in read_jsonl(path):
        if record.get("language", "en") == language and record.get("question"):
            seen.setdefault(str(record["question"]), None)
    return list(seen)


async def load(
    url: str, kind: str, concurrency: int, total: int, questions: list[str]
) -> dict[str, float]:
    """``total`` requests from ``concurrency`` closed-loop clients; latency and throughput."""
    latencies: list[float] = []
    errors = answered = 0
    counter = iter(range(total))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors, answered
        for i in counter:
            started = time.perf_counter()
            if kind == "ask":
                response = await client.post(
                    f"{url}/ask", json={"question": questions[i % len(questions)]}
                )
            else:
                response = await client.get(
                    f"{url}/sparql", params={"query": QUERIES[i % len(QUERIES)]}
                )
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                errors += 1
            elif kind == "ask" and response.json()["answered"]:
                answered += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    row = {
        "requests": total,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[round(0.95 * (len(latencies) - 1))], 1),
        "per_s": round(total / elapsed, 1),
        "errors": errors,
    }
    if kind == "ask":
        row["answered"] = round(answered / total, 2)
    return row


def rss_mb(pid: int) -> tuple[int, int]:
    """RSS of the process, and of it with its children (the store's query workers)."""
    process = psutil.Process(pid)
    own = process.memory_info().rss
    children = sum(c.memory_info().rss for c in process.children(recursive=True))
    return round(own / 2**20), round((own + children) / 2**20)


def serve(
    graph: Path, port: int, env: dict[str, str] | None = None, output: Any = subprocess.DEVNULL
) -> subprocess.Popen[bytes]:
    """``sparqlqa serve`` of ``graph`` on loopback, without rate limit and with a per-client
    ``/sparql`` limit of the highest concurrency, plus ``env``; stdout and stderr go to
    ``output``."""
    # Every load client is one address (loopback): with the default per-client limit (2),
    # c = 8 and c = 32 measured mostly 429 refusals (figures before 2026-12-04).
    env = {
        **os.environ,
        "SPARQLQA_RATE_LIMIT_PER_MINUTE": "0",
        "SPARQLQA_SPARQL_PER_CLIENT": str(max(CONCURRENCY)),
        **(env or {}),
    }
    command = [sys.executable, "-m", "sparqlqa.cli", "serve", "--graph", str(graph)]
    return subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=output,
        stderr=output,
    )


def measure(
    graph: Path, kinds: list[str], requests: int, questions: list[str] = QUESTIONS
) -> dict[str, Any]:
    """Start a server on ``graph``, load it with each of ``kinds`` (``/ask`` asking
    ``questions``), stop it."""
    port = free_port()
    started = time.perf_counter()
    server = serve(graph, port)
    url = f"http://127.0.0.1:{port}"
    report: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the service on {graph} did not start")
            time.sleep(0.2)
        report["start_s"] = round(time.perf_counter() - started, 1)
        ready = httpx.get(f"{url}/ready", timeout=30).json()
        if "ask" in kinds and not ready["graphs"][0]["answers_questions"]:
            raise SystemExit(f"{graph} cannot answer questions: {ready['graphs'][0]['problem']}")
        report["rss_idle_mb"], report["rss_idle_with_workers_mb"] = rss_mb(server.pid)
        for kind in kinds:
            # warm-up: query workers, batching thread
            asyncio.run(load(url, kind, 4, 8, questions))
            for concurrency in CONCURRENCY:
                total = requests if kind == "sparql" else max(concurrency * 2, requests // 4)
                row = asyncio.run(load(url, kind, concurrency, total, questions))
                report[f"{kind} c={concurrency}"] = row
        report["rss_mb"], report["rss_with_workers_mb"] = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return report


def corporate_store() -> Path:
    store = paths.store_dir("corporate")
    if not (store / "store.json").is_file():
        build_store(store, CORPORATE_FILES, progress=False)
    return store.resolve()


def graph_from_model(folder: Path, model: Path, store: Path) -> Path:
    """A graph folder that points at ``model`` and ``store`` (nothing is copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    GraphSpec(
        name="corporate",
        datasets=[CORPORATE_DATASET],
        store=str(store),
        model=str(model.resolve()),
    ).write(folder)
    return folder


def build_tiny(folder: Path, store: Path) -> Path:
    """Train the tiny model (seeded) and make a graph folder of it; reused when present."""
    model = folder / "model"
    if (model / "config.json").is_file():
        return graph_from_model(folder, model, store)
    import yaml

    from sparqlqa.templates.generate import GenerateArgs, run
    from sparqlqa.templates.native import bundled_set
    from sparqlqa.training.config import TrainConfig
    from sparqlqa.training.train import train

    work = folder / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    templates = yaml.safe_load(bundled_set("corporate").read_text())
    templates["templates"] = [t for t in templates["templates"] if t["id"] in TINY_TEMPLATES]
    (work / "templates.yaml").write_text(yaml.safe_dump(templates, sort_keys=False))
    run(
        GenerateArgs(
            output=work / "pairs",
            seed=7,
            store=store,
            template_files=[work / "templates.yaml"],
            per_template=40,
            progress=False,
        )
    )
    result = train(
        TrainConfig(
            data=str(work / "pairs"),
            schema=[str(store)],
            output_dir=str(work / "run"),
            model="tiny-seq2seq",
            max_steps=200,
            batch_size=8,
            learning_rate=3e-3,
            warmup_ratio=0.0,
            schema_items=3,
            max_prompt_tokens=128,
            max_target_tokens=40,
            target_vocab_size=400,
            eval_steps=0,
            eval_examples=20,
            save_steps=0,
            num_threads=1,
            seed=3,
        )
    )
    shutil.copytree(result.model_dir, model)
    return graph_from_model(folder, model, store)


def model_graph(args: argparse.Namespace, store: Path) -> Path:
    if args.graph:
        return Path(args.graph)
    if args.model:
        return graph_from_model(args.out.parent / "service-graph-model", Path(args.model), store)
    default = paths.home() / "graphs" / "corporate"
    if not args.tiny and (default / "model" / "config.json").is_file():
        return default
    return build_tiny(args.out.parent / "service-graph-tiny", store)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--graph", type=Path, help="a graph folder with a model")
    parser.add_argument("--model", type=Path, help="a model folder, served on the corporate store")
    parser.add_argument("--tiny", action="store_true", help="train and use the tiny test model")
    parser.add_argument("--requests", type=int, default=200, help="/sparql requests per level")
    parser.add_argument("--out", type=Path, default=Path("var/bench/service.json"))
    parser.add_argument(
        "--questions",
        choices=("generated", "fixed"),
        default="generated",
        help="the graph's generated English test questions (default, where it has them), "
        "or the eight fixed ones",
    )
    args = parser.parse_args()
    args.out = args.out.resolve()
    store = corporate_store()
    with_model = model_graph(args, store)
    without_model = args.out.parent / "service-graph-store-only"
    without_model.mkdir(parents=True, exist_ok=True)
    GraphSpec(name="corporate", datasets=[CORPORATE_DATASET], store=str(store), model=None).write(
        without_model
    )
    questions = generated_questions(with_model) if args.questions == "generated" else []
    asked = "generated" if questions else "fixed"
    questions = questions or QUESTIONS
    spec = GraphSpec.read(with_model)
    meta_file = with_model / (spec.model or "model") / "sparqlqa.json"
    meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {psutil.cpu_count()} cores, "
        f"{round(psutil.virtual_memory().total / 2**30)} GiB",
        "model_graph": str(with_model),
        "model": meta.get("base_model"),
        "num_beams": meta.get("num_beams"),
        "questions": f"{asked} ({len(questions)} distinct)",
        "with_model": measure(with_model, ["ask", "sparql"], args.requests, questions),
        "without_model": measure(without_model, ["sparql"], args.requests),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"model graph: {with_model} ({report['model']}); questions: {report['questions']}")
    print("| server | load | requests | p50 (ms) | p95 (ms) | per second | errors | answered |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for server in ("with_model", "without_model"):
        for name, row in report[server].items():
            if isinstance(row, dict):
                print(
                    f"| {server.replace('_', ' ')} | {name} | {row['requests']} | {row['p50_ms']} "
                    f"| {row['p95_ms']} | {row['per_s']} | {row['errors']} "
                    f"| {row.get('answered', '')} |"
                )
    for server in ("with_model", "without_model"):
        r = report[server]
        print(
            f"{server.replace('_', ' ')}: started in {r['start_s']} s; RSS idle "
            f"{r['rss_idle_mb']} MiB ({r['rss_idle_with_workers_mb']} with query workers), "
            f"after load {r['rss_mb']} MiB ({r['rss_with_workers_mb']} with query workers)"
        )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
