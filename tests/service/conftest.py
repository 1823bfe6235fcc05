"""Fixtures for the service tests: graph folders and a real server on loopback."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from kg.embedded import CORPORATE_FILES, build_store
from kg.virtuoso import free_port
from service.graphs import CORPORATE_DATASET, GraphSpec


@pytest.fixture(scope="session")
def store_only_graph(tmp_path_factory: pytest.TempPathFactory, corporate_store_path: Path) -> Path:
    """A corporate graph folder with a store but no model: it serves /sparql only."""
    folder = tmp_path_factory.mktemp("graphs") / "corporate"
    shutil.copytree(corporate_store_path, folder / "store")
    GraphSpec(name="corporate", datasets=[CORPORATE_DATASET], model=None).write(folder)
    return folder


@pytest.fixture(scope="session")
def second_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny second graph (a library catalogue) to test routing between graphs."""
    folder = tmp_path_factory.mktemp("graphs") / "library"
    source = folder / "library.ttl"
    folder.mkdir(parents=True, exist_ok=True)
    source.write_text(
        "@prefix lib: <http://library.test/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'lib:dune a lib:Book ; rdfs:label "Dune" ; lib:author lib:herbert .\n'
        'lib:herbert a lib:Writer ; rdfs:label "Frank Herbert" .\n'
    )
    build_store(folder / "store", [source], progress=False)
    GraphSpec(name="library", datasets=["https://library.test/"], model=None).write(folder)
    return folder


class LiveServer:
    """A uvicorn server in a thread, on a free loopback port."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture
def live_server() -> Iterator[type[LiveServer]]:
    yield LiveServer


CORPORATE_FILES_DIR = CORPORATE_FILES[0].parent
