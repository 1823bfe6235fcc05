"""The playground page in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.app import create_app
from service.settings import Settings

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
