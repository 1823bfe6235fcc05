"""Load time and query latency: embedded store vs rdflib's in-memory engine vs Virtuoso.

Run: ``.venv/bin/python bench/kg_bench.py [--people 145000] [--out var/bench/kg.json]``

Two graphs: the bundled corporate graph (26,903 triples) and a generated graph of about
1M triples (people, companies, cities). Three queries each: a label lookup, a 2-hop join and a
COUNT with GROUP BY. Times are medians over repeated runs after one warm-up; the ratios are
to the embedded store, measured in the same run. Virtuoso is skipped when not installed.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import rdflib

from sparqlqa.bundled import CORPORATE_FILES
from sparqlqa.kg import virtuoso
from sparqlqa.kg.embedded import EmbeddedStore, build_store
from sparqlqa.kg.remote import RemoteEndpoint

EX = "http://bench.sparqlqa.test/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PV = "http://ld.company.org/prod-vocab/"

QUERIES = {
    "corporate": {
        "label lookup": f'SELECT ?s WHERE {{ ?s <{PV}name> "Ulrik Denzel" }}',
        "2-hop join": (
            f"SELECT ?p ?n WHERE {{ ?p <{PV}hasSupplier> ?s . ?s <{PV}country> ?c . "
            f"?p <{PV}name> ?n }}"
        ),
        "COUNT GROUP BY": (
            f"SELECT ?c (COUNT(?p) AS ?n) WHERE {{ ?p <{PV}hasCategory> ?c }} GROUP BY ?c"
        ),
    },
    "generated": {
        "label lookup": f'SELECT ?s WHERE {{ ?s <{LABEL}> "Person 4242" }}',
        "2-hop join": (
            f"SELECT ?p ?city WHERE {{ ?p <{EX}worksFor> <{EX}company/17> . "
            f"?p <{EX}livesIn> ?c . ?c <{LABEL}> ?city }}"
        ),
        "COUNT GROUP BY": (
            f"SELECT ?c (COUNT(?p) AS ?n) WHERE {{ ?p <{EX}livesIn> ?c }} GROUP BY ?c"
        ),
    },
}


def generate(path: Path, people: int, seed: int = 0) -> int:
    """Write an N-Triples graph of ``people`` people (about 7 triples each); return its size."""
    rng = random.Random(seed)
    companies, cities = max(10, people // 30), max(10, people // 150)
    count = 0
    with path.open("w") as out:

        def triple(s: str, p: str, o: str) -> None:
            nonlocal count
            out.write(f"<{s}> <{p}> {o} .\n")
            count += 1

        for c in range(cities):
            triple(f"{EX}city/{c}", TYPE, f"<{EX}City>")
            triple(f"{EX}city/{c}", LABEL, f'"City {c}"')
        for c in range(companies):
            triple(f"{EX}company/{c}", TYPE, f"<{EX}Company>")
            triple(f"{EX}company/{c}", LABEL, f'"Company {c}"')
            triple(f"{EX}company/{c}", f"{EX}locatedIn", f"<{EX}city/{rng.randrange(cities)}>")
        for p in range(people):
            s = f"{EX}person/{p}"
            triple(s, TYPE, f"<{EX}Person>")
            triple(s, LABEL, f'"Person {p}"')
            triple(s, f"{EX}worksFor", f"<{EX}company/{rng.randrange(companies)}>")
            triple(s, f"{EX}livesIn", f"<{EX}city/{rng.randrange(cities)}>")
            age = f'"{rng.randrange(18, 90)}"^^<http://www.w3.org/2001/XMLSchema#integer>'
            triple(s, f"{EX}age", age)
            for _ in range(2):
                triple(s, f"{EX}knows", f"<{EX}person/{rng.randrange(people)}>")
    return count


def median_ms(run: Callable[[], object], repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_graph(name: str, files: list[Path], work: Path, repeats: int) -> dict[str, object]:
    report: dict[str, object] = {"graph": name}
    started = time.perf_counter()
    meta = build_store(work / f"{name}-store", files, progress=False, force=True)
    report["triples"] = meta["triples"]
    load = {"embedded": time.perf_counter() - started}
    store = EmbeddedStore(work / f"{name}-store")

    started = time.perf_counter()
    graph = rdflib.Graph()
    for f in files:
        graph.parse(f)
    load["rdflib"] = time.perf_counter() - started

    runners: dict[str, Callable[[str], object]] = {
        "embedded": lambda q: store.select(q),
        "rdflib": lambda q: list(graph.query(q)),
    }
    server = None
    if virtuoso.available():
        server = virtuoso.VirtuosoServer(work / f"{name}-virtuoso")
        server.start(load_dirs=sorted({f.parent for f in files}))
        started = time.perf_counter()
        server.load(files, f"{EX}{name}")
        load["virtuoso"] = time.perf_counter() - started
        endpoint = RemoteEndpoint(server.sparql_url, default_graph=f"{EX}{name}", timeout_s=300)
        runners["virtuoso"] = lambda q: endpoint.select(q)
    try:
        latencies: dict[str, dict[str, float]] = {}
        for label, sparql in QUERIES[name].items():
            sizes = {engine: len(list(run(sparql))) for engine, run in runners.items()}  # type: ignore[call-overload]
            assert len(set(sizes.values())) == 1, f"engines disagree on {label}: {sizes}"
            latencies[label] = {
                engine: median_ms(
                    functools.partial(run, sparql), 3 if engine == "rdflib" else repeats
                )
                for engine, run in runners.items()
            }
    finally:
        if server:
            server.stop()
        store.close()
    report["load_s"] = load
    report["latency_ms"] = latencies
    return report


def markdown(reports: list[dict[str, object]]) -> str:
    lines = [
        "| graph | measure | embedded | rdflib (× embedded) | Virtuoso HTTP (× embedded) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in reports:
        load: dict[str, float] = r["load_s"]  # type: ignore[assignment]
        rows = [("load (s)", load), *r["latency_ms"].items()]  # type: ignore[attr-defined]
        for measure, values in rows:
            base = values["embedded"]
            cells = [f"{base:.3g}"]
            for engine in ("rdflib", "virtuoso"):
                v = values.get(engine)
                cells.append(f"{v:.3g} ({v / base:.1f}×)" if v is not None else "—")
            name = f"{r['graph']} ({r['triples']:,} triples)"
            unit = "" if measure.startswith("load") else " (ms)"
            lines.append(f"| {name} | {measure}{unit} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=145_000, help="people in the generated graph")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per query")
    parser.add_argument("--out", type=Path, default=Path("var/bench/kg.json"))
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        generated = work / "generated.nt"
        print(f"generated graph: {generate(generated, args.people):,} triples")
        reports = [
            bench_graph("corporate", list(CORPORATE_FILES), work, args.repeats),
            bench_graph("generated", [generated], work, args.repeats),
        ]
    args.out.write_text(json.dumps(reports, indent=2))
    print(markdown(reports))


if __name__ == "__main__":
    main()
