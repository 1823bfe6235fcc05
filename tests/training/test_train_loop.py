"""The training loop end to end with tiny models: overfit, translate, resume, refuse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from sparqlqa.errors import ConfigError
from sparqlqa.training.config import TrainConfig
from sparqlqa.training.examples import Example, PromptBuilder, load_split, schema_source
from sparqlqa.training.train import train
from sparqlqa.training.translate import Translator

# Small and fast: short prompts (3 schema items), short targets, a high learning rate.
FAST: dict[str, Any] = {
    "batch_size": 8,
    "learning_rate": 3e-3,
    "warmup_ratio": 0.0,
    "schema_items": 3,
    "max_prompt_tokens": 96,
    "max_target_tokens": 40,
    "target_vocab_size": 400,
    "eval_steps": 0,
    "save_steps": 0,
    "seed": 3,
}
_PARSER = ox.Store()


def make_config(out: Path, pairs: Path, store: Path, **overrides: Any) -> TrainConfig:
    settings = {**FAST, **overrides}
    return TrainConfig(data=str(pairs), schema=[str(store)], output_dir=str(out), **settings)


def examples_of(config: TrainConfig, split: str) -> list[Example]:
    source = schema_source([Path(p) for p in config.schema])
    builder = PromptBuilder(source, schema_items=config.schema_items, seed=config.seed)
    return builder.examples(load_split(Path(config.data), split))


def parses(sparql: str) -> bool:
    try:
        _PARSER.query(sparql)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize(
    ("model", "steps"),
    [
        pytest.param("tiny-seq2seq", 80, id="seq2seq"),
        pytest.param("tiny-codegen", 160, id="codegen"),
    ],
)
def test_tiny_model_overfits_and_translates(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path, model: str, steps: int
) -> None:
    config = make_config(
        tmp_path / "run", corporate_pairs, corporate_store_path, model=model, max_steps=steps
    )
    result = train(config)
    assert result.global_step == steps
    assert (result.model_dir / "sparqlqa.json").is_file()
    assert json.loads((tmp_path / "run" / "train_config.json").read_text())["model"] == model
    assert (tmp_path / "run" / "metrics.jsonl").is_file()

    train_examples = examples_of(config, "train")
    translator = Translator(result.model_dir, device="cpu")
    candidates = translator.translate(
        [e.prompt for e in train_examples], k=3, slot_iris=[e.slot_iris for e in train_examples]
    )
    exact = sum(c[0].target == e.target for c, e in zip(candidates, train_examples, strict=True))
    assert exact / len(train_examples) >= 0.8, [c[0].target for c in candidates]
    for example, group in zip(train_examples, candidates, strict=True):
        assert len(group) == 3
        assert [c.score for c in group] == sorted((c.score for c in group), reverse=True)
        if group[0].target == example.target:
            assert group[0].sparql is not None and parses(group[0].sparql)
            assert example.slot_iris["ENT0"] in group[0].sparql


class Interrupted(Exception):
    pass


def test_resume_after_interruption_reaches_the_same_model(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    import torch

    settings = {"model": "tiny-seq2seq", "max_steps": 12, "save_steps": 4}
    whole = train(
        make_config(tmp_path / "whole", corporate_pairs, corporate_store_path, **settings)
    )

    def stop_at_10(step: int) -> None:
        if step == 10:
            raise Interrupted

    cut = make_config(tmp_path / "cut", corporate_pairs, corporate_store_path, **settings)
    with pytest.raises(Interrupted):
        train(cut, on_step=stop_at_10)
    assert sorted(p.name for p in (tmp_path / "cut" / "checkpoints").iterdir()) == [
        "step-4",
        "step-8",
    ]
    with pytest.raises(ConfigError, match="--resume"):
        train(cut)
    cut.resume = True
    resumed = train(cut)
    assert resumed.global_step == whole.global_step == 12

    def weights(folder: Path) -> dict[str, Any]:
        from safetensors.torch import load_file

        return load_file(str(folder / "model.safetensors"))

    a, b = weights(whole.model_dir), weights(resumed.model_dir)
    assert a.keys() == b.keys()
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_output_folder_is_not_overwritten_unless_asked(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    config = make_config(
        out, corporate_pairs, corporate_store_path, model="tiny-seq2seq", max_steps=1
    )
    with pytest.raises(ConfigError, match="not empty"):
        train(config)
    assert (out / "precious.txt").read_text() == "keep me"
    config.overwrite_output_dir = True
    assert train(config).global_step == 1
    assert not (out / "precious.txt").exists()


def test_early_stopping_and_metrics(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    """With a learning rate of zero nothing improves: the run stops after `patience` evals."""
    config = make_config(
        tmp_path / "run",
        corporate_pairs,
        corporate_store_path,
        model="tiny-seq2seq",
        max_steps=50,
        eval_steps=2,
        early_stopping_patience=2,
        learning_rate=0.0,
        max_target_tokens=8,
    )
    result = train(config)
    assert result.stopped == "early_stopping"
    assert result.global_step == 6  # evals at 2 (best), 4 and 6 (no gain twice)
    lines = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines] == [2, 4, 6]
    assert {"dev_loss", "dev_exact_match", "train_loss", "examples_per_s"} <= set(lines[0])


def test_lora_run_ends_with_a_merged_model(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    config = make_config(
        tmp_path / "run",
        corporate_pairs,
        corporate_store_path,
        model="tiny-codegen",
        max_steps=4,
        eval_steps=2,
        lora_r=4,
        max_target_tokens=8,
    )
    result = train(config)
    assert (tmp_path / "run" / "best" / "adapter").is_dir()  # best kept as an adapter
    assert not (result.model_dir / "adapter_config.json").exists()  # final: merged
    translator = Translator(result.model_dir, device="cpu")
    assert not any("lora" in name for name, _ in translator.bundle.model.named_parameters())
    assert len(translator.translate(["question: x\nsparql:"], k=2)[0]) == 2


def test_minilm_preset_saves_and_loads(tmp_path: Path) -> None:
    """The real pretrained encoder (cut to 2 layers), a cased target tokenizer, and a folder
    that loads back into the same function."""
    import torch

    from sparqlqa.training import model as model_lib

    target = "SELECT ?x0 WHERE { ENT0 pv:hasProductManager ?x0 }"
    spec = model_lib.ModelSpec(
        "minilm-seq2seq", decoder_layers=1, encoder_layers=2, target_vocab_size=300
    )
    bundle = model_lib.build(spec, ["question: who manages it?"], [target])
    assert len(bundle.model.encoder.encoder.layer) == 2
    ids = bundle.target_tokenizer(target, add_special_tokens=False)["input_ids"]
    assert bundle.target_tokenizer.decode(ids) == target  # MiniLM's own would lower-case it
    model_lib.save(bundle, tmp_path / "m", model_lib.ModelMeta(prefixes={"pv": "http://x/"}))
    loaded, meta = model_lib.load(tmp_path / "m")
    assert meta.kind == "seq2seq" and meta.prefixes == {"pv": "http://x/"}
    enc = bundle.tokenizer(["question: who manages it?"], return_tensors="pt")
    decoder_input_ids = torch.tensor([[bundle.target_tokenizer.bos_token_id, *ids]])
    bundle.model.eval()
    with torch.no_grad():
        before = bundle.model(**enc, decoder_input_ids=decoder_input_ids).logits
        after = loaded.model(**enc, decoder_input_ids=decoder_input_ids).logits
    assert torch.allclose(before, after, atol=1e-5)


def test_a_folder_without_metadata_is_refused(tmp_path: Path) -> None:
    from sparqlqa.errors import CheckpointError

    with pytest.raises(CheckpointError, match=r"sparqlqa\.json is missing"):
        Translator(tmp_path, device="cpu")


def test_translation_modules_import_without_torch() -> None:
    code = (
        "import sys, sparqlqa.training, sparqlqa.training.translate, sparqlqa.training.target, "
        "sparqlqa.training.examples, sparqlqa.training.cli, sparqlqa.training.config, "
        "sparqlqa.training.model; "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.gpu
def test_trains_and_translates_on_gpu(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU here")
    config = make_config(
        tmp_path / "run",
        corporate_pairs,
        corporate_store_path,
        model="tiny-seq2seq",
        max_steps=20,
        mixed_precision="auto",
    )
    result = train(config)
    translator = Translator(result.model_dir)
    assert next(translator.bundle.model.parameters()).device.type == "cuda"
    examples = examples_of(config, "dev")
    out = translator.translate([e.prompt for e in examples], k=2)
    assert all(len(group) == 2 for group in out)


def test_a_step_budget_trains_the_same_model_whatever_the_cap(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    """With ``schedule_by_clock`` off (adapt's step budget), the time limit is only a cap:
    two runs of the same seed and steps under different caps give the same weights."""
    from safetensors.torch import load_file

    weights = []
    for name, minutes in (("long-cap", 60.0), ("short-cap", 5.0)):
        config = make_config(
            tmp_path / name,
            corporate_pairs,
            corporate_store_path,
            model="tiny-seq2seq",
            max_steps=6,
            lr_scheduler="linear",
            max_train_minutes=minutes,
            schedule_by_clock=False,
        )
        assert train(config).global_step == 6
        weights.append(load_file(str(tmp_path / name / "model" / "model.safetensors")))
    assert weights[0].keys() == weights[1].keys()
    assert all(bool((weights[0][k] == weights[1][k]).all()) for k in weights[0])


def test_freezing_the_lower_encoder_layers_trains_only_the_rest(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    """``freeze_encoder_layers: 1`` keeps the embeddings and layer 0 of the (2-layer) tiny
    encoder as initialised; layer 1 and the decoder move; more layers than there are is refused."""
    import torch
    from safetensors.torch import load_file

    config = make_config(
        tmp_path / "run",
        corporate_pairs,
        corporate_store_path,
        model="tiny-seq2seq",
        max_steps=3,
        freeze_encoder_layers=1,
    )
    result = train(config)
    start = load_file(str(tmp_path / "run" / "init" / "model.safetensors"))
    end = load_file(str(result.model_dir / "model.safetensors"))

    def moved(prefix: str) -> bool:
        keys = [k for k in start if k.startswith(prefix)]
        assert keys, prefix
        return any(not torch.equal(start[k], end[k]) for k in keys)

    assert not moved("encoder.embeddings.")
    assert not moved("encoder.encoder.layer.0.")
    assert moved("encoder.encoder.layer.1.")
    assert moved("decoder.")
    too_many = make_config(
        tmp_path / "bad",
        corporate_pairs,
        corporate_store_path,
        model="tiny-seq2seq",
        max_steps=1,
        freeze_encoder_layers=3,
    )
    with pytest.raises(ConfigError, match="has 2 layers"):
        train(too_many)
