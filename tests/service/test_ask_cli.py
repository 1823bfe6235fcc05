"""``sparqlqa ask`` on the tiny trained model: text, JSON, SPARQL and JSONL output, exit
status 0 (answered), 1 (not answered), 2 (an error), and a quiet terminal.

One test runs the console script in a subprocess (the real entry point, its stdout and stderr
as a user sees them); the others run the same Typer app in-process (``CliRunner``), which
loads the model again but spares a Python start with torch per test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sparqlqa.cli import app

WOLFGANG = "http://ld.company.org/prod-instances/empl-Wolfgang.Martin%40company.org"
DEPARTMENT = "Which department does Wolfgang Martin work in?"
DATA_SERVICES = "http://ld.company.org/prod-instances/dept-41622"
#: The tiny model knows only lookups: every candidate for a count is rejected.
HOW_MANY = "How many departments does Wolfgang Martin work in?"
ROOT = Path(__file__).resolve().parents[2]
#: Library messages a user cannot act on; none may reach the terminal.
NOISE = ("LOAD REPORT", "UNEXPECTED", "Removed shared tensor", "Loading weights", "Warning")


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["ask", *args], input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_console_script_answers_in_text_with_a_quiet_terminal(model_graph: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "sparqlqa.cli", "ask", DEPARTMENT, "--graph", str(model_graph)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=model_graph.parent,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("answered in ") and lines[0].endswith("ms (corporate)")
    assert lines[2] == "query:"
    assert any(f"<{WOLFGANG}> pv:memberOf ?x0" in line for line in lines)
    # The answers: a table with the variable as header, the label and the IRI.
    header = lines.index("answers:") + 1
    assert lines[header].split() == ["x0"]
    assert lines[header + 2].strip() == f"Data Services <{DATA_SERVICES}>"
    for noise in NOISE:
        assert noise not in done.stdout + done.stderr, (noise, done.stderr)


def test_json_is_the_ask_response(model_graph: Path) -> None:
    status, out, _ = run(DEPARTMENT, "--graph", str(model_graph), "--format", "json", "--k", "3")
    assert status == 0
    body = json.loads(out)
    assert body["answered"] is True and body["graph"] == "corporate"
    assert body["answers"] == [{"value": DATA_SERVICES, "type": "uri", "label": "Data Services"}]
    assert f"<{WOLFGANG}>" in body["query"] and len(body["candidates"]) <= 3
    # The same fields as POST /ask's response model.
    from sparqlqa.service.models import AskResponse

    assert set(body) == set(AskResponse.model_fields)


def test_not_answered_is_status_1_with_the_reasons(model_graph: Path) -> None:
    status, out, _ = run(HOW_MANY, "--graph", str(model_graph), "-v", "--k", "2")
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == "not sure: no candidate query returned an answer of the expected kind"
    assert "best candidate (rejected):" in lines and "answers:" not in lines
    # -v: the entity found and each candidate's score and reason.
    assert any(
        line.startswith("  Wolfgang Martin (Employee) for 'Wolfgang Martin'") for line in lines
    )
    rejected = [line for line in lines if line.startswith("  1. score ")]
    assert rejected and rejected[0].endswith("rejected: no number in the result")
    assert "  2. score " in out


def test_sparql_prints_only_the_query(model_graph: Path) -> None:
    status, out, err = run(DEPARTMENT, "--graph", str(model_graph), "--format", "sparql")
    assert status == 0 and err == ""
    assert out.startswith("PREFIX pv: <http://ld.company.org/prod-vocab/>")
    assert out.strip().endswith(f"<{WOLFGANG}> pv:memberOf ?x0 }}")
    status, out, err = run(HOW_MANY, "--graph", str(model_graph), "--format", "sparql")
    assert status == 1 and "SELECT" in out
    assert err.startswith("not sure: ")


def test_stdin_answers_one_json_line_per_question(model_graph: Path) -> None:
    status, out, _ = run(
        "--stdin", "--graph", str(model_graph), input=f"{DEPARTMENT}\n\n{HOW_MANY}\n"
    )
    assert status == 1  # one of the two was not answered
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in records] == [DEPARTMENT, HOW_MANY]
    assert [r["answered"] for r in records] == [True, False]
    status, out, _ = run("--stdin", "--graph", str(model_graph), input=DEPARTMENT + "\n")
    assert status == 0 and len(out.splitlines()) == 1


def test_missing_default_graph_says_how_to_prepare_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARQLQA_HOME", str(tmp_path))
    status, out, err = run(DEPARTMENT)
    assert status == 2 and out == ""
    expected = tmp_path.resolve() / "graphs" / "corporate"
    assert err.startswith(f"error: no graph folder at {expected} (graph.json is missing)")
    assert "`sparqlqa serve --prepare`" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--graph", "{missing}"], "make one with `sparqlqa adapt", id="missing"),
        pytest.param(["--graph", "{store_only}"], "has no translator model", id="no-model"),
        pytest.param(["--stdin"], "give a QUESTION or --stdin", id="both"),
    ],
)
def test_errors_are_status_2_with_a_message(
    args: list[str], message: str, store_only_graph: Path, tmp_path: Path
) -> None:
    paths = {"{missing}": str(tmp_path / "nope"), "{store_only}": str(store_only_graph)}
    status, out, err = run(DEPARTMENT, *[paths.get(a, a) for a in args])
    assert status == 2 and out == ""
    assert err.startswith("error: ") and message in err, err
    assert err.count(message) == 1  # said once, not also as a log warning


def test_an_empty_question_is_an_error(model_graph: Path) -> None:
    status, _, err = run("   ", "--graph", str(model_graph))
    assert status == 2 and err == "error: the question is empty\n"
