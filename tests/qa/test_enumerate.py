"""The enumerating proposer on the corporate graph: its queries answer one-hop, intersection,
count and yes/no questions, within its bounds, and it copes with questions naming nothing."""

from __future__ import annotations

import time

import pytest

from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.guard import Guard, Limits
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.results import values
from sparqlqa.ontology.link import EntityLinker, LinkedEntity
from sparqlqa.ontology.retrieve import SchemaRetriever
from sparqlqa.ontology.schema import Schema, schema_from_store
from sparqlqa.qa.answer_type import (
    aggregate,
    comparison,
    derived,
    negated,
    ordinal_offset,
    per_group,
    top_count,
)
from sparqlqa.qa.enumerate import ORIGIN, EnumeratingProposer
from sparqlqa.qa.graphs import GraphSettings, GraphSpec, enumerating_proposers
from sparqlqa.qa.proposals import Proposal

PV = "PREFIX pv: <http://ld.company.org/prod-vocab/>\n"


@pytest.fixture(scope="module")
def schema(corporate_store: EmbeddedStore) -> Schema:
    return schema_from_store(corporate_store)


@pytest.fixture(scope="module")
def linker(corporate_store: EmbeddedStore, schema: Schema) -> EntityLinker:
    return EntityLinker.from_store(corporate_store, schema=schema)


@pytest.fixture(scope="module")
def retriever(schema: Schema) -> SchemaRetriever:
    return SchemaRetriever(schema, mode="lexical")


@pytest.fixture(scope="module")
def prefixes(corporate_store: EmbeddedStore) -> dict[str, str]:
    return {**COMMON_PREFIXES, **corporate_store.prefixes}


@pytest.fixture(scope="module")
def proposer(
    corporate_store: EmbeddedStore, schema: Schema, prefixes: dict[str, str]
) -> EnumeratingProposer:
    return EnumeratingProposer(corporate_store, schema, prefixes)


def propose(
    question: str,
    proposer: EnumeratingProposer,
    linker: EntityLinker,
    retriever: SchemaRetriever,
) -> list[Proposal]:
    """What the pipeline would hand the proposer: the retrieved terms and linked entities."""
    terms = [t for t, _ in retriever.retrieve(question, k=8)]
    entities = linker.entities(question, schema_terms=terms)
    return proposer.propose(question, entities, [], [t.iri for t in terms], "en")


def answers(store: EmbeddedStore, guard: Guard, sparql: str) -> list[str] | None:
    try:
        return sorted(set(values(guard.run(store, sparql))))
    except Exception:  # a proposal the guard refuses or that fails is just no answer
        return None


#: Shapes the wording asks for beyond a graph: a numeric filter, HAVING, negation, a count
#: per group, top-k and OFFSET orderings, OPTIONAL columns, ASK over a negation.
SHAPES = [
    (
        "Which resistors cost more than 3 EUR?",
        "SELECT DISTINCT ?p WHERE { ?p pv:hasCategory ?c ; pv:price/pv:amount ?a . "
        '?c pv:name "Resistor" FILTER(?a > 3) }',
    ),
    (
        "Which product managers look after more than 10 products?",
        "SELECT ?pm WHERE { ?p pv:hasProductManager ?pm } GROUP BY ?pm "
        "HAVING (COUNT(DISTINCT ?p) > 10)",
    ),
    (
        "Which members of Procurement have no phone number?",
        'SELECT DISTINCT ?e WHERE { ?e pv:memberOf ?d . ?d pv:name "Procurement" '
        "FILTER NOT EXISTS { ?e pv:phone ?m } }",
    ),
    (
        "How many members does each department have?",
        "SELECT ?d (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e pv:memberOf ?d } GROUP BY ?d",
    ),
    (
        "Which 3 departments have the most members?",
        "SELECT ?d WHERE { ?e pv:memberOf ?d } GROUP BY ?d "
        "ORDER BY DESC(COUNT(DISTINCT ?e)) LIMIT 3",
    ),
    (
        "What is the second most expensive service?",
        "SELECT ?s WHERE { ?s a pv:Service ; pv:price/pv:amount ?a } "
        "ORDER BY DESC(?a) OFFSET 1 LIMIT 1",
    ),
    (
        "Give me the email and phone of the members of Marketing.",
        'SELECT ?e ?m ?p WHERE { ?e pv:memberOf ?d . ?d pv:name "Marketing" '
        "OPTIONAL { ?e pv:email ?m } OPTIONAL { ?e pv:phone ?p } }",
    ),
    (
        "Does anybody in Marketing have no phone number?",
        'ASK { ?e pv:memberOf ?d . ?d pv:name "Marketing" FILTER NOT EXISTS { ?e pv:phone ?p } }',
    ),
    (
        "What's the average price of a resistor?",
        "SELECT (AVG(?a) AS ?avg) WHERE { ?p pv:hasCategory ?c ; pv:price/pv:amount ?a . "
        '?c pv:name "Resistor" }',
    ),
    (
        "What is the total weight of all our resistors?",
        "SELECT (SUM(?g) AS ?grams) WHERE { ?p pv:hasCategory ?c ; pv:weight_g ?g . "
        '?c pv:name "Resistor" }',
    ),
    (
        "How much heavier is the Crystal Switch than the Strain Capacitor?",
        'SELECT ?d WHERE { ?a pv:name "Crystal Switch" ; pv:weight_g ?x . '
        '?b pv:name "Strain Capacitor" ; pv:weight_g ?y BIND(?x - ?y AS ?d) }',
    ),
    (
        "What's the ratio of height to width of the Network Dipole?",
        'SELECT ?r WHERE { ?p pv:name "Network Dipole" ; pv:height_mm ?h ; pv:width_mm ?w '
        "BIND(?h / ?w AS ?r) }",
    ),
    (
        "Which resistors are taller than they are wide?",
        "SELECT DISTINCT ?p WHERE { ?p pv:hasCategory ?c ; pv:height_mm ?h ; pv:width_mm ?w . "
        '?c pv:name "Resistor" FILTER(?h > ?w) }',
    ),
    (
        "Which sensors are more than twice as high as they are deep?",
        "SELECT DISTINCT ?p WHERE { ?p pv:hasCategory ?c ; pv:height_mm ?h ; pv:depth_mm ?d . "
        '?c pv:name "Sensor" FILTER(?h > 2 * ?d) }',
    ),
    (
        "List our services with name, price and category.",
        "SELECT ?s ?n ?a ?c WHERE { ?s a pv:Service OPTIONAL { ?s pv:name ?n } "
        "OPTIONAL { ?s pv:price/pv:amount ?a } OPTIONAL { ?s pv:hasCategory ?c } }",
    ),
    (
        "Which of our hardware products are the most expensive ones?",
        "SELECT DISTINCT ?p WHERE { ?p a pv:Hardware ; pv:price/pv:amount ?a . "
        "{ SELECT (MAX(?x) AS ?max) WHERE { ?h a pv:Hardware ; pv:price/pv:amount ?x } } "
        "FILTER(?a = ?max) }",
    ),
    (
        "List our services from the cheapest to the most expensive.",
        "SELECT ?s WHERE { ?s a pv:Service ; pv:price/pv:amount ?a } ORDER BY ?a",
    ),
    (
        "Which department has the most members?",
        "SELECT ?d WHERE { ?e pv:memberOf ?d } GROUP BY ?d ORDER BY DESC(COUNT(DISTINCT ?e)) "
        "LIMIT 1",
    ),
    (
        # Quantities are written as strings ("72"): summed through a cast.
        "How many parts in total does one AeroVibe Matrix need, adding up the quantities?",
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (SUM(xsd:integer(?q)) AS ?t) "
        'WHERE { ?b pv:name "AeroVibe Matrix" ; pv:hasBomPart ?p . ?p pv:quantity ?q }',
    ),
    (
        "What is the average price per category?",
        "SELECT ?c (AVG(?a) AS ?avg) WHERE { ?p pv:hasCategory ?c ; pv:price/pv:amount ?a } "
        "GROUP BY ?c",
    ),
]


@pytest.mark.parametrize(
    ("question", "gold"),
    [
        # one hop from an instance
        (
            "What's Yanka Schreiber's email address?",
            'SELECT ?m WHERE { ?e pv:name "Yanka Schreiber" ; pv:email ?m }',
        ),
        # one hop into a category
        (
            "Show me all resistors.",
            'SELECT DISTINCT ?p WHERE { ?p pv:hasCategory ?c . ?c pv:name "Resistor" }',
        ),
        # a literal value on its property, with a retrieved class on the answer node
        (
            "list the japanese suppliers pls",
            'SELECT DISTINCT ?s WHERE { ?s a pv:Supplier ; pv:addressCountry "Japan" }',
        ),
        # an intersection of two entities' constraints on one answer node
        (
            "Which Marketing employes are experts in potentiometers?",
            "SELECT DISTINCT ?e WHERE { ?e pv:memberOf ?d ; pv:areaOfExpertise ?c . "
            '?d pv:name "Marketing" . ?c pv:name "Potentiometer" }',
        ),
        # an intersection with a supplier, whose many literal properties (id, latitude...)
        # must not crowd out the link the other entity shares
        (
            "Which rheostats do we buy from Salinas-Kelly?",
            "SELECT DISTINCT ?p WHERE { ?p pv:hasSupplier ?s ; pv:hasCategory ?c . "
            '?s pv:name "Salinas-Kelly" . ?c pv:name "Rheostat" }',
        ),
        # several columns, one of them a property the retriever may not keep ("names")
        (
            "Names, emails and phones of the Procurement people, please.",
            'SELECT ?n ?m ?p WHERE { ?e pv:memberOf ?d . ?d pv:name "Procurement" '
            "OPTIONAL { ?e pv:name ?n } OPTIONAL { ?e pv:email ?m } OPTIONAL { ?e pv:phone ?p } }",
        ),
        # a count
        (
            "How many products are compatible with C247-3833661?",
            "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE "
            '{ ?p pv:id "C247-3833661" ; pv:compatibleProduct ?o }',
        ),
        # yes/no: an edge between two entities
        (
            "Does Karen Brant work in Procurement?",
            'ASK { ?e pv:name "Karen Brant" ; pv:memberOf ?d . ?d pv:name "Procurement" }',
        ),
        # yes/no whose answer is no: a retrieved property the entity lacks
        (
            "Does Manfred Foth have a phone number?",
            'ASK { ?e pv:name "Manfred Foth" ; pv:phone ?p }',
        ),
        *SHAPES,
    ],
)
def test_some_proposal_answers_like_the_gold_query(
    question: str,
    gold: str,
    corporate_store: EmbeddedStore,
    proposer: EnumeratingProposer,
    linker: EntityLinker,
    retriever: SchemaRetriever,
    prefixes: dict[str, str],
) -> None:
    guard = Guard(Limits(timeout_s=10.0), prefixes=prefixes)
    want = answers(corporate_store, guard, PV + gold)
    assert want  # the gold query itself answers
    proposals = propose(question, proposer, linker, retriever)
    assert proposals and all(p.origin == ORIGIN and 0 <= p.prior <= 1 for p in proposals)
    assert [p.prior for p in proposals] == sorted((p.prior for p in proposals), reverse=True)
    got = [answers(corporate_store, guard, p.query) for p in proposals]
    assert want in got, "\n".join(p.query for p in proposals)


def test_the_proposer_is_bounded(
    corporate_store: EmbeddedStore,
    schema: Schema,
    prefixes: dict[str, str],
    linker: EntityLinker,
    retriever: SchemaRetriever,
) -> None:
    few = EnumeratingProposer(corporate_store, schema, prefixes, max_proposals=5)
    question = "Which sensors from Indian suppliers does Minnie Kuehn manage?"
    assert len(propose(question, few, linker, retriever)) <= 5
    fresh = EnumeratingProposer(corporate_store, schema, prefixes)
    started = time.perf_counter()
    proposals = propose(question, fresh, linker, retriever)
    assert 0 < len(proposals) <= 30
    # Discovery included (the cache is cold), with room for a loaded test machine.
    assert time.perf_counter() - started < 5.0


def test_a_question_naming_nothing_gets_few_proposals_and_no_error(
    proposer: EnumeratingProposer, linker: EntityLinker, retriever: SchemaRetriever
) -> None:
    proposals = propose("Hello there, how are you today?", proposer, linker, retriever)
    assert len(proposals) <= 10
    assert all(p.prior < 0.8 for p in proposals)
    assert proposer.propose("", [], [], [], "en") == []


def test_an_entity_the_store_cannot_query_contributes_nothing(
    proposer: EnumeratingProposer,
) -> None:
    broken = LinkedEntity("http://example.org/a b>", "a b", 0, 3, 1.0)
    assert proposer.propose("How many a b are there?", [broken], [], [], "en") == []


def test_the_setting_turns_it_off(
    corporate_store: EmbeddedStore, schema: Schema, prefixes: dict[str, str]
) -> None:
    spec = GraphSpec(name="corporate")
    assert len(enumerating_proposers(spec, GraphSettings(), corporate_store, schema, prefixes)) == 1
    off = GraphSettings(enumerate=False)
    assert enumerating_proposers(spec, off, corporate_store, schema, prefixes) == []
    assert enumerating_proposers(spec.model_copy(update={"enumerate": False}), GraphSettings(),
                         corporate_store, schema, prefixes) == []  # fmt: skip


@pytest.mark.parametrize("question", [q for q, _ in SHAPES])
def test_every_proposal_of_the_new_shapes_runs_through_the_guard(
    question: str,
    corporate_store: EmbeddedStore,
    proposer: EnumeratingProposer,
    linker: EntityLinker,
    retriever: SchemaRetriever,
    prefixes: dict[str, str],
) -> None:
    guard = Guard(Limits(timeout_s=10.0), prefixes=prefixes)
    proposals = propose(question, proposer, linker, retriever)
    assert 0 < len(proposals) <= proposer.max_proposals
    for p in proposals:
        guard.run(corporate_store, p.query)  # parses, passes the guard, and runs


def test_the_shape_cues_in_three_languages() -> None:
    assert comparison("Transformers that cost over 5 EUR?") == (">", "5")
    assert comparison("Produkte, die weniger als 2,5 Euro kosten") == ("<", "2.5")
    assert comparison("productos que cuestan más de 1,000 euros") == (">", "1000")
    assert comparison("at least 3 parts") == (">=", "3")
    assert comparison("more than 3 and less than 5") is None
    assert negated("Wer im Einkauf hat keine E-Mail?") and negated("¿Quién no tiene jefe?")
    assert not negated("Who is Karen's boss?")
    # Something missing is something absent, in each language.
    assert negated("Which suppliers are missing a country?")
    assert negated("Bei welchen Lieferanten fehlt das Land?")
    assert negated("¿A qué proveedores les falta el país?")
    assert negated("Which hardware is nothing compatible with?")
    assert negated("Mit welcher Hardware ist nichts kompatibel?")
    assert negated("¿Con qué hardware no es compatible nada?")
    assert per_group("Wie viele Produkte hat jede Abteilung?") and not per_group("How many?")
    assert top_count("the three heaviest crystals") == 3 and top_count("the heaviest") is None
    assert ordinal_offset("der zweitbilligste Dienst") == 1
    assert ordinal_offset("the cheapest") is None
    assert aggregate("Wie hoch ist der Durchschnittspreis?") == "AVG"
    assert aggregate("¿Cuánto pesan en total?") == aggregate("Was kosten sie zusammen?") == "SUM"
    assert aggregate("What is the total number of products?") is None  # a count
    assert aggregate("Who manages the Crystal Switch?") is None
    assert aggregate("Who knows oscillators? I mean, who lists them as expertise?") is None
    assert aggregate("What is the mean weight of a crystal?") == "AVG"
    assert derived("Wie viel schwerer ist A als B?") == "difference"
    assert derived("¿Cuánto más pesa A que B?") == "difference"
    assert derived("¿Cuál es la relación entre alto y ancho?") == "ratio"
    assert derived("Which products are heavier than B?") is None  # a filter, not arithmetic


def test_a_hyphenated_word_is_no_list_of_columns(
    proposer: EnumeratingProposer, linker: EntityLinker, retriever: SchemaRetriever
) -> None:
    # The "E" of "E-Mail" is no Spanish "e" (and): one property asked, no columns.
    question = "Wie lautet die E-Mail-Adresse von Yanka Schreiber?"
    terms = [t for t, _ in retriever.retrieve(question, k=8)]
    entities = linker.entities(question, schema_terms=terms)
    proposals = proposer.propose(question, entities, [], [t.iri for t in terms], "de")
    assert proposals and not any("OPTIONAL" in p.query for p in proposals)


def test_columns_only_where_the_graph_has_them(
    proposer: EnumeratingProposer, linker: EntityLinker, retriever: SchemaRetriever
) -> None:
    # A department has no email and a price node no weight: no column of theirs is offered.
    proposals = propose("Yanka Schreiber: email and phone, please.", proposer, linker, retriever)
    columns = [p.query for p in proposals if "OPTIONAL" in p.query]
    assert any("Yanka" not in q.split("OPTIONAL")[0] or "} OPTIONAL" in q for q in columns)
    # Her department, her products' prices: no email or phone columns of theirs.
    assert not any("pv:memberOf ?x" in q or "pv:price ?x" in q for q in columns), "\n".join(columns)


def test_a_ratio_divides_in_the_order_the_question_names(
    proposer: EnumeratingProposer, linker: EntityLinker, retriever: SchemaRetriever
) -> None:
    def prior(question: str, numerator: str) -> float:
        ratios = [
            p
            for p in propose(question, proposer, linker, retriever)
            if "BIND(?a / ?b" in p.query and numerator in p.query
        ]
        return max((p.prior for p in ratios), default=0.0)

    # "height to width": height / width first; "width to height" the other way round.
    question = "What's the height to width ratio of the Network Dipole?"
    assert prior(question, "pv:height_mm ?a") > prior(question, "pv:width_mm ?a") > 0
    question = "What's the width to height ratio of the Network Dipole?"
    assert prior(question, "pv:width_mm ?a") > prior(question, "pv:height_mm ?a") > 0


def test_a_column_of_value_nodes_gives_their_number(
    proposer: EnumeratingProposer, linker: EntityLinker, retriever: SchemaRetriever
) -> None:
    proposals = propose("Our services with name and price, please.", proposer, linker, retriever)
    columns = [p.query for p in proposals if "OPTIONAL" in p.query]
    assert columns and all("pv:price ?c" not in q for q in columns), "\n".join(columns)
    assert any("pv:price ?w" in q and "pv:amount ?c" in q for q in columns)
    # "the managers, which department each is in": the object property named by its range,
    # and no "has manager" column for the word that names the answer nodes.
    question = "Who are the managers, which department is each in, and their phone numbers?"
    columns = [p.query for p in propose(question, proposer, linker, retriever)]
    columns = [q for q in columns if "?x a pv:Manager OPTIONAL" in q]
    assert any("pv:memberOf ?c" in q and "pv:phone ?c" in q for q in columns), "\n".join(columns)
    assert not any("pv:hasManager ?c" in q for q in columns)


def test_listed_columns_come_before_one_column(
    proposer: EnumeratingProposer, linker: EntityLinker, retriever: SchemaRetriever
) -> None:
    # "which department is each in, and what are their phone numbers": the query with those
    # columns comes before the bare list of managers.
    question = "Who are the managers, which department is each in, and their phone numbers?"
    prior = {p.query: p.prior for p in propose(question, proposer, linker, retriever)}
    bare = [v for q, v in prior.items() if "OPTIONAL" not in q and "?x a pv:Manager }" in q]
    wide = [v for q, v in prior.items() if "?x a pv:Manager OPTIONAL" in q]
    assert bare and wide and max(wide) > max(bare), prior
    # The columns describe the managers: the node itself is asked for too.
    assert max(v for q, v in prior.items() if "SELECT DISTINCT ?x ?c0" in q) > max(
        v for q, v in prior.items() if "SELECT DISTINCT ?c0" in q
    )


def test_a_class_the_question_implies_constrains_the_answer(
    proposer: EnumeratingProposer, linker: EntityLinker, retriever: SchemaRetriever
) -> None:
    # "in charge of" implies a manager: the members of Marketing who are managers.
    proposals = propose("Who's in charge of the Marketing department?", proposer, linker, retriever)
    assert any("pv:memberOf" in p.query and "?x a pv:Manager" in p.query for p in proposals), (
        "\n".join(p.query for p in proposals)
    )


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("How much does the Encoder Transformer cost?", "en"),
        ("Wie viel kostet der Encoder Transformer?", "de"),
        ("¿Cuánto cuesta el Encoder Transformer?", "es"),
    ],
)
def test_how_much_asks_for_the_value_not_a_count(
    question: str,
    language: str,
    proposer: EnumeratingProposer,
    linker: EntityLinker,
    retriever: SchemaRetriever,
) -> None:
    terms = [t for t, _ in retriever.retrieve(question, k=8, language=language)]
    entities = linker.entities(question, schema_terms=terms, language=language)
    proposals = proposer.propose(question, entities, [], [t.iri for t in terms], language)
    assert proposals and "COUNT" not in proposals[0].query, "\n".join(p.query for p in proposals)


def test_a_unit_in_a_property_name_is_no_word_of_it(proposer: EnumeratingProposer) -> None:
    # pv:weight_g: "how much does it weigh" implies "weight", and says no "g"; with the unit
    # as a word the property matched such a question half, and a retrieved price won.
    pv = "http://ld.company.org/prod-vocab/"
    assert proposer.words(pv + "weight_g") == {"weight"}
    assert proposer.words(pv + "depth_mm") == {"depth"}
    assert proposer.words(pv + "price") == {"price"}
