"""``sparqlqa adapt`` end to end on a small astronomy catalogue whose vocabulary is not
declared (tests/adapt/data/astronomy.ttl), with the tiny preset and a budget of seconds."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sparqlqa.adapt import STAGES, AdaptArgs, AdaptResult, adapt, is_complete, prepare
from sparqlqa.bundled import CORPORATE_DATASET
from sparqlqa.cli import app as cli_app
from sparqlqa.errors import ConfigError, EndpointUnreachable
from sparqlqa.kg.virtuoso import free_port
from sparqlqa.ontology.schema import Schema
from sparqlqa.qa.graphs import GraphSpec, open_graph
from sparqlqa.service.app import create_app
from sparqlqa.service.settings import Settings

DATA = Path(__file__).parent / "data" / "astronomy.ttl"
AST = "http://astro.example.org/ontology/"
DATASET = "https://astro.example.org/"


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread() -> Iterator[None]:
    """Tiny models run fastest on one thread on the shared 2-core machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def astronomy_args(output: Path, **overrides: object) -> AdaptArgs:
    settings: dict[str, object] = {
        "files": [DATA],
        "name": "astronomy",
        "datasets": [DATASET],
        "output": output,
        "model": "tiny-seq2seq",
        "train_minutes": 0.5,
        "max_pairs": 600,
        "eval_questions": 30,
        "k": 3,
        "threads": 1,
        "progress": False,
        "train_settings": {"max_steps": 80},
        "ranker_steps": 20,  # the tiny ranker: a second or two
        "ranker_pool": 40,  # the enumerated candidates of 40 generated questions
        "ranker_pool_languages": "en,de",
    }
    settings.update(overrides)
    return AdaptArgs(**settings)  # type: ignore[arg-type]


class Interrupted(Exception):
    pass


@dataclass
class Adapted:
    folder: Path
    first_stages: list[str]  # stages the interrupted first run finished
    store_mtime: float  # of store/store.json when the first run stopped
    result: AdaptResult  # of the resumed run


@pytest.fixture(scope="module")
def adapted(tmp_path_factory: pytest.TempPathFactory) -> Adapted:
    """An adapt run interrupted after the generate stage, then run again to the end."""
    folder = tmp_path_factory.mktemp("graphs") / "astronomy"
    finished: list[str] = []

    def stop_after_generate(stage: str) -> None:
        finished.append(stage)
        if stage == "generate":
            raise Interrupted

    with pytest.raises(Interrupted):
        adapt(astronomy_args(folder), log=lambda _: None, after_stage=stop_after_generate)
    mtime = (folder / "store" / "store.json").stat().st_mtime
    result = adapt(astronomy_args(folder))
    return Adapted(folder, finished, mtime, result)


def test_folder_is_complete_and_serves(adapted: Adapted) -> None:
    folder = adapted.folder
    for path in ("graph.json", "store/store.json", "schema.json", "model/config.json"):
        assert (folder / path).is_file(), path
    assert list((folder / "index").glob("schema-*.npy")), "no cached schema embeddings"
    assert is_complete(folder)
    assert not prepare(folder), "a complete folder is served as it is"
    spec = GraphSpec.read(folder)
    assert (spec.name, spec.datasets, spec.store) == ("astronomy", [DATASET], "store")
    graph = open_graph(folder, Settings(graphs=[folder], warm_up=False))
    try:
        assert graph.pipeline is not None, graph.problem
        answer = graph.pipeline.answer("How many planets are there?", k=2)
        assert answer.graph == "astronomy" and answer.candidates
    finally:
        graph.close()


def test_report_has_overall_and_per_shape_figures(adapted: Adapted) -> None:
    report = json.loads((adapted.folder / "report.json").read_text())
    assert report["questions"] == 30
    assert 0.0 <= report["answer_f1"] <= 1.0 and 0.0 <= report["exact_match"] <= 1.0
    assert report["by_shape"] and all("answer_f1" in b for b in report["by_shape"].values())
    assert set(report["stage_seconds"]) == set(STAGES)
    markdown = (adapted.folder / "report.md").read_text()
    assert "| shape | questions | answer F1 | exact match |" in markdown
    assert adapted.result.report is not None


def test_resume_skips_finished_stages(adapted: Adapted) -> None:
    assert adapted.first_stages == ["store", "schema", "index", "generate"]
    assert adapted.result.skipped == ["store", "schema", "index", "generate"]
    assert adapted.result.ran == ["train", "rank", "evaluate", "graph"]
    assert (adapted.folder / "store" / "store.json").stat().st_mtime == adapted.store_mtime
    # once complete, a third run redoes nothing but graph.json (which carries the name)
    again = adapt(astronomy_args(adapted.folder, title="Stars"))
    assert again.ran == ["graph"] and GraphSpec.read(adapted.folder).title == "Stars"


def test_inferred_schema_labels_from_local_names(adapted: Adapted) -> None:
    schema = Schema.from_json(json.loads((adapted.folder / "schema.json").read_text()))
    labels = {iri[len(AST) :]: p.label for iri, p in schema.properties.items() if AST in iri}
    assert labels["hostStar"] == "host star"
    assert labels["orbitalPeriodDays"] == "orbital period days"
    assert labels["discoveredBy"] == "discovered by"
    assert schema.classes[AST + "Star"].label == "star"
    host = schema.properties[AST + "hostStar"]
    assert (host.kind, host.domain, host.range) == ("object", [AST + "Planet"], [AST + "Star"])
    assert schema.properties[AST + "massEarth"].numeric


def test_generated_pairs_cover_the_question_shapes(adapted: Adapted) -> None:
    shapes = json.loads((adapted.folder / "pairs" / "summary.json").read_text())["shapes"]
    wanted = {"lookup", "reverse_lookup", "count", "ask", "negation", "superlative"}
    wanted |= {"comparison", "two_hop"}
    assert wanted <= {shape for shape, n in shapes.items() if n}
    # By default questions are English, German and Spanish; the composed ones within their
    # budget (half of max_pairs; derived templates make at least 2 pairs each).
    lines = (adapted.folder / "pairs" / "pairs.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    languages = Counter(r.get("language", "en") for r in records)
    assert languages["de"] and languages["es"] and languages["en"] > languages["de"]
    composed = Counter(r["language"] for r in records if r["template_id"].startswith("compose-"))
    assert set(composed) == {"en", "de", "es"} and sum(composed.values()) <= 300


def test_unknown_question_languages_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--languages: unknown question language 'fr'"):
        astronomy_args(tmp_path / "x", languages="en,fr")
    with pytest.raises(ConfigError, match="--ranker-pool-languages: unknown question language"):
        astronomy_args(tmp_path / "x", ranker_pool_languages="en,xx")


def test_other_inputs_are_refused(adapted: Adapted) -> None:
    with pytest.raises(ConfigError, match=r"adapted from other inputs \(changed: seed\)"):
        adapt(astronomy_args(adapted.folder, seed=1))


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param(
            ["missing/stars.ttl"], r"RDF file not found: .*missing/stars\.ttl", id="missing"
        ),
        pytest.param(["stars.csv"], r"stars\.csv: unknown RDF file extension", id="extension"),
    ],
)
def test_bad_files_are_named(tmp_path: Path, files: list[str], message: str) -> None:
    (tmp_path / "stars.csv").write_text("a,b\n")
    args = astronomy_args(tmp_path / "out", files=[tmp_path / f for f in files])
    with pytest.raises(ConfigError, match=message):
        adapt(args)
    assert not (tmp_path / "out").exists(), "nothing is created for bad input"


def test_unreachable_endpoint_is_named(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    args = astronomy_args(tmp_path / "out", files=[], endpoint=url)
    with pytest.raises(EndpointUnreachable, match=f"cannot reach the SPARQL endpoint {url}"):
        adapt(args)


def test_foreign_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not a folder made by `sparqlqa adapt`"):
        adapt(astronomy_args(tmp_path))


def test_command_line_errors_name_the_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli_app, ["adapt", str(tmp_path / "nope.ttl"), "--output", str(tmp_path / "out")]
    )
    assert isinstance(result.exception, ConfigError)
    assert "nope.ttl" in str(result.exception)


@pytest.fixture(scope="module")
def two_graphs(
    adapted: Adapted, corporate_store_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The service over a corporate folder without a model and the adapted folder."""
    corporate = tmp_path_factory.mktemp("graphs") / "corporate"
    shutil.copytree(corporate_store_path, corporate / "store")
    GraphSpec(name="corporate", datasets=[CORPORATE_DATASET], model=None).write(corporate)
    settings = Settings(graphs=[corporate, adapted.folder], rate_limit_per_minute=0, warm_up=False)
    with TestClient(create_app(settings)) as client:
        yield client


def test_service_routes_ask_by_graph(two_graphs: TestClient) -> None:
    question = {"question": "How many planets are there?"}
    response = two_graphs.post("/ask", json={**question, "graph": "astronomy"})
    assert response.status_code == 200, response.text
    assert response.json()["graph"] == "astronomy"
    by_dataset = two_graphs.post("/ask", json={**question, "graph": DATASET})
    assert by_dataset.status_code == 200 and by_dataset.json()["graph"] == "astronomy"
    # the default (first) graph has no model: the request reached it, and it says so
    default = two_graphs.post("/ask", json=question)
    assert default.status_code == 503 and "'corporate'" in default.json()["message"]


def test_service_routes_text2sparql_by_dataset(two_graphs: TestClient) -> None:
    params = {"question": "How many stars are there?", "dataset": DATASET}
    response = two_graphs.get("/text2sparql", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["dataset"] == DATASET
    assert "query" in response.json()
    unknown = two_graphs.get("/text2sparql", params={**params, "dataset": "https://nope.test/"})
    assert unknown.status_code == 404
    message = unknown.json()["message"]
    assert "https://nope.test/" in message and DATASET in message and CORPORATE_DATASET in message


def test_rank_stage_trains_a_ranker_the_pipeline_uses(adapted: Adapted) -> None:
    meta = json.loads((adapted.folder / "ranker" / "ranker.json").read_text())
    assert (meta["preset"], meta["steps"]) == ("tiny", 20)  # tiny translator: tiny ranker
    state = json.loads((adapted.folder / "adapt.json").read_text())
    assert state["stages"]["rank"]["steps"] == 20
    assert state["stages"]["rank"]["pool_questions"] == 40
    assert state["stages"]["rank"]["pool_languages"] == "en,de"
    pool = adapted.folder / "pairs" / "ranker-pool-train.jsonl"
    assert (adapted.folder / "pairs" / "ranker-pool-dev.jsonl").is_file()
    # Questions of the languages asked for only, German ones among them (the pairs are
    # trilingual).
    languages = Counter(json.loads(line)["language"] for line in pool.read_text().splitlines())
    assert set(languages) == {"en", "de"}
    graph = open_graph(adapted.folder, Settings(graphs=[adapted.folder], warm_up=False))
    try:
        assert graph.pipeline is not None and graph.pipeline.ranker is not None
    finally:
        graph.close()


def test_rank_train_command_adds_a_ranker_to_a_finished_folder(
    adapted: Adapted, tmp_path: Path
) -> None:
    folder = tmp_path / "astronomy"
    shutil.copytree(adapted.folder, folder, ignore=shutil.ignore_patterns("ranker"))
    model_before = (folder / "model" / "config.json").read_bytes()
    result = CliRunner().invoke(
        cli_app, ["rank", "train", str(folder), "--steps", "3", "--preset", "tiny", "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads((folder / "ranker" / "ranker.json").read_text())["steps"] == 3
    assert (folder / "model" / "config.json").read_bytes() == model_before
    refused = CliRunner().invoke(cli_app, ["rank", "train", str(tmp_path / "nothing")])
    assert refused.exit_code != 0
    pool = ["rank", "pool", str(folder), "--questions", "8", "--languages", "de"]
    result = CliRunner().invoke(cli_app, pool)
    assert result.exit_code == 0, result.output
    written = (folder / "pairs" / "ranker-pool-train.jsonl").read_text().splitlines()
    assert written and {json.loads(line)["language"] for line in written} == {"de"}
    unknown = CliRunner().invoke(cli_app, [*pool[:-1], "xx"])
    assert unknown.exit_code != 0 and "unknown question language 'xx'" in str(unknown.exception)


def test_base_trains_a_kept_apart_adapter_of_the_bases_preset(tmp_path: Path) -> None:
    from sparqlqa.adapt.learn import LORA_R, train_config
    from sparqlqa.adapt.stages import Context
    from sparqlqa.adapt.state import State

    base = tmp_path / "base"
    base.mkdir()
    (base / "sparqlqa.json").write_text(json.dumps({"base_model": "tiny-seq2seq"}))
    args = astronomy_args(tmp_path / "graph", model="minilm-seq2seq", base=base)
    assert args.model == "tiny-seq2seq"  # the base's preset sets the adapter's training
    state = State(args.folder, {"stages": {"generate": {"splits": {"train": 100}}}})
    config = train_config(Context(args, state, lambda _: None))
    assert config.model == str(base.resolve()) and config.lora_r == LORA_R
    assert config.merge_adapter is False and config.data == str(args.folder / "pairs")
    with pytest.raises(ConfigError, match="not a sparqlqa model folder"):
        astronomy_args(tmp_path / "graph", base=tmp_path)
