"""The playground page in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sparqlqa.service.app import create_app
from sparqlqa.service.settings import Settings

WOLFGANG = "http://ld.company.org/prod-instances/empl-Wolfgang.Martin%40company.org"
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
    assert page.locator("#candidates li.accepted").count() == 1
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
