"""Fixtures shared by the whole suite: the bundled corporate graph as an embedded store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sparqlqa.bundled import CORPORATE_FILES
from sparqlqa.kg.embedded import EmbeddedStore, build_store

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# The suite must not depend on whether this machine has a bilingual dictionary
# (ontology.dictionary, `make dictionaries`): none is searched unless a test names one.
# Servers the tests start inherit this.
os.environ["SPARQLQA_DICTIONARIES"] = ""


@pytest.fixture(scope="session")
def corporate_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store of the corporate graph, built once per test session."""
    path = tmp_path_factory.mktemp("stores") / "corporate"
    build_store(path, CORPORATE_FILES, progress=False)
    return path


@pytest.fixture(scope="session")
def corporate_store(corporate_store_path: Path) -> Iterator[EmbeddedStore]:
    """The corporate graph, opened read-only."""
    with EmbeddedStore(corporate_store_path) as store:
        yield store


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (real public data); tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is not here")
    return SHARED_DATA
