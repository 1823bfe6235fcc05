"""What makes composed generation fast without changing what it makes: candidate queries
asked once and parse-checked here (``composed.CandidateQueries``), and inline ``VALUES``
generators run in-process (``instantiate.is_inline_table``), all against the real corporate
store."""

from __future__ import annotations

from typing import Any

import pytest

from sparqlqa.errors import QuerySyntaxError
from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.store import Term
from sparqlqa.ontology.schema import schema_from_store
from sparqlqa.templates.composed import CandidateQueries, ComposeConfig, composed_templates
from sparqlqa.templates.fill import declare_prefixes
from sparqlqa.templates.instantiate import is_inline_table

VALID = "SELECT DISTINCT ?x WHERE { ?x a pv:Department . } LIMIT 400"
# A slot left as a relative IRI: the engine refuses it (no base IRI).
UNPARSABLE = "SELECT DISTINCT ?A WHERE { ?x a pv:Employee . <A> pv:hasProductManager ?x . }"


class CountingStore:
    """The real store, counting the queries that reach it."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.asked: list[str] = []

    def query(self, sparql: str, **kwargs: Any) -> dict[str, Any]:
        self.asked.append(sparql)
        return self.store.query(sparql, **kwargs)


class EveryQueryToTheStore(CandidateQueries):
    """The reference: every query sent to the store, none remembered or parsed here."""

    def rows(self, query: str) -> list[dict[str, Term]]:
        try:
            result = self.store.query(declare_prefixes(query, self.prefixes), timeout_s=None)
        except QuerySyntaxError:
            return []
        rows: list[dict[str, Term]] = result["results"]["bindings"]
        return rows


def _prefixes(store: EmbeddedStore) -> dict[str, str]:
    return {**COMMON_PREFIXES, **store.prefixes}


def test_rows_are_the_stores_and_each_query_reaches_it_once(
    corporate_store: EmbeddedStore,
) -> None:
    counting = CountingStore(corporate_store)
    queries = CandidateQueries(counting, _prefixes(corporate_store), None)  # type: ignore[arg-type]
    direct = corporate_store.query(declare_prefixes(VALID, _prefixes(corporate_store)))
    rows = queries.rows(VALID)
    assert rows == direct["results"]["bindings"] and len(rows) > 1
    assert queries.rows(VALID) == rows
    assert queries.column(VALID, "x") == [r["x"] for r in rows]
    assert len(counting.asked) == 1  # asked three times, run once


def test_an_unparsable_query_gets_no_rows_without_reaching_the_store(
    corporate_store: EmbeddedStore,
) -> None:
    prefixes = _prefixes(corporate_store)
    with pytest.raises(QuerySyntaxError):  # what the store (and its worker) would answer
        corporate_store.query(declare_prefixes(UNPARSABLE, prefixes))
    counting = CountingStore(corporate_store)
    queries = CandidateQueries(counting, prefixes, 2.0)  # type: ignore[arg-type]
    assert queries.rows(UNPARSABLE) == []
    assert counting.asked == []


def test_the_composition_is_the_one_made_with_every_query_sent_to_the_store(
    corporate_store: EmbeddedStore,
) -> None:
    schema = schema_from_store(corporate_store, infer=True)
    prefixes = _prefixes(corporate_store)
    config = ComposeConfig(templates=60, timeout_s=None)
    counting = CountingStore(corporate_store)
    fast = composed_templates(
        corporate_store,
        schema,
        prefixes,
        seed=5,
        config=config,
        queries=CandidateQueries(counting, prefixes, None),  # type: ignore[arg-type]
    )
    reference = composed_templates(
        corporate_store,
        schema,
        prefixes,
        seed=5,
        config=config,
        queries=EveryQueryToTheStore(corporate_store, prefixes, None),
    )
    assert len(fast) == 60
    as_made = [(t.id, t.query, t.questions, t.generator, t.language) for t in fast]
    assert as_made == [(t.id, t.query, t.questions, t.generator, t.language) for t in reference]
    assert len(set(counting.asked)) == len(counting.asked)  # no query ran twice


def test_an_inline_values_table_is_told_from_a_query_with_a_pattern() -> None:
    table = (
        'SELECT ?A ?N WHERE { VALUES (?A ?N) { (<http://x.org/a> "3"^^'
        '<http://www.w3.org/2001/XMLSchema#integer>) (<http://x.org/b> "en"@en) } }'
    )
    assert is_inline_table(table)
    assert is_inline_table(table + " LIMIT 20000")
    assert not is_inline_table("SELECT ?A WHERE { VALUES (?A) { (<http://x.org/a>) } ?A ?p ?o }")
    # A brace inside the table could hide a pattern: such a query goes to the worker.
    assert not is_inline_table('SELECT ?A WHERE { VALUES (?A) { ("} ?A ?p ?o {") } }')


def test_a_template_is_given_up_after_max_timeouts_overruns(
    corporate_store: EmbeddedStore,
) -> None:
    from sparqlqa.templates.instantiate import InstantiateConfig, Instantiator
    from sparqlqa.templates.labels import LabelSource
    from sparqlqa.templates.model import SourceRef, Template

    rows = corporate_store.select(
        "SELECT ?d WHERE { ?d a <http://ld.company.org/prod-vocab/Department> } ORDER BY ?d LIMIT 3"
    )
    table = " ".join(f"(<{r['d']['value']}>)" for r in rows)
    # A cross product of the whole graph with itself: far longer than the limit.
    template = Template(
        id="costly",
        questions=["How many pairs of facts are there besides <A>?"],
        query="SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?e . FILTER(?a != <A>) }",
        source=SourceRef("test"),
        shape="count",
        generator=f"SELECT ?A WHERE {{ VALUES (?A) {{ {table} }} }}",
    )
    labels = LabelSource(corporate_store, fallback_to_iri=True)
    for limit, overruns in ((1, 1), (0, 3)):  # 0: every binding is tried
        config = InstantiateConfig(per_template=3, timeout_s=0.2, max_timeouts=limit)
        instantiator = Instantiator(corporate_store, labels, config=config)
        assert instantiator.pairs(template) == []
        stats = instantiator.stats["costly"]
        assert stats["timeout"] == overruns
        assert stats["gave_up"] == (1 if limit else 0)
