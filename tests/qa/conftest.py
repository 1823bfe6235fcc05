"""Fixtures of the QA core's tests on the real corporate store: its guard and schema, and a
pipeline whose translator writes nothing, so that the proposals given are all there is."""

from __future__ import annotations

import pytest

from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.guard import Guard, Limits
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.ontology.link import EntityLinker
from sparqlqa.ontology.retrieve import SchemaRetriever
from sparqlqa.ontology.schema import Schema, schema_from_store
from sparqlqa.qa.components import GraphLinker
from sparqlqa.qa.pipeline import QAPipeline


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard(Limits(timeout_s=10.0), prefixes=COMMON_PREFIXES)


@pytest.fixture(scope="module")
def schema(corporate_store: EmbeddedStore) -> Schema:
    return schema_from_store(corporate_store)


class NoBeam:
    """A translator that writes no candidate: the proposals are all there is."""

    def translate(self, prompts: object, k: int) -> list[list[tuple[str, float]]]:
        return [[] for _ in prompts]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def pipeline(corporate_store: EmbeddedStore, schema: Schema, guard: Guard) -> QAPipeline:
    return QAPipeline(
        graph="corporate",
        store=corporate_store,
        guard=guard,
        schema=schema,
        prefixes={**COMMON_PREFIXES, **corporate_store.prefixes},
        linker=GraphLinker(EntityLinker.from_store(corporate_store, schema=schema)),
        retriever=SchemaRetriever(schema, mode="lexical"),
        translator=NoBeam(),  # type: ignore[arg-type]
        decode=lambda target, slots, prefixes: target,
    )
