"""Compositional generation against the real corporate store (and a small music graph):
every composed query runs with its recorded answers, encodes as a target, names in its
question every entity and value it uses; the feature mix is there; a seed fixes it all."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from sparqlqa.kg.embedded import EmbeddedStore, build_store
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.results import values
from sparqlqa.kg.store import DEFAULT_LABEL_PREDICATES
from sparqlqa.ontology.prompt import question_values
from sparqlqa.ontology.schema import Schema, schema_from_store
from sparqlqa.templates.composed import ComposeConfig, composed_templates
from sparqlqa.templates.fill import placeholders
from sparqlqa.templates.instantiate import InstantiateConfig, Instantiator
from sparqlqa.templates.labels import LabelSource
from sparqlqa.templates.model import Pair, Template
from sparqlqa.templates.skeleton import features, skeleton, summary, triple_patterns
from sparqlqa.training.target import encode

ROOT = Path(__file__).resolve().parents[2]
CORPORATE_NAME = "http://ld.company.org/prod-vocab/name"


def _generate(
    store: EmbeddedStore,
    schema: Schema,
    count: int,
    labels: list[str],
    seed: int = 0,
    languages: tuple[tuple[str, float], ...] = (("en", 1.0),),
) -> tuple[list[Template], list[Pair]]:
    prefixes = {**COMMON_PREFIXES, **store.prefixes}
    config = ComposeConfig(templates=count, languages=languages)
    templates = composed_templates(
        store, schema, prefixes, seed=seed, config=config, label_properties=labels
    )
    source = LabelSource(store, predicates=labels, fallback_to_iri=True)
    source.preload()
    instantiator = Instantiator(
        store, source, config=InstantiateConfig(per_template=3, timeout_s=5.0), seed=seed
    )
    pairs = [p for t in templates for p in _pairs(instantiator, t)]
    return templates, pairs


def _pairs(instantiator: Instantiator, template: Template) -> list[Pair]:
    try:
        return instantiator.pairs(template)
    except Exception:  # a template whose candidates all fail: none of its pairs
        return []


@pytest.fixture(scope="module")
def corporate(corporate_store: EmbeddedStore) -> tuple[list[Template], list[Pair]]:
    schema = schema_from_store(corporate_store, infer=True)
    labels = [CORPORATE_NAME, *DEFAULT_LABEL_PREDICATES]
    return _generate(corporate_store, schema, 260, labels)


def _check_pairs(store: EmbeddedStore, templates: list[Template], pairs: list[Pair]) -> None:
    by_id = {t.id: t for t in templates}
    prefixes = {**COMMON_PREFIXES, **store.prefixes}
    assert len(pairs) > 100
    for pair in pairs:
        result = store.query(pair.query, timeout_s=10.0)
        assert sorted(values(result)) == sorted(pair.answers), pair.query
        assert pair.answers and len(pair.answers) <= 100
        template = by_id[pair.template_id]
        # Every slot of the query is a mention of the question, exactly at its span.
        assert len(placeholders(template.query)) == len(pair.entities) + len(pair.values)
        for span in [*pair.entities, *pair.values]:
            text = span.label if hasattr(span, "label") else span.value  # type: ignore[attr-defined]
            assert pair.question[span.start : span.end] == text, pair.question
        for entity in pair.entities:
            written = entity.iri if entity.iri.startswith('"') else f"<{entity.iri}>"
            assert written in pair.query
        slots = {e.iri: f"ENT{i}" for i, e in enumerate(pair.entities)}
        spans = [(e.start, e.end) for e in pair.entities]
        found = question_values(pair.question, spans, pair.language)
        target = encode(pair.query, slots, prefixes, {v.text: v.slot for v in found})
        for slot in slots.values():
            assert re.search(rf"\b{slot}\b", target), (pair.question, target)
        # A number the question writes (a decimal comma in German and Spanish) is read
        # back as the query's literal: the target names its slot, not the number.
        texts = [v.text for v in found]
        for value in found:  # (a number written twice maps to one slot: skipped)
            if texts.count(value.text) == 1 and any(value.start == s.start for s in pair.values):
                assert re.search(rf"\b{value.slot}\b", target), (pair.question, target)
        assert "<http://ld.company.org/prod-data/" not in target


def test_composed_pairs_run_encode_and_name_their_entities(
    corporate_store: EmbeddedStore, corporate: tuple[list[Template], list[Pair]]
) -> None:
    templates, pairs = corporate
    _check_pairs(corporate_store, templates, pairs)


def test_the_feature_mix_is_there(corporate: tuple[list[Template], list[Pair]]) -> None:
    _, pairs = corporate
    figures = summary(p.query for p in pairs)
    for name in ("GROUP BY", "HAVING", "OFFSET", "OPTIONAL", "BIND", "NOT EXISTS/MINUS", "ASK"):
        assert figures["features"][name] > 0, name
    assert figures["features"]["AVG"] + figures["features"]["SUM"] > 0
    assert figures["skeletons"] > 100
    assert 1.5 < figures["triple_patterns_per_query"] < 6
    booleans = Counter(p.answers[0] for p in pairs if p.answer_type == "boolean")
    assert booleans["true"] and booleans["false"]
    # Phrasing varies: requests, imperatives and questions.
    starts = Counter(p.question.split()[0].lower() for p in pairs)
    assert len(starts) > 12
    assert {"could", "show", "i", "which", "list", "how"} <= set(starts)


def test_a_seed_fixes_the_composition(corporate_store: EmbeddedStore) -> None:
    schema = schema_from_store(corporate_store, infer=True)
    prefixes = {**COMMON_PREFIXES, **corporate_store.prefixes}
    runs = [
        composed_templates(corporate_store, schema, prefixes, seed=seed, config=ComposeConfig(30))
        for seed in (3, 3, 4)
    ]
    first, again, other = ([(t.id, t.query, t.questions, t.generator) for t in r] for r in runs)
    assert first == again
    assert first != other


def test_skeletons_abstract_terms_and_count_patterns() -> None:
    one = 'PREFIX p: <http://x/> SELECT ?a WHERE { ?a a p:C ; p:q <http://e/1> . ?a p:r "B" }'
    two = "SELECT ?z WHERE { ?z a <http://y/D> ; <http://y/s> <http://e/2> . ?z <http://y/t> 'E' }"
    assert skeleton(one) == skeleton(two)
    assert skeleton(one) == "SELECT ?v0 WHERE { ?v0 a CLASS ; PROP ENT . ?v0 PROP STR }"
    assert triple_patterns(one) == 3
    grouped = "SELECT ?g WHERE { ?x <http://p> ?g OPTIONAL { ?x <http://q> ?o } } GROUP BY ?g"
    assert features(grouped) >= {"GROUP BY", "OPTIONAL"}
    assert "HAVING" not in features(grouped)
    assert features("ASK { ?x ?p 'HAVING' }") == {"ASK"}


def test_the_modules_name_no_graph() -> None:
    for name in (
        "compose",
        "operators",
        "verbalise",
        "verbalise_de",
        "verbalise_es",
        "languages",
        "composed",
        "skeleton",
    ):
        text = (ROOT / "src" / "sparqlqa" / "templates" / f"{name}.py").read_text()
        assert "company" not in text and "pv:" not in text and "music" not in text


def test_german_and_spanish_pairs_write_decimal_commas_that_encode(
    corporate_store: EmbeddedStore,
) -> None:
    schema = schema_from_store(corporate_store, infer=True)
    labels = [CORPORATE_NAME, *DEFAULT_LABEL_PREDICATES]
    templates, pairs = _generate(
        corporate_store, schema, 200, labels, seed=3, languages=(("de", 0.5), ("es", 0.5))
    )
    _check_pairs(corporate_store, templates, pairs)
    decimals = [v for p in pairs for v in p.values if re.fullmatch(r"\d+[.,]\d+", v.value)]
    assert decimals, "no decimal values drawn"
    # Mostly written with a comma, as German and Spanish write them; the rest with a point.
    assert sum("," in v.value for v in decimals) > len(decimals) / 2


def test_music_graph(tmp_path: Path) -> None:
    turtle = tmp_path / "music.ttl"
    script = ROOT / "bench" / "make_graph.py"
    subprocess.run([sys.executable, str(script), str(turtle), "--scale", "0.05"], check=True)
    build_store(tmp_path / "store", [turtle], progress=False)
    with EmbeddedStore(tmp_path / "store") as store:
        schema = schema_from_store(store, infer=True)
        templates, pairs = _generate(store, schema, 120, list(DEFAULT_LABEL_PREDICATES))
        _check_pairs(store, templates, pairs)
        figures = summary(p.query for p in pairs)
        assert figures["skeletons"] > 50
        assert figures["features"]["GROUP BY"] and figures["features"]["ASK"]


def test_generate_compose_makes_the_budget_the_same_each_time(
    corporate_store: EmbeddedStore, tmp_path: Path
) -> None:
    from sparqlqa.templates.generate import GenerateArgs, run

    outputs = []
    for name in ("one", "two"):
        args = GenerateArgs(output=tmp_path / name, compose=60, seed=1, progress=False)
        summary_ = run(args, store=corporate_store)
        assert summary_.pairs == 60
        lines = (tmp_path / name / "pairs.jsonl").read_text().splitlines()
        outputs.append(lines)
        records = [Pair.from_json(json.loads(line)) for line in lines]
        assert all(p.template_id.startswith("compose-") for p in records)
        assert {p.split for p in records} >= {"train"}
    assert outputs[0] == outputs[1]
