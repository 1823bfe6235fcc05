"""The native YAML template format, written by hand.

A file holds optional defaults and a list of templates::

    graph: corporate                    # free text, recorded on each pair
    prefixes:                           # names the queries may use undeclared
      pv: http://ld.company.org/prod-vocab/
    templates:
      - id: product-manager-of          # unique within the file
        shape: lookup                   # lookup, reverse_lookup, list, count, ask, ...
        answer_type: resource           # resource, number, date, string, boolean
        questions:                      # several phrasings; <A>, <B> name the entities
          - Who is the product manager of <A>?
          - who manages <A>
        query: SELECT ?m WHERE { <A> pv:hasProductManager ?m }
        classes: {A: pv:Product}        # class constraints of each placeholder, or
        generator: SELECT ?A WHERE { ?A pv:hasProductManager [] }   # a query binding ?A
        values: [N]                     # placeholders filled with literals (numbers), not IRIs
        tags: [people]

Every error names the file and the line of the template.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from sparqlqa.errors import ConfigError, TemplateError
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.templates.fill import check_template, undeclared_prefixes
from sparqlqa.templates.model import ANSWER_TYPES, SHAPES, SourceRef, Template

_KEYS = {
    "id",
    "shape",
    "answer_type",
    "questions",
    "question",
    "query",
    "classes",
    "generator",
    "values",
    "tags",
}

#: The hand-written sets shipped with sparqlqa (package data).
SETS_DIR = Path(__file__).parent / "sets"


def bundled_set(name: str) -> Path:
    """The path of a shipped template set (``corporate``, ``dbpedia``)."""
    path = SETS_DIR / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in SETS_DIR.glob("*.yaml")))
        raise ConfigError(f"no template set called {name!r} (shipped: {known})")
    return path


def read_yaml(path: Path) -> list[Template]:
    """The templates of one YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read templates {path}: {exc}") from exc
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("templates"), list):
        raise TemplateError(f"{path}: expected a mapping with a 'templates' list")
    lines = _item_lines(root)
    prefixes = dict(COMMON_PREFIXES)
    extra = data.get("prefixes") or {}
    if not isinstance(extra, dict):
        raise TemplateError(f"{path}: 'prefixes' must map names to namespace IRIs")
    prefixes.update({str(k): str(v) for k, v in extra.items()})
    graph_tag = str(data.get("graph", path.stem))
    out: list[Template] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data["templates"]):
        line = lines[index] if index < len(lines) else None
        where = SourceRef(str(path), line)
        template = _template(item, where, prefixes, graph_tag)
        if template.id in seen:
            raise TemplateError(
                f"{where}: template id {template.id!r} already used at line {seen[template.id]}"
            )
        seen[template.id] = line or 0
        out.append(template)
    return out


def read_templates(paths: Iterable[Path]) -> list[Template]:
    """Templates of YAML files and folders of them (``*.yaml``, ``*.yml``)."""
    out: list[Template] = []
    for path in paths:
        if path.is_dir():
            files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not files:
                raise ConfigError(f"no *.yaml template files in {path}")
        elif path.is_file():
            files = [path]
        else:
            raise ConfigError(f"template file not found: {path}")
        for file in files:
            out.extend(read_yaml(file))
    return out


def _item_lines(root: yaml.Node | None) -> list[int]:
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        is_templates = isinstance(key, yaml.ScalarNode) and key.value == "templates"
        if is_templates and isinstance(value, yaml.SequenceNode):
            return [node.start_mark.line + 1 for node in value.value]
    return []


def _template(item: Any, where: SourceRef, prefixes: dict[str, str], graph_tag: str) -> Template:
    if not isinstance(item, dict):
        raise TemplateError(f"{where}: a template must be a mapping")
    unknown = set(item) - _KEYS
    if unknown:
        raise TemplateError(
            f"{where}: unknown key {', '.join(sorted(map(str, unknown)))} "
            f"(known: {', '.join(sorted(_KEYS))})"
        )
    if "id" not in item or "query" not in item:
        raise TemplateError(f"{where}: a template needs an 'id' and a 'query'")
    questions = item.get("questions", item.get("question"))
    if isinstance(questions, str):
        questions = [questions]
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise TemplateError(f"{where}: 'questions' must be a list of strings")
    shape = str(item.get("shape", "other"))
    if shape not in SHAPES:
        raise TemplateError(f"{where}: unknown shape {shape!r} (known: {', '.join(SHAPES)})")
    answer_type = item.get("answer_type")
    if answer_type is not None and answer_type not in ANSWER_TYPES:
        raise TemplateError(
            f"{where}: unknown answer_type {answer_type!r} (known: {', '.join(ANSWER_TYPES)})"
        )
    classes = item.get("classes") or {}
    if not isinstance(classes, dict):
        raise TemplateError(f"{where}: 'classes' must map placeholders to classes")
    slots = {
        str(k): [_expand(c, prefixes, where) for c in (v if isinstance(v, list) else [v])]
        for k, v in classes.items()
    }
    template = Template(
        id=str(item["id"]),
        questions=[" ".join(q.split()) for q in questions],
        query=str(item["query"]).strip(),
        source=where,
        shape=shape,
        answer_type=answer_type,
        slots=slots,
        generator=str(item["generator"]).strip() if item.get("generator") else None,
        tags=[graph_tag, *[str(t) for t in item.get("tags", [])]],
        prefixes=prefixes,
        value_slots=[str(v) for v in item.get("values", [])],
    )
    check_template(template)
    for label, text in (("query", template.query), ("generator", template.generator)):
        unknown_prefixes = undeclared_prefixes(text or "", prefixes)
        if unknown_prefixes:
            names = ", ".join(p + ":" for p in unknown_prefixes)
            raise TemplateError(
                f"{template.where}: the {label} uses unknown prefix {names}; "
                "declare it under 'prefixes:'"
            )
    return template


def _expand(name: Any, prefixes: dict[str, str], where: SourceRef) -> str:
    text = str(name)
    if text.startswith(("http://", "https://", "urn:")):
        return text
    prefix, sep, local = text.partition(":")
    if sep and prefix in prefixes:
        return prefixes[prefix] + local
    raise TemplateError(f"{where}: class {text!r} is neither an IRI nor a known prefixed name")
