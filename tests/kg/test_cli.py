"""``sparqlqa kg``: the commands as a user runs them (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def sparqlqa(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sparqlqa.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, "SPARQLQA_HOME": str(home)},
        timeout=120,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    done = sparqlqa("kg", "load", home=home)
    assert done.returncode == 0, done.stderr
    assert "26,903 triples" in done.stderr
    return home


def test_count_prints_26903(home: Path) -> None:
    done = sparqlqa("kg", "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", home=home)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n", "26903"]


def test_second_load_keeps_the_store(home: Path) -> None:
    done = sparqlqa("kg", "load", home=home)
    assert done.returncode == 0 and "(kept)" in done.stderr


def test_insert_is_refused_with_a_clear_message(home: Path) -> None:
    done = sparqlqa("kg", "query", "INSERT DATA { <http://a> <http://b> <http://c> }", home=home)
    assert done.returncode == 2
    assert "error: updates are not allowed: the query contains INSERT" in done.stderr
    assert done.stdout == ""


def test_query_from_stdin_with_graph_prefixes_as_json(home: Path) -> None:
    done = sparqlqa(
        "kg", "query", "-", "--format", "json", home=home, stdin="ASK { ?e a pv:Employee }"
    )
    assert done.returncode == 0, done.stderr
    assert '"boolean": true' in done.stdout


def test_missing_store_says_how_to_build_it(tmp_path: Path) -> None:
    done = sparqlqa("kg", "query", "ASK { ?s ?p ?o }", home=tmp_path)
    assert done.returncode == 1
    assert "sparqlqa kg load" in done.stderr


def test_deep_nesting_is_refused_not_a_crash(home: Path) -> None:
    deep = "SELECT * WHERE " + "{" * 2400 + "?s ?p ?o" + "}" * 2400
    done = sparqlqa("kg", "query", "-", home=home, stdin=deep)
    assert done.returncode == 2, (done.returncode, done.stderr)  # a refused query; not -11
    assert "2,400 levels deep" in done.stderr
    assert "max_nesting" in done.stderr


def test_an_unsupported_function_names_it(home: Path) -> None:
    sparql = 'SELECT ?x WHERE { BIND(xsd:int("3") AS ?x) }'
    done = sparqlqa("kg", "query", sparql, home=home)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "XMLSchema#int> is not supported" in done.stderr
    assert "Traceback" not in done.stderr
