"""With the tiny trained model: every candidate of constrained decoding parses, and nonsense
questions are not answered (in the pipeline and over /ask)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest

from sparqlqa.qa.graphs import open_graph
from sparqlqa.service.settings import Settings
from sparqlqa.training.constrain import is_complete
from sparqlqa.training.translate import TRUNCATED, Translator


class LiveServer(Protocol):
    url: str


QUESTIONS = [
    "Which department does Wolfgang Martin work in?",
    "What is the e-mail address of Wolfgang Martin?",
    "Who is the manager of Wolfgang Martin?",
    "how many employees has Data Services and who manages them",  # not a trained shape
    "asdf qwer zxcv",
    "What is the capital of Mars?",
]
NONSENSE = ["asdf qwer zxcv", "What is the capital of Mars?", "!!!???###", "jjjjjjjjjjjjjjjj"]


@pytest.fixture(scope="module")
def opened(model_graph: Path) -> Any:
    graph = open_graph(model_graph, Settings(warm_up=False))
    assert graph.pipeline is not None, graph.problem
    yield graph
    graph.close()


def test_every_constrained_candidate_parses(opened: Any, model_graph: Path) -> None:
    pipeline = opened.pipeline
    translator = Translator(model_graph / "model", device="cpu")
    assert translator.constrained  # on by default
    parsed = truncated = 0
    for question in QUESTIONS:
        prompt, entities, values, _, _ = pipeline.prepare(question)
        slots = {f"ENT{i}": e.iri for i, e in enumerate(entities)}
        slots.update({v.slot: v.text for v in values})
        group = translator.translate([prompt], 4, [slots])[0]
        assert len(group) == 4
        assert group[0].sparql is not None, group[0].error  # whole targets come first
        for candidate in group:
            if candidate.error == TRUNCATED:  # a beam that ran into max_new_tokens
                assert not is_complete(prompt, candidate.target, translator.prefixes)
                truncated += 1
                continue
            assert is_complete(prompt, candidate.target, translator.prefixes), candidate.target
            assert candidate.sparql is not None, candidate.error
            pipeline.guard.check(candidate.sparql)  # raises QuerySyntaxError if it does not parse
            parsed += 1
    assert parsed >= 3 * len(QUESTIONS) and truncated <= len(QUESTIONS)
    # The switch turns it off: the same call still works, unconstrained.
    translator.constrained = False
    prompt = pipeline.prepare(QUESTIONS[0])[0]
    assert len(translator.translate([prompt], 2)[0]) == 2


@pytest.mark.parametrize("question", NONSENSE)
def test_nonsense_is_not_answered(opened: Any, question: str) -> None:
    answer = opened.pipeline.answer(question, k=3)
    assert answer.answered is False
    # Told apart by the grounding rule, not by a low score alone: the graph (multilingual,
    # as served by default) finds no entity and no schema word in it.
    assert answer.grounded is False
    assert answer.reason
    assert answer.answers == []
    assert all(c.confidence is not None for c in answer.candidates)


def test_a_known_question_is_answered_with_its_confidence(opened: Any) -> None:
    answer = opened.pipeline.answer(QUESTIONS[0], k=3)
    assert answer.answered is True and answer.grounded
    assert answer.confidence is not None
    assert answer.confidence >= opened.pipeline.abstain_below


def test_a_high_threshold_abstains_but_keeps_the_best_query(opened: Any) -> None:
    pipeline = opened.pipeline
    before = pipeline.abstain_below
    pipeline.abstain_below = 1.01  # nothing is that sure
    try:
        answer = pipeline.answer(QUESTIONS[0], k=3)
    finally:
        pipeline.abstain_below = before
    assert answer.answered is False and "not confident enough" in (answer.reason or "")
    assert answer.query and "pv:memberOf" in answer.query  # the best candidate stays


def test_ask_shows_scores_and_abstains_on_nonsense(model_server: LiveServer) -> None:
    body = httpx.post(
        f"{model_server.url}/ask", json={"question": "asdf qwer zxcv"}, timeout=60
    ).json()
    assert body["answered"] is False and body["reason"]
    assert body["answers"] == []
    assert body["candidates"]
    for candidate in body["candidates"]:
        assert isinstance(candidate["score"], float)
        assert 0.0 <= candidate["confidence"] <= 1.0
    known = httpx.post(
        f"{model_server.url}/ask",
        json={"question": "Which department does Wolfgang Martin work in?"},
        timeout=60,
    ).json()
    assert known["answered"] is True
    assert known["best_candidate"]["query"] == known["query"]
    assert known["confidence"] == known["best_candidate"]["confidence"] > 0


def test_text2sparql_still_returns_the_best_query_when_abstaining(
    model_server: LiveServer,
) -> None:
    from sparqlqa.bundled import CORPORATE_DATASET

    body = httpx.get(
        f"{model_server.url}/text2sparql",
        params={"question": "asdf qwer zxcv", "dataset": CORPORATE_DATASET},
        timeout=60,
    ).json()
    assert body["query"].lstrip().startswith(("PREFIX", "SELECT", "ASK"))
