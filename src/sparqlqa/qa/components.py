"""The concrete linker and translator behind a graph's pipeline, built from its folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sparqlqa.kg.store import Store
from sparqlqa.ontology.crosslingual import CrossLingualWords
from sparqlqa.ontology.dictionary import GraphDictionary
from sparqlqa.ontology.link import EntityLinker, LinkedEntity, name_predicates
from sparqlqa.ontology.schema import Schema
from sparqlqa.training.translate import Translator

if TYPE_CHECKING:
    from sparqlqa.ontology.embed import Embedder
    from sparqlqa.qa.graphs import GraphSpec  # qa.graphs imports this module


class GraphLinker:
    """The pipeline's view of an ``EntityLinker``: the best non-overlapping entities."""

    def __init__(self, linker: EntityLinker, candidates: int = 8) -> None:
        self.linker = linker
        self.candidates = candidates

    def link(
        self, question: str, schema_terms: Sequence[object] = (), language: str | None = None
    ) -> list[LinkedEntity]:
        return self.linker.entities(
            question, candidates=self.candidates, schema_terms=schema_terms, language=language
        )

    def translated(self, text: str, language: str | None) -> list[str]:
        """The label words a German or Spanish ``text`` stands for by the dictionary."""
        return self.linker.translated(text, language)


class ModelTranslator:
    """The pipeline's view of a ``training.translate.Translator``: targets with scores."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator
        self.prefixes = translator.prefixes
        # The prompt at inference has the shape the model was trained on.
        self.schema_items = translator.meta.schema_items
        self.prompt_chars = translator.meta.prompt_max_chars

    def translate(self, prompts: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        groups = self.translator.translate(prompts, k)
        return [[(c.target, c.score) for c in group] for group in groups]

    def close(self) -> None:
        """Nothing to release: the model goes with the object."""


def linker_for(
    store: Store,
    schema: Schema,
    spec: GraphSpec,
    folder: Path,
    multilingual: Embedder | None = None,
) -> GraphLinker:
    """The entity linker over the graph's labels (its index cached under ``folder/index``);
    with a ``multilingual`` embedder, German and Spanish words find English label words, and
    with a dictionary (``ontology.dictionary``) they are translated first."""
    predicates = list(dict.fromkeys([*spec.label_predicates, *name_predicates(store)]))
    linker = EntityLinker.from_store(
        store,
        schema=schema,
        predicates=predicates,
        cache_dir=folder / "index",
    )
    if multilingual is not None:
        linker.crosslingual = CrossLingualWords(
            linker.index, multilingual, cache_dir=folder / "index"
        )
    # Built on a German or Spanish question's first unknown word, when a dictionary is found.
    linker.dictionary = GraphDictionary.of_categories(
        linker.index, linker.config.category_in_degree, cache_dir=folder / "index"
    )
    return GraphLinker(linker)


def translator_for(
    model: Path, *, quantize: str = "none", early_stopping: bool = False
) -> ModelTranslator:
    """The translator of a model folder (torch is imported here, not before), quantized as
    ``quantize`` says (``training.quantize``), its beam search stopped early or not."""
    return ModelTranslator(Translator(model, quantize=quantize, early_stopping=early_stopping))
