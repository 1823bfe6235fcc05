"""Record the gold answers of the realistic corporate questions.

Runs every gold query of ``src/sparqlqa/eval/data/corporate-realistic.yml`` on the bundled
corporate graph (in memory) and writes ``corporate-realistic.answers.json`` beside it: question
id → the values of all result bindings (``["true"]``/``["false"]`` for ASK), sorted and without
repeats, or in result order for questions tagged RESULT_ORDER_MATTERS.

    python bench/record_realistic_answers.py           # write the file
    python bench/record_realistic_answers.py --check   # exit 1 if it is out of date
    python bench/record_realistic_answers.py --tables  # print the README's count tables
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sparqlqa.eval.realistic import (
    ANSWERS,
    QUESTIONS,
    corporate_store,
    count_tables,
    dump_answers,
    load_answers,
    load_questions,
    record_answers,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--answers", type=Path, default=ANSWERS)
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--tables", action="store_true", help="print the count tables only")
    args = parser.parse_args(argv)
    questions = load_questions(args.questions)
    if args.tables:
        print(count_tables(questions), end="")
        return 0
    answers = record_answers(questions, corporate_store())
    empty = [qid for qid, values in answers.items() if not values]
    if empty:
        print(f"gold queries with an empty answer: {', '.join(empty)}")
        return 1
    if args.check:
        recorded = load_answers(args.answers) if args.answers.is_file() else {}
        changed = sorted(set(answers) ^ set(recorded)) + [
            qid for qid in answers if qid in recorded and recorded[qid] != answers[qid]
        ]
        if changed:
            print(f"{args.answers}: out of date for questions {', '.join(changed)}")
            return 1
        print(f"{len(answers)} recorded answers match the gold queries")
        return 0
    args.answers.write_text(dump_answers(answers), encoding="utf-8")
    print(f"wrote {len(answers)} answers to {args.answers}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
