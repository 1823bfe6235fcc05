"""Grammar-aware SPARQL fuzzing of the query guard and of ``/sparql`` (hypothesis), bounded.

Run: ``.venv/bin/python bench/fuzz_sparql.py [--seconds 120] [--target guard|sparql|both]``

The generator (``queries()``) writes SPARQL 1.1 queries from the grammar: prologues, every
query form, group patterns with OPTIONAL/UNION/MINUS/GRAPH/SERVICE/FILTER/BIND/VALUES and
sub-selects, property paths, expressions over every built-in function and operator, terms
with odd unicode, escapes, language tags and datatypes (``xsd:int`` among them), solution
modifiers. Mixed in are the shapes that break engines: deep nesting of each bracket kind,
long UNION, OPTIONAL and property-path chains, deep expressions, huge literals and numbers,
unterminated strings, keyword soup of every keyword, and plain random text.

Targets:

- ``guard``: ``Guard.check`` on each input; a finding is an exception that is not one of
  sparqlqa's errors, or a parser worker that died (the bounds should stop that first);
- ``sparql``: ``POST /sparql`` on a real server (``sparqlqa serve`` in a subprocess, on the
  bundled corporate store, loopback only); a finding is a 5xx other than the deliberate 503
  (overloaded) and 504 (time limit), a non-JSON error body, or ``/health`` not answering.

Printed as JSON: inputs tried, findings by kind, time; each finding's input is written to
``--findings`` (JSONL) so that it can become a regression test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]

KEYWORDS = (  # noqa: SIM905 (a word list reads better as words)
    "BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED GROUP BY "
    "HAVING ORDER ASC DESC LIMIT OFFSET VALUES LOAD SILENT INTO CLEAR DROP CREATE ADD MOVE COPY "
    "INSERT DATA DELETE WITH USING DEFAULT ALL GRAPH OPTIONAL SERVICE BIND UNDEF MINUS UNION "
    "FILTER IN NOT EXISTS a true false STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND "
    "ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS "
    "STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 "
    "SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT sameTerm isIRI isURI isBLANK isLITERAL "
    "isNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR"
).split()
FUNCTIONS_1 = (  # noqa: SIM905
    "STR LANG DATATYPE IRI BNODE ABS CEIL FLOOR ROUND STRLEN UCASE LCASE ENCODE_FOR_URI YEAR "
    "MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ MD5 SHA1 SHA256 SHA384 SHA512 isIRI isBLANK "
    "isLITERAL isNUMERIC xsd:int xsd:integer xsd:string xsd:double xsd:boolean xsd:dateTime "
    "xsd:decimal xsd:float xsd:date"
).split()
FUNCTIONS_2 = "LANGMATCHES CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER STRLANG STRDT sameTerm "
FUNCTIONS_N = ("CONCAT", "COALESCE", "REGEX", "SUBSTR", "REPLACE", "IF")
AGGREGATES = ("COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT")
OPERATORS = ("||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/")
ODD = "\u0000\u00e9\u200b\u202e\ud7ff\ufeff\U0001f600\u0301{}()[]<>\"'#\\\n\t"

names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True)
variables = names.map(lambda n: f"?{n}") | names.map(lambda n: f"${n}")
iris = st.one_of(
    st.sampled_from(
        [
            "<http://ld.company.org/prod-vocab/name>",
            "<http://ld.company.org/prod-vocab/Employee>",
            "<http://e/a(b)c>",
            "<http://e/#{x}>",
            "<>",
            "<urn:x>",
        ]
    ),
    st.text(st.characters(codec="utf-8", exclude_characters='<>"{}|^`\\ '), max_size=20).map(
        lambda t: f"<http://e/{t}>"
    ),
    st.sampled_from(["pv:name", "pv:Employee", "rdfs:label", "rdf:type", "xsd:int", "ex:x"]),
    names.map(lambda n: f"pv:{n}"),
    st.just("a"),
)
escapes = st.sampled_from(["\\n", "\\t", '\\"', "\\'", "\\\\", "\\u00e9", "\\U0001F600", "\\x"])
string_body = st.lists(
    st.one_of(st.text(alphabet=st.characters(codec="utf-8"), max_size=8), escapes, st.text(ODD)),
    max_size=6,
).map("".join)
literals = st.one_of(
    string_body.map(lambda s: '"' + s.replace('"', '\\"').replace("\n", "\\n") + '"'),
    string_body.map(lambda s: "'''" + s.replace("'", "\\'") + "'''"),
    st.tuples(string_body, st.sampled_from(["en", "de", "en-GB", "x-1"])).map(
        lambda t: '"' + t[0].replace('"', "").replace("\\", "").replace("\n", "") + '"@' + t[1]
    ),
    st.tuples(string_body, iris).map(
        lambda t: '"' + t[0].replace('"', "").replace("\\", "").replace("\n", "") + '"^^' + t[1]
    ),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(1, 400).map(lambda n: "9" * n),  # huge numbers
    st.integers(1, 3000).map(lambda n: '"' + "x" * n + '"'),  # huge literals
    st.sampled_from(["true", "false", "1e999", "-0.0", ".5", "0x10", "1.", "+1"]),
)
terms = st.one_of(variables, iris, literals, st.just("[]"), names.map(lambda n: f"_:{n}"))

paths = st.recursive(
    iris,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: f"{t[0]}/{t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}|{t[1]}"),
        inner.map(lambda p: f"^{p}"),
        st.tuples(inner, st.sampled_from("*+?")).map(lambda t: f"({t[0]}){t[1]}"),
        inner.map(lambda p: f"!({p})"),
        inner.map(lambda p: f"({p})"),
    ),
    max_leaves=8,
)

expressions = st.recursive(
    st.one_of(variables, literals, iris),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map(" ".join),
        inner.map(lambda e: f"!({e})"),
        inner.map(lambda e: f"-({e})"),
        inner.map(lambda e: f"({e})"),
        st.tuples(st.sampled_from(FUNCTIONS_1), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(FUNCTIONS_2.split()), inner, inner).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        st.tuples(st.sampled_from(FUNCTIONS_N), st.lists(inner, min_size=1, max_size=4)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        st.tuples(inner, st.lists(inner, max_size=4)).map(
            lambda t: f"{t[0]} {'NOT ' if len(t[1]) % 2 else ''}IN ({', '.join(t[1])})"
        ),
        st.sampled_from(["NOW()", "RAND()", "UUID()", "STRUUID()", "BNODE()"]),
    ),
    max_leaves=10,
)


def _triples(depth: Any) -> Any:
    return st.tuples(terms, st.one_of(variables, paths), terms).map(" ".join)


patterns = st.recursive(
    _triples(0).map(lambda t: t + " ."),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4).map(" ".join),
        inner.map(lambda p: f"{{ {p} }}"),
        st.tuples(inner, inner).map(lambda t: f"{{ {t[0]} }} UNION {{ {t[1]} }}"),
        inner.map(lambda p: f"OPTIONAL {{ {p} }}"),
        inner.map(lambda p: f"MINUS {{ {p} }}"),
        st.tuples(st.one_of(variables, iris), inner).map(lambda t: f"GRAPH {t[0]} {{ {t[1]} }}"),
        inner.map(lambda p: f"SERVICE <http://e/sparql> {{ {p} }}"),
        expressions.map(lambda e: f"FILTER({e})"),
        inner.map(lambda p: f"FILTER {'NOT ' if len(p) % 2 else ''}EXISTS {{ {p} }}"),
        st.tuples(expressions, variables).map(lambda t: f"BIND({t[0]} AS {t[1]})"),
        st.tuples(variables, st.lists(terms, max_size=4)).map(
            lambda t: f"VALUES {t[0]} {{ {' '.join(t[1])} }}"
        ),
        inner.map(lambda p: f"{{ SELECT * WHERE {{ {p} }} LIMIT 5 }}"),
    ),
    max_leaves=12,
)

projections = st.one_of(
    st.just("*"),
    st.lists(variables, min_size=1, max_size=3).map(" ".join),
    st.tuples(st.sampled_from(AGGREGATES), variables, variables).map(
        lambda t: f"({t[0]}({t[1]}) AS {t[2]})"
    ),
    st.tuples(expressions, variables).map(lambda t: f"({t[0]} AS {t[1]})"),
    st.sampled_from(["(COUNT(*) AS ?n)", "COUNT(?x)", "(COUNT(DISTINCT ?x) AS ?n)"]),
)
modifiers = st.lists(
    st.one_of(
        variables.map(lambda v: f"GROUP BY {v}"),
        expressions.map(lambda e: f"HAVING({e})"),
        st.tuples(st.sampled_from(["ASC", "DESC", ""]), variables).map(
            lambda t: f"ORDER BY {t[0]}({t[1]})" if t[0] else f"ORDER BY {t[1]}"
        ),
        st.integers(-5, 10**30).map(lambda n: f"LIMIT {n}"),
        st.integers(0, 10**6).map(lambda n: f"OFFSET {n}"),
    ),
    max_size=3,
).map(" ".join)
prologues = st.lists(
    st.sampled_from(
        [
            "PREFIX pv: <http://ld.company.org/prod-vocab/>",
            "PREFIX : <http://e/>",
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>",
            "BASE <http://e/>",
            "PREFIX ex: <http://e/{>",
        ]
    ),
    max_size=3,
).map("\n".join)

structured = st.one_of(
    st.tuples(
        prologues,
        st.sampled_from(["SELECT", "SELECT DISTINCT", "SELECT REDUCED"]),
        projections,
        patterns,
        modifiers,
    ).map(lambda t: f"{t[0]}\n{t[1]} {t[2]} WHERE {{ {t[3]} }} {t[4]}"),
    st.tuples(prologues, patterns).map(lambda t: f"{t[0]}\nASK {{ {t[1]} }}"),
    st.tuples(prologues, _triples(0), patterns).map(
        lambda t: f"{t[0]}\nCONSTRUCT {{ {t[1]} }} WHERE {{ {t[2]} }}"
    ),
    st.tuples(prologues, terms, patterns).map(
        lambda t: f"{t[0]}\nDESCRIBE {t[1]} WHERE {{ {t[2]} }}"
    ),
)


def _nested(open_: str, close: str, inner: str) -> Any:
    return st.integers(1, 3000).map(lambda n: open_ * n + inner + close * n)


stress = st.one_of(
    _nested("{", "}", "?s ?p ?o").map(lambda g: f"SELECT * WHERE {g}"),
    _nested("(", ")", "?o").map(lambda e: f"SELECT * WHERE {{ ?s ?p ?o FILTER{e} }}"),
    _nested("[ ?p ", "]", "?o").map(lambda b: f"SELECT * WHERE {{ ?s ?p {b} }}"),
    _nested("STR(", ")", "1").map(lambda e: f"SELECT * WHERE {{ BIND({e} AS ?x) }}"),
    _nested("FILTER NOT EXISTS {", "}", "?s ?p ?o").map(
        lambda g: f"SELECT * WHERE {{ ?s ?p ?o {g} }}"
    ),
    _nested("{ SELECT * WHERE ", "}", "{ ?s ?p ?o }").map(lambda g: f"SELECT * WHERE {g}"),
    _nested("(", ")", "pv:name").map(lambda p: f"SELECT * WHERE {{ ?s {p} ?o }}"),
    st.integers(2, 3000).map(
        lambda n: "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * n) + " }"
    ),
    st.integers(2, 600).map(
        lambda n: "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * n + "}"
    ),
    st.integers(2, 3000).map(lambda n: "SELECT * WHERE { ?s " + "/".join(["pv:p"] * n) + " ?o }"),
    st.integers(2, 3000).map(lambda n: "SELECT * WHERE { ?s " + "|".join(["pv:p"] * n) + " ?o }"),
    st.integers(2, 3000).map(lambda n: "ASK { FILTER(1" + " + 1" * n + ") }"),
    st.integers(2, 3000).map(lambda n: "SELECT * WHERE { ?s ?p (" + " 1" * n + ") }"),
    st.integers(2, 300).map(
        lambda n: "SELECT * WHERE { " + "".join(f"?s{i} ?p ?o{i} . " for i in range(n)) + "}"
    ),
    st.integers(1, 20_000).map(lambda n: 'SELECT * WHERE { ?s ?p "' + "x" * n + '" }'),
    st.integers(1, 20_000).map(lambda n: "SELECT * WHERE { ?s ?p " + "9" * n + " }"),
    st.integers(1, 5000).map(lambda n: 'SELECT * WHERE { ?s ?p "' + "\\" * n),
    st.lists(st.sampled_from(KEYWORDS), max_size=60).map(" ".join),
    st.lists(
        st.sampled_from([*KEYWORDS, "{", "}", "(", ")", "[", "]", "?x", "<a>", '"s"']), max_size=200
    ).map(" ".join),
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(ODD), max_size=300),
)


#: Settings of one round of examples: no deadline (a plan timeout takes its time), no example
#: database (each round explores afresh), no health checks (large inputs are the point).
ROUND = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))


def queries() -> Any:
    """Every kind of input: grammar-built queries, engine stressors, plain junk."""
    return st.one_of(structured, stress)


def fuzz_guard(
    seconds: float, max_examples: int, findings: list[dict[str, Any]], plan_timeout_s: float = 0.5
) -> Counter[str]:
    """``Guard.check`` on generated inputs for ``seconds``; outcomes by kind."""
    from sparqlqa.errors import QueryFailed, SparqlqaError
    from sparqlqa.kg.guard import Guard, Limits
    from sparqlqa.kg.prefixes import COMMON_PREFIXES

    guard = Guard(
        Limits(plan_timeout_s=plan_timeout_s),
        prefixes={**COMMON_PREFIXES, "pv": "http://ld.company.org/prod-vocab/"},
    )
    outcomes: Counter[str] = Counter()
    stop = time.monotonic() + seconds

    @settings(ROUND, max_examples=max_examples)
    @given(queries())
    def run(sparql: str) -> None:
        if time.monotonic() > stop:
            return
        outcomes["inputs"] += 1
        try:
            guard.check(sparql)
            outcomes["accepted"] += 1
        except QueryFailed as exc:
            outcomes["worker died"] += 1
            findings.append(
                {"target": "guard", "kind": "worker died", "input": sparql, "error": str(exc)}
            )
        except SparqlqaError as exc:
            outcomes[type(exc).__name__] += 1
        except Exception as exc:  # a crash of the guard itself
            outcomes["crash"] += 1
            findings.append(
                {
                    "target": "guard",
                    "kind": f"{type(exc).__name__}",
                    "input": sparql,
                    "error": str(exc),
                }
            )

    _until(stop, run)
    return outcomes


def _until(stop: float, run: Any) -> None:
    """Call the hypothesis test ``run`` in rounds of fresh random examples until ``stop``."""
    while time.monotonic() < stop:
        run()


def start_server(graph: Path, port: int) -> subprocess.Popen[bytes]:
    """``sparqlqa serve`` on loopback with the default limits, but no rate limit, room for
    one client's queries and a short query time limit (the fuzzer is one fast client)."""
    import service_bench  # bench/, beside this script

    limits = {"SPARQLQA_QUERY_TIMEOUT_S": "3", "SPARQLQA_SPARQL_PER_CLIENT": "8"}
    return service_bench.serve(graph, port, limits)


def store_graph(folder: Path) -> Path:
    """A graph folder over the bundled corporate store, no model (``/sparql`` only)."""
    import service_bench  # bench/, beside this script
    from sparqlqa.bundled import CORPORATE_DATASETS
    from sparqlqa.qa.graphs import GraphSpec

    store = service_bench.corporate_store()
    GraphSpec(
        name="corporate", datasets=list(CORPORATE_DATASETS), store=str(store), model=None
    ).write(folder)
    return folder


def wait_up(url: str, timeout_s: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the service at {url} did not start")


def fuzz_sparql(
    url: str, seconds: float, max_examples: int, findings: list[dict[str, Any]]
) -> Counter[str]:
    """``POST /sparql`` with generated queries for ``seconds``; statuses and findings."""
    import httpx

    client = httpx.Client(timeout=30)
    outcomes: Counter[str] = Counter()
    stop = time.monotonic() + seconds

    @settings(ROUND, max_examples=max_examples)
    @given(queries(), st.sampled_from(["form", "body", "get"]))
    def run(sparql: str, how: str) -> None:
        if time.monotonic() > stop:
            return
        outcomes["inputs"] += 1
        try:
            if how == "form":
                response = client.post(f"{url}/sparql", data={"query": sparql})
            elif how == "body":
                response = client.post(
                    f"{url}/sparql",
                    content=sparql.encode("utf-8", "surrogatepass"),
                    headers={"content-type": "application/sparql-query"},
                )
            else:
                response = client.get(f"{url}/sparql", params={"query": sparql})
        except httpx.HTTPError as exc:
            outcomes["no response"] += 1
            findings.append(
                {"target": "sparql", "kind": "no response", "input": sparql, "error": repr(exc)}
            )
            if not _health(client, url):
                raise SystemExit("the service stopped answering /health") from exc
            return
        outcomes[str(response.status_code)] += 1
        kind = None
        if response.status_code >= 500 and response.status_code not in (503, 504):
            kind = f"status {response.status_code}"
        elif response.status_code >= 400 and "error" not in _json(response):
            kind = "error without JSON"
        if kind:
            findings.append(
                {"target": "sparql", "kind": kind, "input": sparql, "error": response.text[:500]}
            )

    _until(stop, run)
    outcomes["health after"] = int(_health(client, url))
    return outcomes


def _health(client: Any, url: str) -> bool:
    try:
        return bool(client.get(f"{url}/health", timeout=5).status_code == 200)
    except Exception:
        return False


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120, help="Time per target.")
    parser.add_argument("--max-examples", type=int, default=200, help="Examples per round.")
    parser.add_argument("--target", choices=["guard", "sparql", "both"], default="both")
    parser.add_argument(
        "--plan-timeout", type=float, default=0.5, help="The guard's plan time limit (s)."
    )
    parser.add_argument("--findings", type=Path, default=ROOT / "var" / "fuzz" / "sparql.jsonl")
    args = parser.parse_args()
    findings: list[dict[str, Any]] = []
    report: dict[str, Any] = {"machine": f"{os.cpu_count()} cores"}
    if args.target in ("guard", "both"):
        started = time.perf_counter()
        report["guard"] = dict(
            fuzz_guard(args.seconds, args.max_examples, findings, args.plan_timeout)
        )
        report["guard"]["seconds"] = round(time.perf_counter() - started, 1)
    if args.target in ("sparql", "both"):
        import tempfile

        from sparqlqa.kg.virtuoso import free_port

        with tempfile.TemporaryDirectory() as tmp:
            graph = store_graph(Path(tmp) / "corporate")
            port = free_port()
            server = start_server(graph, port)
            url = f"http://127.0.0.1:{port}"
            try:
                wait_up(url)
                started = time.perf_counter()
                report["sparql"] = dict(fuzz_sparql(url, args.seconds, args.max_examples, findings))
                report["sparql"]["seconds"] = round(time.perf_counter() - started, 1)
                report["sparql"]["server exit code"] = server.poll()
            finally:
                server.terminate()
                server.wait(timeout=30)
    report["findings"] = dict(Counter(f"{f['target']}: {f['kind']}" for f in findings))
    args.findings.parent.mkdir(parents=True, exist_ok=True)
    with args.findings.open("w", encoding="utf-8") as fh:
        for finding in findings:
            fh.write(json.dumps(finding, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
