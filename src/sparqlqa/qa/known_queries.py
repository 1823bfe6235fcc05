"""The question/query examples a graph folder keeps: a company's query log, a dev set.

They live in the graph folder::

    examples/examples.jsonl   one example a line: question, query, language, where it came
                              from, and the slots of its query (qa.relink), found when added
    examples/*.npy            the embedding cache of the example questions

Examples are read from TEXT2SPARQL questions YAML (one example per question and language;
``split`` keeps only the questions of one split) or from JSON Lines records
``{"question": ..., "query": ..., "language"?: ..., "split"?: ...}``. Each query must pass the
guard and run on the graph's store; one that does not is reported (where, why) and left out,
the others are kept. Adding never retrains anything: the pipeline reads the folder's examples
when the graph is opened (:mod:`sparqlqa.qa.example_proposer`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sparqlqa.benchmarks.datasets import ReadOptions, read_dataset
from sparqlqa.errors import DatasetError, QueryError, SparqlqaError
from sparqlqa.jsonl import read_jsonl
from sparqlqa.kg.guard import Guard
from sparqlqa.kg.store import Store
from sparqlqa.ontology.embed import Embedder, embed_cached, encode_query
from sparqlqa.ontology.language import LANGUAGES
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.ontology.prompt import question_values
from sparqlqa.ontology.schema import Schema
from sparqlqa.qa.relink import Slot, find_slots, masked_question, select_rows

EXAMPLES_DIR = "examples"
EXAMPLES_FILE = "examples.jsonl"


@dataclass(frozen=True)
class ExampleInput:
    """One question/query pair as a file gives it; ``source`` says where (file:line, id)."""

    question: str
    query: str
    language: str
    source: str


@dataclass(frozen=True)
class Example:
    """One kept example: checked against the graph, its slots found."""

    question: str
    query: str
    language: str
    source: str
    slots: tuple[Slot, ...] = ()
    numbers: int = 0  # numbers the question writes out (qa.relink.substitute)
    masked: str = ""  # the question with its entities as their classes (relink.masked_question)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "query": self.query,
            "language": self.language,
            "source": self.source,
            "slots": [s.to_json() for s in self.slots],
            "numbers": self.numbers,
            "masked": self.masked,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Example:
        return cls(
            question=str(data["question"]),
            query=str(data["query"]),
            language=str(data.get("language", "en")),
            source=str(data.get("source", "")),
            slots=tuple(Slot.from_json(s) for s in data.get("slots", ())),
            numbers=int(data.get("numbers", 0)),
            masked=str(data.get("masked") or data["question"]),
        )


@dataclass(frozen=True)
class Rejected:
    """An example left out, and why."""

    source: str
    reason: str


@dataclass
class Added:
    """What adding example files did."""

    added: int = 0
    duplicates: int = 0  # already in the folder (same question, query and language)
    rejected: list[Rejected] = field(default_factory=list)
    total: int = 0  # examples in the folder afterwards


def read_example_file(path: Path, split: str | None = None) -> list[ExampleInput]:
    """The examples of a TEXT2SPARQL YAML (``.yml``/``.yaml``: every language of each
    question; ``split``: only the questions of that split) or of a JSON Lines file
    (``.jsonl``). Raises ``DatasetError`` for a file that cannot be read as either; a record
    without a query is an error there too (an example is a question with its query)."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"no example file at {path}")
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        dataset = read_dataset(path, "text2sparql", ReadOptions(languages=LANGUAGES, split=split))
        out = []
        for q in dataset.questions:
            if not q.query:
                raise DatasetError(f"{path}: question {q.source_id} has no query.sparql")
            out.append(ExampleInput(q.question, q.query, q.language, f"{path.name}#{q.id}"))
        if split and not out:
            raise DatasetError(f"{path}: no question has split {split!r}")
        return out
    if suffix == ".jsonl":
        return _read_jsonl(path, split)
    raise DatasetError(
        f"{path}: unknown example file type {suffix or '(none)'!r}: give a TEXT2SPARQL "
        'questions YAML (.yml, .yaml) or JSON Lines (.jsonl) of {"question", "query"}'
    )


def _read_jsonl(path: Path, split: str | None) -> list[ExampleInput]:
    out = []
    for line, record in read_jsonl(path):
        where = f"{path}:{line}"
        question, query = record.get("question"), record.get("query")
        if not isinstance(question, str) or not question.strip():
            raise DatasetError(f"{where}: 'question' must be a non-empty string")
        if not isinstance(query, str) or not query.strip():
            raise DatasetError(f"{where}: 'query' must be a non-empty string (the SPARQL)")
        language = record.get("language", "en")
        if language not in LANGUAGES:
            raise DatasetError(
                f"{where}: 'language' must be one of {', '.join(LANGUAGES)}, not {language!r}"
            )
        if split and record.get("split") != split:
            continue
        out.append(ExampleInput(question.strip(), query.strip(), language, f"{path.name}:{line}"))
    return out


#: The linker an analysis uses: entities of a question in a language.
Link = Callable[[str, str], Sequence[LinkedEntity]]


def check_example(
    example: ExampleInput,
    *,
    store: Store,
    guard: Guard,
    schema: Schema,
    prefixes: Mapping[str, str],
    link: Link,
) -> Example:
    """``example`` checked and analysed: its query passes the guard and runs on ``store``
    (raises ``QueryError`` saying why not), and its slots are found (qa.relink)."""
    result = guard.run(store, example.query)
    if "boolean" not in result and not result.get("results", {}).get("bindings"):
        raise QueryError("the query runs but returns no result on this graph")
    linked = link(example.question, example.language)

    def run(sparql: str) -> Any:
        return guard.run(store, sparql)  # terms from the user's file: guarded as well

    slots, numbers = find_slots(
        example.question,
        example.query,
        linked,
        schema,
        prefixes,
        select_rows(run),
        example.language,
    )
    values = question_values(example.question, [(e.start, e.end) for e in linked], example.language)
    return Example(
        example.question,
        example.query,
        example.language,
        example.source,
        tuple(slots),
        numbers,
        masked_question(example.question, linked, values),
    )


def examples_file(folder: Path) -> Path:
    return Path(folder) / EXAMPLES_DIR / EXAMPLES_FILE


def load_examples(folder: Path) -> list[Example]:
    """The examples a graph folder keeps (none when it has no ``examples/``)."""
    path = examples_file(folder)
    if not path.is_file():
        return []
    try:
        return [Example.from_json(r) for _, r in read_jsonl(path)]
    except (KeyError, TypeError, ValueError) as exc:
        raise DatasetError(f"{path}: not an examples file of sparqlqa: {exc}") from exc


def add_examples(
    folder: Path,
    inputs: Sequence[ExampleInput],
    check: Callable[[ExampleInput], Example],
) -> Added:
    """Check each input (``check``: :func:`check_example` bound to the graph) and append the
    good ones to the folder's examples; bad ones are reported in the result, not raised."""
    kept = load_examples(folder)
    seen = {(e.question, e.query, e.language) for e in kept}
    report = Added()
    new: list[Example] = []
    for item in inputs:
        key = (item.question, item.query, item.language)
        if key in seen:
            report.duplicates += 1
            continue
        try:
            example = check(item)
        except SparqlqaError as exc:
            report.rejected.append(Rejected(item.source, str(exc)))
            continue
        seen.add(key)
        new.append(example)
    path = examples_file(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        for example in new:
            fh.write(json.dumps(example.to_json(), ensure_ascii=False) + "\n")
    report.added = len(new)
    report.total = len(kept) + len(new)
    return report


class _QuerySide:
    """An embedder whose ``encode`` is its query side: example questions are compared with
    questions (E5 embeds both sides of a symmetric comparison as queries)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.name = f"{embedder.name}/query"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return encode_query(self.embedder, texts)


def example_vectors(
    examples: Sequence[Example], embedder: Embedder, folder: Path | None
) -> np.ndarray:
    """The unit vectors of the example questions (masked: ``Example.masked``), cached in
    ``folder/examples/``."""
    if not examples:
        return np.zeros((0, 1), dtype=np.float32)
    cache = Path(folder) / EXAMPLES_DIR if folder is not None else None
    return embed_cached(_QuerySide(embedder), [e.masked for e in examples], cache, "questions")


def question_vector(question: str, embedder: Embedder) -> np.ndarray:
    """The unit vector of a question, comparable with :func:`example_vectors`."""
    vector: np.ndarray = encode_query(embedder, [question])[0]
    return vector
