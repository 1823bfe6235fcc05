"""How the pipeline chooses among candidates that run, on the real corporate store: an
aggregate over nothing is no answer, a zero count and a query that ignores what the
question names are taken only when nothing better fits, code-like values (a phone number)
are linked exactly, and the ranker's order is fused with the candidates' own scores."""

from __future__ import annotations

import pytest

from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.guard import Guard
from sparqlqa.kg.results import values
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.ontology.schema import Schema
from sparqlqa.ontology.values import code_entities, code_mentions
from sparqlqa.qa.anchors import (
    anchor_problem,
    anchors,
    head_entity,
    head_problem,
    membership_property,
)
from sparqlqa.qa.answer_type import fits, zero_problem
from sparqlqa.qa.pipeline import QAPipeline
from sparqlqa.qa.proposals import Proposal
from sparqlqa.qa.rank import fused, standardised

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
    # An average or a sum over nothing is 0 too ("the average price of our capacitors"
    # through a join that matches nothing); over something it is judged by its value.
    empty = PREFIX + (
        "SELECT (AVG(?v) AS ?value) WHERE { ?c a pv:ProductCategory ; pv:price ?p . "
        "?p pv:amount ?v }"
    )
    prices = PREFIX + "SELECT (SUM(?v) AS ?value) WHERE { ?p pv:amount ?v }"
    assert zero_problem(empty, guard.run(corporate_store, empty)) == (
        "averages or sums nothing (zero)"
    )
    assert zero_problem(prices, guard.run(corporate_store, prices)) is None


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


def test_fusion_standardises_both_scores_and_weighs_the_margins() -> None:
    assert standardised([1.0, 3.0]) == [-1.0, 1.0]
    assert standardised([2.0, 2.0, 2.0]) == [0.0, 0.0, 0.0] and standardised([]) == []
    # The scale of either score does not matter, only the margins within the pool.
    ranker, own = [3.0, 2.0, 1.0], [-0.5, -2.0, -0.1]
    combined = fused(ranker, own)
    assert fused([300.0, 200.0, 100.0], [-5.0, -20.0, -0.1 * 10]) == pytest.approx(combined)
    # A ranker sure of one candidate by a wide margin wins over a small lead of the other's
    # own score; a narrow ranker margin does not.
    sure = fused([3.0, 0.0, 0.0, 0.0, 0.0], [-0.1, 0.0, -0.5, -0.5, -0.5])
    assert max(range(5), key=lambda i: sure[i]) == 0
    unsure = fused([0.1, 0.0, -3.0, -3.0, -3.0], [-0.5, 0.0, -0.6, -0.6, -0.6])
    assert max(range(5), key=lambda i: unsure[i]) == 1
    # The own score weighs twice the ranker's: where two candidates disagree, it decides.
    a, b = fused([1.0, 0.0], [0.0, 1.0])
    assert b > a
    assert fused([1.0, 0.0], [0.0, 1.0], weight=1.0) == [0.0, 0.0]


RESISTOR = "http://ld.company.org/prod-instances/prod-cat-Resistor"
PRODUCT_MANAGEMENT = "http://ld.company.org/prod-instances/dept-22183"


@pytest.mark.parametrize(
    ("question", "mention"),
    [
        pytest.param(
            "Which resistors are managed by someone from Product Management?", "resistors", id="en"
        ),
        pytest.param(
            "Which of the resistors does Product Management look after?",
            "resistors",
            id="en-of-the",
        ),
        pytest.param("Welche Widerstände betreut das Produktmanagement?", "Widerstände", id="de"),
        pytest.param("¿Qué resistencias gestiona Product Management?", "resistencias", id="es"),
    ],
)
def test_the_resource_after_the_question_word_names_the_answers(
    question: str, mention: str
) -> None:
    head = entity(RESISTOR, "Resistor", question, mention)
    other = entity(PRODUCT_MANAGEMENT, "Product Management", question, question.split()[-1])
    assert head_entity(question, [other, head]) == head
    # Not a class (the answer class checks judge those), not elsewhere in the question.
    assert head_entity(question, [other, head], classes=[RESISTOR]) is None
    assert head_entity("Show me " + question, [other, head]) is None


def test_an_answer_not_tied_to_the_named_resource_is_a_soft_problem() -> None:
    question = "Which resistors are managed by someone from Product Management?"
    head = entity(RESISTOR, "Resistor", question, "resistors")
    prefixes = {"pv": PV}
    tied = [
        f"SELECT DISTINCT ?x WHERE {{ ?x pv:hasCategory <{RESISTOR}> . ?m pv:memberOf "
        f"<{PRODUCT_MANAGEMENT}> . ?x pv:hasProductManager ?m }}",
        # either way round, as a count, after a ";", prefixed, and as the node of columns
        f"SELECT DISTINCT ?x WHERE {{ <{RESISTOR}> pv:narrower ?x }}",
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x pv:hasCategory <{RESISTOR}> }}",
        f"SELECT ?x WHERE {{ ?x a pv:Hardware ; pv:hasCategory <{RESISTOR}> }}",
        PREFIX + "PREFIX i: <http://ld.company.org/prod-instances/>\n"
        "SELECT ?x WHERE { ?x pv:hasCategory i:prod-cat-Resistor }",
        f"SELECT DISTINCT ?c0 WHERE {{ ?x pv:hasCategory <{RESISTOR}> "
        "OPTIONAL { ?x pv:name ?c0 } }",
        # a yes/no is not judged
        f"ASK {{ ?m pv:areaOfExpertise <{RESISTOR}> }}",
    ]
    for query in tied:
        assert head_problem(query, head, prefixes) is None, query
    # The answers are people whose products are resistors, or products compatible with one,
    # or the query does not name the resistors at all.
    loose = [
        f"SELECT ?x WHERE {{ ?m pv:hasCategory <{RESISTOR}> . ?m pv:hasProductManager ?x }}",
        f"SELECT ?x WHERE {{ ?m pv:hasCategory <{RESISTOR}> . ?x pv:compatibleProduct ?m }}",
        f"SELECT DISTINCT ?x WHERE {{ <{PRODUCT_MANAGEMENT}> pv:responsibleFor ?x }}",
    ]
    for query in loose:
        assert head_problem(query, head, prefixes) is not None, query
    assert head_problem(loose[0], None, prefixes) is None


def test_things_in_the_named_category_are_tied_through_its_membership_property(
    corporate_store: EmbeddedStore, schema: Schema
) -> None:
    # Products point at a category through hasCategory, a few people through
    # areaOfExpertise: the first is how things belong to it; no schema property, none.
    properties = frozenset(schema.properties)
    membership = membership_property(corporate_store, RESISTOR, properties)
    assert membership == PV + "hasCategory"
    assert membership_property(corporate_store, RESISTOR, frozenset()) is None
    question = "Which resistors are managed by someone from Product Management?"
    head = entity(RESISTOR, "Resistor", question, "resistors")
    products = f"SELECT ?x WHERE {{ ?x pv:hasCategory <{RESISTOR}> }}"
    experts = f"SELECT ?x WHERE {{ ?x pv:areaOfExpertise <{RESISTOR}> }}"
    prefixes = {"pv": PV}
    assert head_problem(products, head, prefixes, membership) is None
    assert head_problem(experts, head, prefixes, membership) is not None
    # Without a membership property, any one triple ties them.
    assert head_problem(experts, head, prefixes) is None


def test_the_membership_is_a_property_whose_range_holds_the_named_class(
    pipeline: QAPipeline,
) -> None:
    # hasCategory's range is ProductCategory, the class of Resistor; a resource of no known
    # class gets none (a property of no declared range, a wiki link, could never be one).
    resistor = LinkedEntity(RESISTOR, "Resistor", 0, 9, 1.0, class_iri=PV + "ProductCategory")
    assert pipeline.membership_of(resistor) == PV + "hasCategory"
    unknown = LinkedEntity(RESISTOR + "-x", "Resistor", 0, 9, 1.0)
    assert pipeline.membership_of(unknown) is None
