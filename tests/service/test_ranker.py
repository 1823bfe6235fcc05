"""The candidate ranker: readable rendering, near misses, training (tiny model, seconds),
the pipeline choosing by it, and /ask showing its scores (real model graph, loopback)."""

from __future__ import annotations

import itertools
import json
import random
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from sparqlqa.adapt.rank import harvest_pools
from sparqlqa.errors import ConfigError
from sparqlqa.jsonl import read_jsonl
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.ontology.schema import Schema
from sparqlqa.qa.graphs import GraphSettings, open_graph
from sparqlqa.qa.pipeline import NOT_RANKED, RANKED_BELOW
from sparqlqa.qa.rank import fused, rank_confidence
from sparqlqa.service.app import create_app
from sparqlqa.service.settings import Settings
from sparqlqa.training.ranker import (
    EXTRA_MUTATIONS,
    MUTATIONS,
    RankerConfig,
    RankerMeta,
    Vocabulary,
    groups_of,
    heldout_scores,
    load_ranker,
    near_misses,
    pool_groups,
    render_query,
    train_ranker,
)

PV = "http://ld.company.org/prod-vocab/"
WOLFGANG = "http://ld.company.org/prod-instances/empl-Wolfgang.Martin%40company.org"
DEPARTMENT = "Which department does Wolfgang Martin work in?"


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Tiny models run fastest on one thread on the shared 2-core machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def schema_of(folder: Path) -> Schema:
    graph = open_graph(folder, GraphSettings())
    try:
        assert graph.pipeline is not None
        return graph.pipeline.schema
    finally:
        graph.close()


def test_render_query_shows_labels_and_bracketed_properties() -> None:
    schema = Schema.from_json(
        {
            "classes": [{"iri": PV + "Supplier", "label": "Supplier"}],
            "properties": [{"iri": PV + "country", "label": "country", "kind": "object"}],
        }
    )
    vocab = Vocabulary.of(schema, entities=[("http://x.test/France", "France")])
    query = (
        "PREFIX pv: <http://ld.company.org/prod-vocab/>\n"
        "SELECT ?x WHERE { ?x a pv:Supplier . ?x pv:country <http://x.test/France> . "
        '?x pv:size ?n FILTER(?n > "3"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
    )
    assert render_query(query, vocab) == (
        'SELECT ?x WHERE ?x [type] Supplier . ?x [country] France . ?x size ?n FILTER ( ?n > "3" )'
    )


def test_near_misses_are_each_kind_and_seeded() -> None:
    schema = Schema.from_json(
        {
            "classes": [{"iri": PV + "Employee", "label": "employee"}],
            "properties": [
                {"iri": PV + "memberOf", "label": "member of", "domain": [PV + "Employee"]},
                {"iri": PV + "manages", "label": "manages", "domain": [PV + "Employee"]},
            ],
        }
    )
    query = (
        "SELECT DISTINCT ?d WHERE { <http://x.test/ann> <http://ld.company.org/prod-vocab/"
        "memberOf> ?d . ?d a <http://ld.company.org/prod-vocab/Employee> }"
    )
    vocab = Vocabulary.of(schema)
    others = {"http://x.test/ann": ["http://x.test/bob"]}
    misses = near_misses(query, vocab, schema, others, random.Random(1), n=5)
    kinds = {kind: mutated for kind, mutated in misses}
    assert set(kinds) == {"property", "constraint", "direction", "aggregate", "entity"}
    assert "manages" in kinds["property"] and "memberOf" not in kinds["property"]
    assert "COUNT(DISTINCT ?d)" in kinds["aggregate"]
    assert (
        "?d <http://ld.company.org/prod-vocab/memberOf> <http://x.test/ann>" in (kinds["direction"])
    )
    assert "x.test/bob" in kinds["entity"]
    assert kinds["constraint"].count(" . ") == 0 and query.count(" . ") == 1
    assert misses == near_misses(query, vocab, schema, others, random.Random(1), n=5)


def test_near_misses_change_the_modifiers_of_the_shape() -> None:
    """The "modifier" near misses (off by default: they measured worse) when asked for."""
    ALL = (*MUTATIONS, *EXTRA_MUTATIONS)
    schema = Schema.from_json({"classes": [], "properties": []})
    vocab = Vocabulary.of(schema)
    queries = {
        "SELECT ?x WHERE { ?x <http://a.test/p> ?v FILTER(?v > 5) }": ("?v < 5", "?v > 10"),
        "SELECT ?x WHERE { ?y <http://a.test/p> ?x } GROUP BY ?x HAVING (COUNT(?y) > 24)": (
            "COUNT(?y) > 48",
        ),
        "SELECT ?x WHERE { ?x <http://a.test/p> ?v } ORDER BY DESC(?v) LIMIT 3": ("LIMIT 6",),
        "SELECT ?x WHERE { ?x a <http://a.test/C> "
        "FILTER NOT EXISTS { ?x <http://a.test/p> ?z } }": ("<http://a.test/C>  }",),
    }
    for query, wanted in queries.items():
        found = {
            mutated
            for seed in range(12)
            for kind, mutated in near_misses(
                query, vocab, schema, {}, random.Random(seed), n=6, mutations=ALL
            )
            if kind == "modifier"
        }
        for part in wanted:
            assert any(part in m for m in found), (query, found)
    # the ORDER BY ... LIMIT dropped
    ordered = "SELECT ?x WHERE { ?x <http://a.test/p> ?v } ORDER BY DESC(?v) LIMIT 3"
    found = {
        m
        for s in range(12)
        for k, m in near_misses(ordered, vocab, schema, {}, random.Random(s), n=6, mutations=ALL)
    }
    assert "SELECT ?x WHERE { ?x <http://a.test/p> ?v }" in found


@pytest.fixture(scope="module")
def ranked_graph(model_graph: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tiny model graph with a tiny ranker trained on its pairs."""
    folder = tmp_path_factory.mktemp("ranked") / "corporate"
    shutil.copytree(model_graph, folder)
    schema = schema_of(folder)
    config = RankerConfig(preset="tiny", steps=150, learning_rate=2e-3, seed=5, eval_groups=60)
    train_ranker(folder / "pairs", schema, {}, folder / "ranker", config)
    return folder


def test_ranker_learns_to_put_gold_above_its_near_misses(ranked_graph: Path) -> None:
    meta = RankerMeta.read(ranked_graph / "ranker")
    assert meta.steps == 150 and meta.seconds < 60
    # Held-out (dev) lists, scored after training: most gold queries beat their near misses,
    # far more than the untrained model (chance: 0.5).
    assert meta.heldout_pairwise is not None and meta.heldout_pairwise >= 0.75, meta
    schema = schema_of(ranked_graph)
    dev = [r for _, r in read_jsonl(ranked_graph / "pairs" / "dev.jsonl")]
    groups = groups_of(dev, schema, {}, seed=6)
    trained, _ = load_ranker(ranked_graph / "ranker")
    from sparqlqa.training.ranker import CrossEncoder, _new_model

    untrained = CrossEncoder(*_new_model("tiny", 5), max_length=96)
    after = heldout_scores(trained, groups)["pairwise"]
    before = heldout_scores(untrained, groups)["pairwise"]
    assert after is not None and before is not None and after >= before + 0.2, (before, after)


def test_ranker_training_is_deterministic(model_graph: Path, tmp_path: Path) -> None:
    schema = schema_of(model_graph)
    config = RankerConfig(preset="tiny", steps=5, seed=2, eval_groups=10)
    one = train_ranker(model_graph / "pairs", schema, {}, tmp_path / "a", config)
    two = train_ranker(model_graph / "pairs", schema, {}, tmp_path / "b", config)
    assert one.heldout_by_kind == two.heldout_by_kind
    a, _ = load_ranker(tmp_path / "a")
    b, _ = load_ranker(tmp_path / "b")
    texts = ["SELECT ?x WHERE ?x [member of] Data Services", "ASK WHERE ?x [email] ?e"]
    assert a.score(DEPARTMENT, texts) == b.score(DEPARTMENT, texts)


def test_ranker_scores_in_bfloat16_close_to_float32(ranked_graph: Path) -> None:
    """bfloat16 matrix products (training.precision) keep each score near float32's and the
    order of clearly separated candidates; the precision can be switched on a loaded one."""
    encoder, _ = load_ranker(ranked_graph / "ranker", precision="bfloat16")
    assert encoder.precision == "bfloat16"
    texts = [
        "SELECT ?x WHERE ?x [member of] Data Services",
        "ASK WHERE ?x [email] ?e",
        "SELECT (COUNT(?x) AS ?n) WHERE ?x [type] [Employee]",
    ]
    half = encoder.score(DEPARTMENT, texts)
    encoder.precision = "float32"
    full = encoder.score(DEPARTMENT, texts)
    assert half != full  # the bfloat16 path did run
    assert all(abs(a - b) < 0.05 * max(1.0, abs(b)) for a, b in zip(half, full, strict=True))
    gaps = sorted(full)
    if min(b - a for a, b in itertools.pairwise(gaps)) > 0.2:
        assert sorted(range(3), key=half.__getitem__) == sorted(range(3), key=full.__getitem__)


class PreferLast:
    """A ranker that prefers the candidate listed last: whatever the beam's order."""

    languages = frozenset({"en"})

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def rank(
        self,
        question: str,
        queries: Sequence[str],
        entities: Sequence[LinkedEntity],
        *,
        language: str = "en",
    ) -> list[float]:
        self.calls.append(list(queries))
        return [float(i) for i in range(len(queries))]


def test_pipeline_with_a_ranker_picks_the_first_of_the_fused_order(model_graph: Path) -> None:
    graph = open_graph(model_graph, GraphSettings())
    try:
        pipeline = graph.pipeline
        assert pipeline is not None and pipeline.ranker is None
        plain = pipeline.answer(DEPARTMENT, k=4)
        fitting = [c for c in plain.candidates if c.rejected_because is None or c.accepted]
        assert plain.candidates[0].accepted and all(c.rank_score is None for c in fitting)
        ranker = PreferLast()
        pipeline.ranker = ranker
        ranked = pipeline.answer(DEPARTMENT, k=4)
        ran = [c for c in ranked.candidates if c.rank_score is not None]
        assert ranker.calls and len(ranker.calls[0]) == len(ran) >= 1
        chosen = next(c for c in ranked.candidates if c.accepted)
        # The ranker's scores are what it returned; the choice is the first of its order
        # fused with the candidates' own scores (the earlier candidate on a tie).
        assert [c.rank_score for c in ran] == [float(i) for i in range(len(ran))]
        combined = fused([c.rank_score or 0.0 for c in ran], [c.score for c in ran])
        assert chosen is ran[max(range(len(ran)), key=lambda i: (combined[i], -i))]
        assert chosen.confidence == rank_confidence(chosen.rank_score or 0.0)
        assert all(c.rejected_because == RANKED_BELOW for c in ran if c is not chosen)
        assert "rank" in ranked.timings_ms
        # A language it does not rank: not asked, the first fitting candidate answers.
        german = pipeline.answer(DEPARTMENT, k=4, language="de")
        assert len(ranker.calls) == 1 and german.candidates[0].accepted
        assert all(c.rank_score is None for c in german.candidates)
    finally:
        graph.close()


def test_pipeline_with_a_ranker_picks_a_lower_beam_candidate(model_graph: Path) -> None:
    """The beam's first candidate fits, yet a later one that the ranker and its own score
    (a prior of 1) both put first is answered."""
    graph = open_graph(model_graph, GraphSettings())
    try:
        pipeline = graph.pipeline
        assert pipeline is not None
        scored = pipeline.translator.translate([pipeline.prepare(DEPARTMENT)[0]], 5)[0]
        _, entities, values, _, _ = pipeline.prepare(DEPARTMENT)
        # A second, different candidate that also runs and fits: the beam's first with its
        # answer variable renamed and DISTINCT dropped.
        first = scored[0][0]
        other = pipeline.decode(first, {"ENT0": WOLFGANG}, pipeline.prefixes)
        other = other.replace("DISTINCT", "").strip()
        from sparqlqa.qa.proposals import Proposal

        pipeline.ranker = PreferLast()
        candidates, chosen, result = pipeline.choose(
            DEPARTMENT, scored, entities, values, [Proposal(other, "example", 1.0)]
        )
        assert chosen is not None and result is not None
        assert chosen is not candidates[0] and chosen.origin == "example"
        assert candidates[0].rank_score is not None and not candidates[0].accepted
    finally:
        graph.close()


HEAVIEST = "Which product is the heaviest?"
WEIGHT = "<http://ld.company.org/prod-vocab/weight_g>"
UNORDERED = f"SELECT DISTINCT ?x WHERE {{ ?x {WEIGHT} ?w }}"
ORDERED = f"SELECT ?x WHERE {{ ?x {WEIGHT} ?w }} ORDER BY DESC(?w) LIMIT 1"


@pytest.mark.parametrize("ranked", [False, True], ids=["first-fit", "ranker"])
def test_a_superlative_is_answered_by_an_ordering(model_graph: Path, ranked: bool) -> None:
    """The unordered list runs and fits, and comes first (or the ranker prefers it), yet the
    ordering answers the superlative; the list says what it leaves out."""
    from sparqlqa.qa.proposals import Proposal

    graph = open_graph(model_graph, GraphSettings())
    try:
        pipeline = graph.pipeline
        assert pipeline is not None
        pipeline.ranker = PreferLast() if ranked else None
        # PreferLast scores the later proposal higher: the unordered list goes last for it.
        order = [ORDERED, UNORDERED] if ranked else [UNORDERED, ORDERED]
        proposals = [Proposal(q, "example", 0.5) for q in order]
        candidates, chosen, _ = pipeline.choose(HEAVIEST, [], [], [], proposals)
        assert chosen is not None and chosen.query == ORDERED
        unordered = next(c for c in candidates if c.query == UNORDERED)
        assert unordered.form_problem == (
            "orders nothing, where the question asks for the most or the least"
        )
        assert not unordered.accepted and chosen.form_problem is None
        if ranked:
            assert unordered.rejected_because == (
                f"{unordered.form_problem}; another candidate does not"
            )
        # With only the unordered list, it still answers: the check is soft.
        _, alone, _ = pipeline.choose(HEAVIEST, [], [], [], [Proposal(UNORDERED, "example", 0.5)])
        assert alone is not None and alone.query == UNORDERED
    finally:
        graph.close()


def test_the_ranker_scores_the_asked_form_with_the_best_own_scores(model_graph: Path) -> None:
    """Only candidates of the asked form are ranked, at most ``ranked_at_most`` of them, those
    with the highest own scores (in their order); execution stops once no later candidate
    could enter that pool."""
    from sparqlqa.qa.proposals import Proposal

    # Four orderings that answer the superlative alike (the variable renamed), one list
    # without the ordering, and a fifth ordering whose prior is below the pool's.
    ordered = [
        f"SELECT ?x{i} WHERE {{ ?x{i} {WEIGHT} ?w }} ORDER BY DESC(?w) LIMIT 1" for i in range(5)
    ]
    offered = [
        (UNORDERED, 0.95),
        (ordered[0], 0.5),
        (ordered[1], 0.9),
        (ordered[2], 0.6),
        (ordered[3], 0.8),
        (ordered[4], 0.4),
    ]
    graph = open_graph(model_graph, GraphSettings())
    try:
        pipeline = graph.pipeline
        assert pipeline is not None
        ranker = PreferLast()
        pipeline.ranker, pipeline.ranked_at_most = ranker, 2
        proposals = [Proposal(q, "example", prior) for q, prior in offered]
        candidates, chosen, _ = pipeline.choose(HEAVIEST, [], [], [], proposals)
        # The list has a form problem: not ranked though its prior is the highest.
        assert ranker.calls == [[ordered[1], ordered[3]]]
        # After the fourth ordering the last one (0.4) cannot beat the pool's second (0.8).
        assert [c.query for c in candidates] == [q for q, _ in offered[:5]]
        by_query = {c.query: c for c in candidates}
        assert chosen is by_query[ordered[1]]  # its own score (0.9 > 0.8) weighs more
        assert by_query[ordered[0]].rejected_because == NOT_RANKED
        assert by_query[ordered[2]].rank_score is None
        assert by_query[ordered[3]].rejected_because == RANKED_BELOW
        # With room for all, every ordering runs and is ranked; the list still is not.
        ranker.calls.clear()
        pipeline.ranked_at_most = 10
        candidates, _, _ = pipeline.choose(HEAVIEST, [], [], [], proposals)
        assert len(candidates) == 6 and ranker.calls == [ordered]
    finally:
        graph.close()


GERMAN = "In welcher Abteilung arbeitet Wolfgang Martin?"


def test_the_ranker_ranks_german_questions_glossed(model_graph: Path) -> None:
    from sparqlqa.qa.rank import GLOSSED_SCORE_SHIFT, GraphRanker
    from sparqlqa.training.ranker import CrossEncoder, _new_model

    encoder = CrossEncoder(*_new_model("tiny", 5), max_length=96)
    meta = RankerMeta(
        preset="minilm",
        steps=1,
        seed=0,
        max_length=96,
        layers=3,
        train_groups=1,
        seconds=0.0,
        seconds_per_step=0.0,
        heldout_pairwise=None,
        heldout_top1=None,
    )
    start = GERMAN.index("Wolfgang")
    entity = LinkedEntity(WOLFGANG, "Wolfgang Martin", start, start + 15, 1.0)
    ranker = GraphRanker(encoder, meta, schema_of(model_graph), {})
    # The language gate: English, German and Spanish are ranked (the latter two glossed).
    assert ranker.languages == {"en", "de", "es"}
    english_words = "in which department works Wolfgang Martin?"
    assert ranker.question_text(GERMAN, [entity], "de") == english_words
    assert ranker.question_text(DEPARTMENT, [entity], "en") == DEPARTMENT
    # The gloss is what the encoder scores; a glossed question's scores are shifted alike.
    queries = [
        f"SELECT ?d WHERE {{ <{WOLFGANG}> <{PV}memberOf> ?d }}",
        f"SELECT ?d WHERE {{ ?d <{PV}memberOf> <{WOLFGANG}> }}",
    ]
    rendered = [ranker.render(q, [entity]) for q in queries]
    plain = encoder.score(english_words, rendered)
    shifted = ranker.rank(GERMAN, queries, [entity], language="de")
    assert shifted == pytest.approx([s + GLOSSED_SCORE_SHIFT for s in plain])
    assert ranker.rank(DEPARTMENT, queries, [entity]) == encoder.score(DEPARTMENT, rendered)


def test_ranker_training_glosses_german_and_spanish_questions(model_graph: Path) -> None:
    schema = schema_of(model_graph)
    pairs = [r for _, r in read_jsonl(model_graph / "pairs" / "train.jsonl")][:40]
    german = [
        {**p, "question": "Welche Abteilungen gibt es?", "language": "de", "entities": []}
        for p in pairs
    ]
    glossed = groups_of(german, schema, {}, seed=1, gloss=True)
    assert glossed and {g.question for g in glossed} == {"which departments are there?"}
    plain = groups_of(german, schema, {}, seed=1)
    assert {g.question for g in plain} == {"Welche Abteilungen gibt es?"}
    # English pairs are left as they are.
    english = groups_of(pairs, schema, {}, seed=1, gloss=True)
    assert [g.question for g in english] == [g.question for g in groups_of(pairs, schema, {}, 1)]


def ask(url: str, **body: Any) -> dict[str, Any]:
    response = httpx.post(f"{url}/ask", json=body, timeout=60)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_ask_shows_rank_scores_and_refuses_nonsense(ranked_graph: Path, live_server: Any) -> None:
    settings = Settings(graphs=[ranked_graph], rate_limit_per_minute=0, torch_threads=1)
    with live_server(create_app(settings)) as server:
        body = ask(server.url, question=DEPARTMENT, k=3)
        scored = [c for c in body["candidates"] if c["rank_score"] is not None]
        assert scored, body["candidates"]
        best = max(scored, key=lambda c: c["rank_score"])
        assert best["accepted"] is True and best["query"] == body["query"]
        assert body["confidence"] == pytest.approx(rank_confidence(best["rank_score"]))
        assert "rank" in body["timings_ms"]
        nonsense = ask(server.url, question="§$%& qwrtz ### zxcvb !!", k=3)
        assert nonsense["answered"] is False and nonsense["answers"] == []
    meta = json.loads((ranked_graph / "ranker" / "ranker.json").read_text())
    assert meta["preset"] == "tiny"


def test_curve_on_dev_questions_recommends_a_threshold(ranked_graph: Path, tmp_path: Path) -> None:
    from sparqlqa.adapt.rank import choose_threshold, curve_rows, save_threshold

    nonsense = tmp_path / "nonsense.jsonl"
    nonsense.write_text('{"question": "§$%& ### !!"}\n{"question": "@@ ~~ ^^ ;;; ???"}\n')
    found = curve_rows(
        ranked_graph,
        ranked_graph / "pairs" / "dev.jsonl",
        format="jsonl",
        split="dev",
        nonsense=nonsense,
        k=2,
        limit=6,
    )
    assert len(found) == 8 and sum(r["nonsense"] for r in found) == 2
    assert all(not r["right"] for r in found if r["nonsense"])
    assert any(r["right"] for r in found), found  # the tiny model answers some dev questions
    table, best = choose_threshold(found)
    assert 0.0 <= best <= 1.0 and table[0]["coverage"] >= table[-1]["coverage"]
    save_threshold(ranked_graph, best)
    assert RankerMeta.read(ranked_graph / "ranker").abstain_below == best
    graph = open_graph(ranked_graph, GraphSettings())
    try:
        assert graph.pipeline is not None and graph.pipeline.abstain_below == best
    finally:
        graph.close()


def test_pool_lists_pair_a_right_candidate_with_wrong_ones() -> None:
    records = [
        {
            "question": "q1",
            "candidates": [
                {"text": "wrong a", "right": False},
                {"text": "right", "right": True},
                {"text": "wrong b", "right": False},
            ],
        },
        {"question": "only right", "candidates": [{"text": "r", "right": True}]},
        {"question": "only wrong", "candidates": [{"text": "w", "right": False}]},
    ]
    groups = pool_groups(records, negatives=3, rng=random.Random(0))
    assert len(groups) == 1  # a list needs a right and a wrong candidate
    (group,) = groups
    assert group.texts[0] == "right" and sorted(group.texts[1:]) == ["wrong a", "wrong b"]
    assert group.kinds == ["gold", "pool", "pool"]


def test_harvested_pool_trains_the_ranker(model_graph: Path, tmp_path: Path) -> None:
    """The pipeline's own candidates for generated questions, executed and marked right or
    wrong against the gold answers, become training lists and a held-out measure."""
    folder = tmp_path / "corporate"
    shutil.copytree(model_graph, folder, ignore=shutil.ignore_patterns("ranker"))
    spec = json.loads((folder / "graph.json").read_text())
    (folder / "graph.json").write_text(json.dumps({**spec, "enumerate": True}))
    train, dev = harvest_pools(folder, 30, seed=1)
    assert train.name == "ranker-pool-train.jsonl" and dev.is_file()
    records = [r for _, r in read_jsonl(train)]
    assert 0 < len(records) <= 30
    candidates = [c for r in records for c in r["candidates"]]
    assert candidates and all("PREFIX" not in c["text"] for c in candidates)  # rendered
    assert any(c["right"] for c in candidates) and any(not c["right"] for c in candidates)
    assert all(c["right"] == (c["f1"] >= 0.999) for c in candidates)
    schema = schema_of(folder)
    config = RankerConfig(preset="tiny", steps=5, seed=2, eval_groups=10)
    meta = train_ranker(folder / "pairs", schema, {}, tmp_path / "ranker", config)
    assert meta.pool_groups == len(pool_groups(records, 3, random.Random(0)))
    assert meta.pool_groups > 0
    assert meta.heldout_pool["lists"] >= 0 and "first" in meta.heldout_pool
    without = train_ranker(
        folder / "pairs",
        schema,
        {},
        tmp_path / "plain",
        RankerConfig(preset="tiny", steps=5, seed=2, eval_groups=10, pool=False),
    )
    assert without.pool_groups == 0 and without.train_groups < meta.train_groups


def test_a_minilm_ranker_keeps_the_layers_it_is_asked_for(tmp_path: Path) -> None:
    """``RankerConfig.layers`` cuts MiniLM to its first layers, and the saved model loads
    with as many (it was once recorded in ranker.json and not applied)."""
    from sparqlqa.training.ranker import CrossEncoder, _new_model

    model, tokenizer = _new_model("minilm", 0, 2)
    assert len(model.bert.encoder.layer) == 2 and model.config.num_hidden_layers == 2
    CrossEncoder(model, tokenizer, 96).save(tmp_path / "ranker")
    from transformers import AutoModelForSequenceClassification

    loaded = AutoModelForSequenceClassification.from_pretrained(str(tmp_path / "ranker"))
    assert len(loaded.bert.encoder.layer) == 2
    assert len(_new_model("minilm", 0)[0].bert.encoder.layer) == 6


def test_a_mean_pooled_ranker_trains_saves_and_loads(model_graph: Path, tmp_path: Path) -> None:
    """``pooling="mean"`` trains a head over the mean of the token states
    (``training.pooled``); the saved ranker says so and loads to the same scores, quantized
    too; a [CLS] ranker of the same seed scores otherwise."""
    schema = schema_of(model_graph)
    config = RankerConfig(preset="tiny", steps=5, seed=2, eval_groups=10, pooling="mean")
    meta = train_ranker(model_graph / "pairs", schema, {}, tmp_path / "mean", config)
    assert meta.pooling == "mean" and RankerMeta.read(tmp_path / "mean").pooling == "mean"
    assert (tmp_path / "mean" / "pooled_head.pt").is_file()
    texts = ["SELECT ?x WHERE ?x [member of] Data Services", "ASK WHERE ?x [email] ?e"]
    one, _ = load_ranker(tmp_path / "mean")
    two, _ = load_ranker(tmp_path / "mean")
    scores = one.score(DEPARTMENT, texts)
    assert scores == two.score(DEPARTMENT, texts) and scores[0] != scores[1]
    from sparqlqa.training.pooled import MeanPooledScorer

    assert isinstance(one.model, MeanPooledScorer)
    quantized, _ = load_ranker(tmp_path / "mean", quantize=True)
    assert all(
        abs(a - b) < 0.1 for a, b in zip(quantized.score(DEPARTMENT, texts), scores, strict=True)
    )
    cls = train_ranker(
        model_graph / "pairs",
        schema,
        {},
        tmp_path / "cls",
        RankerConfig(preset="tiny", steps=5, seed=2, eval_groups=10),
    )
    assert cls.pooling == "cls"
    assert load_ranker(tmp_path / "cls")[0].score(DEPARTMENT, texts) != scores


def test_ranker_pooling_is_cls_or_mean() -> None:
    with pytest.raises(ConfigError, match="pooling"):
        RankerConfig(pooling="max")  # type: ignore[arg-type]
