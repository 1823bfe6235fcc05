"""Metrics, table-driven: set F1, GERBIL's QALD conventions, ASK, the official TEXT2SPARQL
averaging, canonical exact match and BLEU."""

from __future__ import annotations

from pathlib import Path

import pytest

from sparqlqa.benchmarks.canonical import canonical, exact_match, nspm_encode
from sparqlqa.benchmarks.metrics import (
    PRF,
    answer_scores,
    corpus_bleu,
    macro,
    official_set_prf,
    percentile,
    qald_prf,
    sentence_bleu_nspm,
    set_prf,
)
from sparqlqa.kg.embedded import EmbeddedStore


def _close(a: PRF | None, b: PRF | None) -> bool:
    if a is None or b is None:
        return a is b
    return all(
        x == pytest.approx(y)
        for x, y in ((a.precision, b.precision), (a.recall, b.recall), (a.f1, b.f1))
    )


@pytest.mark.parametrize(
    ("gold", "pred", "plain", "qald"),
    [
        pytest.param(["a", "b"], ["a", "b"], PRF(1, 1, 1), PRF(1, 1, 1), id="exact"),
        pytest.param(["a", "b"], ["b", "a", "a"], PRF(1, 1, 1), PRF(1, 1, 1), id="order-dups"),
        pytest.param(["a", "b"], ["a", "c"], PRF(0.5, 0.5, 0.5), PRF(0.5, 0.5, 0.5), id="half"),
        pytest.param(
            ["a", "b", "c", "d"], ["a"], PRF(1, 0.25, 0.4), PRF(1, 0.25, 0.4), id="partial"
        ),
        pytest.param(["a"], ["b"], PRF(0, 0, 0), PRF(0, 0, 0), id="disjoint"),
        # GERBIL: both empty is a perfect answer.
        pytest.param([], [], PRF(1, 1, 1), PRF(1, 1, 1), id="both-empty"),
        # GERBIL: the system answered nothing, the gold has answers: P = 1, R = F = 0.
        pytest.param(["a"], [], PRF(0, 0, 0), PRF(1, 0, 0), id="system-empty"),
        # GERBIL: the gold is empty, the system answered something: all 0.
        pytest.param([], ["a"], PRF(0, 0, 0), PRF(0, 0, 0), id="gold-empty"),
        pytest.param(["1"], ["1.0"], PRF(0, 0, 0), PRF(0, 0, 0), id="values-compared-as-text"),
    ],
)
def test_set_and_qald_conventions(gold: list[str], pred: list[str], plain: PRF, qald: PRF) -> None:
    assert _close(set_prf(gold, pred), plain)
    assert _close(qald_prf(gold, pred), qald)


@pytest.mark.parametrize(
    ("gold", "pred", "f1"),
    [
        pytest.param(["true"], ["true"], 1.0, id="true-true"),
        pytest.param(["false"], ["false"], 1.0, id="false-false"),
        pytest.param(["true"], ["false"], 0.0, id="true-false"),
        pytest.param(["false"], ["true"], 0.0, id="false-true"),
        pytest.param(["true"], None, 0.0, id="no-answer"),
        pytest.param(["true"], [], 0.0, id="empty-select"),
        pytest.param(["true"], ["true", "x"], 0.0, id="select-rows"),
    ],
)
def test_ask_is_scored_on_the_boolean(gold: list[str], pred: list[str] | None, f1: float) -> None:
    scores = answer_scores(gold, pred, ask=True)
    assert scores["plain"].f1 == f1
    assert scores["qald"].f1 == f1


@pytest.mark.parametrize("ask", [pytest.param(False, id="select"), pytest.param(True, id="ask")])
def test_no_prediction_counts_as_empty(ask: bool) -> None:
    gold = ["true"] if ask else ["a"]
    scores = answer_scores(gold, None, ask=ask)
    assert _close(scores["plain"], PRF(0, 0, 0))
    assert _close(scores["qald"], PRF(1, 0, 0))  # GERBIL: the system gave up


@pytest.mark.parametrize(
    ("gold", "pred", "gold_ask", "pred_ask", "expected"),
    [
        pytest.param(["a", "b"], ["a", "c"], False, False, PRF(0.5, 0.5, 0.5), id="select"),
        pytest.param(["a"], [], False, False, PRF(0, 0, 0), id="system-empty"),
        pytest.param(["a"], None, False, False, PRF(0, 0, 0), id="system-error"),
        # The official client leaves questions with an empty gold result out.
        pytest.param([], [], False, False, None, id="gold-empty-dropped"),
        pytest.param([], ["a"], False, False, None, id="gold-empty-dropped-2"),
        # ASK: the document "true" with relevance 1 (gold true) or 0 (gold false).
        pytest.param(["true"], ["true"], True, True, PRF(1, 1, 1), id="ask-true-true"),
        pytest.param(["true"], ["false"], True, True, PRF(1, 1, 1), id="ask-true-false"),
        pytest.param(["false"], ["false"], True, True, PRF(0, 0, 0), id="ask-false-false"),
        pytest.param(["false"], ["true"], True, True, PRF(0, 0, 0), id="ask-false-true"),
        pytest.param(["true"], [], True, False, PRF(0, 0, 0), id="ask-true-no-answer"),
    ],
)
def test_official_text2sparql_emulation(
    gold: list[str], pred: list[str] | None, gold_ask: bool, pred_ask: bool, expected: PRF | None
) -> None:
    got = official_set_prf(gold, pred, gold_ask=gold_ask, predicted_ask=pred_ask)
    assert _close(got, expected)


def test_macro_and_macro_f1_qald() -> None:
    # Two questions: a perfect one and a "system gave up" one (P = 1, R = 0 under GERBIL).
    scores = [qald_prf(["a"], ["a"]), qald_prf(["a", "b"], [])]
    m = macro(scores)
    assert (m.n, m.precision, m.recall, m.f1) == (2, 1.0, 0.5, 0.5)
    # Macro F1 QALD is the harmonic mean of macro P and R, not the mean of F1s.
    assert m.f1_qald == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert macro([]) == macro([])
    assert macro([]).f1_qald == 0.0


PV = "PREFIX pv: <http://ld.company.org/prod-vocab/>\n"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param(
            PV + "SELECT ?x WHERE { ?x pv:memberOf ?d }",
            "select ?emp where {?emp <http://ld.company.org/prod-vocab/memberOf> ?dept}",
            True,
            id="prefix-case-whitespace-variables",
        ),
        pytest.param(
            "SELECT ?x { ?x a <http://x/C> }",
            "SELECT ?y { ?y rdf:type <http://x/C> }",
            True,
            id="a-is-rdf-type",
        ),
        pytest.param(
            "SELECT ?x { ?x <http://x/p> ?y . ?y <http://x/q> ?x }",
            "SELECT ?a { ?a <http://x/p> ?b . ?b <http://x/q> ?b }",
            False,
            id="variable-structure-differs",
        ),
        pytest.param(
            'SELECT ?x { ?x <http://x/name> "Marketing" }',
            'SELECT ?x { ?x <http://x/name> "marketing" }',
            False,
            id="literals-case-sensitive",
        ),
        pytest.param(
            "SELECT DISTINCT ?x { ?x <http://x/p> ?o }",
            "SELECT ?x { ?x <http://x/p> ?o }",
            False,
            id="distinct-matters",
        ),
        pytest.param(
            "SELECT ?x { ?x <http://x/p> ?o } # a comment",
            "SELECT ?x\n{\n  ?x <http://x/p> ?o\n}",
            True,
            id="comments-dropped",
        ),
        pytest.param(
            "PREFIX : <http://x/>\nSELECT ?x { ?x :p ?o . }",
            "SELECT ?x { ?x <http://x/p> ?o . }",
            True,
            id="empty-prefix-and-final-dot",
        ),
    ],
)
def test_exact_match_after_canonicalisation(a: str, b: str, same: bool) -> None:
    assert exact_match(a, b) is same


def test_canonical_form() -> None:
    assert canonical("select ?n where { ?e pv:name ?n . } limit 5", {"pv": "http://pv/"}) == (
        "SELECT ?v0 WHERE { ?v1 <http://pv/name> ?v0 . } LIMIT 5"
    )


def test_nspm_encoding() -> None:
    assert nspm_encode("SELECT ?x WHERE { dbr:Berlin dbo:country ?x . }") == (
        "SELECT var_x WHERE brack_open dbr_Berlin dbo_country var_x sep_dot brack_close"
    )


def test_bleu() -> None:
    q = "SELECT ?x WHERE { ?x <http://x/p> <http://x/o> }"
    assert sentence_bleu_nspm(q, q) == pytest.approx(100.0)
    assert sentence_bleu_nspm("", q) == 0.0
    partial = sentence_bleu_nspm("SELECT ?x WHERE { ?x <http://x/p> <http://x/z> }", q)
    assert 0.0 < partial < 100.0
    assert corpus_bleu([q, q], [q, q]) == pytest.approx(100.0)
    assert corpus_bleu([], []) == 0.0


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        pytest.param([], 50, 0.0, id="empty"),
        pytest.param([3.0], 95, 3.0, id="one"),
        pytest.param([1.0, 2.0, 3.0, 4.0], 50, 2.5, id="median"),
        pytest.param([1.0, 2.0, 3.0, 4.0, 5.0], 100, 5.0, id="max"),
    ],
)
def test_percentile(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_failed_ask_prediction_is_not_a_boolean_answer(
    tmp_path: Path, fixtures: Path, corporate_store: EmbeddedStore
) -> None:
    """An ASK query that fails to run gives the official client an empty result (0)."""
    from sparqlqa.eval.runner import EvalConfig, read_results, run

    predictions = tmp_path / "p.jsonl"
    predictions.write_text('{"id": "4-en", "query": "ASK { ?x pv:nosuch }"}\n')
    config = EvalConfig(
        dataset=fixtures / "corporate-questions.yml",
        format="text2sparql",
        system=str(predictions),
        out=tmp_path / "out",
        cache=tmp_path / "c.jsonl",
        progress=False,
    )
    run(config, store=corporate_store)
    row = read_results(config.out / "results.jsonl")["4-en"]
    assert row["pred_form"] == "ASK" and row["pred_answers"] is None
    assert (row["f1"], row["official_f1"]) == (0.0, 0.0)
