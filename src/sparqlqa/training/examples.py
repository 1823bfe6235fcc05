"""Generated records → (prompt, target) training examples.

Each record of the generator's JSONL (the shared record format, see ``templates``) becomes
one :class:`Example`: its gold entities become the slots ``ENT0``, ``ENT1``... in the order
they appear in the question; its schema block holds the classes and properties the gold query
uses plus distractors drawn from the schema (some near the gold terms, some anywhere), shuffled,
so that the model learns to pick terms out of a noisy block, as the retriever will give it at
inference.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sparqlqa.errors import ConfigError, TargetError
from sparqlqa.jsonl import read_jsonl
from sparqlqa.kg.embedded import EmbeddedStore, declared_prefixes
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.results import is_literal_term
from sparqlqa.kg.store import RDF, SparqlStore, Store
from sparqlqa.ontology.prompt import (
    DEFAULT_MAX_CHARS,
    PromptEntity,
    merge_prefixes,
    question_values,
    render_prompt,
    schema_item,
)
from sparqlqa.ontology.schema import (
    Schema,
    SchemaClass,
    SchemaProperty,
    load_schema,
    schema_from_store,
)
from sparqlqa.ontology.values import properties_of_values, value_label
from sparqlqa.training.target import encode, iris

if TYPE_CHECKING:
    from sparqlqa.ontology.link import LinkedEntity  # typing only

SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class Example:
    """One training pair and what is needed to check a prediction for it."""

    id: str
    prompt: str
    target: str
    slot_iris: dict[str, str]  # "ENT0" → IRI, "NUM0" → number
    query: str  # the gold query as generated (executable)
    answers: tuple[str, ...] = ()
    shape: str = ""


@dataclass(frozen=True)
class SchemaSource:
    """The schema the prompts draw on, the prefixes targets are written with, and (when the
    source is a store) the classes of entities, for their labels in the prompt."""

    schema: Schema
    prefixes: dict[str, str]
    store: SparqlStore | None = None  # the linker (ontology.link) takes a SparqlStore


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of one JSONL file; a bad line is an error naming the file and line."""
    for number, record in read_jsonl(path, error=ConfigError):
        missing = {"id", "question", "query", "entities"} - set(record)
        if missing:
            raise ConfigError(f"{path}:{number}: record lacks {', '.join(sorted(missing))}")
        yield record


def split_files(data: Path) -> dict[str, list[Path]]:
    """The JSONL files of each split under ``data``.

    ``data`` is a folder holding ``train.jsonl``, ``dev.jsonl``, ``test.jsonl`` (or any
    ``*.jsonl`` whose records carry ``split``), or a single JSONL file whose records carry it.
    """
    if data.is_file():
        return {"*": [data]}
    if not data.is_dir():
        raise ConfigError(f"training data {data} does not exist")
    named = {s: [data / f"{s}.jsonl"] for s in SPLITS if (data / f"{s}.jsonl").is_file()}
    if named:
        return named
    files = sorted(data.glob("*.jsonl"))
    if not files:
        raise ConfigError(f"no *.jsonl files in {data}")
    return {"*": files}


def load_split(data: Path, split: str) -> list[dict[str, Any]]:
    """The records of ``split`` ("train", "dev" or "test") under ``data``."""
    files = split_files(data)
    if split in files:
        return [r for f in files[split] for r in read_records(f)]
    records = [r for f in files.get("*", []) for r in read_records(f) if r.get("split") == split]
    return records


def schema_source(paths: Sequence[Path]) -> SchemaSource:
    """The schema of an embedded store folder (one path) or of ontology files.

    A store folder may come with a ``schema.json`` (``Schema.to_json``, as a graph folder
    keeps it): the schema is then read from that file, the entities' classes from the store,
    so that training sees the very schema the service uses.
    """
    if not paths:
        raise ConfigError("a schema is needed: --schema <store folder or ontology files>")
    for path in paths:
        if not path.exists():
            raise ConfigError(f"schema source {path} does not exist")
    folders = [p for p in paths if p.is_dir()]
    cached = [p for p in paths if p.is_file() and p.suffix.lower() == ".json"]
    if len(folders) == 1 and len(folders) + len(cached) == len(paths) and len(cached) <= 1:
        store = EmbeddedStore(folders[0])
        try:
            schema = (
                Schema.from_json(json.loads(cached[0].read_text()))
                if cached
                else schema_from_store(store)
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{cached[0]}: not a readable schema.json: {exc}") from exc
        return SchemaSource(schema, merge_prefixes(store.prefixes, COMMON_PREFIXES), store)
    if len(paths) == 1 and cached:  # a graph behind an endpoint: its schema, no classes
        try:
            schema = Schema.from_json(json.loads(cached[0].read_text()))
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{cached[0]}: not a readable schema.json: {exc}") from exc
        return SchemaSource(schema, dict(COMMON_PREFIXES))
    files = list(paths)
    prefixes = merge_prefixes(declared_prefixes(files), COMMON_PREFIXES)
    return SchemaSource(load_schema(files), prefixes)


def entity_classes(store: Store, entity_iris: Iterable[str]) -> dict[str, list[str]]:
    """The ``rdf:type`` classes of each IRI (one query per 200 IRIs)."""
    found: dict[str, list[str]] = {}
    pending = sorted(set(entity_iris))
    for start in range(0, len(pending), 200):
        values = " ".join(f"<{i}>" for i in pending[start : start + 200])
        rows = store.select(f"SELECT ?e ?c WHERE {{ VALUES ?e {{ {values} }} ?e <{RDF}type> ?c }}")
        for row in rows:
            found.setdefault(row["e"]["value"], []).append(row["c"]["value"])
    return {iri: sorted(classes) for iri, classes in found.items()}


@dataclass
class PromptBuilder:
    """Turns records into examples with a noisy schema block; deterministic for a seed."""

    source: SchemaSource
    schema_items: int = 10  # items in the block (gold terms + distractors), at least the gold
    near_share: float = 0.5  # share of distractors drawn near the gold terms (same domain/range)
    max_chars: int = DEFAULT_MAX_CHARS  # prompt budget in characters
    seed: int = 0
    classes_of: dict[str, list[str]] = field(default_factory=dict)
    # The entity linker of inference (question → its best non-overlapping entities), and the
    # share of prompts whose entity list is what it finds: the gold entities plus the words
    # it wrongly takes for entities, so that the model learns to leave such slots unused.
    linker: Callable[[str], Sequence[LinkedEntity]] | None = None
    linked_share: float = 0.0
    # Value entities (literals such as "Breda") → the properties holding them in the store.
    value_props: dict[str, list[str]] = field(default_factory=dict)

    def examples(
        self, records: Iterable[dict[str, Any]], *, strict: bool = True, linked: bool = True
    ) -> list[Example]:
        """Examples for ``records``; with ``strict`` off, records whose query cannot be made a
        target are skipped instead of raising; with ``linked`` off, prompts hold the gold
        entities only (whatever ``linked_share`` says)."""
        records = list(records)
        if self.source.store is not None:
            wanted = {e["iri"] for r in records for e in r["entities"]} - set(self.classes_of)
            resources = {i for i in wanted if not is_literal_term(i)}
            self.classes_of.update(entity_classes(self.source.store, resources))
            held = properties_of_values(self.source.store, wanted - resources)
            self.value_props.update(held)
            self.classes_of.update({i: [] for i in wanted - resources})
        out = []
        for record in records:
            try:
                out.append(self.example(record, linked=linked))
            except TargetError as exc:
                if strict:
                    raise TargetError(f"record {record['id']}: {exc}") from exc
        return out

    def example(self, record: dict[str, Any], *, linked: bool = True) -> Example:
        schema, prefixes = self.source.schema, self.source.prefixes
        rng = random.Random(f"{self.seed}/{record['id']}")
        extra: Sequence[LinkedEntity] = ()
        draw = random.Random(f"{self.seed}/{record['id']}/linked").random()
        if linked and self.linker is not None and draw < self.linked_share:
            extra = self._wrongly_linked(record)
        entities = self._entities(record, extra)
        slots = {e.iri: e.slot for e in entities}
        values = question_values(
            record["question"],
            [(e["start"], e["end"]) for e in record["entities"] if "end" in e],
            str(record.get("language") or "en"),
        )
        target = encode(record["query"], slots, prefixes, {v.text: v.slot for v in values})
        gold = [i for i in iris(record["query"], prefixes) if i not in slots]
        gold_terms = [t for i in gold if (t := _term(schema, i)) is not None]
        items = [schema_item(t, schema, prefixes) for t in self._block(gold_terms, rng)]
        prompt = render_prompt(record["question"], entities, items, self.max_chars, values=values)
        return Example(
            id=str(record["id"]),
            prompt=prompt,
            target=target,
            slot_iris={e.slot: e.iri for e in entities} | {v.slot: v.text for v in values},
            query=record["query"],
            answers=tuple(record.get("answers", ())),
            shape=str(record.get("shape", "")),
        )

    def _wrongly_linked(self, record: dict[str, Any]) -> list[LinkedEntity]:
        """What the linker finds in the question besides the gold entities: other resources
        on words outside the gold spans."""
        assert self.linker is not None
        gold = {e["iri"] for e in record["entities"]}
        spans = [(e["start"], e["end"]) for e in record["entities"] if "end" in e]
        return [
            found
            for found in self.linker(record["question"])
            if found.iri not in gold
            and all(found.end <= start or found.start >= end for start, end in spans)
        ]

    def _entities(
        self, record: dict[str, Any], extra: Sequence[LinkedEntity] = ()
    ) -> list[PromptEntity]:
        """Prompt entities in the order of the question: the gold ones, and ``extra``."""
        mentions: list[tuple[int, str, str, str, str | None]] = [
            (
                e.get("start", 0),
                e.get("slot", ""),
                e["iri"],
                e.get("label") or e["iri"],
                self._class_label(e["iri"]),
            )
            for e in record["entities"]
        ]
        mentions += [(e.start, "~", e.iri, e.label, e.class_label) for e in extra]
        out: list[PromptEntity] = []
        seen: set[str] = set()
        for _, _, iri, label, class_label in sorted(mentions, key=lambda m: m[:2]):
            if iri in seen:
                continue
            seen.add(iri)
            out.append(PromptEntity(f"ENT{len(out)}", iri, label, class_label))
        return out

    def _class_label(self, iri: str) -> str | None:
        if is_literal_term(iri):  # described as the linker describes it at inference
            return value_label(self.source.schema, self.value_props.get(iri, []))
        classes = [c for c in self.classes_of.get(iri, []) if c in self.source.schema.classes]
        return self.source.schema.classes[classes[0]].label if classes else None

    def _block(
        self, gold: list[SchemaClass | SchemaProperty], rng: random.Random
    ) -> list[SchemaClass | SchemaProperty]:
        """Gold terms and distractors, shuffled."""
        schema = self.source.schema
        gold_iris = {t.iri for t in gold}
        wanted = max(0, self.schema_items - len(gold))
        near = _near(schema, gold) - gold_iris
        pool = (set(schema.classes) | set(schema.properties)) - gold_iris
        n_near = min(len(near), round(wanted * self.near_share))
        chosen = rng.sample(sorted(near), n_near)
        rest = sorted(pool - set(chosen))
        chosen += rng.sample(rest, min(len(rest), wanted - n_near))
        block = list(gold) + [_term_required(schema, i) for i in chosen]
        rng.shuffle(block)
        return block


def _term(schema: Schema, iri: str) -> SchemaClass | SchemaProperty | None:
    return schema.classes.get(iri) or schema.properties.get(iri)


def _term_required(schema: Schema, iri: str) -> SchemaClass | SchemaProperty:
    term = _term(schema, iri)
    assert term is not None, iri
    return term


def _near(schema: Schema, gold: Sequence[SchemaClass | SchemaProperty]) -> set[str]:
    """Terms that share a class with the gold terms: properties with the same domain or range,
    and those classes themselves."""
    classes: set[str] = set()
    for term in gold:
        if isinstance(term, SchemaClass):
            classes.add(term.iri)
        else:
            classes.update(term.domain)
            classes.update(term.range)
    near = {c for c in classes if c in schema.classes}
    for prop in schema.properties.values():
        if classes & (set(prop.domain) | set(prop.range)):
            near.add(prop.iri)
    return near
