"""Schema retrieval: lexical ranking, embeddings with MiniLM, the on-disk index cache."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from kg.embedded import CORPORATE_FILES
from ontology.embed import Embedder, SentenceTransformerEmbedder
from ontology.retrieve import SchemaRetriever, describe
from ontology.schema import Schema, SchemaClass, load_schema
from sparqlqa.errors import ConfigError

PV = "http://ld.company.org/prod-vocab/"


@pytest.fixture(scope="module")
def vocabulary() -> Schema:
    return load_schema([CORPORATE_FILES[0]])


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("What is the weight of the Transformer Compensator?", "weight_g", id="weight"),
        pytest.param("Give me the phone number of Marius Fux.", "phone", id="phone"),
        pytest.param("Who is the manager of Liese Adam?", "hasManager", id="manager"),
        pytest.param("Which departments are responsible for this?", "responsibleFor", id="stem"),
        pytest.param("In which country is the supplier located?", "country", id="country"),
    ],
)
def test_lexical_ranks_the_named_term_high(
    vocabulary: Schema, question: str, expected: str
) -> None:
    retriever = SchemaRetriever(vocabulary, mode="lexical")
    top = [term.iri for term, _ in retriever.retrieve(question, k=3)]
    assert PV + expected in top


def test_kind_filter_and_order_are_stable(vocabulary: Schema) -> None:
    retriever = SchemaRetriever(vocabulary, mode="lexical")
    props = retriever.retrieve("member of which department", k=4, kind="property")
    assert props and all(t.iri in vocabulary.properties for t, _ in props)
    assert [s for _, s in props] == sorted((s for _, s in props), reverse=True)
    assert retriever.retrieve("member of which department", k=4, kind="property") == props


def test_refuses_bad_configuration(vocabulary: Schema) -> None:
    with pytest.raises(ConfigError, match="unknown retrieval mode"):
        SchemaRetriever(vocabulary, mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="empty"):
        SchemaRetriever(Schema(), mode="lexical")


def test_describe_says_domain_and_range_in_words(vocabulary: Schema) -> None:
    assert describe(vocabulary.properties[PV + "memberOf"], vocabulary) == (
        "member of: The department to which an agents belongs. (Agent -> Department)"
    )
    assert describe(vocabulary.properties[PV + "amount"], vocabulary).endswith("-> number)")
    assert describe(vocabulary.classes[PV + "Manager"], vocabulary).endswith("(a kind of Employee)")


class Counting:
    """A real embedder that counts the texts it was asked to encode."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded += len(texts)
        return self.inner.encode(texts)


def test_embedding_index_is_cached_and_reloaded(
    vocabulary: Schema, minilm: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    counting = Counting(minilm)
    assert isinstance(counting, Embedder) and isinstance(minilm, Embedder)
    first = SchemaRetriever(vocabulary, counting, mode="embedding", cache_dir=tmp_path)
    indexed = counting.encoded
    assert indexed == len(vocabulary.classes) + len(vocabulary.properties)
    files = list(tmp_path.glob("schema-*.npy"))
    assert len(files) == 1 and vocabulary.fingerprint() in files[0].name
    second = SchemaRetriever(vocabulary, counting, mode="embedding", cache_dir=tmp_path)
    assert counting.encoded == indexed  # reloaded, nothing encoded
    question = "How heavy is the Transformer Compensator?"
    assert first.retrieve(question, 5) == second.retrieve(question, 5)
    assert first.retrieve(question, 1)[0][0].iri == PV + "weight_g"  # no shared word
    # another schema (or model) gets another index file
    changed = Schema(dict(vocabulary.classes), dict(vocabulary.properties))
    changed.classes[PV + "Robot"] = SchemaClass(PV + "Robot", "robot")
    SchemaRetriever(changed, counting, mode="embedding", cache_dir=tmp_path)
    assert len(list(tmp_path.glob("schema-*.npy"))) == 2


@pytest.fixture(scope="module")
def hybrid(vocabulary: Schema, minilm: SentenceTransformerEmbedder) -> SchemaRetriever:
    return SchemaRetriever(vocabulary, minilm, mode="hybrid")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("Who is the boss of Liese Adam?", "hasManager", id="boss"),
        pytest.param("Which firm delivers the Driver Resonator?", "hasSupplier", id="firm"),
        pytest.param("How can I call Marius Fux?", "phone", id="call"),
    ],
)
def test_hybrid_finds_paraphrases(hybrid: SchemaRetriever, question: str, expected: str) -> None:
    retriever = hybrid
    assert PV + expected in [t.iri for t, _ in retriever.retrieve(question, k=5)]
