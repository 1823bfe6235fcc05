"""The whole prompt of a question over the real corporate graph (lexical retrieval: no model)."""

from __future__ import annotations

import pytest

from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.ontology.context import ContextConfig, PromptBuilder
from sparqlqa.ontology.prompt import fill_slots
from sparqlqa.ontology.schema import Schema

PI = "http://ld.company.org/prod-instances/"


@pytest.fixture(scope="module")
def builder(corporate_store: EmbeddedStore, corporate_schema: Schema) -> PromptBuilder:
    config = ContextConfig(mode="lexical", max_chars=700)
    return PromptBuilder.from_store(corporate_store, schema=corporate_schema, config=config)


def test_prompt_of_a_question(builder: PromptBuilder) -> None:
    context = builder.build("Is Ulrik Denzel a member of the Production department?")
    lines = context.prompt.splitlines()
    assert lines[0] == "question: Is Ulrik Denzel a member of the Production department?"
    assert lines[1] == "entities: ENT0 = Ulrik Denzel (Employee) ; ENT1 = Production (Department)"
    assert (
        lines[2].startswith("schema: ")
        and "pv:memberOf = member of (Agent -> Department)" in lines[2]
    )
    assert lines[3] == "sparql:" and len(context.prompt) <= 700
    assert context.slots == {
        "ENT0": PI + "empl-Ulrik.Denzel%40company.org",
        "ENT1": PI + "dept-66469",
    }
    assert fill_slots("ASK { ENT0 pv:memberOf ENT1 }", context.entities) == (
        f"ASK {{ <{PI}empl-Ulrik.Denzel%40company.org> pv:memberOf <{PI}dept-66469> }}"
    )
    # the same question gives the same prompt
    assert builder.build("Is Ulrik Denzel a member of the Production department?") == context


def test_entity_classes_join_the_schema_block(builder: PromptBuilder) -> None:
    context = builder.build("Who is Mr. Denzel?")
    assert "pv:Employee = class Employee" in context.prompt


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        ContextConfig(max_chars=10)
