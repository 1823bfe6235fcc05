"""How the pipeline's choice among its ranked candidates compares with other fusion rules.

    PYTHONPATH=src .venv/bin/python bench/fusion_bench.py --graph var/graphs/corporate \\
        [--questions src/sparqlqa/eval/data/corporate-realistic.yml] [--split dev]
        [--language en] [--out var/bench/pools-dev-en.json]
    PYTHONPATH=src .venv/bin/python bench/fusion_bench.py --pools var/bench/pools-dev-en.json

Each question of the split is answered as served (``QAPipeline.answer``, k = 5); the pool the
ranker scores (``qa.pipeline.ranked_pool``) is kept with every candidate's ranker score, own
score and official TEXT2SPARQL set F1 (after the value-node reach-through the chosen one
would get). The rules are then replayed on those pools: the ranker alone, the own scores
alone, reciprocal-rank fusion (k = 20, the rule until 2026-12-08), raw scores mixed with a
weight, and ``qa.rank.fused`` (standardised, the own scores weighing ``PRIOR_WEIGHT``) with
other weights. Printed: the set F1 summed over the questions for each rule, and the oracle
(the best candidate of each pool). ``--pools`` replays a dump written by ``--out``.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from realistic_args import realistic_parser, served_pipeline  # noqa: E402
from sparqlqa.benchmarks.metrics import is_boolean, official_set_prf  # noqa: E402
from sparqlqa.eval.realistic import QUESTIONS, load_questions  # noqa: E402
from sparqlqa.kg.results import values  # noqa: E402
from sparqlqa.qa.rank import fused  # noqa: E402

Rule = Callable[[Sequence[float], Sequence[float]], list[float]]


def places(scores: Sequence[float]) -> list[int]:
    """Each score's place, 0 for the highest; equal scores share the better place."""
    first: dict[float, int] = {}
    for place, value in enumerate(sorted(scores, reverse=True)):
        first.setdefault(value, place)
    return [first[v] for v in scores]


def reciprocal_rank(ranker: Sequence[float], own: Sequence[float]) -> list[float]:
    """Reciprocal-rank fusion with k = 20 (the rule until 2026-12-08)."""
    return [1 / (20 + a) + 1 / (20 + b) for a, b in zip(places(ranker), places(own), strict=True)]


def raw_mix(ranker: Sequence[float], own: Sequence[float], weight: float) -> list[float]:
    """The raw scores added, the own scores times ``weight``."""
    return [a + weight * b for a, b in zip(ranker, own, strict=True)]


def rules() -> dict[str, Rule]:
    """The rules compared, by name."""
    out: dict[str, Rule] = {
        "ranker alone": lambda r, o: list(r),
        "own scores alone": lambda r, o: list(o),
        "reciprocal rank (k = 20)": reciprocal_rank,
    }
    for weight in (4.0, 8.0):
        out[f"raw, ranker + {weight:g} own"] = functools.partial(raw_mix, weight=weight)
    for weight in (1.0, 2.0, 3.0):
        out[f"standardised, own weight {weight:g}"] = functools.partial(fused, weight=weight)
    return out


def chosen_f1(pool: Sequence[dict[str, Any]], rule: Rule) -> float:
    """The set F1 of the candidate ``rule`` puts first (the earlier on a tie)."""
    combined = rule([c["rank"] for c in pool], [c["own"] for c in pool])
    best = max(range(len(pool)), key=lambda i: (combined[i], -i))
    return float(pool[best]["f1"] or 0.0)


def collect(args: Any) -> list[dict[str, Any]]:
    """Each question's last ranked pool (the one its answer came from), as served."""
    from sparqlqa.qa import pipeline as pipeline_module

    graph, pipeline, gold = served_pipeline(args)
    rank = pipeline.rank
    rows: list[dict[str, Any]] = []
    for q in load_questions(args.questions):
        text = q["question"].get(args.language)
        if q["split"] != args.split or not text:
            continue
        want = gold[str(q["id"])]
        gold_ask = is_boolean(want) and "ASK" in q.get("tags", ())
        pools: list[list[dict[str, Any]]] = []

        def keep(
            question: str,
            fitting: Any,
            entities: Any,
            timings: Any = None,
            *,
            language: str = "en",
            want: list[str] = want,
            gold_ask: bool = gold_ask,
            pools: list[list[dict[str, Any]]] = pools,
        ) -> Any:
            chosen = rank(question, fitting, entities, timings, language=language)
            pool = pipeline_module.ranked_pool(fitting, pipeline.ranked_at_most)
            items = []
            for candidate, result in pool:
                reached = copy.copy(candidate)
                got = pipeline.reached_through(reached, result, question, language)
                answers = values(got)
                scored = official_set_prf(
                    want,
                    answers,
                    gold_ask=gold_ask,
                    predicted_ask="boolean" in got and is_boolean(answers),
                )
                items.append(
                    {
                        "query": reached.query,
                        "own": candidate.score,
                        "rank": candidate.rank_score,
                        "f1": None if scored is None else scored.f1,
                    }
                )
            pools.append(items)
            return chosen

        pipeline.rank = keep  # type: ignore[method-assign]
        pipeline.answer(text, 5, args.language)
        if pools:
            rows.append({"id": q["id"], "question": text, "pool": pools[-1]})
    graph.close()
    return rows


def main() -> None:
    parser = realistic_parser(__doc__, QUESTIONS)
    parser.add_argument("--pools", type=Path, default=None, help="replay a dump of --out")
    args = parser.parse_args()
    if args.pools is not None:
        rows = json.loads(args.pools.read_text())
    else:
        rows = collect(args)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    scored = [r for r in rows if any(c["f1"] is not None for c in r["pool"])]
    print(f"{len(rows)} questions ranked, {len(scored)} scored (set F1 summed)")
    for name, rule in rules().items():
        print(f"  {name:32} {sum(chosen_f1(r['pool'], rule) for r in scored):6.1f}")
    oracle = sum(max(c["f1"] or 0.0 for c in r["pool"]) for r in scored)
    print(f"  {'oracle (best of each pool)':32} {oracle:6.1f}")


if __name__ == "__main__":
    main()
