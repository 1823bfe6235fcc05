"""How the pipeline chooses among candidates that run, on the real corporate store: an
aggregate over nothing is no answer, a zero count and a query that ignores what the
question names are taken only when nothing better fits, code-like values (a phone number)
are linked exactly, and the ranker's order is fused with the candidates' own scores."""

from __future__ import annotations

from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.guard import Guard
from sparqlqa.kg.results import values
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.ontology.schema import Schema
from sparqlqa.ontology.values import code_entities, code_mentions
from sparqlqa.qa.anchors import anchor_problem, anchors
from sparqlqa.qa.answer_type import fits, zero_problem
from sparqlqa.qa.pipeline import QAPipeline
from sparqlqa.qa.proposals import Proposal
from sparqlqa.qa.rank import competition_ranks, fused

PV = "http://ld.company.org/prod-vocab/"
PREFIX = f"PREFIX pv: <{PV}>\n"
JAPAN = "http://dbpedia.org/resource/Japan"
PHONE = "+49-551-5670308"  # Minnie Kuehn's, in the bundled graph
MINNIE = "http://ld.company.org/prod-instances/empl-Minnie.Kuehn%40company.org"


def test_an_aggregate_over_nothing_is_no_answer(corporate_store: EmbeddedStore, guard: Guard):
    # A price node has no price: MIN over no rows is one row that binds nothing.
    empty = guard.run(
        corporate_store,
        PREFIX + "SELECT (MIN(?v) AS ?m) WHERE { ?s a pv:Service ; pv:price ?p . ?p pv:price ?v }",
    )
    assert fits(empty, "any") == "the query returned rows without values"
    assert fits(empty, "number") == "the query returned rows without values"
    cheapest = guard.run(
        corporate_store,
        PREFIX + "SELECT (MIN(?v) AS ?m) WHERE { ?s a pv:Service ; pv:price/pv:amount ?v }",
    )
    assert fits(cheapest, "number") is None


def test_a_zero_count_is_a_soft_problem(corporate_store: EmbeddedStore, guard: Guard) -> None:
    # Categories have no category: the count is 0.
    zero = PREFIX + (
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a pv:ProductCategory ; pv:hasCategory ?x }"
    )
    some = PREFIX + "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a pv:ProductCategory }"
    assert zero_problem(zero, guard.run(corporate_store, zero)) == "counts nothing (zero)"
    assert zero_problem(some, guard.run(corporate_store, some)) is None
    # A zero that is no count (a value the graph holds) is not judged.
    literal = "SELECT ?n WHERE { VALUES ?n { 0 } }"
    assert zero_problem(literal, guard.run(corporate_store, literal)) is None


def test_zero_counts_lose_to_counts_of_something(pipeline: QAPipeline) -> None:
    question = "How many product categories are there?"
    zero = PREFIX + (
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a pv:ProductCategory ; pv:hasCategory ?x }"
    )
    some = PREFIX + "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a pv:ProductCategory }"
    proposals = [Proposal(zero, "example", 0.9), Proposal(some, "example", 0.5)]
    candidates, chosen, result = pipeline.choose(question, [], [], [], proposals)
    assert chosen is not None and chosen.query == some and result is not None
    assert int(values(result)[0]) > 0
    assert candidates[0].form_problem == "counts nothing (zero)"
    # Alone, the zero count still answers: the check is soft.
    _, alone, _ = pipeline.choose(question, [], [], [], proposals[:1])
    assert alone is not None and alone.query == zero


def entity(iri: str, label: str, question: str, mention: str, score: float = 1.0):
    start = question.index(mention)
    return LinkedEntity(iri, label, start, start + len(mention), score)


def test_a_query_naming_none_of_the_questions_entities_is_a_soft_problem(
    pipeline: QAPipeline,
) -> None:
    question = "list the japanese suppliers pls"
    japan = entity(JAPAN, "Japan", question, "japanese")
    every = PREFIX + "SELECT DISTINCT ?x WHERE { ?x a pv:Supplier }"
    japanese = PREFIX + (
        "SELECT DISTINCT ?x WHERE { ?x pv:country <http://dbpedia.org/resource/Japan> . "
        "?x a pv:Supplier }"
    )
    proposals = [Proposal(every, "example", 0.9), Proposal(japanese, "example", 0.5)]
    candidates, chosen, _ = pipeline.choose(question, [], [japan], [], proposals)
    assert chosen is not None and chosen.query == japanese
    assert candidates[0].form_problem == "uses none of the resources or values the question names"
    # Written with a prefix the query declares, the entity counts as used.
    prefixed = (
        "PREFIX dbr: <http://dbpedia.org/resource/>\n"
        + PREFIX
        + "SELECT DISTINCT ?x WHERE { ?x pv:country dbr:Japan }"
    )
    assert anchor_problem(prefixed, [japan], {}) is None
    # So does a query that finds it by its name.
    by_name = PREFIX + 'SELECT ?x WHERE { ?c pv:name "Japan" . ?x pv:country ?c }'
    assert anchor_problem(by_name, [japan], {}) is None


def test_only_firm_links_and_no_classes_are_anchors(schema: Schema) -> None:
    question = "Which suppliers deliver products?"
    loose = entity("http://ld.company.org/prod-instances/x", "Acme", question, "products")
    supplier = entity(PV + "Supplier", "Supplier", question, "suppliers")
    assert anchors(question, [loose, supplier], schema.classes) == []
    value = entity('"Breda"', "Breda", "suppliers in Breda", "Breda")
    assert anchors("suppliers in Breda", [value], schema.classes) == [value]
    assert anchor_problem('SELECT ?x WHERE { ?x pv:addressLocality "Breda" }', [value], {}) is None


def test_code_like_words_are_found() -> None:
    question = f"whose number is {PHONE}? Or mail anna.roth@company.org, not 1000 or 19%"
    assert [m[0] for m in code_mentions(question)] == [PHONE, "anna.roth@company.org"]
    start = question.index(PHONE)
    assert code_mentions(question, [(start, start + 3)]) == [
        ("anna.roth@company.org", *code_mentions(question)[1][1:])
    ]


def test_a_phone_number_is_linked_as_the_value_the_graph_holds(
    corporate_store: EmbeddedStore, schema: Schema, pipeline: QAPipeline, guard: Guard
) -> None:
    question = f"whose number is {PHONE}? I have a missed call"
    found = code_entities(corporate_store, schema, question)
    assert [(e.iri, e.label, question[e.start : e.end]) for e in found] == [
        (f'"{PHONE}"', PHONE, PHONE)
    ]
    assert found[0].class_label is not None and "phone" in found[0].class_label
    # A number nobody has is not linked.
    assert code_entities(corporate_store, schema, "who has +49-000-0000000?") == []
    # The pipeline offers it to the prompt and the proposers as a value entity.
    prompt, entities, _, _, _ = pipeline.prepare(question)
    assert f'"{PHONE}"' in [e.iri for e in entities] and PHONE in prompt
    query = PREFIX + f'SELECT ?e WHERE {{ ?e pv:phone "{PHONE}" }}'
    assert values(guard.run(corporate_store, query)) == [MINNIE]


def test_fusion_counts_places_not_scores() -> None:
    assert competition_ranks([0.5, 2.0, 0.5, -1.0]) == [1, 0, 1, 3]
    # First for the ranker and second by its own score beats first by its own score and
    # last for the ranker; the scale of either score does not matter.
    ranker, own = [3.0, 2.0, 1.0], [-0.5, -2.0, -0.1]
    combined = fused(ranker, own)
    assert max(range(3), key=lambda i: combined[i]) == 0
    assert fused([300.0, 200.0, 100.0], [-5.0, -20.0, -1.0]) == combined
    # Where the two orders disagree completely, a tie: the pipeline keeps the earlier one.
    a, b = fused([1.0, 0.0], [0.0, 1.0])
    assert a == b
