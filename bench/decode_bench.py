"""Constrained decoding and abstention, measured with a real graph folder and its model.

``parse``: the share of the k candidates that parse (decoded, then checked by the guard's
parser), with grammar-constrained decoding on and off, and the time it adds::

    PYTHONPATH=src python bench/decode_bench.py parse --graph var/graphs/corporate \\
        --questions var/graphs/corporate/pairs/test.jsonl --limit 200 --k 5

``collect``: each question through the pipeline (constrained decoding), one JSON line per
question with the confidence of the answer and whether it is right (gold answers of the
generated split; a nonsense question is right only when abstained on). ``curve`` then turns
those lines into the precision/coverage table and plot of ``docs/abstention.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from sparqlqa.errors import SparqlqaError
from sparqlqa.qa.graphs import open_graph
from sparqlqa.service.settings import Settings


def _questions(path: Path, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return rows[offset : offset + limit]


def _pipeline(graph: Path) -> Any:
    opened = open_graph(graph, Settings())
    if opened.pipeline is None:
        sys.exit(opened.problem)
    return opened.pipeline


def _time_constraint() -> list[float]:
    """Seconds spent inside the grammar constraint (the time it adds), accumulated."""
    import sparqlqa.training.constrain as constrain

    spent = [0.0]
    original = constrain.grammar_constraint

    def timed(*args: Any, **kwargs: Any) -> Any:
        processor = original(*args, **kwargs)
        call = type(processor).__call__

        def wrapped(self: Any, input_ids: Any, scores: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(self, input_ids, scores)
            finally:
                spent[0] += time.perf_counter() - started

        type(processor).__call__ = wrapped
        return processor

    constrain.grammar_constraint = timed
    return spent


def parse_share(args: argparse.Namespace) -> None:
    from sparqlqa.training.translate import Translator

    spent = _time_constraint()
    pipeline = _pipeline(args.graph)
    translator = Translator(args.graph / "model")
    prepared = []
    for files in args.questions:
        for record in _questions(files, args.limit, args.offset):
            prompt, entities, values, _, _ = pipeline.prepare(record["question"])
            slots = {f"ENT{i}": e.iri for i, e in enumerate(entities)}
            slots.update({v.slot: v.text for v in values})
            prepared.append((files.name, prompt, slots))
    print(f"{len(prepared)} prompts ready", file=sys.stderr, flush=True)
    for constrained in [m == "on" for m in args.modes]:
        translator.constrained = constrained
        tally: dict[str, list[int]] = {}
        started = time.perf_counter()
        for i, (name, prompt, slots) in enumerate(prepared):
            group = translator.translate([prompt], args.k, [slots])[0]
            if i % 10 == 0:
                print(
                    f"{constrained} {i} {time.perf_counter() - started:.1f}s",
                    file=sys.stderr,
                    flush=True,
                )
            ok = tally.setdefault(name, [0, 0])
            for candidate in group:
                ok[1] += 1
                if candidate.sparql is None:
                    print(f"undecodable: {candidate.target!r}: {candidate.error}", file=sys.stderr)
                    continue
                try:
                    pipeline.guard.check(candidate.sparql)
                except SparqlqaError as exc:
                    print(f"does not parse: {candidate.target!r}: {exc}", file=sys.stderr)
                    continue
                ok[0] += 1
        ms = (time.perf_counter() - started) * 1000 / max(1, len(prepared))
        added = spent[0] * 1000 / max(1, len(prepared))
        spent[0] = 0.0
        for name, (good, total) in tally.items():
            print(
                f"constrained={constrained} {name}: {good}/{total} candidates parse "
                f"({good / max(1, total):.3f}); {ms:.0f} ms per question, of which "
                f"{added:.0f} ms in the grammar constraint"
            )


def collect(args: argparse.Namespace) -> None:
    pipeline = _pipeline(args.graph)
    pipeline.abstain_below = None  # record every answer's confidence; the curve decides
    with args.out.open("w") as out:
        for files in args.questions:
            nonsense = "nonsense" in files.name
            for record in _questions(files, args.limit):
                answer = pipeline.answer(record["question"], k=args.k)
                chosen = next((c for c in answer.candidates if c.accepted), None)
                got = {a["value"] for a in answer.answers}
                gold = set(record.get("answers", []))
                right = (
                    None
                    if not nonsense and "answers" not in record
                    else (False if nonsense else bool(gold) and got == gold)
                )
                out.write(
                    json.dumps(
                        {
                            "set": files.name,
                            "question": record["question"],
                            "nonsense": nonsense,
                            "confidence": chosen.confidence if chosen else None,
                            "grounded": answer.grounded,
                            "entities": [e.label for e in answer.entities],
                            "reason": answer.reason,
                            "right": right,
                        }
                    )
                    + "\n"
                )
                out.flush()


def curve(args: argparse.Namespace) -> None:
    from sparqlqa.qa.abstain import precision_coverage, render_curve

    rows = [json.loads(line) for line in args.results.read_text().splitlines() if line.strip()]
    table = precision_coverage(rows)
    render_curve(table, rows, args.doc, args.plot)
    print(args.doc.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("parse", "collect"):
        p = sub.add_parser(name)
        p.add_argument("--graph", type=Path, required=True)
        p.add_argument("--questions", type=Path, nargs="+", required=True)
        p.add_argument("--limit", type=int, default=200, help="questions per file at most")
        p.add_argument("--k", type=int, default=5)
        p.add_argument("--offset", type=int, default=0, help="questions skipped per file")
        if name == "parse":
            p.add_argument("--modes", nargs="+", choices=["off", "on"], default=["off", "on"])
        if name == "collect":
            p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("curve")
    p.add_argument("--results", type=Path, required=True)
    p.add_argument("--doc", type=Path, default=Path("docs/abstention.md"))
    p.add_argument("--plot", type=Path, default=Path("docs/abstention.png"))
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (1 on a busy machine)"
    )
    args = parser.parse_args()
    if args.command != "curve":
        import torch

        torch.set_num_threads(args.threads)
    {"parse": parse_share, "collect": collect, "curve": curve}[args.command](args)


if __name__ == "__main__":
    main()
