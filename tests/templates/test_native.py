"""The YAML template format: loading, shipped sets, errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sparqlqa.errors import ConfigError, TemplateError
from sparqlqa.templates.model import SHAPES
from sparqlqa.templates.native import bundled_set, read_templates, read_yaml

GOOD = """\
graph: test
prefixes:
  ex: http://example.org/
templates:
  - id: first
    shape: lookup
    questions:
      - Who manages <A>?
      - manager of <A>
    query: SELECT ?m WHERE { <A> ex:manager ?m }
    classes: {A: ex:Product}
    tags: [people]

  - id: second
    shape: comparison
    question: Which products weigh more than <N> g?
    query: SELECT ?p WHERE { ?p ex:weight ?w FILTER(?w > <N>) }
    generator: SELECT ?N WHERE { ?p ex:weight ?N }
    values: [N]
"""


def test_read_yaml(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(GOOD)
    first, second = read_yaml(path)
    assert first.id == "first" and first.source.line == 5
    assert first.slots == {"A": ["http://example.org/Product"]}
    assert first.tags == ["test", "people"]
    assert first.prefixes["ex"] == "http://example.org/"
    assert second.source.line == 14 and second.value_slots == ["N"]
    assert second.questions == ["Which products weigh more than <N> g?"]


@pytest.mark.parametrize(
    ("replace", "by", "message", "line"),
    [
        pytest.param(
            "Who manages <A>?",
            "Who manages <B>?",
            "unknown placeholder <B>",
            5,
            id="unknown-placeholder",
        ),
        pytest.param("shape: comparison", "shape: wild", "unknown shape 'wild'", 14, id="shape"),
        pytest.param("id: second", "id: first", "already used at line 5", 14, id="duplicate-id"),
        pytest.param("    tags: [people]", "    tag: [people]", "unknown key tag", 5, id="key"),
        pytest.param("ex:manager", "zz:manager", "unknown prefix zz:", 5, id="prefix"),
        pytest.param("{A: ex:Product}", "{A: Product}", "neither an IRI", 5, id="class"),
    ],
)
def test_errors_name_file_and_line(
    tmp_path: Path, replace: str, by: str, message: str, line: int
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace(replace, by, 1))
    with pytest.raises(TemplateError, match=message) as info:
        read_yaml(path)
    assert f"{path}:{line}" in str(info.value)


def test_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("templates: [\n")
    with pytest.raises(TemplateError, match="not valid YAML"):
        read_yaml(path)
    with pytest.raises(ConfigError, match="not found"):
        read_templates([tmp_path / "missing.yaml"])


@pytest.mark.parametrize("name", ["corporate", "dbpedia"])
def test_shipped_sets_load(name: str) -> None:
    templates = read_yaml(bundled_set(name))
    assert len({t.id for t in templates}) == len(templates) >= 10
    assert {t.shape for t in templates} >= set(SHAPES) - {"other"}
    assert all(len(t.questions) >= 2 for t in templates)


def test_unknown_set() -> None:
    with pytest.raises(ConfigError, match="shipped: corporate, dbpedia"):
        bundled_set("nope")
