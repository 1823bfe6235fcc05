"""Schema retrieval: lexical ranking, embeddings with MiniLM, the on-disk index cache."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from sparqlqa.bundled import CORPORATE_FILES
from sparqlqa.errors import ConfigError
from sparqlqa.ontology.embed import Embedder, SentenceTransformerEmbedder
from sparqlqa.ontology.retrieve import SchemaRetriever, answer_type, describe
from sparqlqa.ontology.schema import Schema, SchemaClass, SchemaProperty, load_schema

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


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("Who directed Titanic?", {"agent"}, id="who"),
        pytest.param("When was the Titanic completed?", {"date"}, id="when"),
        pytest.param("In which year did it open?", {"date"}, id="which-year"),
        pytest.param("Where is Syngman Rhee buried?", {"place"}, id="where"),
        pytest.param("In which city did he die?", {"place"}, id="which-city"),
        pytest.param("How tall is Claudia Schiffer?", {"number"}, id="how-tall"),
        pytest.param("How did he die?", set(), id="how-manner"),
        pytest.param("Give me all books by Kerouac.", set(), id="none"),
    ],
)
def test_answer_type(question: str, expected: set[str]) -> None:
    assert answer_type(question) == expected


def test_prior_and_answer_type_move_terms_up(vocabulary: Schema) -> None:
    question = "Who is responsible?"
    schema = Schema(dict(vocabulary.classes), dict(vocabulary.properties))
    schema.properties[PV + "hasManager"].mentions = 10
    with_prior = SchemaRetriever(schema, _Constant(), mode="hybrid")
    without = SchemaRetriever(schema, _Constant(), mode="hybrid", prior_weight=0.0)
    rank = {
        name: [t.iri for t, _ in r.retrieve(question, 50)].index(PV + "hasManager")
        for name, r in (("with", with_prior), ("without", without))
    }
    assert rank["with"] < rank["without"]
    typed = SchemaRetriever(schema, _Constant(), mode="hybrid", answer_type_weight=5.0)
    top = typed.retrieve("How heavy is it?", 3, kind="property")
    assert all(isinstance(t, SchemaProperty) and t.numeric for t, _ in top)  # numbers first


class _Constant:
    """An embedder that sees every text alike: rankings come from the other signals."""

    name = "constant"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.ones((len(texts), 4), dtype=np.float32) / 2.0
