"""How well the pipeline chooses among its own candidates on a realistic set.

    PYTHONPATH=src .venv/bin/python bench/choice_bench.py --graph var/graphs/corporate \\
        [--questions src/sparqlqa/eval/data/corporate-realistic.yml] [--split dev]
        [--language en] [--out var/bench/choice.json] [--misses]

For each question of the split, the graph folder's pipeline as served (``open_graph``, k = 5)
produces its candidates (the beam's and the proposals'), executes all that fit (as with a
ranker) and chooses one (``QAPipeline.choose``: the form check, then the ranker where the
graph has one). A question is *covered* when some fitting candidate returns the gold answer
(the recorded TEXT2SPARQL answers, in order where the question asks for one), *chosen right*
when the chosen one does. The gap between the two is what ranking can still win; the
uncovered questions are what candidate generation must. ``--misses`` prints, for each covered
question answered wrongly, the chosen and the best right candidate with their scores.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from realistic_args import realistic_parser, served_pipeline  # noqa: E402
from sparqlqa.benchmarks.metrics import set_prf  # noqa: E402
from sparqlqa.eval.realistic import ORDER_TAG, QUESTIONS, load_questions  # noqa: E402
from sparqlqa.kg.results import values  # noqa: E402


def main() -> None:
    parser = realistic_parser(__doc__, QUESTIONS)
    parser.add_argument("--misses", action="store_true", help="print the covered misses")
    args = parser.parse_args()

    graph, pipeline, gold = served_pipeline(args)
    language = args.language
    rows = []
    for q in load_questions(args.questions):
        text = q["question"].get(language)
        if q["split"] != args.split or not text:
            continue
        prompt, entities, prompt_values, iris, _ = pipeline.prepare(text, language)
        scored = pipeline.translator.translate([prompt], 5)[0]
        proposals = pipeline.propose(text, entities, prompt_values, iris, language)
        candidates, fitting = pipeline.execute_candidates(
            text, scored, entities, prompt_values, proposals
        )
        want = gold[str(q["id"])]
        ordered = ORDER_TAG in q.get("tags", ())

        def right(got: list[str], want: list[str] = want, ordered: bool = ordered) -> float:
            if ordered:
                return 1.0 if got == want else 0.0
            return set_prf(set(want), set(got)).f1

        f1 = {c.query: right(values(result)) for c, result in fitting}
        # The choice itself runs the candidates again: its own objects carry the scores.
        tried, chosen, _ = pipeline.choose(
            text, scored, entities, prompt_values, proposals, language=language
        )
        items: list[dict[str, Any]] = [
            {
                "origin": c.origin,
                "query": c.query,
                "rank_score": c.rank_score,
                "form_problem": c.form_problem,
                "f1": round(f1[c.query], 3),
            }
            for c in tried
            if c.query in f1
            and (c.accepted or c.rejected_because is None or c.rank_score is not None)
        ]
        chosen_f1 = 0.0
        if chosen is not None:
            chosen_f1 = next((it["f1"] for it in items if it["query"] == chosen.query), 0.0)
        rows.append(
            {
                "id": q["id"],
                "tags": q["tags"],
                "question": text,
                "candidates": len(candidates),
                "covered": any(it["f1"] >= 0.99 for it in items),
                "chosen_right": chosen_f1 >= 0.99,
                "chosen": chosen.query if chosen else None,
                "fitting": items,
            }
        )
    graph.close()
    covered = sum(r["covered"] for r in rows)
    chosen_right = sum(r["chosen_right"] for r in rows)
    print(
        f"{args.split} {language}: {len(rows)} questions, covered {covered}, "
        f"chosen right {chosen_right} ({chosen_right / max(covered, 1):.2f} of covered)"
    )
    if args.misses:
        for r in rows:
            if r["covered"] and not r["chosen_right"]:
                best = max(
                    (it for it in r["fitting"] if it["f1"] >= 0.99),
                    key=lambda it: it["rank_score"] or 0.0,
                )
                print(f"\n#{r['id']} {r['question']}\n  chosen {r['chosen']}\n  right  {best}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
