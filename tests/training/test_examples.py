"""Training prompts hold what the entity linker finds, as the service's prompts do."""

from __future__ import annotations

from pathlib import Path

from sparqlqa.ontology.link import EntityLinker, LinkedEntity, best_entities
from sparqlqa.training.examples import PromptBuilder, schema_source

PV = "http://ld.company.org/prod-vocab/"
INST = "http://ld.company.org/prod-instances/"
WOLFGANG = f"{INST}empl-Wolfgang.Martin%40company.org"
QUESTION = "Is Ulrik Denzel in the same department as Wolfgang Martin?"
RECORD = {
    "id": "dept-1",
    "question": QUESTION,
    "query": f"PREFIX pv: <{PV}> SELECT ?d WHERE {{ <{WOLFGANG}> pv:memberOf ?d }}",
    "entities": [
        {
            "iri": WOLFGANG,
            "label": "Wolfgang Martin",
            "start": QUESTION.index("Wolfgang"),
            "end": len(QUESTION) - 1,
        }
    ],
}


def test_prompts_carry_the_entities_the_linker_finds(corporate_store_path: Path) -> None:
    source = schema_source([corporate_store_path])
    assert source.store is not None
    linker = EntityLinker.from_store(source.store, schema=source.schema)

    def find(question: str) -> list[LinkedEntity]:
        return best_entities(linker.link(question, k=8))

    (linked,) = PromptBuilder(source, linker=find, linked_share=1.0).examples([RECORD])
    # the other employee the question names comes first and stays unused by the target
    assert "ENT0 = Ulrik Denzel (Employee)" in linked.prompt
    assert "ENT1 = Wolfgang Martin (Employee)" in linked.prompt
    assert "ENT1 pv:memberOf" in linked.target and "ENT0" not in linked.target
    assert linked.slot_iris["ENT1"] == WOLFGANG

    (gold_only,) = PromptBuilder(source, linker=find, linked_share=0.0).examples([RECORD])
    assert "= Ulrik" not in gold_only.prompt and "ENT0 pv:memberOf" in gold_only.target
    # dev prompts are built with the gold entities whatever the share
    builder = PromptBuilder(source, linker=find, linked_share=1.0)
    assert builder.examples([RECORD], linked=False)[0].prompt == gold_only.prompt
