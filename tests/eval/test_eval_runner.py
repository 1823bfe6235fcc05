"""End-to-end runs on the corporate store: a real TEXT2SPARQL-compatible server on loopback,
sparqlqa's POST /ask, predictions files, gold caching, resume and reports."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from sparqlqa.errors import ConfigError, EndpointUnreachable
from sparqlqa.eval.report import PLOT, QALD_PREDICTIONS, REPORT, SUMMARY
from sparqlqa.eval.runner import RESULTS, EvalConfig, read_results, run
from sparqlqa.eval.systems import GoldSystem, Prediction
from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.store import QueryResult, SparqlStore

PV = "PREFIX pv: <http://ld.company.org/prod-vocab/>\n"


def _questions(fixtures: Path) -> dict[str, str]:
    """question id → English question text of the corporate fixture."""
    data = yaml.safe_load((fixtures / "corporate-questions.yml").read_text())
    return {str(q["id"]): q["question"]["en"] for q in data["questions"]}


def _gold(fixtures: Path) -> dict[str, str]:
    data = yaml.safe_load((fixtures / "corporate-questions.yml").read_text())
    return {str(q["id"]): q["query"]["sparql"] for q in data["questions"]}


def _server_answers(fixtures: Path) -> dict[str, str | dict[str, Any]]:
    """What the loopback server answers: gold queries for some, wrong ones for others."""
    text, gold = _questions(fixtures), _gold(fixtures)
    return {
        text["1"]: gold["1"],  # right
        text["2"]: PV + "SELECT (COUNT(?e) AS ?n) WHERE { ?e a pv:Employee }",  # 47, not 6
        # Right, written differently: full IRIs, other variable names, lower case.
        text["3"]: 'select ?m where { ?x <http://ld.company.org/prod-vocab/name> "Yanka Schreiber"'
        " ; <http://ld.company.org/prod-vocab/email> ?m }",
        # Gold is true; the system asks about the wrong department (false).
        text["4"]: PV + 'ASK { ?e pv:name "Yanka Schreiber" ; pv:memberOf ?d . '
        '?d pv:name "Engineering" }',
        text["5"]: gold["5"],  # gold false, answered false: right
        text["6"]: PV + "SELECT ?dept WHERE { ?dept a pv:Department }",  # gold is empty
        text["7"]: {"dataset": "x", "question": text["7"]},  # no query: an error
        text["8"]: PV + "SELECT ?x WHERE { ?x pv:name }",  # does not parse
    }


def _config(fixtures: Path, tmp_path: Path, system: str, **kwargs: Any) -> EvalConfig:
    defaults: dict[str, Any] = {
        "dataset": fixtures / "corporate-questions.yml",
        "format": "text2sparql",
        "system": system,
        "out": tmp_path / "out",
        "cache": tmp_path / "cache.jsonl",
        "progress": False,
    }
    defaults.update(kwargs)
    return EvalConfig(**defaults)


def _by_id(out: Path) -> dict[str, dict[str, Any]]:
    return read_results(out / RESULTS)


@pytest.mark.parametrize("concurrency", [pytest.param(1, id="serial"), pytest.param(4, id="x4")])
def test_text2sparql_api_on_loopback(
    fixtures: Path,
    tmp_path: Path,
    corporate_store: EmbeddedStore,
    qa_server: Callable[[Mapping[str, str | dict[str, Any]]], Any],
    concurrency: int,
) -> None:
    server = qa_server(_server_answers(fixtures))
    config = _config(fixtures, tmp_path, server.url, concurrency=concurrency)
    report = run(config, store=corporate_store)
    rows = _by_id(config.out)
    assert sorted(server.requests) == sorted(_questions(fixtures).values())
    f1 = {k.removesuffix("-en"): r["f1"] for k, r in rows.items()}
    assert f1 == {"1": 1, "2": 0, "3": 1, "4": 0, "5": 1, "6": 0, "7": 0, "8": 0}
    assert rows["3-en"]["exact_match"] is True
    assert rows["2-en"]["pred_answers"] == ["47"] and rows["2-en"]["gold_answers"] == ["6"]
    assert rows["6-en"]["gold_status"] == "empty"
    assert "no 'query'" in rows["7-en"]["pred_error"]
    assert rows["8-en"]["parses"] is False and "QuerySyntaxError" in rows["8-en"]["pred_error"]
    # Structural metrics per question: 2 asks for the wrong class (the IRI rdf:type is right),
    # 4 has one wrong literal of three patterns, 6 misses the FILTER NOT EXISTS pattern.
    triple_f1 = {k.removesuffix("-en"): r["triple_f1"] for k, r in rows.items()}
    iri_f1 = {k.removesuffix("-en"): r["iri_f1"] for k, r in rows.items()}
    assert triple_f1 == pytest.approx(
        {"1": 1, "2": 0, "3": 1, "4": 2 / 3, "5": 1, "6": 2 / 3, "7": 0, "8": 0}
    )
    assert iri_f1 == pytest.approx(
        {"1": 1, "2": 0.5, "3": 1, "4": 1, "5": 1, "6": 0.8, "7": 0, "8": 0}
    )
    assert rows["6-en"]["triple_recall"] == 0.5 and rows["6-en"]["triple_precision"] == 1.0
    q = report["query"]
    assert q["structure_scored"] == 8 and q["gold_unparsed"] == []
    assert q["triple_f1"] == pytest.approx((3 + 4 / 3) / 8)
    assert q["iri_f1"] == pytest.approx(5.3 / 8)
    assert report["by_question_type"]["ask"]["triple_f1"] == pytest.approx((1 + 2 / 3) / 2)
    summary = (config.out / SUMMARY).read_text()
    assert f"| triple-pattern F1 (8 questions) | {q['triple_f1']:.3f} |" in summary
    assert f"| IRI F1 | {q['iri_f1']:.3f} |" in summary
    a = report["answer"]
    assert a["macro_f1"] == pytest.approx(3 / 8)
    # GERBIL: no answer (7, 8) has precision 1, so macro P = 5/8, R = 3/8.
    assert a["qald_macro_precision"] == pytest.approx(5 / 8)
    assert a["qald_macro_recall"] == pytest.approx(3 / 8)
    assert a["qald_macro_f1_qald"] == pytest.approx(2 * (5 / 8) * (3 / 8) / (5 / 8 + 3 / 8))
    # Official averaging: 6 (gold empty) left out; the ASK with gold true scores 1 whatever
    # the system says (4), the one with gold false scores 0 even when right (5).
    assert a["text2sparql_questions"] == 7
    assert a["text2sparql_set_f1"] == pytest.approx(3 / 7)
    assert report["query"]["parse_rate"] == pytest.approx(6 / 8)
    assert report["gold_problems"]["empty"] == ["6-en"]
    assert report["by_question_type"]["ask"]["questions"] == 2
    for name in (REPORT, SUMMARY, QALD_PREDICTIONS, PLOT):
        assert (config.out / name).is_file()


def test_gold_system_scores_perfectly_and_writes_reports(
    fixtures: Path, tmp_path: Path, corporate_store: EmbeddedStore
) -> None:
    config = _config(fixtures, tmp_path, "gold", languages=("en", "de"))
    report = run(config, store=corporate_store)
    assert report["questions"] == 10
    assert report["answer"]["macro_f1"] == 1.0
    assert report["answer"]["qald_macro_f1_qald"] == 1.0
    assert report["query"]["exact_match"] == 1.0
    assert report["query"]["corpus_bleu"] == pytest.approx(100.0)
    assert report["query"]["triple_f1"] == report["query"]["iri_f1"] == 1.0
    summary = (config.out / SUMMARY).read_text()
    assert "| macro F1 | 1.000 |" in summary
    qald = json.loads((config.out / QALD_PREDICTIONS).read_text())
    assert qald["dataset"]["id"] == "https://text2sparql.aksw.org/2025/corporate/"
    first = qald["questions"][0]
    assert first["id"] == "1"
    assert [q["language"] for q in first["question"]] == ["en", "de"]
    assert len(first["answers"][0]["results"]["bindings"]) == 10
    ask = next(q for q in qald["questions"] if q["id"] == "5")
    assert ask["answers"][0] == {"head": {}, "boolean": False}
    assert (config.out / PLOT).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sparqlqa_api_answers_are_used_as_given(
    fixtures: Path,
    tmp_path: Path,
    corporate_store: EmbeddedStore,
    qa_server: Callable[[Mapping[str, str | dict[str, Any]]], Any],
) -> None:
    text = _questions(fixtures)
    server = qa_server(
        {
            text["2"]: {"query": "SELECT (COUNT(*) AS ?n) {}", "answers": [{"value": "6"}]},
            text["4"]: {"query": "ASK {}", "answers": True},
            text["3"]: {"error": "no entity found"},
        }
    )
    config = _config(fixtures, tmp_path, server.url + "/ask", limit=8)
    run(config, store=corporate_store)
    rows = _by_id(config.out)
    assert rows["2-en"]["f1"] == 1.0  # the service's own answer, not re-run
    assert rows["4-en"]["f1"] == 1.0 and rows["4-en"]["pred_form"] == "ASK"
    assert rows["3-en"]["pred_error"] == "no entity found"
    assert rows["1-en"]["pred_error"].startswith(f"{server.url}/ask answered HTTP 404")


def test_jsonl_gold_failures_are_reported_and_gold_answers_cached(
    fixtures: Path, tmp_path: Path, corporate_store: EmbeddedStore
) -> None:
    class CountingStore(SparqlStore):
        """The corporate store, counting the queries it runs."""

        def __init__(self, inner: EmbeddedStore) -> None:
            self.inner, self.name, self.queries = inner, inner.name, 0

        def query(self, sparql: str, **kwargs: Any) -> QueryResult:
            self.queries += 1
            return self.inner.query(sparql, **kwargs)

    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text(
        "\n".join(
            json.dumps(p)
            for p in [
                {"id": "g1", "answers": ["http://ld.company.org/prod-instances/dept-85880"]},
                {"id": "g4", "answers": ["false"]},
                {
                    "question": "How many employees does the Marketing department have?",
                    "answers": ["9"],
                },
            ]
        )
        + "\n"
    )
    store = CountingStore(corporate_store)
    config = _config(
        fixtures,
        tmp_path,
        str(predictions),
        dataset=fixtures / "generated.jsonl",
        format="jsonl",
        split="test",
    )
    report = run(config, store=store)
    rows = _by_id(config.out)
    assert set(rows) == {"g1", "g2", "g3", "g4", "g5"}
    assert rows["g5"]["gold_status"] == "error" and rows["g5"]["scored"] is False
    assert "nosuch" in rows["g5"]["gold_error"]
    assert report["gold_problems"]["error"][0]["id"] == "g5"
    assert "## Questions whose gold query failed" in (config.out / SUMMARY).read_text()
    assert report["answer"]["scored"] == 4
    assert (rows["g1"]["f1"], rows["g3"]["f1"], rows["g4"]["f1"]) == (1.0, 0.0, 1.0)
    assert rows["g2"]["pred_error"] == f"no prediction for g2 in {predictions}"
    assert rows["g2"]["gold_source"] == "dataset" and rows["g1"]["gold_source"] == "store"
    first = store.queries
    # g1 and g4 ran; g2 and g3 carry their answers; g5 was refused before reaching the store.
    assert first == 2
    # A second run elsewhere takes the gold answers from the cache; the refused g5 too.
    run(
        _config(
            fixtures,
            tmp_path,
            str(predictions),
            dataset=fixtures / "generated.jsonl",
            format="jsonl",
            split="test",
            out=tmp_path / "again",
        ),
        store=store,
    )
    assert store.queries == first


def test_resume_after_interruption(
    fixtures: Path, tmp_path: Path, corporate_store: EmbeddedStore
) -> None:
    class Interrupted(GoldSystem):
        """The gold system, stopped by the user after a few questions."""

        def __init__(self, stop_after: int | None) -> None:
            self.stop_after = stop_after
            self.asked: list[str] = []

        def answer_question(self, question: Any) -> Prediction:
            if self.stop_after is not None and len(self.asked) == self.stop_after:
                raise KeyboardInterrupt
            self.asked.append(question.id)
            return super().answer_question(question)

    config = _config(fixtures, tmp_path, "gold")
    first = Interrupted(stop_after=3)
    with pytest.raises(KeyboardInterrupt):
        run(config, system=first, store=corporate_store)
    assert list(_by_id(config.out)) == first.asked == ["1-en", "2-en", "3-en"]
    # A line cut in the middle by the interruption is ignored and redone.
    with (config.out / RESULTS).open("a") as fh:
        fh.write('{"id": "4-en", "question": "Is Yan')
    second = Interrupted(stop_after=None)
    report = run(config, system=second, store=corporate_store)
    assert second.asked == ["4-en", "5-en", "6-en", "7-en", "8-en"]
    assert report["questions"] == 8 and report["answer"]["macro_f1"] == 1.0
    # Another run into the same folder is refused unless asked to overwrite.
    with pytest.raises(ConfigError, match="results of another run"):
        run(_config(fixtures, tmp_path, "gold", languages=("de",)), store=corporate_store)
    report = run(
        _config(fixtures, tmp_path, "gold", languages=("de",), overwrite=True),
        store=corporate_store,
    )
    assert report["questions"] == 2


def test_unreachable_system_stops_the_run(
    fixtures: Path, tmp_path: Path, corporate_store: EmbeddedStore
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    url = f"http://127.0.0.1:{port}/"
    config = _config(fixtures, tmp_path, url)
    with pytest.raises(EndpointUnreachable, match=f"cannot reach the system at {url}"):
        run(config, store=corporate_store)
    assert _by_id(config.out) == {}  # nothing scored as a wrong answer


def test_cli_runs_and_reports_malformed_files(
    fixtures: Path, tmp_path: Path, corporate_store_path: Path
) -> None:
    cli = [sys.executable, "-m", "sparqlqa.cli", "eval"]
    done = subprocess.run(
        [
            *cli,
            "--dataset",
            str(fixtures / "generated.jsonl"),
            "--format",
            "jsonl",
            "--system",
            "gold",
            "--store",
            str(corporate_store_path),
            "--out",
            str(tmp_path / "o"),
            "--cache",
            str(tmp_path / "c.jsonl"),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "6 questions: macro F1 1.000" in done.stderr
    config = json.loads((tmp_path / "o" / "config.json").read_text())
    assert config["seed"] == 0 and config["format"] == "jsonl"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "q1", "question": "Q?", "query": "ASK {}"}\n{"id": "q2"}\n')
    done = subprocess.run(
        [
            *cli,
            "--dataset",
            str(bad),
            "--format",
            "jsonl",
            "--system",
            "gold",
            "--out",
            str(tmp_path / "o2"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert f"error: {bad}:2: record q2: missing field 'question'" in done.stderr


def test_pipeline_in_process(
    fixtures: Path, tmp_path: Path, corporate_store: EmbeddedStore
) -> None:
    """A pipeline object plugs in through PipelineSystem; its answers are scored as given."""
    from sparqlqa.eval.systems import PipelineSystem
    from sparqlqa.qa.pipeline import Answer

    gold = {text: _gold(fixtures)[qid] for qid, text in _questions(fixtures).items()}

    class LookupPipeline:
        """Answers with the gold query run on the store, or gives up (question 2)."""

        def answer(self, question: str, k: int = 5) -> Answer:
            query = gold[question]
            given_up = "How many" in question
            result = None if given_up else corporate_store.query(query)
            return Answer(
                question=question,
                graph="corporate",
                answered=not given_up,
                query=query,
                result=result,
                answers=[],
                entities=[],
                schema=[],
                candidates=[],
                prompt="",
                reason="no candidate fits" if given_up else None,
            )

    config = _config(fixtures, tmp_path, "pipeline")
    report = run(config, system=PipelineSystem(LookupPipeline(), k=3), store=corporate_store)
    rows = _by_id(config.out)
    assert rows["2-en"]["pred_error"] == "no candidate fits" and rows["2-en"]["f1"] == 0.0
    assert report["answer"]["macro_f1"] == pytest.approx(7 / 8)
    assert rows["6-en"]["pred_answers"] == [] and rows["6-en"]["f1"] == 1.0
    # Scored as the TEXT2SPARQL endpoint answers: the query it gives up on still goes back,
    # and the harness runs it as the official client does.
    endpoint = _config(fixtures, tmp_path / "endpoint", "pipeline")
    system = PipelineSystem(LookupPipeline(), k=3, as_text2sparql=True)
    report = run(endpoint, system=system, store=corporate_store)
    rows = _by_id(endpoint.out)
    assert rows["2-en"]["pred_error"] is None and rows["2-en"]["f1"] == 1.0
    assert report["answer"]["macro_f1"] == pytest.approx(1.0)


def test_make_system_specs(tmp_path: Path) -> None:
    from sparqlqa.eval.systems import (
        PredictionsFile,
        SparqlqaApi,
        Text2SparqlApi,
        make_system,
    )

    assert isinstance(make_system("gold"), GoldSystem)
    assert isinstance(make_system("http://127.0.0.1:9/"), Text2SparqlApi)
    assert isinstance(make_system("http://127.0.0.1:9/ask"), SparqlqaApi)
    assert isinstance(make_system("http://127.0.0.1:9/x", api="sparqlqa"), SparqlqaApi)
    with pytest.raises(ConfigError, match="unknown API 'soap'"):
        make_system("gold", api="soap")
    (tmp_path / "p.jsonl").write_text('{"id": "1", "query": "ASK {}"}\n')
    assert isinstance(make_system(str(tmp_path / "p.jsonl")), PredictionsFile)
    with pytest.raises(ConfigError, match="not a graph folder"):
        make_system(str(tmp_path))
    with pytest.raises(ConfigError, match="neither 'gold'"):
        make_system(str(tmp_path / "missing.jsonl"))


def test_report_breaks_scores_down_by_feature_tag(
    tmp_path: Path, corporate_store: EmbeddedStore
) -> None:
    """The realistic set's dev half with the gold system: one group per feature tag, a
    question in the group of each of its tags, the TEXT2SPARQL set F1 per group."""
    from sparqlqa.eval.realistic import QUESTIONS

    config = EvalConfig(
        dataset=QUESTIONS,
        format="text2sparql",
        system="gold",
        split="dev",
        out=tmp_path / "out",
        cache=tmp_path / "cache.jsonl",
        progress=False,
    )
    report = run(config, store=corporate_store)
    by_tag = report["by_tag"]
    rows = _by_id(config.out).values()
    for tag in ("COUNT", "GROUP", "OPTIONAL", "BIND"):
        assert by_tag[tag]["questions"] == sum(1 for r in rows if tag in r["tags"]) > 0
        assert by_tag[tag]["text2sparql_set_f1"] == 1.0
        assert by_tag[tag]["triple_f1"] == by_tag[tag]["iri_f1"] == 1.0  # gold vs itself
    assert by_tag["SELECT"]["questions"] < report["questions"]  # ASK questions are not in it
    # Every gold query of the set parses for the structural metrics.
    assert report["query"]["gold_unparsed"] == []
    assert all(r["gold_parses"] for r in rows)
    summary = (config.out / SUMMARY).read_text()
    assert "## By feature tag" in summary and "| triple F1 | IRI F1 |" in summary
