"""Assign the realistic corporate questions to dev and test, once, by a seeded shuffle.

Stratified: a question's stratum is its feature group (the ``group`` field) and its main
feature, the first of :data:`MAIN_FEATURES` among its tags ("plain" when none), so that rare
features (an OFFSET, a HAVING, an ordered answer) land in both halves; an ASK whose gold answer
is "no" has a stratum of its own (the official TEXT2SPARQL scoring gives such a question 0
whatever the system says, so both halves should have their share of them). Within each stratum, in
sorted order, the ids are sorted, shuffled with ``random.Random(0)`` (one generator for all
strata) and half go to ``dev``, half to ``test``; the odd one out of an odd-sized stratum goes
to ``test`` and ``dev`` in turn, so the halves stay even. The ``split:`` line of each question
is written after its ``group:`` line, leaving the rest of the file as it is.

    python bench/split_realistic.py            # write the splits (refused if already there)
    python bench/split_realistic.py --check    # exit 1 if the file differs from the rule

The split is made once: re-running it after questions were added or removed would move old
questions between dev and test, so writing is refused when any question has a split already.
New questions get a split by hand (``test`` unless there is a reason), noted in the README.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sparqlqa.eval.realistic import (
    ORDER_TAG,
    QUESTIONS,
    corporate_store,
    gold_answer,
    load_questions,
)

SEED = 0
#: Tags that name a question's stratum within its group, rarest kinds first.
MAIN_FEATURES = (
    ORDER_TAG, "SUBSELECT", "OFFSET", "HAVING", "GROUP", "SUM", "AVG", "MIN", "MAX", "COUNT",
    "ORDER", "BIND", "OPTIONAL", "EXISTS", "ASK", "FILTER",
)  # fmt: skip


def stratum(question: dict[str, Any], store: ox.Store) -> str:
    tags = question.get("tags", ())
    main = next((t for t in MAIN_FEATURES if t in tags), "plain")
    if main == "ASK" and gold_answer(store, question["query"]["sparql"], False) == ["false"]:
        main = "ASK-false"
    return f"{question['group']}/{main}"


def assign(questions: list[dict[str, Any]], seed: int = SEED) -> dict[str, str]:
    """Question id → ``dev`` or ``test``, stratified by group and main feature."""
    store = corporate_store()
    strata: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        strata[stratum(q, store)].append(str(q["id"]))
    rng = random.Random(seed)
    split: dict[str, str] = {}
    odd_to = "test"
    for key in sorted(strata):
        ids = sorted(strata[key], key=lambda i: (len(i), i))
        rng.shuffle(ids)
        half = len(ids) // 2
        if len(ids) % 2:
            half += odd_to == "dev"
            odd_to = "dev" if odd_to == "test" else "test"
        split.update({i: "dev" for i in ids[:half]})
        split.update({i: "test" for i in ids[half:]})
    return split


def write(path: Path, split: dict[str, str]) -> str:
    text = path.read_text(encoding="utf-8")
    for qid, name in split.items():
        pattern = re.compile(rf"(\n  - id: {re.escape(qid)}\n    group: [a-z]+\n)")
        text, n = pattern.subn(rf"\g<1>    split: {name}\n", text)
        if n != 1:
            raise SystemExit(f"{path}: question {qid}: expected one 'id:' line then 'group:'")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=QUESTIONS)
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    questions = load_questions(args.file)
    wanted = assign(questions)
    if args.check:
        wrong = [str(q["id"]) for q in questions if q.get("split") != wanted[str(q["id"])]]
        if wrong:
            print(f"{len(wrong)} questions not split by the rule: {', '.join(wrong)}")
            return 1
        print(f"{len(questions)} questions split by the rule (seed {SEED})")
        return 0
    if any("split" in q for q in questions):
        print(f"{args.file}: questions already have a split; it is assigned once (see --help)")
        return 1
    args.file.write_text(write(args.file, wanted), encoding="utf-8")
    counts = {name: sum(v == name for v in wanted.values()) for name in ("dev", "test")}
    print(f"wrote splits: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
