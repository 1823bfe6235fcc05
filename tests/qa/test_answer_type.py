"""The answer checks of the pipeline: expected answer type, superlative and comparison
direction, a count where the question asks which, a list where it asks how many."""

from __future__ import annotations

import pytest

from sparqlqa.qa.answer_type import (
    amount_problem,
    asks_all_tied,
    asks_amount,
    comparison,
    comparison_problem,
    count_problem,
    echo_problem,
    expected_answer_type,
    form_problem,
    full_order,
    implied_words,
    order_problem,
    property_comparison,
    superlative,
    superlative_head,
    tally_problem,
    top_count,
)

DESC = "SELECT ?x0 WHERE { ?x0 pv:weight_g ?x1 } ORDER BY DESC ( ?x1 ) LIMIT 1"
ASC = "SELECT ?x0 WHERE { ?x0 pv:weight_g ?x1 } ORDER BY ASC ( ?x1 ) LIMIT 1"
PLAIN_ASC = "SELECT ?x0 WHERE { ?x0 pv:weight_g ?x1 } ORDER BY ?x1 LIMIT 3"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("Is Wolfgang Martin a manager?", "boolean", id="yes-no"),
        pytest.param("How many products are there?", "number", id="how-many"),
        pytest.param("When was the product released?", "date", id="when"),
        pytest.param("Which department does Wolfgang Martin work in?", "any", id="which"),
        pytest.param("can you tell me the manager of Valda Everhart", "any", id="request"),
        pytest.param("Could you list the suppliers?", "any", id="polite-request"),
        pytest.param("Can Ann approve orders?", "boolean", id="can-yes-no"),
        pytest.param("Give me the phone number of Ann's manager.", "any", id="phone-number"),
        pytest.param("What is the number of employees?", "number", id="number-of"),
        pytest.param("Total number of suppliers?", "number", id="total-number-of"),
        pytest.param("Count the suppliers in Italy.", "number", id="count-imperative"),
        pytest.param("Number of employees in Sales", "number", id="number-heading"),
        pytest.param("Country of the supplier Acme?", "any", id="country-not-count"),
        pytest.param("Phone number of Ann?", "any", id="phone-number-heading"),
        pytest.param("Are there Italian suppliers? Which ones?", "any", id="follow-up"),
        pytest.param("Gibt es Lieferanten in Italien? Welche?", "any", id="follow-up-de"),
        pytest.param("¿Hay proveedores en Italia? ¿Cuáles?", "any", id="follow-up-es"),
        pytest.param("Is Ann a manager? Yes or no.", "boolean", id="no-follow-up"),
    ],
)
def test_expected_answer_type(question: str, expected: str) -> None:
    assert expected_answer_type(question) == expected


@pytest.mark.parametrize(
    ("question", "query", "wrong"),
    [
        pytest.param("Which product is the heaviest?", ASC, "ascending", id="most-asc"),
        pytest.param("Which product is the heaviest?", DESC, None, id="most-desc"),
        pytest.param("Most reliable item supplied by Adams-White", ASC, "ascending", id="most"),
        pytest.param("What is the cheapest part?", DESC, "descending", id="least-desc"),
        pytest.param("What is the cheapest part?", ASC, None, id="least-asc"),
        pytest.param("Which are the 3 lightest parts?", PLAIN_ASC, None, id="default-asc"),
        pytest.param("Which parts weigh the most and cost the least?", ASC, None, id="both"),
        pytest.param("Which product is the oldest?", ASC, None, id="time-words-not-judged"),
        pytest.param(
            "Which product is the heaviest?",
            "SELECT ?x0 WHERE { ?x0 pv:weight_g ?x1 } ORDER BY ASC ( ?x1 )",
            None,
            id="no-limit",
        ),
    ],
)
def test_order_problem(question: str, query: str, wrong: str | None) -> None:
    assert_judged(order_problem(question, query), wrong)


def assert_judged(problem: str | None, wrong: str | None) -> None:
    """No problem where none is expected, else one that names ``wrong``."""
    if wrong is None:
        assert problem is None
    else:
        assert problem is not None and wrong in problem


GT = 'SELECT ?x0 WHERE { ?x0 a v:Venue ; v:capacity ?x1 FILTER ( ?x1 > "500"^^xsd:integer ) }'
LT = 'SELECT ?x0 WHERE { ?x0 a v:Venue ; v:capacity ?x1 FILTER ( ?x1 < "500"^^xsd:integer ) }'
LT_FLIPPED = "SELECT ?x0 WHERE { ?x0 <http://ex.org/capacity> ?x1 FILTER ( 500 < ?x1 ) }"
TWO = "SELECT ?x0 WHERE { ?x0 v:capacity ?x1 FILTER ( ?x1 > 5 && ?x1 < 500 ) }"


@pytest.mark.parametrize(
    ("question", "query", "wrong"),
    [
        pytest.param("Which venues have a capacity greater than 500?", LT, "below", id="gt-lt"),
        pytest.param("Which venues have a capacity greater than 500?", GT, None, id="gt-gt"),
        pytest.param("Concerts with attendance over 57747", LT, "below", id="over"),
        pytest.param("Venues holding fewer than 500 people", GT, "above", id="fewer"),
        pytest.param("Venues holding fewer than 500 people", LT, None, id="fewer-lt"),
        pytest.param("Labels founded before 1990", GT, "above", id="before"),
        pytest.param("Which venues hold more than 500?", LT_FLIPPED, None, id="literal-first"),
        pytest.param("Which venues hold less than 500?", LT_FLIPPED, "above", id="flipped"),
        pytest.param("Venues above 5 and below 500", LT, None, id="both-words"),
        pytest.param("Which venues hold more than 5?", TWO, None, id="two-comparisons"),
        pytest.param("Who took over the label?", LT, None, id="over-without-number"),
        pytest.param("Which venues are big?", LT, None, id="no-words"),
    ],
)
def test_comparison_problem(question: str, query: str, wrong: str | None) -> None:
    assert_judged(comparison_problem(question, query), wrong)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Wie viele Lieferanten gibt es?", "number"),
        ("Anzahl der Produkte", "number"),
        ("Was ist die Anzahl der Produkte?", "number"),
        ("Was sind die Produkte?", "any"),
        ("Was Bach born in Eisenach?", "boolean"),
        ("Gibt es Produkte ohne Preis?", "boolean"),
        ("Ist Acme ein Lieferant?", "boolean"),
        ("Gib mir alle Produkte.", "any"),
        ("Kannst du mir die Produkte nennen?", "any"),
        ("Wann wurde die Firma gegründet?", "date"),
        ("¿Cuántos proveedores hay?", "number"),
        ("¿Cuántas categorías hay?", "number"),
        ("¿Hay productos sin precio?", "boolean"),
        ("¿Es Acme un proveedor?", "boolean"),
        ("¿Tiene Acme un proveedor en España?", "boolean"),
        ("¿Puedes decirme los productos?", "any"),
        ("Muéstrame los productos.", "any"),
        ("¿Cuándo se fundó la empresa?", "date"),
        # a request that asks whether is yes/no; "número de teléfono" is no count
        ("¿Puedes decirme si hay proveedores en Italia?", "boolean"),
        ("Kannst du mir sagen, ob es Lieferanten gibt?", "boolean"),
        ("Can you tell me if there are suppliers in Italy?", "boolean"),
        # asking whether as a request or a statement, and without the verb
        ("Tell me if there is a supplier in Norway.", "boolean"),
        ("Let me know whether Karen Brant works in Procurement", "boolean"),
        ("I'd like to know if we have any LCDs from Italy.", "boolean"),
        ("Check whether Manfred Foth has a phone number.", "boolean"),
        ("Any suppliers in Norway?", "boolean"),
        ("Anyone in Production without an email address?", "boolean"),
        ("Tell me the suppliers in Norway.", "any"),
        ("Any supplier's phone number in Norway", "any"),
        ("Sag mir, ob es Lieferanten in Norwegen gibt.", "boolean"),
        ("Ich möchte wissen, ob Karen Brant im Einkauf arbeitet.", "boolean"),
        ("Prüfe, ob Manfred Foth eine Telefonnummer hat.", "boolean"),
        ("Irgendwelche Lieferanten aus Norwegen?", "boolean"),
        ("Dime si hay proveedores en Noruega.", "boolean"),
        ("Quiero saber si Karen Brant trabaja en Compras.", "boolean"),
        ("¿Algún proveedor en Noruega?", "boolean"),
        ("Dime los proveedores de Noruega.", "any"),
        ("¿Cuál es el número de teléfono de Ana?", "any"),
        ("¿Cuál es el número de proveedores en Italia?", "number"),
    ],
)
def test_german_and_spanish_cues(question: str, expected: str) -> None:
    assert expected_answer_type(question) == expected


ASCENDING = "SELECT ?x WHERE { ?x <p> ?v } ORDER BY ASC(?v) LIMIT 1"
BELOW = "SELECT ?x WHERE { ?x <p> ?v FILTER(?v < 5) }"


@pytest.mark.parametrize(
    ("question", "wrong"),
    [
        ("Welches Produkt hat den höchsten Preis?", True),
        ("Was ist das teuerste Produkt?", True),
        ("Welcher Lieferant hat die meisten Produkte?", True),
        ("das billigste Produkt", False),
        ("Welche Bestellungen gibt es?", False),  # "Best..." is no superlative
        ("¿Cuál es el producto más caro?", True),
        ("¿Qué proveedor tiene más productos?", True),
        ("¿Cuál es el producto más barato?", False),
        ("el producto con el menor precio", False),
    ],
)
def test_german_and_spanish_superlatives(question: str, wrong: bool) -> None:
    assert (order_problem(question, ASCENDING) is not None) == wrong


@pytest.mark.parametrize(
    ("question", "wrong"),
    [
        ("Produkte mit einem Preis über 5", True),
        ("Produkte, deren Preis mehr als 5 ist", True),
        ("Produkte mit einem Preis unter 5", False),
        ("productos con un precio superior a 5", True),
        ("productos cuyo precio es mayor que 5", True),
        ("productos con un precio de menos de 5", False),
        ("productos por debajo de 5", False),
    ],
)
def test_german_and_spanish_comparisons(question: str, wrong: bool) -> None:
    assert (comparison_problem(question, BELOW) is not None) == wrong


COUNT_ONLY = "SELECT ( COUNT ( DISTINCT ?x0 ) AS ?x1 ) WHERE { ?x0 a pv:Hardware }"


@pytest.mark.parametrize(
    "question",
    [
        "Which products cost more than 5 EUR?",
        "Welche Produkte kosten mehr als 1000 Euro?",
        "¿Cuáles son nuestros proveedores?",
        "Who works in Marketing?",
        "list the japanese suppliers pls",
    ],
)
def test_a_bare_count_does_not_answer_a_question_that_asks_which(question: str) -> None:
    assert count_problem(question, COUNT_ONLY) == "counts, but the question asks which ones"
    # A list, or counts per group, are other answers.
    assert count_problem(question, "SELECT DISTINCT ?x0 WHERE { ?x0 a pv:Hardware }") is None
    grouped = "SELECT ?g (COUNT(?x) AS ?n) WHERE { ?x pv:hasCategory ?g } GROUP BY ?g"
    assert count_problem(question, grouped) is None


@pytest.mark.parametrize(
    "question",
    [
        "How many products are there?",
        "What is the number of suppliers?",
        "Wie viele Produkte gibt es?",
        "What is the headcount of Marketing?",  # "what" may ask for a count
    ],
)
def test_questions_that_may_count_keep_their_counts(question: str) -> None:
    assert count_problem(question, COUNT_ONLY) is None


def numbers(*values: int) -> dict:
    datatype = "http://www.w3.org/2001/XMLSchema#integer"
    bindings = [{"v": {"type": "literal", "value": str(v), "datatype": datatype}} for v in values]
    return {"head": {"vars": ["v"]}, "results": {"bindings": bindings}}


LIST_OF_DEPTHS = "SELECT ?v WHERE { ?x pv:depth_mm ?v }"


@pytest.mark.parametrize(
    "question",
    [
        "How many products have a depth?",
        "Count the products with a depth.",
        "Wie viele Produkte haben eine Tiefe?",
        "¿Cuántos productos tienen una profundidad?",
    ],
)
def test_several_values_do_not_answer_how_many(question: str) -> None:
    assert tally_problem(question, LIST_OF_DEPTHS, numbers(20, 19, 13)) == (
        "several values and no count, where the question asks how many"
    )
    # One recorded value may be the count; a COUNT per group is a count.
    assert tally_problem(question, LIST_OF_DEPTHS, numbers(20)) is None
    grouped = "SELECT ?g (COUNT(?x) AS ?n) WHERE { ?x pv:hasCategory ?g } GROUP BY ?g"
    assert tally_problem(question, grouped, numbers(3, 4)) is None


def test_how_much_may_list_values() -> None:
    # "How much" asks for an amount, which may be several prices; not a count.
    assert tally_problem("How much do the resistors cost?", LIST_OF_DEPTHS, numbers(2, 3)) is None


@pytest.mark.parametrize(
    ("question", "query", "problem"),
    [
        (
            "Which department has the most employees?",
            "SELECT ?x WHERE { ?x a pv:Department }",
            "orders nothing, where the question asks for the most or the least",
        ),
        (
            "Which department has the most employees?",
            "SELECT ?d WHERE { ?e pv:memberOf ?d } GROUP BY ?d ORDER BY DESC(COUNT(?e)) LIMIT 1",
            None,
        ),
        (
            "Was kostet unser günstigster Service?",
            "SELECT (MIN(?v) AS ?m) WHERE { ?x pv:price ?v }",
            None,
        ),
        (
            "What's the average price of our capacitors?",
            "SELECT (COUNT(?x) AS ?n) WHERE { ?x pv:hasCategory <http://x/cat-Capacitor> }",
            "averages nothing, where the question asks for an average",
        ),
        (
            "What do our resistors cost in total?",
            "SELECT ?v WHERE { ?x pv:price ?v }",
            "sums nothing, where the question asks for a total",
        ),
        (
            "What's the height to width ratio of the Network Dipole?",
            "SELECT ?h WHERE { <http://x/hw-A315-17/30> pv:height_mm ?h }",  # "/" of an IRI
            "computes no ratio, where the question asks for one",
        ),
        (
            "What's the height to width ratio of the Network Dipole?",
            "SELECT ?r WHERE { <http://x/a> pv:height_mm ?h ; pv:width_mm ?w BIND(?h / ?w AS ?r) }",
            None,
        ),
        (
            "Which suppliers are in Italy?",
            "SELECT ?x WHERE { ?x pv:country <http://x/Italy> }",
            None,
        ),
        (
            "Is any of our suppliers located in Toulouse? Which one?",
            'PREFIX pv: <http://x/> ASK { ?x pv:addressLocality "Toulouse" }',
            "answers yes or no, where the question goes on to ask which ones",
        ),
        (
            "Is any of our suppliers located in Toulouse? Which one?",
            'SELECT ?x WHERE { ?x pv:addressLocality "Toulouse" }',
            None,
        ),
        (
            "Is any of our suppliers located in Toulouse?",
            'ASK WHERE { ?x pv:addressLocality "Toulouse" }',
            None,
        ),
    ],
)
def test_form_problem(question: str, query: str, problem: str | None) -> None:
    assert form_problem(question, query) == problem


@pytest.mark.parametrize(
    "question",
    [
        "Which categories have more products than the average category?",
        "Which services cost more than twice as much as our cheapest one?",
        "Welche Dienstleistungen kosten mehr als doppelt so viel wie unsere günstigste?",
        "¿Qué categorías tienen más productos que la categoría media?",
    ],
)
def test_a_comparison_against_an_aggregate_may_list(question: str) -> None:
    # The superlative or average is the subquery's: a list of the things compared answers.
    query = "SELECT ?x WHERE { ?x a pv:ProductCategory }"
    assert form_problem(question, query) is None


def literals(*texts: str) -> dict:
    bindings = [{"x": {"type": "literal", "value": t}} for t in texts]
    return {"head": {"vars": ["x"]}, "results": {"bindings": bindings}}


def test_an_answer_that_repeats_the_question_is_flagged() -> None:
    said = {"lcd", "lcds"}
    assert echo_problem(literals("LCD"), said) == "answers with what the question already names"
    # Something the question does not say, a resource, or yes/no: answers.
    assert echo_problem(literals("LCD", "Strain Capacitor"), said) is None
    resource = {
        "head": {"vars": ["x"]},
        "results": {"bindings": [{"x": {"type": "uri", "value": "lcd"}}]},
    }
    assert echo_problem(resource, said) is None
    assert echo_problem({"head": {}, "boolean": True}, said) is None
    assert echo_problem(literals("LCD"), set()) is None


@pytest.mark.parametrize(
    ("question", "flagged"),
    [
        ("What does our cheapest service cost?", True),
        ("Wie viel kostet der billigste Dienst?", True),
        ("¿Cuánto pesa el cristal más pesado?", True),
        ("What is the price of the heaviest crystal?", True),
        ("Which is our cheapest service?", False),  # asks for the service
        ("What does the Sensor Adjustment service cost?", False),  # no superlative
        ("Which products cost more than 1000 euros?", False),
    ],
)
def test_a_thing_answering_the_amount_of_a_superlative_is_flagged(
    question: str, flagged: bool
) -> None:
    service = {
        "head": {"vars": ["x"]},
        "results": {"bindings": [{"x": {"type": "uri", "value": "http://example.org/srv"}}]},
    }
    problem = amount_problem(question, service)
    assert (problem is not None) is flagged
    # The amount itself, or yes/no, answers.
    assert amount_problem(question, literals("748.4")) is None
    assert amount_problem(question, {"head": {}, "boolean": True}) is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which crystals are deeper than they are wide?", ("depth", "width", 1)),
        ("Which LCDs are more than twice as tall as they are wide?", ("height", "width", 2)),
        ("Which items are more than 3 times as long as they are high?", ("length", "height", 3)),
        ("Welche Kristalle sind tiefer als breit?", ("depth", "width", 1)),
        ("Welche LCDs sind mehr als doppelt so hoch wie breit?", ("height", "width", 2)),
        ("¿Qué cristales son más profundos que anchos?", ("depth", "width", 1)),
        ("¿Qué LCD son más del doble de altos que de anchos?", ("height", "width", 2)),
        ("Which products are heavier than 5 g?", None),  # against a number: a filter
        ("Who is taller than Anna?", None),
        ("Which suppliers are cheaper than Acme?", None),
    ],
)
def test_property_comparison(question: str, expected: tuple[str, str, int] | None) -> None:
    assert property_comparison(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "Can I get the contact details (email and phone) of the Engineering team?",
        "Kann ich die Kontaktdaten des Engineering-Teams bekommen?",
        "¿Puedo ver los correos de Marketing?",
    ],
)
def test_asking_to_get_something_is_a_request(question: str) -> None:
    assert expected_answer_type(question) == "any"


@pytest.mark.parametrize(
    "question", ["Can I order a transistor?", "Kann ich X bestellen?", "Can Karen approve it?"]
)
def test_asking_whether_one_can_is_yes_no(question: str) -> None:
    assert expected_answer_type(question) == "boolean"


def test_superlative_heads_ties_and_whole_orders() -> None:
    assert superlative_head("What's the highest price we charge?") == "price"
    assert superlative_head("Which department has the most employees?") == "employees"
    assert superlative_head("Which supplier is in Italy?") is None
    assert asks_all_tied("Which of our hardware products are the most expensive ones?")
    assert not asks_all_tied("Which product is the most expensive?")
    assert not asks_all_tied("Which 3 products are the most expensive ones?")
    assert full_order("List our services from the cheapest to the most expensive.") == "ASC"
    assert full_order("Products from the heaviest to the lightest") == "DESC"
    assert full_order("Liste die Dienstleistungen von der günstigsten bis zur teuersten.") == "ASC"
    assert full_order("Suppliers sorted by name") == "ASC"
    assert full_order("Products from Italy to Spain") is None
    assert full_order("The 3 cheapest services, from the cheapest to the most expensive") is None
    # A whole ordered list is not cut to its first rows.
    limited = "SELECT ?s WHERE { ?s pv:price/pv:amount ?a } ORDER BY ?a LIMIT 1"
    question = "List our services from the cheapest to the most expensive."
    assert order_problem(question, limited) is not None
    assert order_problem(question, limited.replace(" LIMIT 1", "")) is None


def test_measure_words_name_their_property() -> None:
    assert implied_words(["which", "hardware", "cost", "more", "than", "3"]) == ["price"]
    assert implied_words(["cheapest", "heaviest", "service"]) == ["price", "weight"]
    assert implied_words(["highest", "price"]) == []  # "high" is no height here
    assert implied_words(["who", "charge", "marketing"]) == ["manager"]


@pytest.mark.parametrize(
    "question",
    [
        "What's the highest price we charge for a transformer?",
        "Was ist der höchste Preis, den wir für einen Transformator verlangen?",
        "¿Cuál es el precio más alto que cobramos por un transformador?",
    ],
)
def test_the_superlative_value_itself_is_an_amount(question: str) -> None:
    things = {
        "head": {"vars": ["x"]},
        "results": {"bindings": [{"x": {"type": "uri", "value": "x"}}]},
    }
    assert amount_problem(question, things) is not None  # type: ignore[arg-type]
    assert amount_problem("Which product has the highest price?", things) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        ("How much does the Encoder Transformer cost?", True),
        ("Wie viel kostet der Encoder Transformer?", True),
        ("¿Cuánto cuesta el Encoder Transformer?", True),
        ("¿Cuánto pesa el Rheostat Breaker?", True),
        ("How many products does Wolfgang Martin manage?", False),
        ("¿Cuántos productos tenemos?", False),
        ("Wie viele Lieferanten gibt es?", False),
    ],
)
def test_a_quantity_is_told_from_a_count_in_each_language(question: str, amount: bool) -> None:
    assert asks_amount(question) is amount


@pytest.mark.parametrize(
    "question",
    [
        "Mit wie vielen Produkten ist C247-3833661 kompatibel?",  # dative plural
        "Von wie vielen Lieferanten kaufen wir Spulen?",
        "Wie viele Lieferanten gibt es?",
    ],
)
def test_german_how_many_in_any_case_asks_a_number(question: str) -> None:
    assert expected_answer_type(question) == "number"


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        ("de", "Arbeitet Karen Brant im Einkauf?", "boolean"),
        ("de", "Liefert Clarke-Brown Sensoren?", "boolean"),
        ("de", "Kostet der Network Dipole mehr als 5 Euro?", "boolean"),
        ("de", "Lieferanten der Kategorie Sensor?", "any"),  # a noun phrase
        ("de", "Welchen Lieferanten gehört das?", "any"),
        ("de", "Wie viele Lieferanten gibt es?", "number"),
        ("es", "¿Trabaja Karen Brant en Compras?", "boolean"),
        ("es", "¿Suministra Clarke-Brown sensores?", "boolean"),
        ("es", "¿Nombre, correo y teléfono de todos en Marketing?", "any"),
        ("es", "¿Proveedores Italianos?", "any"),
        ("es", "¿Que proveedores hay en Italia?", "any"),  # "qué" typed without its accent
        ("es", "¿Me das el correo de Karen?", "any"),
        ("en", "List the suppliers", "any"),
    ],
)
def test_a_german_or_spanish_question_opening_with_a_verb_is_yes_no(
    language: str, question: str, expected: str
) -> None:
    assert expected_answer_type(question, language) == expected


def test_without_its_language_only_an_auxiliary_opens_a_yes_no_question() -> None:
    assert expected_answer_type("Arbeitet Karen Brant im Einkauf?") == "any"


@pytest.mark.parametrize(
    "typed",
    [
        ("Welche Produkte kosten über 3 Euro?", "Welche Produkte kosten ueber 3 Euro?"),
        ("die günstigste Dienstleistung", "die guenstigste Dienstleistung"),
        ("die fünf teuersten Produkte", "die fuenf teuersten Produkte"),
        ("Welche Teile sind höher als breit?", "Welche Teile sind hoeher als breit?"),
    ],
)
def test_cues_read_german_typed_without_umlauts(typed: tuple[str, str]) -> None:
    with_umlauts, without = typed
    for cue in (comparison, superlative, top_count, property_comparison):
        assert cue(without) == cue(with_umlauts)
    assert any(cue(without) for cue in (comparison, superlative, top_count, property_comparison))
