"""The answer checks of the pipeline: expected answer type and superlative direction."""

from __future__ import annotations

import pytest

from service.answer_type import expected_answer_type, order_problem

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
    problem = order_problem(question, query)
    if wrong is None:
        assert problem is None
    else:
        assert problem is not None and wrong in problem
