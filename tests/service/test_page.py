"""The playground page in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from sparqlqa.service.app import create_app
from sparqlqa.service.settings import Settings

WOLFGANG = "http://ld.company.org/prod-instances/empl-Wolfgang.Martin%40company.org"
DATA_SERVICES = "http://ld.company.org/prod-instances/dept-41622"
DEPARTMENT = "Which department does Wolfgang Martin work in?"
#: The tiny model knows only lookups: every candidate for a count is rejected.
HOW_MANY = "How many departments does Wolfgang Martin work in?"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "img" / "playground.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def test_edit_and_run_a_query(browser: Any, store_only_graph: Path, live_server: type) -> None:
    with live_server(create_app(Settings(graphs=[store_only_graph]))) as server:
        page = browser.new_page()
        page.goto(server.url + "/")
        page.wait_for_selector("#graph option", state="attached")
        assert page.locator("#graph option").first.text_content() == "corporate (queries only)"
        # A graph folder without generated pairs has no examples to offer.
        page.wait_for_load_state("networkidle")
        assert page.locator("#examples-section").is_hidden()
        # Asking needs a model: the page shows the service's reason.
        page.fill("#question", "Who is Ulrik Denzel?")
        page.click("#ask")
        page.wait_for_selector("#status.error")
        assert "has no translator model" in (page.text_content("#status") or "")
        # Writing a query by hand works without one.
        page.evaluate("document.getElementById('query-section').hidden = false")
        page.click("#edit")
        page.fill(
            "#query-edit",
            "SELECT ?name WHERE { ?e <http://ld.company.org/prod-vocab/name> ?name "
            'FILTER(STRSTARTS(?name, "Ulrik")) }',
        )
        page.click("#run")
        page.wait_for_selector("#answers tbody tr")
        assert page.locator("#answers thead th").all_text_contents() == ["name"]
        assert "Ulrik Denzel" in page.locator("#answers tbody").inner_text()
        assert page.locator("#query .kw").first.text_content() == "SELECT"
        page.close()


def test_ask_a_question_then_edit_and_run_its_query(browser: Any, model_server: Any) -> None:
    """With a trained model: ask, see the highlighted query, the answers with links and the
    entities found; then change the query and run it."""
    page = browser.new_page()
    page.goto(model_server.url + "/")
    page.wait_for_selector("#graph option", state="attached")
    assert page.locator("#graph option").all_text_contents() == [
        "corporate",
        "library (queries only)",
    ]
    page.fill("#question", "Which department does Wolfgang Martin work in?")
    page.click("#ask")
    page.wait_for_selector("#answers tbody tr")
    assert (page.text_content("#status") or "").startswith("Answered in ")
    # The query, highlighted.
    query = page.locator("#query")
    assert query.is_visible()
    assert "pv:memberOf" in query.inner_text()
    assert page.locator("#query .kw").first.text_content() == "PREFIX"
    assert "WHERE" in page.locator("#query .kw").all_text_contents()
    assert page.locator("#query .iri", has_text="Wolfgang.Martin").count() == 1
    assert page.locator("#query .var").first.text_content() == "?x0"
    # The answers: a table whose resources are links, shown by their labels.
    assert page.locator("#answers thead th").all_text_contents() == ["x0"]
    link = page.locator("#answers tbody a")
    assert link.text_content() == "Data Services"
    assert link.get_attribute("href") == "http://ld.company.org/prod-instances/dept-41622"
    # The entities found in the question, and the candidate that was accepted.
    entity = page.locator("#entities li a")
    assert entity.text_content() == "Wolfgang Martin"
    assert entity.get_attribute("href") == WOLFGANG
    assert "(Employee)" in page.locator("#entities li").inner_text()
    assert page.locator("#candidates tr.accepted").count() == 1
    # Edit the query (every employee of that department) and run it.
    page.click("#edit")
    assert page.locator("#query-edit").is_visible() and page.locator("#run").is_visible()
    edited = page.input_value("#query-edit").replace(
        "SELECT DISTINCT ?x0 WHERE {",
        "SELECT ?colleague WHERE { ?colleague pv:memberOf ?x0 .",
    )
    page.fill("#query-edit", edited)
    page.click("#run")
    page.wait_for_selector("#answers thead th:text('colleague')")
    assert page.text_content("#status") == "Query run."
    colleagues = page.locator("#answers tbody a").all_text_contents()
    assert WOLFGANG in colleagues and len(colleagues) > 1
    page.close()


def test_examples_route_draws_on_the_test_split(model_server: Any, model_graph: Path) -> None:
    """GET /examples: one question per template of the graph's generated test split."""
    body = httpx.get(f"{model_server.url}/examples", timeout=30).json()
    assert body["graph"] == "corporate"
    test_split = (model_graph / "pairs" / "test.jsonl").read_text()
    questions = [e["question"] for e in body["examples"]]
    assert len(questions) == 3  # the three templates the tiny model learnt
    assert all(f'"question": "{q}"' in test_split for q in questions)
    assert {e["shape"] for e in body["examples"]} == {"lookup"}
    assert len(httpx.get(f"{model_server.url}/examples?n=2", timeout=30).json()["examples"]) == 2
    library = httpx.get(f"{model_server.url}/examples?graph=library", timeout=30).json()
    assert library == {"graph": "library", "examples": []}
    assert httpx.get(f"{model_server.url}/examples?graph=nope", timeout=30).status_code == 404


def test_ask_echoes_the_language(model_server: Any) -> None:
    answer = httpx.post(
        f"{model_server.url}/ask", json={"question": DEPARTMENT, "language": "de"}, timeout=60
    ).json()
    assert answer["language"] == "de" and answer["answered"] is True
    bad = httpx.post(
        f"{model_server.url}/ask", json={"question": DEPARTMENT, "language": "<b>"}, timeout=60
    )
    assert bad.status_code == 422 and "language" in bad.json()["message"]


def test_click_an_example_see_the_answer_share_it_and_download_it(
    browser: Any, model_server: Any
) -> None:
    examples = httpx.get(f"{model_server.url}/examples", timeout=30).json()["examples"]
    # The example to click: the first the service answers (the tiny model gets most right).
    answers = {
        e["question"]: httpx.post(
            f"{model_server.url}/ask", json={"question": e["question"]}, timeout=60
        ).json()
        for e in examples
    }
    question = next(q for q, a in answers.items() if a["answered"])
    expected = answers[question]
    page = browser.new_page()
    page.goto(model_server.url + "/")
    page.wait_for_selector("#examples .example")
    assert page.locator("#examples .example").all_text_contents() == [
        e["question"] for e in examples
    ]
    page.locator("#examples .example", has_text=question).click()
    page.wait_for_selector("#answers tbody tr")
    assert page.input_value("#question") == question
    assert (page.text_content("#status") or "").startswith("Answered in ")
    assert page.locator("#not-sure").is_hidden()
    # The table shows what /ask answered: the resources by their labels, as links.
    shown = page.locator("#answers tbody td").all_text_contents()
    assert shown == [a.get("label") or a["value"] for a in expected["answers"]]
    # The address now holds the question; the share link is the same address.
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": [question], "graph": ["corporate"]}
    assert page.get_attribute("#share", "href") == "/?" + urlsplit(page.url).query
    # CSV: the variable, its label beside it, one row per answer.
    with page.expect_download() as download:
        page.click("#csv")
    assert download.value.suggested_filename == "answers.csv"
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    var = expected["result"]["head"]["vars"][0]
    values = [a["value"] for a in expected["answers"]]
    if any(a.get("label") for a in expected["answers"]):
        assert rows[0] == [var, f"{var} label"]
        assert rows[1:] == [[a["value"], a.get("label", "")] for a in expected["answers"]]
    else:
        assert rows == [[var], *[[v] for v in values]]
    # Another graph: its examples (none: it has no generated pairs) and no stale answer.
    page.select_option("#graph", "library")
    page.wait_for_selector("#examples-section", state="hidden")
    assert page.locator("#answers-section").is_hidden()
    page.close()


def test_a_shared_address_asks_its_question_in_its_language(
    browser: Any, model_server: Any
) -> None:
    page = browser.new_page()
    with page.expect_request("**/ask") as request:
        page.goto(f"{model_server.url}/?q={quote(DEPARTMENT)}&graph=corporate&lang=de")
    assert request.value.post_data_json == {
        "question": DEPARTMENT,
        "graph": "corporate",
        "language": "de",
    }
    page.wait_for_selector("#answers tbody tr")
    assert page.input_value("#question") == DEPARTMENT
    assert page.input_value("#language") == "de"
    link = page.locator("#answers tbody a")
    assert link.text_content() == "Data Services"
    assert link.get_attribute("href") == DATA_SERVICES
    page.close()


def test_not_sure_when_no_candidate_fits(browser: Any, model_server: Any) -> None:
    """A count the tiny model cannot write: a "not sure" notice, no answers, the best
    candidate labelled as rejected and the candidates open with their scores and reasons."""
    page = browser.new_page()
    page.goto(f"{model_server.url}/?q={quote(HOW_MANY)}")
    page.wait_for_selector("#not-sure", state="visible")
    notice = page.text_content("#not-sure") or ""
    assert "Not sure." in notice
    assert "no candidate query returned an answer of the expected kind." in notice
    assert page.locator("#answers-section").is_hidden()
    assert page.text_content("#query-heading") == "Best candidate (rejected)"
    assert "SELECT" in page.inner_text("#query")
    assert page.locator("#candidates-section").get_attribute("open") is not None
    rows = page.locator("#candidates tbody tr")
    assert rows.count() == 5 and page.locator("#candidates tr.accepted").count() == 0
    first = rows.first.locator("td").all_text_contents()
    assert first[0] == "1"
    scores = [float(t) for t in page.locator("#candidates td.score").all_text_contents()]
    assert scores == sorted(scores, reverse=True)  # best first
    assert first[2] == "✘ no number in the result"
    assert "ENT0" in first[3]
    assert (page.text_content("#candidates-summary") or "") == "5 tried, none accepted"
    page.close()


def test_keyboard_labels_and_focus_order(browser: Any, model_server: Any) -> None:
    page = browser.new_page()
    page.goto(model_server.url + "/")
    page.wait_for_selector("#examples .example")
    # Every control has a label a screen reader reads.
    assert page.get_by_label("Question", exact=True).get_attribute("id") == "question"
    assert page.get_by_label("Graph", exact=True).get_attribute("id") == "graph"
    assert page.get_by_label("Language", exact=True).get_attribute("id") == "language"
    # Tab goes question → Ask → graph → language → the first example.
    page.focus("#question")
    order = []
    for _ in range(4):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
    assert order == ["ask", "graph", "language", "example"]
    # Enter in the question box asks.
    page.focus("#question")
    page.keyboard.type(DEPARTMENT)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answers tbody tr")
    assert page.locator("#answers tbody a").text_content() == "Data Services"
    # The candidates panel opens from the keyboard too.
    assert page.locator("#candidates-section").get_attribute("open") is None
    page.focus("#candidates-section summary")
    page.keyboard.press("Enter")
    assert page.locator("#candidates-section").get_attribute("open") is not None
    page.close()


def test_screenshot_for_the_docs(browser: Any, model_server: Any, tmp_path: Path) -> None:
    """The picture in docs/service.md and the README: written there when it is missing or
    ``SPARQLQA_UPDATE_SCREENSHOT=1`` (else to a scratch folder, so that a test run leaves the
    checkout unchanged)."""
    target = SCREENSHOT
    if target.is_file() and os.environ.get("SPARQLQA_UPDATE_SCREENSHOT") != "1":
        target = tmp_path / "playground.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 900}, device_scale_factor=1)
    page.goto(f"{model_server.url}/?q={quote(DEPARTMENT)}")
    page.wait_for_selector("#answers tbody tr")
    page.click("#candidates-section summary")
    page.evaluate("document.activeElement.blur()")
    page.screenshot(path=str(target), full_page=True)
    page.close()
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert width == 1100 and height >= 900
