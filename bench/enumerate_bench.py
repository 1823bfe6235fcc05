"""Oracle coverage and time of the enumerating proposer (qa.enumerate) on a realistic set.

    PYTHONPATH=src .venv/bin/python bench/enumerate_bench.py \\
        --graph var/graphs/corporate [--questions src/sparqlqa/eval/data/corporate-realistic.yml]
        [--split dev] [--language en] [--out var/bench/enumerate.json]

For each question of the split, the graph folder's pipeline as served (``open_graph``:
its retriever and linker for the question's language, cross-lingual for German and Spanish,
``schema_k`` from the model, the prompt's linked values) finds the schema terms, entities and
values; the proposer enumerates its queries; each runs through the pipeline's guard. A
question is *covered* when some proposal returns the gold answer (the recorded TEXT2SPARQL
answer set, in order where the question asks for one); *first* when the first proposal that
returns a non-empty answer of the expected type (what the pipeline would accept with no beam)
is right. Reported per group and per feature tag, with the proposer's time (cold: discovery
queries; warm: cached).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from realistic_args import realistic_parser  # noqa: E402
from sparqlqa.eval.realistic import ORDER_TAG, QUESTIONS, load_answers, load_questions  # noqa: E402
from sparqlqa.kg.results import values  # noqa: E402
from sparqlqa.qa.answer_type import expected_answer_type, fits  # noqa: E402
from sparqlqa.qa.enumerate import EnumeratingProposer  # noqa: E402


def main() -> None:
    parser = realistic_parser(__doc__, QUESTIONS)
    parser.add_argument(
        "--pipeline",
        action="store_true",
        help="instead: answer through the graph's whole pipeline (k=5), proposer off and on",
    )
    args = parser.parse_args()
    if args.pipeline:
        pipeline_report(args)
        return

    # The graph as served: its retriever and linker for the question's language
    # (cross-lingual for German and Spanish), its prompt values, store and guard.
    from sparqlqa.qa.graphs import GraphSettings, open_graph

    graph = open_graph(args.graph.resolve(), GraphSettings(enumerate=True))
    if graph.pipeline is None:
        raise SystemExit(graph.problem or f"{args.graph}: the pipeline cannot load")
    pipeline = graph.pipeline
    store, guard = graph.store, pipeline.guard
    proposer = next(p for p in pipeline.proposers if isinstance(p, EnumeratingProposer))
    answers_path = args.questions.with_name(args.questions.stem + ".answers.json")
    gold = load_answers(answers_path)

    questions = [
        q
        for q in load_questions(args.questions)
        if q["split"] == args.split and q["question"].get(args.language)
    ]
    rows = []
    cold_ms: list[float] = []
    warm_ms: list[float] = []
    for q in questions:
        text = q["question"][args.language]
        _, entities, prompt_values, iris, _ = pipeline.prepare(text, args.language)
        started = time.perf_counter()
        proposals = proposer.propose(text, entities, prompt_values, iris, args.language)
        cold_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        proposer.propose(text, entities, prompt_values, iris, args.language)
        warm_ms.append((time.perf_counter() - started) * 1000)
        expected = expected_answer_type(text)
        ordered = ORDER_TAG in q.get("tags", ())
        want = gold[str(q["id"])]
        hit_at: int | None = None
        first: bool | None = None
        for i, p in enumerate(proposals):
            try:
                result = guard.run(store, p.query)
            except Exception:
                continue
            got = values(result)
            got = got if ordered else sorted(set(got))
            right = got == want
            if first is None and fits(result, expected) is None:
                first = right
            if right and hit_at is None:
                hit_at = i
        rows.append(
            {
                "id": q["id"],
                "group": q["group"],
                "tags": q["tags"],
                "question": text,
                "proposals": len(proposals),
                "covered": hit_at is not None,
                "rank": hit_at,
                "first": bool(first),
                "entities": [e.iri for e in entities],
            }
        )
    graph.close()
    print_report(rows, cold_ms, warm_ms)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=1, ensure_ascii=False))


def pipeline_report(args: argparse.Namespace) -> None:
    """Right answers and /ask time of the graph's pipeline with the proposer off and on."""
    from sparqlqa.qa.graphs import GraphSettings, open_graph

    gold = load_answers(args.questions.with_name(args.questions.stem + ".answers.json"))
    questions = [
        q
        for q in load_questions(args.questions)
        if q["split"] == args.split and q["question"].get(args.language)
    ]
    print("| proposer | right | answered | by a proposal | /ask p50 ms | p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for on in (False, True):
        graph = open_graph(args.graph.resolve(), GraphSettings(enumerate=on))
        pipeline = graph.pipeline
        assert pipeline is not None, graph.problem
        pipeline.answer("warm up", k=5, language=args.language)
        right = answered = proposed = 0
        ms: list[float] = []
        for q in questions:
            text = q["question"][args.language]
            started = time.perf_counter()
            answer = pipeline.answer(text, k=5, language=args.language)
            ms.append((time.perf_counter() - started) * 1000)
            chosen = next((c for c in answer.candidates if c.accepted), None)
            if chosen is None or answer.result is None:
                continue
            answered += answer.answered
            proposed += chosen.origin != "beam"
            got = values(answer.result)
            ordered = ORDER_TAG in q.get("tags", ())
            right += (got if ordered else sorted(set(got))) == gold[str(q["id"])]
        graph.close()
        p50, p95 = sorted(ms)[len(ms) // 2], sorted(ms)[int(0.95 * len(ms))]
        print(
            f"| {'on' if on else 'off'} | {right} | {answered} | {proposed} | {p50:.0f} | "
            f"{p95:.0f} |"
        )


def print_report(rows: list[dict], cold_ms: list[float], warm_ms: list[float]) -> None:
    def line(name: str, keep: list[dict]) -> str:
        n = len(keep)
        covered = sum(r["covered"] for r in keep)
        first = sum(r["first"] for r in keep)
        return f"| {name} | {n} | {covered} ({100 * covered / max(n, 1):.0f} %) | {first} |"

    print("| questions | n | covered | first fitting right |")
    print("| --- | ---: | ---: | ---: |")
    print(line("**all**", rows))
    groups: dict[str, list[dict]] = defaultdict(list)
    tags: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r["group"]].append(r)
        for t in r["tags"]:
            tags[t].append(r)
    for g, keep in groups.items():
        print(line(f"group {g}", keep))
    for t, keep in sorted(tags.items(), key=lambda kv: -len(kv[1])):
        print(line(f"tag {t}", keep))
    counts = [r["proposals"] for r in rows]
    ranks = [r["rank"] for r in rows if r["rank"] is not None]

    def pct(xs: list[float], p: float) -> float:
        return sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]

    print()
    print(f"proposals per question: mean {statistics.mean(counts):.1f}, max {max(counts)}")
    if ranks:
        print(f"rank of the first right proposal: median {statistics.median(ranks)}")
    print(
        f"propose ms cold (discovery): p50 {pct(cold_ms, 0.5):.1f} p95 {pct(cold_ms, 0.95):.1f}"
        f" max {max(cold_ms):.1f}; warm (cached): p50 {pct(warm_ms, 0.5):.1f}"
        f" p95 {pct(warm_ms, 0.95):.1f}"
    )


if __name__ == "__main__":
    main()
