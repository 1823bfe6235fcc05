"""Import Neural SPARQL Machines (NSpM) CSV templates.

An NSpM template file has no header and one template per line, ``;``-separated (fields with
a ``;`` inside are quoted, CSV style)::

    class for <A>; class for <B>; class for <C>; question; query; generator query; id

Some files have 6 fields (no id). The queries are written in Virtuoso's dialect; these
departures from SPARQL 1.1 are fixed, and each fix is recorded on the template's import
note, so nothing is changed silently:

- ``COUNT(?x)`` projected without ``AS`` → ``(COUNT(?x) AS ?count)``;
- commas between projected variables (``select distinct ?a, ?b``) → spaces;
- prefixed names written with ``_`` instead of ``:`` (``dbo_birthPlace``, one NSpM file);
- bare IRIs without angle brackets (``http://dbpedia.org/ontology/county``);
- ``select distinct(?a)`` → ``select distinct ?a``.

A row that still cannot be used (wrong number of fields, a query that does not parse, an
unknown placeholder) is rejected with its file, line and reason in the ``ImportReport``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from sparqlqa.benchmarks.shapes import query_shape
from sparqlqa.errors import ConfigError, TemplateError
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.templates.fill import (
    PLACEHOLDER,
    check_template,
    declare_prefixes,
    undeclared_prefixes,
)
from sparqlqa.templates.model import SourceRef, Template

_EMPTY_CLASS = re.compile(r"^(Unnamed: \d+)?$")
_COUNT_NO_AS = re.compile(
    r"\b(SELECT\s+(?:DISTINCT\s+)?)COUNT\s*\(\s*(?:(DISTINCT)\s*\(\s*(\?\w+)\s*\)|(DISTINCT\s+)?"
    r"(\?\w+))\s*\)(?!\s*AS)",
    re.I,
)
_PROJECTION = re.compile(r"\b(SELECT\s+(?:DISTINCT\s+)?)([^{]*?)(\s*WHERE\b|\s*\{)", re.I)
_UNDERSCORE_PREFIX = re.compile(
    r"(?<![\w?$:<#/.-])(dbo|dbp|dbr|rdf|rdfs|foaf|owl|skos|dct|yago)_(?=[A-Za-z])"
)
_BARE_IRI = re.compile(r"(?<![<\w\"'])https?://[^\s<>\"{}|^`\\]+")
_DISTINCT_PAREN = re.compile(r"\b(SELECT\s+DISTINCT)\s*\(\s*(\?\w+)\s*\)", re.I)
_GENERATOR_VAR = re.compile(r"\?([a-z])\b")


@dataclass(frozen=True)
class Rejected:
    """A row that could not be imported, and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class ImportReport:
    """What an import took, what it fixed and what it refused."""

    templates: list[Template] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    fixes: dict[str, list[str]] = field(default_factory=dict)  # template id → fixes applied
    rows: int = 0

    def extend(self, other: ImportReport) -> None:
        self.templates.extend(other.templates)
        self.rejected.extend(other.rejected)
        self.fixes.update(other.fixes)
        self.rows += other.rows

    def summary(self) -> str:
        lines = [
            f"{self.rows} rows read, {len(self.templates)} templates taken, "
            f"{len(self.rejected)} rejected, {len(self.fixes)} fixed"
        ]
        lines += [f"  rejected {r}" for r in self.rejected]
        return "\n".join(lines)


def fix_query(query: str) -> tuple[str, list[str]]:
    """``query`` in SPARQL 1.1 and the list of dialect fixes applied (see module doc)."""
    fixes: list[str] = []
    fixed = _UNDERSCORE_PREFIX.sub(r"\1:", query)
    if fixed != query:
        fixes.append("prefixed names written with '_' turned into ':'")
    before = fixed
    fixed = _BARE_IRI.sub(_bracket, fixed)
    if fixed != before:
        fixes.append("bare IRIs put in angle brackets")
    before = fixed
    fixed = _COUNT_NO_AS.sub(_name_count, fixed)
    if fixed != before:
        fixes.append("COUNT(...) given a name (AS ?count)")

    def projection(match: re.Match[str]) -> str:
        head, body, tail = match.groups()
        if "," not in body or "(" in body:
            return match.group(0)
        return head + " ".join(body.replace(",", " ").split()) + tail

    before = fixed
    fixed = _DISTINCT_PAREN.sub(r"\1 \2", fixed)
    if fixed != before:
        fixes.append("DISTINCT(?x) written as DISTINCT ?x")
    before = fixed
    fixed = _PROJECTION.sub(projection, fixed)
    if fixed != before:
        fixes.append("commas between projected variables removed")
    return fixed, fixes


def _bracket(match: re.Match[str]) -> str:
    iri = match.group(0)
    trail = len(iri) - len(iri.rstrip(".;,"))
    return f"<{iri[: len(iri) - trail]}>{iri[len(iri) - trail :]}"


def _name_count(match: re.Match[str]) -> str:
    head, distinct_paren, var_paren, distinct, var = match.groups()
    inner = f"DISTINCT {var_paren}" if distinct_paren else f"{(distinct or '').strip()} {var}"
    return f"{head}(COUNT({inner.strip()}) AS ?count)"


def read_nspm(path: Path, *, prefixes: dict[str, str] | None = None) -> ImportReport:
    """Import one NSpM CSV file. Rows that cannot be taken are listed, never dropped silently."""
    known = dict(COMMON_PREFIXES if prefixes is None else prefixes)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read NSpM templates {path}: {exc}") from exc
    report = ImportReport()
    parser = ox.Store()
    seen_ids: set[str] = set()
    for line_no, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        report.rows += 1
        fields = next(csv.reader(io.StringIO(raw), delimiter=";", quotechar='"'))
        where = SourceRef(str(path), line_no)
        try:
            template, fixes = _row(fields, where, known, parser)
        except TemplateError as exc:
            report.rejected.append(Rejected(str(path), line_no, str(exc)))
            continue
        if template.id in seen_ids:
            template.id = f"{template.id}-l{line_no}"
        seen_ids.add(template.id)
        report.templates.append(template)
        if fixes:
            report.fixes[template.id] = fixes
    return report


def read_nspm_files(paths: Iterable[Path], **kwargs: dict[str, str]) -> ImportReport:
    """Import every NSpM CSV file in ``paths`` (folders are searched for ``*.csv``)."""
    report = ImportReport()
    for path in paths:
        files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            raise ConfigError(f"no NSpM *.csv files in {path}")
        for file in files:
            report.extend(read_nspm(file, **kwargs))
    return report


def _row(
    fields: list[str], where: SourceRef, prefixes: dict[str, str], parser: ox.Store
) -> tuple[Template, list[str]]:
    if len(fields) > 7 and all(not f.strip() for f in fields[7:]):
        fields = fields[:7]  # a trailing ';' at the end of the line
    if len(fields) not in (6, 7):
        raise TemplateError(
            f"expected 6 or 7 ';'-separated fields, found {len(fields)} "
            "(an unquoted ';' inside a field?)"
        )
    classes, question, query, generator = fields[:3], fields[3], fields[4], fields[5]
    raw_id = fields[6].strip() if len(fields) == 7 else ""
    if not question.strip() or not query.strip():
        raise TemplateError("empty question or query")
    query, fixes = fix_query(query.strip())
    generator, generator_fixes = fix_query(generator.strip()) if generator.strip() else ("", [])
    fixes += [f"generator: {f}" for f in generator_fixes]
    slots: dict[str, list[str]] = {}
    for letter, cls in zip("ABC", classes, strict=True):
        cls = cls.strip()
        if _EMPTY_CLASS.match(cls) or letter not in PLACEHOLDER.findall(query):
            continue
        slots[letter] = [_expand(cls, prefixes)]
    # NSpM generators bind ?a, ?b, ?c for <A>, <B>, <C>.
    template_id = raw_id or "nspm-" + hashlib.sha1(f"{question}\n{query}".encode()).hexdigest()[:12]
    template = Template(
        id=template_id,
        questions=[" ".join(question.split())],
        query=query,
        source=where,
        shape=query_shape(query, otherwise="lookup"),
        slots=slots,
        generator=generator or None,
        tags=["nspm", Path(where.file).stem],
        prefixes=prefixes,
    )
    try:
        check_template(template)
    except TemplateError as exc:
        raise TemplateError(str(exc).split(": ", 1)[-1]) from exc
    for label, text in (("query", query), ("generator query", generator)):
        if not text:
            continue
        unknown = undeclared_prefixes(text, prefixes)
        if unknown:
            raise TemplateError(
                f"{label} uses unknown prefix {', '.join(p + ':' for p in unknown)}"
            )
        probe = declare_prefixes(PLACEHOLDER.sub("<urn:x>", text), prefixes)
        try:
            parser.query(probe)
        except SyntaxError as exc:
            message = str(exc).splitlines()[0][:200]
            raise TemplateError(f"{label} does not parse as SPARQL 1.1: {message}") from exc
    if generator:
        bound = set(_GENERATOR_VAR.findall(generator.split("{", 1)[0].lower()))
        needed = {s.lower() for s in PLACEHOLDER.findall(query)}
        if not needed <= bound and "*" not in generator.split("{", 1)[0]:
            missing = ", ".join(f"?{v}" for v in sorted(needed - bound))
            raise TemplateError(f"the generator query does not select {missing}")
    return template, fixes


def _expand(name: str, prefixes: dict[str, str]) -> str:
    if name.startswith(("http://", "https://")):
        return name
    prefix, _, local = name.partition(":")
    if prefix in prefixes and local:
        return prefixes[prefix] + local
    return name
