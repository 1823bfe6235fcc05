"""Everything the translator is shown for one question, built from one graph.

``PromptBuilder.from_store(store)`` reads the graph's schema, builds the schema retriever and
the entity linker once; ``builder.build(question)`` links the entities, retrieves the schema
and renders the prompt (``ontology.prompt``). The service and the evaluation harness use the
same builder, so what is measured is what users get.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.store import SparqlStore
from sparqlqa.ontology.embed import Embedder
from sparqlqa.ontology.link import (
    EntityLinker,
    LinkedEntity,
    LinkerConfig,
    best_entities,
    prompt_entities,
)
from sparqlqa.ontology.prompt import (
    DEFAULT_MAX_CHARS,
    PromptEntity,
    PromptSchemaItem,
    PromptValue,
    merge_prefixes,
    question_values,
    render_prompt,
    schema_items,
)
from sparqlqa.ontology.retrieve import Mode, SchemaRetriever
from sparqlqa.ontology.schema import Schema, schema_from_store


@dataclass
class ContextConfig:
    """How much of the graph a prompt shows."""

    schema_k: int = 12  # classes and properties retrieved per question
    entity_k: int = 10  # candidate entities considered per question
    max_chars: int = DEFAULT_MAX_CHARS  # prompt budget in characters
    mode: Mode = "hybrid"  # schema retrieval: lexical, embedding or hybrid
    entity_classes: bool = True  # add the classes of the linked entities to the schema block
    linker: LinkerConfig = field(default_factory=LinkerConfig)

    def __post_init__(self) -> None:
        if self.schema_k < 1 or self.entity_k < 1:
            raise ValueError("schema_k and entity_k must be at least 1")
        if self.max_chars < 80:
            raise ValueError(f"max_chars={self.max_chars} leaves no room for a question")


@dataclass(frozen=True)
class QuestionContext:
    """The prompt for one question and what went into it."""

    question: str
    prompt: str
    entities: list[PromptEntity]  # the slots ENT0, ENT1... in the order of the question
    linked: list[LinkedEntity]  # every candidate considered, best first
    schema_items: list[PromptSchemaItem]  # most relevant first (the prompt may show fewer)
    values: list[PromptValue] = field(default_factory=list)  # NUM0, NUM1... of the question

    @property
    def slots(self) -> dict[str, str]:
        """Slot → IRI (entities) or number (values), to fill the decoded query."""
        return {e.slot: e.iri for e in self.entities} | {v.slot: v.text for v in self.values}


class PromptBuilder:
    """Builds the prompt of any question over one graph."""

    def __init__(
        self,
        schema: Schema,
        retriever: SchemaRetriever,
        linker: EntityLinker,
        prefixes: Mapping[str, str],
        config: ContextConfig | None = None,
    ) -> None:
        self.schema = schema
        self.retriever = retriever
        self.linker = linker
        self.prefixes = dict(prefixes)
        self.config = config or ContextConfig()

    @classmethod
    def from_store(
        cls,
        store: SparqlStore,
        *,
        schema: Schema | None = None,
        embedder: Embedder | None = None,
        cache_dir: Path | None = None,
        label_predicates: Sequence[str] | None = None,
        config: ContextConfig | None = None,
    ) -> PromptBuilder:
        """A builder over ``store``: its schema (read from the store unless given), a
        retriever and a linker over its labels; prefixes are the store's own, then the
        common ones."""
        config = config or ContextConfig()
        schema = schema or schema_from_store(store)
        retriever = SchemaRetriever(schema, embedder, mode=config.mode, cache_dir=cache_dir)
        linker = EntityLinker.from_store(
            store,
            schema=schema,
            predicates=label_predicates,
            # the re-ranking by embedding shares the retriever's model (none in lexical mode)
            embedder=None if config.mode == "lexical" else retriever.embedder,
            config=config.linker,
            cache_dir=cache_dir,
        )
        prefixes = merge_prefixes(store.prefixes, COMMON_PREFIXES)
        return cls(schema, retriever, linker, prefixes, config)

    def build(self, question: str) -> QuestionContext:
        cfg = self.config
        retrieved = self.retriever.retrieve(question, cfg.schema_k)
        linked = self.linker.link(question, cfg.entity_k, schema_terms=retrieved)
        chosen = best_entities(linked)
        iris = [term.iri for term, _ in retrieved]
        if cfg.entity_classes:
            iris += [e.class_iri for e in chosen if e.class_iri]
        items = schema_items(list(dict.fromkeys(iris)), self.schema, self.prefixes)
        entities = prompt_entities(chosen)
        values = question_values(question, [(e.start, e.end) for e in chosen])
        prompt = render_prompt(question, entities, items, cfg.max_chars, values=values)
        return QuestionContext(question, prompt, entities, linked, items, values)
