"""Measure schema retrieval, entity linking and their latency (figures in docs/ontology.md).

    .venv/bin/python bench/ontology_bench.py --out var/bench/ontology

Reads the public data sets from ../shared/data at run time (LC-QuAD 1.0 is GPL: it is read,
never copied into the project) and the hand-made corporate questions of
tests/ontology/data/corporate_questions.jsonl; pass ``--corporate-pairs`` to add generated
corporate pairs (shared JSONL format). Writes ``results.json`` and ``results.md`` and the
resolved arguments (``args.json``) to ``--out``. Takes a few minutes on 2 CPU cores (the
DBpedia ontology is embedded once and cached under ``--cache-dir``).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sparqlqa.bundled import CORPORATE_FILES  # noqa: E402
from sparqlqa.kg.embedded import EmbeddedStore, build_store  # noqa: E402
from sparqlqa.kg.prefixes import COMMON_PREFIXES  # noqa: E402
from sparqlqa.ontology.embed import SentenceTransformerEmbedder  # noqa: E402
from sparqlqa.ontology.link import (  # noqa: E402
    EntityLinker,
    LabelIndex,
    LinkedEntity,
    LinkerConfig,
    label_from_iri,
)
from sparqlqa.ontology.prompt import query_terms  # noqa: E402
from sparqlqa.ontology.retrieve import Mode, SchemaRetriever  # noqa: E402
from sparqlqa.ontology.schema import Schema, load_schema, schema_from_store  # noqa: E402
from sparqlqa.ontology.tune import load_tuned  # noqa: E402
from sparqlqa.ontology.usage import count_mentions, read_queries, set_mentions  # noqa: E402

KS = (5, 10, 20)
DBR = "http://dbpedia.org/resource/"


@dataclass
class BenchArgs:
    shared: Path = field(
        default=ROOT.parent / "shared" / "data", metadata={"help": "the shared data folder"}
    )
    out: Path = field(default=Path("var/bench/ontology"), metadata={"help": "output folder"})
    cache_dir: Path = field(
        default=Path("var/cache/ontology"), metadata={"help": "embedding cache folder"}
    )
    corporate_pairs: Path | None = field(
        default=None, metadata={"help": "generated corporate pairs (JSONL) to add"}
    )
    dbpedia_ontology: str = field(
        default="dbpedia-ontology-2016-05-21.ttl", metadata={"help": "ontology file in shared"}
    )
    tuned_retriever: Path | None = field(
        default=None,
        metadata={
            "help": "a tuned retriever folder (index/retriever of `sparqlqa ontology index "
            "--tune-on`) for the DBpedia ontology, measured as one more variant"
        },
    )
    threads: int = field(default=1, metadata={"help": "torch threads for indexing"})
    sections: str = field(
        default="retrieval,linking,latency", metadata={"help": "what to measure (comma list)"}
    )
    latency_repeats: int = field(default=3, metadata={"help": "timed passes over the questions"})
    seed: int = field(default=0, metadata={"help": "unused: everything here is deterministic"})

    def __post_init__(self) -> None:
        if not (self.shared / "qald").is_dir():
            raise ValueError(f"{self.shared}: not the shared data folder (no qald/ inside)")
        if (
            self.tuned_retriever is not None
            and not (self.tuned_retriever / "retriever.json").is_file()
        ):
            raise ValueError(f"{self.tuned_retriever}: no tuned retriever (no retriever.json)")
        if self.corporate_pairs is not None and not self.corporate_pairs.is_file():
            raise ValueError(f"{self.corporate_pairs}: no such file")


@dataclass
class Question:
    question: str
    query: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    group: str = ""


def qald_questions(path: Path) -> list[Question]:
    out = []
    for item in json.loads(path.read_text())["questions"]:
        text = next((q["string"] for q in item["question"] if q["language"] == "en"), "")
        query = item.get("query", {}).get("sparql", "")
        if text and query:
            out.append(Question(text.strip(), query))
    return out


def lcquad_questions(path: Path) -> list[Question]:
    out = []
    for item in json.loads(path.read_text()):
        text = item.get("corrected_question") or item.get("intermediary_question") or ""
        query = item["sparql_query"]
        iris = re.findall(r"<(" + re.escape(DBR) + r"[^>]+)>", query)
        entities = [{"iri": iri} for iri in dict.fromkeys(iris)]
        out.append(Question(text.strip(), query, entities))
    return out


def jsonl_questions(path: Path, group: str) -> list[Question]:
    out = []
    for line in path.read_text().splitlines():
        if line.strip():
            rec = json.loads(line)
            out.append(
                Question(
                    rec["question"],
                    rec["query"],
                    rec.get("entities", []),
                    rec.get("variant", group),
                )
            )
    return out


Variants = dict[str, tuple[SchemaRetriever, Mode]]


def retrieval_variants(
    schema: Schema, embedder: SentenceTransformerEmbedder, cache: Path
) -> Variants:
    """The rankings compared: each alone, the plain fusion of 2026-11-21 (RRF k=10, no prior),
    the default (RRF k=30 + popularity prior), and the default with answer type and class fit."""
    default = SchemaRetriever(schema, embedder, cache_dir=cache)
    plain = SchemaRetriever(schema, embedder, cache_dir=cache, rrf_k=10, prior_weight=0.0)
    typed = SchemaRetriever(
        schema, embedder, cache_dir=cache, answer_type_weight=0.2, class_fit_weight=0.2
    )
    from_data = SchemaRetriever(schema, embedder, cache_dir=cache, prior_from_data=True)
    return {
        "lexical": (default, "lexical"),
        "embedding": (default, "embedding"),
        "hybrid, RRF only (2026-11-21)": (plain, "hybrid"),
        "hybrid + prior (default)": (default, "hybrid"),
        "hybrid + prior + answer type + class fit": (typed, "hybrid"),
        "hybrid + prior from the data's counts when no query log": (from_data, "hybrid"),
    }


def tuned_variants(schema: Schema, folder: Path, args: BenchArgs) -> Variants:
    """The tuned retriever of ``folder`` (its model and the fusion weights it chose), and
    its embedding alone."""
    tuned = load_tuned(schema, folder, cache_dir=args.cache_dir)
    return {
        "embedding, tuned": (tuned, "embedding"),
        "hybrid, tuned (weights chosen on its dev questions)": (tuned, "hybrid"),
    }


def gold_categories(query: str, schema: Schema, prefixes: dict[str, str]) -> dict[str, int]:
    """The vocabulary terms of a gold query by kind: in the schema (counted by recall), in
    the ontology's namespace but not declared, raw ``dbp:`` properties, ``rdf:type`` and
    ``rdfs:label`` written out, and other vocabularies (yago, dct, skos, foaf)."""
    from sparqlqa.kg.store import RDF, RDFS

    in_schema = set(query_terms(query, schema, prefixes))
    out = {"in schema": len(in_schema)}
    for iri in _query_iris(query, prefixes) - in_schema:
        if iri.startswith(("http://dbpedia.org/resource/", "http://www.w3.org/2001/XMLSchema#")):
            continue
        if iri.startswith("http://ld.company.org/prod-instances/"):
            continue
        if iri.startswith(("http://dbpedia.org/ontology/", "http://ld.company.org/prod-vocab/")):
            kind = "ontology namespace, not declared"
        elif iri.startswith("http://dbpedia.org/property/"):
            kind = "dbp: raw property"
        elif iri in (RDF + "type", RDFS + "label"):
            kind = "rdf:type / rdfs:label written out"
        else:
            kind = "other vocabulary"
        out[kind] = out.get(kind, 0) + 1
    return out


def recall_at_k(
    variants: Variants,
    questions: Sequence[Question],
    schema: Schema,
    prefixes: dict[str, str],
) -> dict[str, Any]:
    """Mean per-question recall of the gold terms (those in the schema) in the top k."""
    sums: dict[str, dict[int, float]] = {m: dict.fromkeys(KS, 0.0) for m in variants}
    counted = 0
    kinds: dict[str, int] = defaultdict(int)
    misses: dict[str, int] = defaultdict(int)
    for q in questions:
        gold = set(query_terms(q.query, schema, prefixes))
        for kind, n in gold_categories(q.query, schema, prefixes).items():
            kinds[kind] += n
        if not gold:
            continue
        counted += 1
        for name, (retriever, mode) in variants.items():
            ranked = [t.iri for t, _ in retriever.retrieve(q.question, max(KS), mode=mode)]
            for k in KS:
                sums[name][k] += len(gold & set(ranked[:k])) / len(gold)
            if name.endswith("(default)"):
                for iri in gold - set(ranked[:10]):
                    misses[iri] += 1
    return {
        "questions": counted,
        "questions_without_schema_terms": len(questions) - counted,
        "gold_terms_by_kind": dict(kinds),
        "most_missed_at_10": dict(sorted(misses.items(), key=lambda kv: -kv[1])[:25]),
        "recall": {
            m: {k: round(v / max(counted, 1), 3) for k, v in sums[m].items()} for m in variants
        },
    }


_VOCAB_IRI = re.compile(r"<(http://dbpedia\.org/(?:ontology|property)/[^>]+)>")


def _query_iris(query: str, prefixes: dict[str, str]) -> set[str]:
    """Every IRI a query writes out, in full or prefixed."""
    from sparqlqa.ontology.prompt import _IRI_REF, _PREFIX_DECL, _PREFIXED, _STRING_LITERAL

    table = dict(prefixes)
    table.update(dict(_PREFIX_DECL.findall(query)))
    body = _PREFIX_DECL.sub(" ", _STRING_LITERAL.sub('""', query))
    iris = set(_IRI_REF.findall(body))
    masked = _IRI_REF.sub(lambda m: " " * len(m.group()), body)
    for m in _PREFIXED.finditer(masked):
        if (m.group(1) or "") in table:
            iris.add(table[m.group(1) or ""] + m.group(2))
    return iris


def linking_accuracy(
    link: Callable[[str], list[LinkedEntity]], questions: Iterable[Question]
) -> dict[str, Any]:
    """Accuracy@1 and @5 per gold entity: its rank among the linker's candidates (k=10) that
    compete with it. Where the gold span is known (corporate sets), the competitors are the
    candidates whose span overlaps it; where it is not (LC-QuAD), every candidate that is not
    another gold entity of the same question."""
    hits: dict[str, list[int]] = defaultdict(list)
    for q in questions:
        linked = link(q.question)
        gold = {e["iri"] for e in q.entities}
        for ent in q.entities:
            if "start" in ent:
                others = [
                    e.iri
                    for e in linked
                    if e.iri == ent["iri"]
                    or (e.iri not in gold and e.start < ent["end"] and ent["start"] < e.end)
                ]
            else:
                others = [e.iri for e in linked if e.iri not in gold or e.iri == ent["iri"]]
            rank = others.index(ent["iri"]) + 1 if ent["iri"] in others else 0
            for group in ("all", q.group):
                hits[group].append(rank)
    return {
        group: {
            "entities": len(ranks),
            "acc@1": round(sum(1 for r in ranks if r == 1) / len(ranks), 3),
            "acc@5": round(sum(1 for r in ranks if 1 <= r <= 5) / len(ranks), 3),
        }
        for group, ranks in sorted(hits.items())
        if group and (group == "all" or len(hits) > 2)
    }


def measure_linking(
    args: BenchArgs,
    embedder: SentenceTransformerEmbedder,
    corp_retriever: SchemaRetriever,
    plain: EntityLinker,
    with_embedding: EntityLinker,
    corporate_sets: dict[str, list[Question]],
    lcquad: list[Question],
) -> dict[str, Any]:
    linking: dict[str, Any] = {}
    no_fit = EntityLinker(plain.index, config=LinkerConfig(schema_weight=0.0))
    variants: dict[str, Callable[[str], list[LinkedEntity]]] = {
        "lexical": lambda q: no_fit.link(q, 10),
        "lexical + schema fit": lambda q: plain.link(
            q, 10, schema_terms=corp_retriever.retrieve(q, 10)
        ),
        "lexical + schema fit + embedding": lambda q: with_embedding.link(
            q, 10, schema_terms=corp_retriever.retrieve(q, 10)
        ),
    }
    for name, questions in corporate_sets.items():
        linking[name] = {v: linking_accuracy(fn, questions) for v, fn in variants.items()}
    # LC-QuAD 1.0: labels made from IRIs. entities.tsv alone holds few of the test entities,
    # so a second, closed-world index adds every resource named in the train and test queries.
    tsv = args.shared / "lcquad1" / "entities.tsv"
    named = {
        e["iri"]
        for q in [*lcquad, *lcquad_questions(args.shared / "lcquad1" / "train-data.json")]
        for e in q.entities
    }
    indexes = {
        "LC-QuAD 1.0 test, index: entities.tsv": LabelIndex.from_tsv(tsv),
        "LC-QuAD 1.0 test, index: entities.tsv + all train/test query entities": LabelIndex(
            [(e.iri, e.label) for e in LabelIndex.from_tsv(tsv).entries if e.weight == 1.0]
            + [(iri, label_from_iri(iri)) for iri in sorted(named)]
        ),
    }
    for name, index in indexes.items():
        known = {e.iri for e in index.entries}
        questions = [
            Question(q.question, q.query, [e for e in q.entities if e["iri"] in known], "lcquad")
            for q in lcquad
        ]
        questions = [q for q in questions if q.entities]
        linkers = {
            "lexical": EntityLinker(index),
            "lexical + embedding": EntityLinker(index, embedder, cache_dir=args.cache_dir),
        }
        linking[f"{name} ({len(index)} labels)"] = {
            variant: linking_accuracy(partial(linker.link, k=10), questions)
            for variant, linker in linkers.items()
        }
    return linking


def latency_ms(
    fn: Callable[[str], object], questions: Sequence[str], repeats: int
) -> dict[str, float]:
    for q in questions[:5]:
        fn(q + " (warm-up)")
    times = []
    for _ in range(repeats):
        for q in questions:
            started = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        "max_ms": round(times[-1], 2),
        "calls": len(times),
    }


def main(args: BenchArgs) -> dict[str, Any]:
    import torch

    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "args.json").write_text(json.dumps(asdict(args), default=str, indent=2))
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "torch_threads": args.threads}
    embedder = SentenceTransformerEmbedder(index_threads=args.threads, cache_size=8192)
    started = time.perf_counter()
    embedder.encode(["load the model"])
    results["model_load_s"] = round(time.perf_counter() - started, 2)

    # --- data
    corporate_store_path = args.cache_dir / "corporate-store"
    build_store(corporate_store_path, CORPORATE_FILES, progress=False)
    store = EmbeddedStore(corporate_store_path)
    corp_schema = schema_from_store(store)
    corp_prefixes = {**COMMON_PREFIXES, **store.prefixes}
    hand = jsonl_questions(ROOT / "tests/ontology/data/corporate_questions.jsonl", "hand")
    corporate_sets = {"corporate (hand-made, 43)": hand}
    if args.corporate_pairs:
        generated = jsonl_questions(args.corporate_pairs, "generated")
        corporate_sets[f"corporate (generated, {len(generated)})"] = generated
    dbo_schema = load_schema([args.shared / "dbpedia-ontology" / args.dbpedia_ontology])
    # The popularity prior of DBpedia terms: how many LC-QuAD 1.0 *train* queries use each,
    # independent of QALD-9 and of the LC-QuAD test split (never the measured questions).
    prior_queries = read_queries(args.shared / "lcquad1" / "train-data.json")
    results["dbpedia_prior_terms"] = set_mentions(
        dbo_schema, count_mentions(prior_queries, dbo_schema, COMMON_PREFIXES)
    )
    qald = qald_questions(args.shared / "qald" / "qald-9-train-multilingual.json")
    lcquad = lcquad_questions(args.shared / "lcquad1" / "test-data.json")

    sections = set(args.sections.split(","))
    corp_retriever = SchemaRetriever(corp_schema, embedder, cache_dir=args.cache_dir)
    plain = EntityLinker.from_store(store, schema=corp_schema)
    with_embedding = EntityLinker(plain.index, embedder, cache_dir=args.cache_dir)

    # --- schema retrieval
    if "retrieval" in sections:
        started = time.perf_counter()
        SchemaRetriever(dbo_schema, embedder, cache_dir=args.cache_dir)
        results["dbpedia_index_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        SchemaRetriever(dbo_schema, embedder, cache_dir=args.cache_dir)
        results["dbpedia_index_reload_s"] = round(time.perf_counter() - started, 3)
        dbo_variants = retrieval_variants(dbo_schema, embedder, args.cache_dir)
        if args.tuned_retriever:
            dbo_variants.update(tuned_variants(dbo_schema, args.tuned_retriever, args))
        corp_variants = retrieval_variants(corp_schema, embedder, args.cache_dir)
        retrieval = {
            "QALD-9 train (DBpedia 2016-05)": recall_at_k(
                dbo_variants, qald, dbo_schema, COMMON_PREFIXES
            ),
            "LC-QuAD 1.0 test (DBpedia 2016-05)": recall_at_k(
                dbo_variants, lcquad, dbo_schema, COMMON_PREFIXES
            ),
        }
        for name, questions in corporate_sets.items():
            retrieval[name] = recall_at_k(corp_variants, questions, corp_schema, corp_prefixes)
        results["retrieval"] = retrieval

    # --- entity linking
    if "linking" in sections:
        results["linking"] = measure_linking(
            args, embedder, corp_retriever, plain, with_embedding, corporate_sets, lcquad
        )

    # --- latency on the corporate graph (after warm-up)
    if "latency" in sections:
        texts = [q.question for qs in corporate_sets.values() for q in qs]
        terms = {t: corp_retriever.retrieve(t, 10) for t in texts}  # question vectors cached
        stamp = time.perf_counter_ns
        results["latency"] = {
            "retrieval lexical": latency_ms(
                lambda q: corp_retriever.retrieve(q, 10, mode="lexical"),
                texts,
                args.latency_repeats,
            ),
            # a new string each call: the question is embedded every time
            "retrieval hybrid (question embedded)": latency_ms(
                lambda q: corp_retriever.retrieve(f"{q} {stamp()}", 10), texts, 1
            ),
            "linking lexical": latency_ms(lambda q: plain.link(q, 10), texts, args.latency_repeats),
            "linking + schema fit + embedding (question vector from retrieval)": latency_ms(
                lambda q: with_embedding.link(q, 10, schema_terms=terms.get(q, ())),
                texts,
                args.latency_repeats,
            ),
        }
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    (args.out / "results.md").write_text(markdown(results))
    print(markdown(results))
    return results


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "## Schema recall@k",
        "",
        "| data set | questions | mode | @5 | @10 | @20 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.get("retrieval", {}).items():
        for mode, rec in r["recall"].items():
            lines.append(
                f"| {name} | {r['questions']} | {mode} | {rec[5]} | {rec[10]} | {rec[20]} |"
            )
    lines += ["", "| data set | gold terms by kind |", "| --- | --- |"]
    for name, r in results.get("retrieval", {}).items():
        kinds = ", ".join(f"{k}: {n}" for k, n in r["gold_terms_by_kind"].items())
        lines.append(f"| {name} | {kinds} |")
    lines += [
        "",
        "## Entity linking",
        "",
        "| data set | variant | group | entities | acc@1 | acc@5 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, by_variant in results.get("linking", {}).items():
        for variant, groups in by_variant.items():
            if not isinstance(groups, dict):
                continue
            for group, g in groups.items():
                cells = [name, variant, group, g["entities"], g["acc@1"], g["acc@5"]]
                lines.append("| " + " | ".join(map(str, cells)) + " |")
    lines += [
        "",
        "## Latency per question (corporate)",
        "",
        "| step | median ms | p95 ms | max ms |",
        "| --- | --- | --- | --- |",
    ]
    for name, t in results.get("latency", {}).items():
        lines.append(f"| {name} | {t['median_ms']} | {t['p95_ms']} | {t['max_ms']} |")
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None = None) -> BenchArgs:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    defaults = BenchArgs.__dataclass_fields__
    for name, f in defaults.items():
        default = f.default if f.default is not None else None
        kind: Callable[[str], Any] = (
            Path
            if isinstance(default, Path) or name in ("corporate_pairs", "tuned_retriever")
            else type(default)
        )
        parser.add_argument(
            f"--{name.replace('_', '-')}", type=kind, default=default, help=f.metadata.get("help")
        )
    return BenchArgs(**vars(parser.parse_args(argv)))


if __name__ == "__main__":
    main(parse_args())
