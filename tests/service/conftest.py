"""Fixtures for the service tests: graph folders (with and without a trained model) and a
real server on loopback."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
import yaml
from fastapi import FastAPI

from sparqlqa.bundled import CORPORATE_DATASET, CORPORATE_FILES
from sparqlqa.kg.embedded import build_store
from sparqlqa.kg.virtuoso import free_port
from sparqlqa.qa.graphs import GraphSpec
from sparqlqa.service.app import create_app
from sparqlqa.service.settings import Settings

#: The hand-written corporate templates the tiny model learns: few enough shapes that 200
#: steps of a tiny seq2seq learn them reliably (dev exact match about 0.9), enough that the
#: model has to read the question and the schema block to choose between them.
MODEL_TEMPLATES = ("corp-department-of", "corp-email", "corp-manager-of")
WOLFGANG = "http://ld.company.org/prod-instances/empl-Wolfgang.Martin%40company.org"


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


def build_model_graph(folder: Path, store: Path, work: Path, *, steps: int = 200) -> Path:
    """A corporate graph folder with a translator: templates → pairs → a trained tiny model.

    Everything is seeded; on 2 cores it takes about 15 s (generation under a second, training
    most of it).
    """
    import torch

    from sparqlqa.templates.generate import GenerateArgs, run
    from sparqlqa.templates.native import bundled_set
    from sparqlqa.training.config import TrainConfig
    from sparqlqa.training.train import train

    shutil.copytree(store, folder / "store")
    templates = yaml.safe_load(bundled_set("corporate").read_text())
    templates["templates"] = [t for t in templates["templates"] if t["id"] in MODEL_TEMPLATES]
    subset = work / "templates.yaml"
    subset.write_text(yaml.safe_dump(templates, sort_keys=False))
    pairs = folder / "pairs"  # in the folder, as `sparqlqa adapt` leaves it (/examples reads it)
    run(
        GenerateArgs(
            output=pairs,
            seed=7,
            store=store,
            template_files=[subset],
            per_template=40,
            progress=False,
        )
    )
    threads = torch.get_num_threads()
    try:
        result = train(
            TrainConfig(
                data=str(pairs),
                schema=[str(store)],
                output_dir=str(work / "run"),
                model="tiny-seq2seq",
                max_steps=steps,
                batch_size=8,
                learning_rate=3e-3,
                warmup_ratio=0.0,
                schema_items=3,
                max_prompt_tokens=128,
                max_target_tokens=40,
                target_vocab_size=400,
                eval_steps=0,
                eval_examples=20,
                save_steps=0,
                num_threads=1,
                num_beams=4,
                seed=3,
            )
        )
    finally:
        torch.set_num_threads(threads)
    shutil.copytree(result.model_dir, folder / "model")
    # Enumerated proposals off: the tests of this folder are about the translator's beam (a
    # fitting enumerated query would answer where they check why every candidate failed);
    # tests/qa/test_enumerate.py and test_enumerated_answer_through_the_pipeline cover them.
    GraphSpec(
        name="corporate",
        title="Corporate (tiny model)",
        datasets=[CORPORATE_DATASET],
        enumerate=False,
    ).write(folder)
    return folder


@pytest.fixture(scope="session")
def model_graph(tmp_path_factory: pytest.TempPathFactory, corporate_store_path: Path) -> Path:
    """A corporate graph folder with a tiny trained model: the whole pipeline answers."""
    work = tmp_path_factory.mktemp("model-graph")
    return build_model_graph(work / "corporate", corporate_store_path, work)


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


@pytest.fixture(scope="session")
def model_server(model_graph: Path, second_graph: Path) -> Iterator[LiveServer]:
    """The service over the model graph (default) and the library graph, on loopback; one
    torch thread (``torch_threads=1``), as on a busy shared machine. torch's thread count is
    process-wide: the previous one is restored after."""
    import torch

    threads = torch.get_num_threads()
    settings = Settings(
        graphs=[model_graph, second_graph], rate_limit_per_minute=0, torch_threads=1
    )
    try:
        with LiveServer(create_app(settings)) as server:
            yield server
    finally:
        torch.set_num_threads(threads)


CORPORATE_FILES_DIR = CORPORATE_FILES[0].parent
