"""Fixtures for the kg tests: a real Virtuoso server loaded with the corporate graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sparqlqa.bundled import CORPORATE_FILES
from sparqlqa.kg import virtuoso
from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.remote import RemoteEndpoint
from sparqlqa.kg.store import SparqlStore

CORPORATE_GRAPH = "http://sparqlqa.test/corporate"


@pytest.fixture(scope="session")
def virtuoso_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteEndpoint]:
    """A private Virtuoso on loopback holding the corporate graph (skipped if not installed)."""
    if not virtuoso.available():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    workdir = tmp_path_factory.mktemp("virtuoso")
    with virtuoso.VirtuosoServer(workdir, buffers=20_000) as server:
        server.start(load_dirs=[CORPORATE_FILES[0].parent])
        server.load(CORPORATE_FILES, CORPORATE_GRAPH)
        yield RemoteEndpoint(
            server.sparql_url, default_graph=CORPORATE_GRAPH, engine="virtuoso", retries=1
        )


@pytest.fixture(
    params=[
        pytest.param("embedded", id="embedded"),
        pytest.param("virtuoso", id="virtuoso", marks=pytest.mark.virtuoso),
    ]
)
def any_store(request: pytest.FixtureRequest, corporate_store: EmbeddedStore) -> SparqlStore:
    """The corporate graph, once in the embedded store and once behind Virtuoso."""
    if request.param == "embedded":
        return corporate_store
    endpoint: RemoteEndpoint = request.getfixturevalue("virtuoso_endpoint")
    return endpoint


def corporate_dir() -> Path:
    return CORPORATE_FILES[0].parent
