"""The enumerating proposer in a served graph's pipeline (the tiny trained model's folder,
whose graph.json turns it off: the setting turns it back on)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sparqlqa.ontology.dictionary import GraphDictionary
from sparqlqa.qa.enumerate import ORIGIN
from sparqlqa.qa.graphs import GraphSettings, open_graph


def test_an_enumerated_count_answers_where_the_beam_cannot(model_graph: Path) -> None:
    # The tiny model knows only lookups: every beam candidate of a "how many" question is
    # rejected (no number); an enumerated COUNT around the linked person fits and answers.
    question = "How many departments does Wolfgang Martin work in?"
    off = open_graph(model_graph, GraphSettings(plan_timeout_s=5.0))
    try:
        assert off.pipeline is not None and off.pipeline.proposers == ()
        assert off.pipeline.answer(question, k=2).candidates[-1].origin == "beam"
    finally:
        off.close()
    # Abstention off: this test is about where the answer comes from, not how sure it is.
    settings = GraphSettings(plan_timeout_s=5.0, enumerate=True, abstain_below=0.0)
    on = open_graph(model_graph, settings)
    try:
        assert on.pipeline is not None
        answer = on.pipeline.answer(question, k=2)
        accepted = [c for c in answer.candidates if c.accepted]
        assert len(accepted) == 1 and accepted[0].origin == ORIGIN
        assert accepted[0].query is not None and "COUNT" in accepted[0].query.upper()
        assert answer.answers and answer.answers[0]["value"] == "1"
        assert all(c.confidence is not None and c.confidence < 1.0 for c in answer.candidates)
    finally:
        on.close()


def test_a_leading_proposal_is_tried_before_the_beam(model_graph: Path) -> None:
    from sparqlqa.qa.proposals import Proposal

    question = "Which department does Wolfgang Martin work in?"
    graph = open_graph(model_graph, GraphSettings(plan_timeout_s=5.0))
    try:
        pipeline = graph.pipeline
        assert pipeline is not None
        prompt, entities, values, _, _ = pipeline.prepare(question, "en")
        scored = pipeline.translator.translate([prompt], 2)[0]
        known = (
            "PREFIX pv: <http://ld.company.org/prod-vocab/>\n"
            'SELECT ?d WHERE { ?e pv:name "Wolfgang Martin" ; pv:memberOf ?d }'
        )
        for lead, origin in ((False, "beam"), (True, "example")):
            proposal = Proposal(known, "example", 0.97, lead=lead)
            _, chosen, _ = pipeline.choose(question, scored, entities, values, [proposal])
            assert chosen is not None and chosen.origin == origin
    finally:
        graph.close()


class _FixedProposer:
    """Proposes one fixed query, whatever the question (a stand-in for a user's examples)."""

    def __init__(self, query: str) -> None:
        self.query = query

    def propose(self, question, entities, values, schema_iris, language):  # type: ignore[no-untyped-def]
        from sparqlqa.qa.proposals import Proposal

        return [Proposal(self.query, "example", 0.9)]


_MEMBER_OF = (
    "PREFIX pv: <http://ld.company.org/prod-vocab/>\n"
    'SELECT ?d WHERE { ?e pv:name "Wolfgang Martin" ; pv:memberOf ?d }'
)


def test_the_translator_runs_only_when_no_proposal_fits(model_graph: Path) -> None:
    question = "Which department does Wolfgang Martin work in?"
    graph = open_graph(model_graph, GraphSettings(plan_timeout_s=5.0, abstain_below=0.0))
    try:
        pipeline = graph.pipeline
        assert pipeline is not None and pipeline.translate == "fallback"  # the default
        # A proposal that answers in the asked form: the beam is not asked.
        pipeline.proposers = (_FixedProposer(_MEMBER_OF),)
        answer = pipeline.answer(question, k=2)
        assert answer.answered and "translate" not in answer.timings_ms
        assert [c.origin for c in answer.candidates] == ["example"]
        # One that returns nothing: the translator writes candidates after all.
        empty = "SELECT ?d WHERE { ?e <http://example.org/nothing> ?d }"
        pipeline.proposers = (_FixedProposer(empty),)
        answer = pipeline.answer(question, k=2)
        assert "translate" in answer.timings_ms
        assert "beam" in {c.origin for c in answer.candidates}
        # "always": the beam's candidates come first even beside a fitting proposal (this
        # graph has no ranker, so the first that fits answers).
        pipeline.proposers = (_FixedProposer(_MEMBER_OF),)
        pipeline.translate = "always"
        answer = pipeline.answer(question, k=2)
        assert "translate" in answer.timings_ms
        assert answer.candidates[0].origin == "beam"
    finally:
        graph.close()


def test_the_translate_setting_is_checked() -> None:
    import pytest
    from pydantic import ValidationError

    assert GraphSettings(translate="always").translate == "always"
    with pytest.raises(ValidationError, match="fallback"):
        GraphSettings(translate="sometimes")  # type: ignore[arg-type]


def test_a_category_linked_through_the_dictionary_grounds_the_question(
    model_graph: Path, tmp_path: Path, write_dictd: Callable[..., Path]
) -> None:
    """A German question naming a category only in German is about the graph once the
    dictionary reads it ("Widerstände": Resistor); without one it is refused as ungrounded."""
    question = "Zeig mir alle Widerstände."
    folder = tmp_path / "dictd"
    entry = "Widerstände /v/ <pl>\nobstructions, resistors\n"
    write_dictd(folder, "freedict-deu-eng", [("widerstände", entry)])
    graph = open_graph(model_graph, GraphSettings(plan_timeout_s=5.0, enumerate=True))
    try:
        pipeline = graph.pipeline
        assert pipeline is not None
        without = pipeline.answer(question, k=2, language="de")
        assert not without.grounded and not without.answered
        linker = pipeline.linker.linker  # type: ignore[attr-defined]
        linker.dictionary = GraphDictionary.of_categories(
            linker.index, linker.config.category_in_degree, folders=[folder]
        )
        answer = pipeline.answer(question, k=2, language="de")
        resistor = "http://ld.company.org/prod-instances/prod-cat-Resistor"
        assert resistor in {e.iri for e in answer.entities}
        assert answer.grounded
    finally:
        graph.close()
