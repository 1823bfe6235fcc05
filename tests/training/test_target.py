"""The target form: encode, decode, and the round trip on many real queries."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from sparqlqa.errors import TargetError
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.results import values
from sparqlqa.kg.store import SparqlStore
from sparqlqa.training.target import decode, encode, iris, normalise, slots_in

PV = "http://ld.company.org/prod-vocab/"
PRODI = "http://ld.company.org/prod-instances/"
PREFIXES = {**COMMON_PREFIXES, "pv": PV, "prodi": PRODI}
EMP = PRODI + "empl-Liese.Adam%40company.org"
HW = PRODI + "hw-J731-7469427"
_PARSER = ox.Store()


def parses(sparql: str) -> bool:
    try:
        _PARSER.query(sparql)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize(
    ("query", "slots", "target"),
    [
        pytest.param(
            f"PREFIX pv: <{PV}>\nSELECT ?dept WHERE {{\n  <{EMP}> pv:memberOf ?dept .\n}}",
            {EMP: "ENT0"},
            "SELECT ?x0 WHERE { ENT0 pv:memberOf ?x0 . }",
            id="iri-to-slot-and-variables-renamed",
        ),
        pytest.param(
            f"select distinct ?b ?a where {{ ?a <{PV}memberOf> ?b }} order by desc(?a) limit 5",
            {},
            "SELECT DISTINCT ?x0 ?x1 WHERE { ?x1 pv:memberOf ?x0 } ORDER BY DESC ( ?x1 ) LIMIT 5",
            id="keywords-upper-iri-prefixed-order-of-appearance",
        ),
        pytest.param(
            f"PREFIX v: <{PV}> ASK {{ <{HW}> v:hasSupplier ?s ; a v:Hardware }}",
            {HW: "ENT0"},
            "ASK { ENT0 pv:hasSupplier ?x0 ; a pv:Hardware }",
            id="query-prefix-renamed-to-canonical",
        ),
        pytest.param(
            f'SELECT (COUNT(?p) AS ?n) WHERE {{ ?p <{PV}name> "Foo"@en ; <{PV}weight_g> ?w .'
            f" FILTER(?w > 10 && ?w <= 2.5e3) }}",
            {},
            'SELECT ( COUNT ( ?x0 ) AS ?x1 ) WHERE { ?x0 pv:name "Foo"@en ; pv:weight_g ?x2 . '
            "FILTER ( ?x2 > 10 && ?x2 <= 2.5e3 ) }",
            id="aggregate-literal-langtag-numbers",
        ),
        pytest.param(
            'SELECT ?x WHERE { ?x <http://example.org/p> "5"^^<http://www.w3.org/2001/XMLSchema#integer> }',  # noqa: E501
            {},
            'SELECT ?x0 WHERE { ?x0 <http://example.org/p> "5"^^xsd:integer }',
            id="typed-literal-glued-unknown-namespace-kept",
        ),
        pytest.param(
            f"SELECT ?x WHERE {{ ?x ^<{PV}memberOf>/<{PV}hasManager>* ?y }} # a comment",
            {},
            "SELECT ?x0 WHERE { ?x0 ^ pv:memberOf / pv:hasManager * ?x1 }",
            id="property-path-and-comment",
        ),
        pytest.param(
            f"SELECT $a WHERE {{ ?a <{PV}memberOf> <{PRODI}dept-1%2F2> }}",
            {},
            f"SELECT ?x0 WHERE {{ ?x0 pv:memberOf <{PRODI}dept-1%2F2> }}",
            id="dollar-variable-and-iri-that-is-no-plain-local-name",
        ),
        pytest.param(
            f"SELECT ?a WHERE {{ <{EMP}> <{PV}hasManager> ?a . ?a <{PV}memberOf> <{HW}> }}",
            {HW: "ENT0", EMP: "ENT1"},
            "SELECT ?x0 WHERE { ENT1 pv:hasManager ?x0 . ?x0 pv:memberOf ENT0 }",
            id="two-slots",
        ),
    ],
)
def test_encode(query: str, slots: dict[str, str], target: str) -> None:
    assert encode(query, slots, PREFIXES) == target
    filled = decode(target, {s: i for i, s in slots.items()}, PREFIXES)
    assert parses(filled), filled
    assert encode(filled, slots, PREFIXES) == target


def test_decode_declares_only_the_prefixes_it_uses() -> None:
    query = decode("SELECT ?x0 WHERE { ENT0 pv:memberOf ?x0 }", {"ENT0": EMP}, PREFIXES)
    assert query == f"PREFIX pv: <{PV}>\nSELECT ?x0 WHERE {{ <{EMP}> pv:memberOf ?x0 }}"


@pytest.mark.parametrize(
    ("target", "slots", "message"),
    [
        pytest.param(
            "SELECT ?x0 WHERE { ENT1 pv:memberOf ?x0 }", {"ENT0": EMP}, "ENT1", id="unfilled-slot"
        ),
        pytest.param(
            "SELECT ?x0 WHERE { ENT0 zz:memberOf ?x0 }",
            {"ENT0": EMP},
            "unknown prefix 'zz'",
            id="unknown-prefix",
        ),
        pytest.param(
            f"PREFIX pv: <{PV}> SELECT * {{ ?s ?p ?o }}",
            {},
            "must not declare",
            id="declaration-in-target",
        ),
    ],
)
def test_decode_refuses(target: str, slots: dict[str, str], message: str) -> None:
    with pytest.raises(TargetError, match=re.escape(message)):
        decode(target, slots, PREFIXES)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param("SELECT ?x WHERE { ?x nope:p ?y }", "'nope'", id="undeclared-prefix"),
        pytest.param("BASE <http://x/> SELECT * { ?s ?p ?o }", "BASE", id="base"),
        pytest.param("SELECT ?x WHERE { ?x ~ ?y }", "character", id="unreadable"),
    ],
)
def test_encode_refuses(query: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        encode(query, {}, PREFIXES)


def test_helpers() -> None:
    target = "SELECT ?x0 WHERE { ENT1 pv:hasManager ?x0 . ?x0 pv:memberOf ENT0 . ENT1 a ?x1 }"
    assert slots_in(target) == ["ENT1", "ENT0"]
    assert iris(f"PREFIX v: <{PV}> SELECT * {{ ?s v:memberOf <{EMP}> ; v:memberOf ?o }}") == [
        PV + "memberOf",
        EMP,
    ]
    assert normalise("SELECT  ?x0\nWHERE{ENT0 pv:p ?x0}") == "SELECT ?x0 WHERE { ENT0 pv:p ?x0 }"


def _qald_queries(shared: Path) -> list[str]:
    seen: dict[str, None] = {}
    for path in sorted((shared / "qald").glob("qald-*-train-multilingual.json")):
        for question in json.loads(path.read_text())["questions"]:
            sparql = question.get("query", {}).get("sparql")
            if sparql and parses(sparql):
                seen.setdefault(sparql, None)
    return list(seen)


def test_round_trip_on_real_qald_queries(shared_data: Path) -> None:
    """Every QALD 7-9 training query that parses: encode → decode parses → encode is equal."""
    prefixes = {**COMMON_PREFIXES, "res": "http://dbpedia.org/resource/"}
    queries = _qald_queries(shared_data)
    assert len(queries) > 500
    for sparql in queries:
        entities = [i for i in iris(sparql, prefixes) if i.startswith(prefixes["dbr"])]
        slots = {iri: f"ENT{n}" for n, iri in enumerate(entities)}
        target = encode(sparql, slots, prefixes)
        assert "dbr:" not in target and "res:" not in target, target
        filled = decode(target, {s: i for i, s in slots.items()}, prefixes)
        assert parses(filled), (sparql, filled)
        assert encode(filled, slots, prefixes) == target


def _variant(sparql: str, rng: random.Random) -> str:
    """The same query written differently: other variable names, spacing, keyword case."""
    names = {
        v: f"v{rng.randrange(10**6)}_{i}"
        for i, v in enumerate(sorted(set(re.findall(r"\?(\w+)", sparql))))
    }
    out = re.sub(
        r"\?(\w+)", lambda m: ("$" if rng.random() < 0.3 else "?") + names[m.group(1)], sparql
    )
    out = re.sub(
        r"\b(SELECT|WHERE|DISTINCT|ORDER|BY|LIMIT|FILTER|COUNT|AS|ASK)\b",
        lambda m: m.group(1).lower() if rng.random() < 0.5 else m.group(1),
        out,
    )
    return re.sub(r" ", lambda _: rng.choice([" ", "  ", "\n", "\t "]), out)


def test_variants_of_one_query_share_one_target(shared_data: Path) -> None:
    """Hypothesis-style: 200 random rewritings of real queries encode to the same target."""
    prefixes = {**COMMON_PREFIXES, "res": "http://dbpedia.org/resource/"}
    rng = random.Random(7)
    queries = [q for q in _qald_queries(shared_data) if '"' not in q and "'" not in q]
    for sparql in rng.sample(queries, 200):
        variant = _variant(sparql, rng)
        assert parses(variant), variant
        assert encode(variant, {}, prefixes) == encode(sparql, {}, prefixes)


def test_decoded_corporate_queries_give_the_same_answers(corporate_store: SparqlStore) -> None:
    """Executed on the corporate graph, the decoded target answers like the original."""
    queries = [
        (f"PREFIX pv: <{PV}> SELECT ?d WHERE {{ <{EMP}> pv:memberOf ?d }}", [EMP]),
        (
            f"SELECT (COUNT(?p) AS ?n) WHERE {{ ?p <{PV}hasProductManager> ?m . "
            f"?m <{PV}memberOf> ?d }}",
            [],
        ),
        (
            f"PREFIX pv: <{PV}> SELECT ?s ?w WHERE {{ <{HW}> pv:hasSupplier ?s ; pv:weight_g ?w }}",
            [HW],
        ),
        (f"PREFIX pv: <{PV}> ASK {{ <{HW}> pv:hasSupplier ?s }}", [HW]),
        (
            f"SELECT ?e WHERE {{ ?e a <{PV}Employee> ; <{PV}memberOf> ?d . "
            f"FILTER NOT EXISTS {{ ?x <{PV}hasManager> ?e }} }} ORDER BY ?e LIMIT 3",
            [],
        ),
    ]
    for sparql, entities in queries:
        slots = {iri: f"ENT{n}" for n, iri in enumerate(entities)}
        target = encode(sparql, slots, PREFIXES)
        filled = decode(target, {s: i for i, s in slots.items()}, PREFIXES)
        expected = values(corporate_store.query(sparql))
        assert expected, sparql
        assert values(corporate_store.query(filled)) == expected


@pytest.mark.parametrize(
    ("query", "values_", "target"),
    [
        pytest.param(
            f'SELECT ?p WHERE {{ ?p <{PV}amount> ?a FILTER(?a < "0.15"^^xsd:decimal) }}',
            {"0.15": "NUM0"},
            "SELECT ?x0 WHERE { ?x0 pv:amount ?x1 FILTER ( ?x1 < NUM0^^xsd:decimal ) }",
            id="typed-literal",
        ),
        pytest.param(
            f"SELECT ?p WHERE {{ ?p <{PV}weight_g> ?w FILTER(?w > 1000.0) }}",
            {"1000": "NUM0"},
            "SELECT ?x0 WHERE { ?x0 pv:weight_g ?x1 FILTER ( ?x1 > NUM0 ) }",
            id="equal-number-other-spelling",
        ),
        pytest.param(
            f"SELECT ?p WHERE {{ ?p <{PV}weight_g> ?w FILTER(?w > 7) }} LIMIT 5",
            {"5": "NUM0"},
            "SELECT ?x0 WHERE { ?x0 pv:weight_g ?x1 FILTER ( ?x1 > 7 ) } LIMIT NUM0",
            id="only-numbers-of-the-question",
        ),
    ],
)
def test_value_slots(query: str, values_: dict[str, str], target: str) -> None:
    encoded = encode(query, {}, PREFIXES, values_)
    assert encoded == target
    filled = decode(encoded, {slot: text for text, slot in values_.items()}, PREFIXES)
    assert parses(filled)
    assert encode(filled, {}, PREFIXES, values_) == target


def test_unfilled_value_slot_is_named() -> None:
    with pytest.raises(TargetError, match="NUM1, but no number of the question"):
        decode("SELECT ?x0 WHERE { ?x0 pv:weight_g ?x1 FILTER ( ?x1 > NUM1 ) }", {}, PREFIXES)


def test_value_slots_answer_like_the_original(corporate_store: SparqlStore) -> None:
    sparql = (
        f"SELECT ?p WHERE {{ ?p <{PV}price> ?x . ?x <{PV}amount> ?a "
        f'FILTER(?a < "0.3"^^<http://www.w3.org/2001/XMLSchema#decimal>) }}'
    )
    target = encode(sparql, {}, PREFIXES, {"0.3": "NUM0"})
    assert "NUM0" in target
    filled = decode(target, {"NUM0": "0.3"}, PREFIXES)
    expected = values(corporate_store.query(sparql))
    assert expected
    assert values(corporate_store.query(filled)) == expected
