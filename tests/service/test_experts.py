"""Per-graph experts end to end: one tiny base trained on two graphs' pairs, one LoRA adapter
per graph, and one service that loads the base once and answers each graph (by its name or
its TEXT2SPARQL dataset) through that graph's own adapter, also under concurrent requests."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from sparqlqa.qa.graphs import GraphSpec
from sparqlqa.service.app import create_app
from sparqlqa.service.settings import Settings
from sparqlqa.training import model as model_lib
from sparqlqa.training.config import TrainConfig
from sparqlqa.training.train import train
from sparqlqa.training.translate import Translator, generate

from .conftest import LiveServer

#: What each graph's pairs ask: the two graphs share the corporate store but not a question
#: shape, so their adapters learn to write different queries.
GRAPHS = {
    "alpha": ("corp-department-of", "corp-manager-of"),
    "beta": ("corp-email",),
}
DATASETS = {"alpha": "https://alpha.test/", "beta": "https://beta.test/"}
QUESTION = "Which department does Wolfgang Martin work in?"
TINY: dict[str, Any] = {
    "batch_size": 8,
    "learning_rate": 3e-3,
    "warmup_ratio": 0.0,
    "schema_items": 3,
    "max_prompt_tokens": 128,
    "max_target_tokens": 40,
    "target_vocab_size": 400,
    "eval_steps": 0,
    "eval_examples": 10,
    "save_steps": 0,
    "num_threads": 1,
    "seed": 3,
}


def graph_pairs(folder: Path, store: Path, templates: tuple[str, ...], work: Path) -> Path:
    """A graph folder over a copy of the corporate store with pairs of ``templates`` only."""
    from sparqlqa.templates.generate import GenerateArgs, run
    from sparqlqa.templates.native import bundled_set

    shutil.copytree(store, folder / "store")
    subset = yaml.safe_load(bundled_set("corporate").read_text())
    subset["templates"] = [t for t in subset["templates"] if t["id"] in templates]
    path = work / f"{folder.name}.yaml"
    path.write_text(yaml.safe_dump(subset, sort_keys=False))
    run(
        GenerateArgs(
            output=folder / "pairs",
            seed=7,
            store=store,
            template_files=[path],
            per_template=40,
            progress=False,
        )
    )
    return folder


@pytest.fixture(scope="module")
def experts(
    tmp_path_factory: pytest.TempPathFactory, corporate_store_path: Path
) -> dict[str, Path]:
    """The base (``base``) and two graph folders whose model/ is an adapter on it."""
    import torch

    work = tmp_path_factory.mktemp("experts")
    folders = {
        name: graph_pairs(work / name, corporate_store_path, templates, work)
        for name, templates in GRAPHS.items()
    }
    threads = torch.get_num_threads()
    try:
        base = train(
            TrainConfig(
                graphs=[str(f) for f in folders.values()],
                output_dir=str(work / "base"),
                model="tiny-seq2seq",
                max_steps=100,
                **TINY,
            )
        ).model_dir
        for name, folder in folders.items():
            adapter = train(
                TrainConfig(
                    data=str(folder / "pairs"),
                    schema=[str(folder / "store")],
                    output_dir=str(work / f"adapter-{name}"),
                    model=str(base),
                    lora_r=8,
                    merge_adapter=False,
                    max_steps=30,
                    **TINY,
                )
            ).model_dir
            shutil.copytree(adapter, folder / "model")
            GraphSpec(name=name, datasets=[DATASETS[name]], enumerate=False).write(folder)
    finally:
        torch.set_num_threads(threads)
    return {"base": base, **folders}


def test_an_adapter_folder_keeps_its_adapter_and_names_its_base(experts: dict[str, Path]) -> None:
    model = experts["alpha"] / "model"
    meta = json.loads((model / model_lib.META_FILE).read_text())
    assert meta["adapter_base"] == str(experts["base"].resolve())
    assert (model / "adapter" / "adapter_config.json").is_file()
    assert not (model / "config.json").exists()  # no copy of the base
    # The base itself is a whole model trained on both graphs' pairs.
    base_meta = model_lib.read_meta(experts["base"])
    assert not base_meta.adapter_base and base_meta.trained_steps == 100


def dev_prompt(folder: Path) -> str:
    """The prompt of the graph's first dev pair, as training builds it."""
    from sparqlqa.training.examples import PromptBuilder, load_split, schema_source

    builder = PromptBuilder(schema_source([folder / "store"]), schema_items=3)
    return builder.examples(load_split(folder / "pairs", "dev")[:1], linked=False)[0].prompt


def ask(url: str, **body: Any) -> dict[str, Any]:
    response = httpx.post(f"{url}/ask", json={"question": QUESTION, **body}, timeout=120)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_one_base_serves_each_graph_through_its_own_adapter(experts: dict[str, Path]) -> None:
    import torch

    threads = torch.get_num_threads()
    # One prompt per batch: concurrent requests then get the very scores of a lone request.
    settings = Settings(
        graphs=[experts["alpha"], experts["beta"]],
        rate_limit_per_minute=0,
        torch_threads=1,
        batch_max_size=1,
        warm_up=False,
    )
    app = create_app(settings)
    try:
        with LiveServer(app) as server:
            translators: dict[str, Translator] = {
                g.name: g.pipeline.translator.translator.translator  # type: ignore[union-attr]
                for g in app.state.registry
            }
            alpha, beta = translators["alpha"], translators["beta"]
            # The base is loaded once: both translators hold the very same module.
            assert alpha.base is not None and alpha.base is beta.base
            assert alpha.bundle.model is beta.bundle.model
            assert sorted(alpha.base.adapters.values()) == [alpha.adapter, beta.adapter]
            assert alpha.adapter != beta.adapter

            # Each translator answers as its adapter does on a base loaded apart from the
            # service's (model_lib.load of the adapter folder: a peft model of its own).
            prompt = dev_prompt(experts["alpha"])
            for name, translator in translators.items():
                alone, _ = model_lib.load(experts[name] / "model", device="cpu")
                assert alone.model is not alpha.bundle.model
                want = generate(
                    alone,
                    [prompt],
                    k=2,
                    num_beams=translator.num_beams,
                    max_prompt_tokens=translator.max_prompt_tokens,
                    max_new_tokens=translator.max_new_tokens,
                    grammar=translator.prefixes,
                )[0]
                got = translator.translate([prompt], k=2)[0]
                assert [c.target for c in got] == [t for t, _ in want]
                assert [c.score for c in got] == pytest.approx([s for _, s in want], abs=1e-4)

            # Over HTTP, by graph name and by dataset id, the two graphs' adapters differ.
            lone = {name: ask(server.url, graph=name)["candidates"] for name in GRAPHS}
            assert lone["alpha"] != lone["beta"]
            assert ask(server.url, graph=DATASETS["beta"])["candidates"] == lone["beta"]

            # Interleaved concurrent requests: each answered by its own graph's adapter.
            names = ["alpha", "beta"] * 2
            with ThreadPoolExecutor(max_workers=len(names)) as pool:
                answers = list(pool.map(lambda n: ask(server.url, graph=n), names))
            for name, body in zip(names, answers, strict=True):
                assert body["graph"] == name
                assert body["candidates"] == lone[name]
    finally:
        torch.set_num_threads(threads)
