"""NSpM CSV import: every row taken or rejected with file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from sparqlqa.templates.nspm import fix_query, read_nspm, read_nspm_files

ROWS = "\n".join(
    [
        # 7 fields, Virtuoso COUNT without AS and comma-separated projection in the generator
        "dbo:Person;;;<A> has won how many awards?;SELECT DISTINCT COUNT(?uri) where "
        "{ <A> dbo:award ?uri };select distinct ?a, ?b where { ?a dbo:award ?uri };id-1",
        # 6 fields (no id), bare IRI in the query
        "dbo:Place;;;what is the county of <A>;select ?a where { <A> "
        "http://dbpedia.org/ontology/county ?a };select ?a where { ?a "
        "<http://dbpedia.org/ontology/county> [] }",
        # 8 fields: a ';' inside a quoted question
        ';;;"What is the origin of <B> and <A> ?;";SELECT DISTINCT ?uri where { <B> '
        "dbp:origin ?uri . <A> dbo:origin ?uri };select distinct ?a, ?b where { ?b dbp:origin "
        "?uri . ?a dbo:origin ?uri };id-3",
        # a trailing ';' (8 fields, the last empty)
        "dbo:Person;;;<A> is from which city?;SELECT DISTINCT ?uri where { <A> dbo:hometown "
        "?uri };select distinct ?a where { ?a dbo:hometown ?uri };id-4;",
        # broken: a placeholder typo
        ";;;Which ship builder built the <<B> ?;SELECT DISTINCT ?uri where { <A> dbo:builder "
        "?uri . <B> dbo:x ?uri };select distinct ?a, ?b where { ?a dbo:builder ?uri };id-5",
        # broken: does not parse
        ";;;was the wife of <A> called <B>?;ask where { <A> ?spouse . <B> ?p };select ?a ?b "
        "where { ?a ?s ?b };id-6",
        # broken: two stray ';' in an unquoted field
        ";;;Who is <A>?;SELECT ?x where { <A> dbo:a ?x ; dbo:b ?y ; dbo:c ?z };"
        "select ?a where { ?a dbo:a ?x };id-7",
        # broken: unknown prefix
        ";;;Who wrote <A>?;SELECT ?x where { <A> dc:creator ?x };select ?a where "
        "{ ?a dc:creator ?x };id-8",
    ]
)


@pytest.fixture
def nspm_file(tmp_path: Path) -> Path:
    path = tmp_path / "sample.csv"
    path.write_text(ROWS + "\n")
    return path


def test_rows_taken_and_fixed(nspm_file: Path) -> None:
    report = read_nspm(nspm_file)
    assert report.rows == 8
    assert [t.id for t in report.templates] == ["id-1", report.templates[1].id, "id-3", "id-4"]
    first = report.templates[0]
    assert "(COUNT(?uri) AS ?count)" in first.query
    assert first.generator == "select distinct ?a ?b where { ?a dbo:award ?uri }"
    assert first.slots == {"A": ["http://dbpedia.org/ontology/Person"]}
    assert first.shape == "count"
    assert report.fixes["id-1"] == [
        "COUNT(...) given a name (AS ?count)",
        "generator: commas between projected variables removed",
    ]
    assert "<http://dbpedia.org/ontology/county>" in report.templates[1].query
    assert report.templates[1].id.startswith("nspm-")
    assert report.templates[2].questions == ["What is the origin of <B> and <A> ?;"]


def test_rows_rejected_with_line_and_reason(nspm_file: Path) -> None:
    rejected = {r.line: r.reason for r in read_nspm(nspm_file).rejected}
    assert sorted(rejected) == [5, 6, 7, 8]
    assert "does not mention <A>" in rejected[5]
    assert "does not parse" in rejected[6]
    assert "found 9" in rejected[7]
    assert "unknown prefix dc:" in rejected[8]
    assert all(str(r).startswith(f"{nspm_file}:") for r in read_nspm(nspm_file).rejected)


@pytest.mark.parametrize(
    ("query", "fixed"),
    [
        pytest.param(
            "SELECT COUNT(DISTINCT(?uri)) WHERE { ?x ?p ?uri }",
            "SELECT (COUNT(DISTINCT ?uri) AS ?count) WHERE { ?x ?p ?uri }",
            id="count-distinct-paren",
        ),
        pytest.param(
            "SELECT ?a WHERE { ?a dbo_birthPlace ?b . ?a a dbo_Person }",
            "SELECT ?a WHERE { ?a dbo:birthPlace ?b . ?a a dbo:Person }",
            id="underscore-prefix",
        ),
        pytest.param(
            "select distinct(?a) where { ?a ?p ?o }",
            "select distinct ?a where { ?a ?p ?o }",
            id="distinct-paren",
        ),
        pytest.param(
            "SELECT ?a WHERE { ?a <http://x/p> ?b }",
            "SELECT ?a WHERE { ?a <http://x/p> ?b }",
            id="untouched",
        ),
    ],
)
def test_fix_query(query: str, fixed: str) -> None:
    assert fix_query(query)[0] == fixed


def test_all_real_nspm_files(shared_data: Path) -> None:
    """Every row of the NSpM template files is taken or rejected, and we know exactly which."""
    folder = shared_data / "nspm-templates"
    if not folder.is_dir():
        pytest.skip(f"{folder} is not here")
    report = read_nspm_files([folder])
    assert report.rows == len(report.templates) + len(report.rejected) == 7063
    rejected = {(Path(r.file).name, r.line): r.reason for r in report.rejected}
    assert sorted(rejected) == [
        ("LC-QuAD_v6_other.csv", 561),
        ("LC-QuAD_v6_other.csv", 1830),
        ("LC-QuAD_v6_other.csv", 2046),
        ("LC-QuAD_v6_other.csv", 2862),
        ("LC-QuAD_v6_sport_art.csv", 677),
        ("QALD-7.csv", 6),
        ("QALD-7.csv", 28),
        ("QALD-7.csv", 140),
    ]
    assert "<<B>" in rejected[("LC-QuAD_v6_other.csv", 561)]
    assert rejected[("LC-QuAD_v6_sport_art.csv", 677)] == "empty question or query"
    assert "unknown prefix dc:" in rejected[("QALD-7.csv", 28)]
    # The two 8-field rows of the issue are parsed, not mangled.
    by_id = {t.id: t for t in report.templates}
    assert by_id["f913c2429f424dccae257c7c4a5f5b83"].questions == [
        "What is the national origin of <B> and <A> ?;"
    ]
    assert by_id["1f283dc1bb87433d804608abb6d42fb9"].query.startswith("SELECT DISTINCT ?uri")
