"""Dataset readers on fixtures in the exact formats and on the real public files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparqlqa.benchmarks.datasets import ReadOptions, query_shape, read_dataset
from sparqlqa.errors import DatasetError

# --- LC-QuAD 2.0 (fixture in the exact format) ---


def test_lcquad2_skips_null_and_bracket_questions_and_says_so(fixtures: Path) -> None:
    ds = read_dataset(fixtures / "lcquad2-sample.json", "lcquad2")
    assert [q.id for q in ds.questions] == ["1001", "1004", "1005", "1006"]
    assert {s.id: s.reason for s in ds.skipped} == {
        "1002": "question is None",
        "1003": "question is '[]'",
    }
    first = ds.questions[0]
    assert first.question == "What is the capital of Germany?"
    assert first.query == "select distinct ?obj where { wd:Q183 wdt:P36 ?obj }"
    assert first.answers is None  # LC-QuAD 2.0 ships no answers
    assert first.template == "1"
    assert ds.prefixes["wdt"] == "http://www.wikidata.org/prop/direct/"


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        pytest.param("paraphrase", {"1002": "How many people live in Leipzig?"}, id="paraphrase"),
        pytest.param(
            "nnqt",
            {
                "1002": "What is {population} of {Leipzig} ?",
                "1003": "What is {river} of {mouth of the watercourse} of {Elbe} ?",
            },
            id="nnqt",
        ),
    ],
)
def test_lcquad2_missing_question_fallbacks(
    fixtures: Path, policy: str, expected: dict[str, str]
) -> None:
    ds = read_dataset(
        fixtures / "lcquad2-sample.json",
        "lcquad2",
        ReadOptions(missing_question=policy),  # type: ignore[arg-type]
    )
    got = {q.id: q.question for q in ds.questions if q.id in ("1002", "1003")}
    assert got == expected
    # The paraphrase of 1003 is "[]" too: still skipped, and listed.
    assert {s.id for s in ds.skipped} == {"1002", "1003"} - set(expected)


def test_lcquad2_dbpedia_queries_types_and_templates(fixtures: Path) -> None:
    ds = read_dataset(fixtures / "lcquad2-sample.json", "lcquad2", ReadOptions(kg="dbpedia"))
    by_id = {q.id: q for q in ds.questions}
    # The stray leading quote of the dataset's sparql_dbpedia18 value is removed.
    assert by_id["1005"].query is not None and by_id["1005"].query.startswith("SELECT (COUNT")
    assert by_id["1005"].question_type == "count"
    assert by_id["1004"].question_type == "ask"
    assert by_id["1004"].template == "ask_1"
    # No template_id (as in the Hugging Face copy): the template pattern is the category.
    assert by_id["1006"].template == "<S P ?O>"
    assert ds.prefixes == {}


# --- LC-QuAD 1.0 (real files, read from shared data, never copied) ---


@pytest.mark.parametrize(
    ("name", "count"),
    [
        pytest.param("train-data.json", 4000, id="train"),
        pytest.param("test-data.json", 1000, id="test"),
    ],
)
def test_lcquad1_real_files(shared_data: Path, name: str, count: int) -> None:
    ds = read_dataset(shared_data / "lcquad1" / name, "lcquad1")
    assert len(ds.questions) == count
    assert not ds.skipped
    templates = {q.template for q in ds.questions}
    assert {"1", "2", "16"} <= templates
    shapes = {q.question_type for q in ds.questions}
    assert {"list", "count", "ask"} <= shapes
    assert all(q.query and q.answers is None for q in ds.questions)


# --- QALD-JSON (real files) ---


@pytest.mark.parametrize(
    ("name", "questions", "asks"),
    [
        pytest.param("qald-7-train-multilingual.json", 215, 28, id="qald7"),
        pytest.param("qald-8-train-multilingual.json", 219, 33, id="qald8"),
        pytest.param("qald-9-train-multilingual.json", 408, 37, id="qald9"),
    ],
)
def test_qald_real_files(shared_data: Path, name: str, questions: int, asks: int) -> None:
    ds = read_dataset(shared_data / "qald" / name, "qald")
    assert len(ds.questions) == questions
    assert ds.iri == name.removesuffix(".json")
    booleans = [q for q in ds.questions if q.answer_type == "boolean"]
    assert len(booleans) == asks
    assert all(q.answers in (("true",), ("false",)) for q in booleans)
    assert all(q.id.endswith("-en") and q.language == "en" for q in ds.questions)
    assert all(q.answers is not None for q in ds.questions)


def test_qald_languages_and_gold_answers(shared_data: Path) -> None:
    path = shared_data / "qald" / "qald-9-train-multilingual.json"
    ds = read_dataset(path, "qald", ReadOptions(languages=("en", "de", "ru")))
    by_id = {q.id: q for q in ds.questions}
    assert by_id["1-en"].question == "List all boardgames by GMT."
    assert by_id["1-de"].question == "Liste alle Brettspiele von GMT."
    assert by_id["1-en"].answers is not None and len(by_id["1-en"].answers) == 8
    assert "http://dbpedia.org/resource/Twilight_Struggle" in by_id["1-en"].answers
    assert by_id["104-en"].answers == ("true",) or by_id["104-en"].answers == ("false",)
    # Questions missing in a language are listed, not silently dropped.
    assert len(ds.questions) + len(ds.skipped) == 3 * 408
    assert all(s.reason == "no question in 'ru'" for s in ds.skipped)


# --- TEXT2SPARQL (the official client's fixtures and ours) ---


def test_text2sparql_client_fixtures(shared_data: Path) -> None:
    base = shared_data / "text2sparql-client-fixtures"
    ds = read_dataset(base / "with-ids.yml", "text2sparql", ReadOptions(languages=("en", "de")))
    assert ds.iri == "https://text2sparql.aksw.org/2025/corporate/"
    assert [q.id for q in ds.questions] == ["1-en", "1-de", "2-en", "2-de", "3-en", "3-de"]
    assert ds.questions[1].question == "In welcher Abteilung ist Frau Müller?"
    assert all(q.dataset == ds.iri for q in ds.questions)
    # Without ids the questions are numbered in file order.
    ds = read_dataset(base / "questions.yml", "text2sparql", ReadOptions(languages=("en", "de")))
    assert [q.id for q in ds.questions] == ["1-en", "1-de", "2-de", "3-de"]
    assert {s.id for s in ds.skipped} == {"2-en", "3-en"}


def test_text2sparql_result_set_needs_matching_prefix(shared_data: Path) -> None:
    base = shared_data / "text2sparql-client-fixtures"
    options = ReadOptions(result_set=base / "result_set.json")
    # The client's own fixtures disagree: the YAML says cd25, the result set ck25.
    with pytest.raises(DatasetError, match=r"record cd25:1-en: not in the result set.*ck25:1-en"):
        read_dataset(base / "with-ids.yml", "text2sparql", options)
    ds = read_dataset(
        base / "with-ids.yml",
        "text2sparql",
        ReadOptions(result_set=base / "result_set.json", prefix="ck25"),
    )
    assert [q.answers for q in ds.questions] == [
        ("http://ld.company.org/prod-instances/dept-73191",),
        ("+49-6200-33069465",),
        ("http://ld.company.org/prod-instances/empl-Waldtraud.Kuttner%40company.org",),
    ]


def test_text2sparql_result_set_ask(tmp_path: Path, fixtures: Path) -> None:
    truth = {f"ck25:{i}-en": {"x": 1} for i in range(1, 9)}
    truth["ck25:4-en"] = {"true": 1}
    truth["ck25:5-en"] = {"true": 0}
    truth["ck25:6-en"] = {}
    (tmp_path / "truth.json").write_text(json.dumps(truth))
    ds = read_dataset(
        fixtures / "corporate-questions.yml",
        "text2sparql",
        ReadOptions(result_set=tmp_path / "truth.json"),
    )
    by_id = {q.id: q.answers for q in ds.questions}
    assert by_id["4-en"] == ("true",)
    assert by_id["5-en"] == ("false",)
    assert by_id["6-en"] == ()
    assert by_id["1-en"] == ("x",)


def _questions_file(tmp_path: Path, questions: list[dict[str, object]]) -> Path:
    path = tmp_path / "q.yml"
    dataset = {"id": "https://example.org/ds/", "prefix": "ex"}
    path.write_text(json.dumps({"dataset": dataset, "questions": questions}))  # JSON is YAML
    return path


def test_text2sparql_tags_and_split(tmp_path: Path) -> None:
    count = {"sparql": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    path = _questions_file(
        tmp_path,
        [
            {
                "id": "a",
                "split": "dev",
                "tags": ["select", "COUNT"],
                "question": {"en": "A?", "de": "A?"},
                "query": count,
            },
            {
                "id": "b",
                "split": "test",
                "question": {"en": "B?"},
                "query": {"sparql": "ASK { ?s ?p ?o }"},
            },
        ],
    )
    ds = read_dataset(path, "text2sparql", ReadOptions(languages=("en", "de")))
    assert [(q.id, q.tags, q.split) for q in ds.questions] == [
        ("a-en", ("SELECT", "COUNT"), "dev"),
        ("a-de", ("SELECT", "COUNT"), "dev"),
        ("b-en", (), "test"),
    ]
    test_only = read_dataset(path, "text2sparql", ReadOptions(split="test"))
    assert [q.id for q in test_only.questions] == ["b-en"]


def test_text2sparql_tags_must_be_strings(tmp_path: Path) -> None:
    path = _questions_file(
        tmp_path,
        [{"id": "a", "tags": "SELECT", "question": {"en": "A?"}, "query": {"sparql": "ASK {}"}}],
    )
    with pytest.raises(DatasetError, match="record a: 'tags' must be a list"):
        read_dataset(path, "text2sparql")


# --- generated JSONL ---


def test_jsonl_records_and_split(fixtures: Path) -> None:
    ds = read_dataset(fixtures / "generated.jsonl", "jsonl")
    assert [q.id for q in ds.questions] == ["g1", "g2", "g3", "g4", "g5", "g6"]
    g3 = ds.questions[2]
    assert (g3.answers, g3.answer_type, g3.question_type, g3.template) == (
        ("10",),
        "number",
        "count",
        "count_members",
    )
    test_only = read_dataset(fixtures / "generated.jsonl", "jsonl", ReadOptions(split="test"))
    assert "g6" not in {q.id for q in test_only.questions}


# --- malformed files: the error names the file and the record ---


@pytest.mark.parametrize(
    ("fmt", "name", "content", "message"),
    [
        pytest.param(
            "lcquad2",
            "bad.json",
            '[{"uid": 1, "question": "Q?"',
            r"bad\.json: not valid JSON: line 1",
            id="lcquad2-truncated-json",
        ),
        pytest.param(
            "lcquad2",
            "bad.json",
            json.dumps([{"uid": 7, "question": "Q?", "sparql_dbpedia18": "ASK {}"}]),
            r"bad\.json: record 7: missing field 'sparql_wikidata'",
            id="lcquad2-missing-query",
        ),
        pytest.param(
            "lcquad2",
            "bad.json",
            json.dumps({"uid": 1}),
            r"expected a JSON list",
            id="lcquad2-not-a-list",
        ),
        pytest.param(
            "lcquad1",
            "bad.json",
            json.dumps([{"_id": "42", "corrected_question": "Q?", "sparql_query": ""}]),
            r"record 42: 'sparql_query' must be a non-empty string",
            id="lcquad1-empty-query",
        ),
        pytest.param(
            "qald",
            "bad.json",
            json.dumps({"questions": [{"id": "9", "question": "Q?"}]}),
            r"record 9: 'question' must be a list",
            id="qald-question-not-list",
        ),
        pytest.param(
            "qald",
            "bad.json",
            json.dumps(
                {
                    "questions": [
                        {
                            "id": "3",
                            "question": [{"language": "en", "string": "Q?"}],
                            "answers": [{"head": {}, "results": {"rows": []}}],
                        }
                    ]
                }
            ),
            r"record 3: an answer needs 'boolean' or 'results.bindings'",
            id="qald-bad-answers",
        ),
        pytest.param(
            "text2sparql",
            "bad.yml",
            "questions: []\n",
            r"'dataset.id' is missing",
            id="t2s-no-dataset",
        ),
        pytest.param(
            "text2sparql",
            "bad.yml",
            "dataset: {id: x}\nquestions:\n"
            "  - id: 1\n    question: {en: A}\n  - question: {en: B}\n",
            r"only some questions have an 'id'",
            id="t2s-partial-ids",
        ),
        pytest.param(
            "text2sparql",
            "bad.yml",
            "dataset: {id: x\n",
            r"bad\.yml: not valid YAML",
            id="t2s-bad-yaml",
        ),
        pytest.param(
            "jsonl",
            "bad.jsonl",
            '{"id": "a", "question": "Q?", "query": "ASK {}"}\n{"id": "b", "question": \n',
            r"bad\.jsonl:2: not valid JSON",
            id="jsonl-bad-line",
        ),
        pytest.param(
            "jsonl",
            "bad.jsonl",
            '{"id": "a", "query": "ASK {}"}\n',
            r"bad\.jsonl:1: record a: missing field 'question'",
            id="jsonl-missing-question",
        ),
        pytest.param(
            "jsonl",
            "bad.jsonl",
            '{"id": "a", "question": "Q?", "query": "ASK {}"}\n'
            '{"id": "a", "question": "R?", "query": "ASK {}"}\n',
            r"record a: the id is used twice",
            id="jsonl-duplicate-id",
        ),
    ],
)
def test_malformed_files(tmp_path: Path, fmt: str, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DatasetError, match=message):
        read_dataset(path, fmt)


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such dataset file"):
        read_dataset(tmp_path / "nope.json", "qald")
    (tmp_path / "x.json").write_text("[]")
    with pytest.raises(DatasetError, match="unknown format 'csv'"):
        read_dataset(tmp_path / "x.json", "csv")


@pytest.mark.parametrize(
    ("query", "shape"),
    [
        pytest.param("ASK { ?s ?p ?o }", "ask", id="ask"),
        pytest.param("SELECT (COUNT (?s) AS ?n) { ?s ?p ?o }", "count", id="count"),
        pytest.param("SELECT ?s { ?s <p> ?o } ORDER BY DESC(?o) LIMIT 1", "superlative", id="sup"),
        pytest.param(
            "SELECT ?s { ?s a <C> FILTER NOT EXISTS { ?s <p> ?o } }", "negation", id="neg"
        ),
        pytest.param("SELECT ?s { ?s <p> ?o FILTER(?o > 3) }", "comparison", id="cmp"),
        pytest.param(
            "SELECT ?s { ?s <http://x/p> <http://x/o> FILTER(?s != <a>) }", "list", id="iri"
        ),
    ],
)
def test_query_shape(query: str, shape: str) -> None:
    assert query_shape(query) == shape
