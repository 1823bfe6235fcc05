"""The target recogniser: accepts every generated target, rejects broken ones, and what it
accepts parses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sparqlqa.kg.guard import Guard
from sparqlqa.kg.store import SparqlStore
from sparqlqa.templates.generate import GenerateArgs, run
from sparqlqa.templates.native import bundled_set
from sparqlqa.training.constrain import is_complete
from sparqlqa.training.examples import Example, PromptBuilder, load_split, schema_source
from sparqlqa.training.recogniser import Recogniser
from sparqlqa.training.target import decode

PREFIXES = {"pv": "http://ld.company.org/prod-vocab/", "xsd": "http://www.w3.org/2001/XMLSchema#"}
PROMPT = (
    "question: Which department is Ann in?\nentities: ENT0 = Ann (Employee)\n"
    "values: NUM0 = 5\n"
    "schema: pv:memberOf = member of (Agent -> Department) | pv:weight_g = weight | "
    "pv:Department = class Department\nsparql:"
)


@pytest.fixture(scope="module")
def generated(
    corporate_store: SparqlStore,
    corporate_store_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[Example], dict[str, str]]:
    """Examples of a real generation: every bundled corporate template, 3 questions each."""
    work = tmp_path_factory.mktemp("grammar")
    templates = yaml.safe_load(bundled_set("corporate").read_text())
    subset = work / "templates.yaml"
    subset.write_text(yaml.safe_dump(templates, sort_keys=False))
    run(
        GenerateArgs(
            output=work / "pairs",
            seed=11,
            store=corporate_store_path,
            template_files=[subset],
            per_template=3,
            progress=False,
        )
    )
    source = schema_source([corporate_store_path])
    records = [r for s in ("train", "dev", "test") for r in load_split(work / "pairs", s)]
    return PromptBuilder(source, seed=1).examples(records, strict=False), source.prefixes


def test_every_generated_target_is_accepted_and_parses(
    generated: tuple[list[Example], dict[str, str]],
) -> None:
    examples, prefixes = generated
    assert len(examples) > 100
    shapes = {e.shape for e in examples}
    assert {"count", "lookup"} <= shapes
    guard = Guard(prefixes=prefixes)
    for example in examples:
        assert is_complete(example.prompt, example.target, prefixes), example.target
        guard.check(decode(example.target, example.slot_iris, prefixes))  # raises if not


def test_every_prefix_of_a_target_stays_in_the_language(
    generated: tuple[list[Example], dict[str, str]],
) -> None:
    examples, prefixes = generated
    for example in examples[::7]:
        state: Recogniser | None = Recogniser.for_prompt(example.prompt, prefixes)
        for i, char in enumerate(example.target):
            assert state is not None, example.target[:i]
            state = state.step(char)
        assert state is not None and state.done


@pytest.mark.parametrize(
    "target",
    [
        "?x1 FILTER ( ?x1 ) LIMIT 1",  # no query form
        " ".join(["SELECT"] * 20),
        " ".join(["?x0"] * 20),
        "SELECT ?x0 WHERE { " + " ".join(["ENT0"] * 20) + " }",
        "SELECT ?x0 WHERE { ?x0 pv:memberOf ENT0",  # unbalanced
        "SELECT ?x0 WHERE { ?x0 pv:memberOf ENT0 } }",
        "SELECT ?x0 WHERE { ?x0 pv:memberOf ( ENT0 }",
        "SELECT ?x0 WHERE { ?x0 pv:memberOf ENT1 }",  # ENT1 is not offered
        "SELECT ?x0 WHERE { ?x0 pv:weight_g ?x1 FILTER ( ?x1 > NUM1 ) }",  # nor NUM1
        "SELECT ?x0 WHERE { ?x0 pv:hasSupplier ENT0 }",  # not a schema name of the prompt
        "SELECT ?x1 WHERE { ?x1 pv:memberOf ENT0 }",  # variables are numbered from ?x0
        "SELECT ?x0 ?x0 WHERE { ?x0 pv:memberOf ENT0 }",  # projected twice
        "SELECT ?x0 ( COUNT ( ?x1 ) AS ?x2 ) WHERE { ?x1 pv:memberOf ?x0 }",  # not grouped
        "SELECT ( COUNT ( ?x0 ) AS ?x0 ) WHERE { ?x0 pv:memberOf ENT0 }",  # AS an old var
        "SELECT ?x0 WHERE { ?x0 pv:memberOf ENT0 FILTER ( COUNT ( ?x0 ) > 1 ) }",
        "SELECT ?x0 WHERE { ?x0 pv:memberOf ENT0 } LIMIT NUM0.5",
        "SELECT ?x0 WHERE { ?x0 pv:memberOf ENT0 }  ",  # trailing spaces
        "SELECT ?x0 WHERE { ?x0 pv:weight_g NUM0 ^^xsd:integer }",  # ^^ must be glued
        "ASK { ENT0 pv:memberOf ?x0 } LIMIT 1",
        # BIND into a variable the WHERE clause already used
        "SELECT ?x0 WHERE { ENT0 pv:weight_g ?x0 . BIND ( ( ?x0 * 2 ) AS ?x0 ) }",
    ],
)
def test_broken_targets_are_rejected(target: str) -> None:
    assert not is_complete(PROMPT, target, PREFIXES)


@pytest.mark.parametrize(
    "target",
    [
        "SELECT DISTINCT ?x0 WHERE { ENT0 pv:memberOf ?x0 }",
        "ASK { ENT0 pv:memberOf ?x0 . ?x0 a pv:Department }",
        "SELECT ?x0 ( COUNT ( ?x1 ) AS ?x2 ) WHERE { ?x1 pv:memberOf ?x0 } GROUP BY ?x0 "
        "ORDER BY DESC ( ?x2 ) LIMIT NUM0",
        "SELECT ?x0 WHERE { ?x0 pv:weight_g ?x1 FILTER ( ?x1 > NUM0 && ?x1 < 10.5 ) }",
        "SELECT ?x0 WHERE { ?x0 pv:weight_g NUM0^^xsd:integer ; pv:memberOf ENT0 , ?x1 . }",
        'SELECT ?x0 WHERE { ?x0 rdfs:label "Ann"@en FILTER NOT EXISTS { ?x0 pv:memberOf ?x1 } }',
        "SELECT ?x0 WHERE { { ?x0 pv:memberOf ENT0 } UNION { ENT0 pv:memberOf ?x0 } }",
        # a derived value: BIND into the projected variable the WHERE clause has not used
        "SELECT ?x0 WHERE { ENT0 pv:weight_g ?x1 . BIND ( ( ?x1 * 2 ) AS ?x0 ) }",
    ],
)
def test_valid_targets_are_accepted_and_parse(target: str) -> None:
    prefixes = {**PREFIXES, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    assert is_complete(PROMPT, target, prefixes)
    query = decode(
        target, {"ENT0": "http://ld.company.org/prod-instances/ann", "NUM0": "5"}, prefixes
    )
    Guard(prefixes=prefixes).check(query)


def test_a_target_is_not_done_halfway() -> None:
    state = Recogniser.for_prompt(PROMPT, PREFIXES).feed("SELECT ?x0 WHERE { ?x0 pv:memberOf ENT0")
    assert state is not None and not state.done
    closed = state.feed(" }")
    assert closed is not None and closed.done


def test_control_characters_are_rejected() -> None:
    start = Recogniser.for_prompt(PROMPT, PREFIXES)
    whole = "SELECT ?x0 WHERE { ?x0 pv:memberOf ENT0 }"
    assert is_complete(PROMPT, whole, PREFIXES)
    assert not is_complete(PROMPT, whole + "\x00", PREFIXES)
    assert start.feed("SELECT\n?x0") is None and start.feed("SELECT\t") is None
