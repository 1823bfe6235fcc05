"""What a training run leaves in its output folder besides the loop's own log: the state
saved with each checkpoint, the newest complete checkpoint, the model folders (best so far
and final) and their ``sparqlqa.json``."""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sparqlqa.errors import ConfigError
from sparqlqa.ontology.prompt import PROMPT_FORMAT_VERSION
from sparqlqa.training import model as model_lib
from sparqlqa.training.config import TrainConfig
from sparqlqa.training.model import ModelMeta
from sparqlqa.training.target import TARGET_FORMAT_VERSION

STATE_FILE = "trainer_state.json"


@dataclass
class TrainState:
    """What a checkpoint stores besides the accelerate state."""

    global_step: int = 0
    batches_seen: int = 0
    elapsed_s: float = 0.0  # wall time of the run before this session (for the time limit)
    train_s: float = 0.0  # wall time spent in training steps (for throughput)
    examples_seen: int = 0
    best_exact_match: float = -1.0
    best_dev_loss: float = math.inf
    evals_without_gain: int = 0


def prepare_output(out: Path, config: TrainConfig) -> None:
    """Refuse a non-empty folder unless resuming or allowed to overwrite it."""
    if out.exists() and any(out.iterdir()):
        if config.resume:
            return
        if not config.overwrite_output_dir:
            raise ConfigError(
                f"output folder {out} is not empty: pass --overwrite-output-dir to replace it "
                "or --resume to continue the run in it"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def latest_checkpoint(out: Path) -> Path | None:
    """The newest ``checkpoints/step-N`` that was completely written."""
    folder = out / "checkpoints"
    if not folder.is_dir():
        return None
    done = [p for p in folder.glob("step-*") if (p / STATE_FILE).is_file()]
    return max(done, key=lambda p: int(p.name.split("-")[1]), default=None)


def model_meta(config: TrainConfig, prefixes: dict[str, str], state: TrainState) -> ModelMeta:
    """The ``sparqlqa.json`` of a model trained by ``config`` up to ``state``."""
    return ModelMeta(
        base_model=config.model,
        prefixes=prefixes,
        target_format=TARGET_FORMAT_VERSION,
        prompt_format=PROMPT_FORMAT_VERSION,
        max_prompt_tokens=config.max_prompt_tokens,
        max_target_tokens=config.max_target_tokens,
        num_beams=config.num_beams,
        schema_items=config.schema_items,
        prompt_max_chars=config.prompt_max_chars,
        trained_steps=state.global_step,
        dev_exact_match=state.best_exact_match if state.best_exact_match >= 0 else None,
    )


def save_model(bundle: Any, folder: Path, meta: ModelMeta, config: TrainConfig) -> None:
    """A complete model folder; a LoRA model keeps only its adapter (merged at the end)."""
    if folder.exists():
        shutil.rmtree(folder)
    if config.lora_r:
        folder.mkdir(parents=True)
        bundle.model.save_pretrained(str(folder / "adapter"))
        (folder / "meta.json").write_text(
            json.dumps(replace(meta, kind=bundle.kind).to_json()) + "\n"
        )
        return
    model_lib.save(bundle, folder, meta)


def save_adapter(adapter: Path | Any, final: Path, meta: ModelMeta, config: TrainConfig) -> None:
    """The final folder of a LoRA run that keeps its adapter (``merge_adapter`` off): the
    adapter (a saved ``adapter/`` folder, or the peft model to save) and a ``sparqlqa.json``
    naming its base, the model folder it was trained on."""
    final.mkdir(parents=True)
    if isinstance(adapter, Path):
        shutil.copytree(adapter, final / model_lib.ADAPTER_DIR)
    else:
        adapter.save_pretrained(str(final / model_lib.ADAPTER_DIR))
    base = model_lib.read_meta(Path(config.model))
    full = replace(meta, kind=base.kind, adapter_base=str(Path(config.model).resolve()))
    (final / model_lib.META_FILE).write_text(
        json.dumps(full.to_json(), indent=2, sort_keys=True) + "\n"
    )


def finish_best(bundle: Any, best: Path, final: Path, config: TrainConfig) -> None:
    """Make the best model the final one (merging a LoRA adapter into its base, unless the
    adapter is kept apart)."""
    if not config.lora_r:
        shutil.copytree(best, final)
        return
    if not config.merge_adapter:
        meta = ModelMeta.from_json(json.loads((best / "meta.json").read_text()))
        save_adapter(best / "adapter", final, meta, config)
        return
    from peft import load_peft_weights, set_peft_model_state_dict

    set_peft_model_state_dict(bundle.model, load_peft_weights(str(best / "adapter")))
    merged = bundle.model.merge_and_unload()
    meta = ModelMeta.from_json(json.loads((best / "meta.json").read_text()))
    model_lib.save(
        model_lib.ModelBundle(merged, bundle.tokenizer, bundle.target_tokenizer, bundle.kind),
        final,
        meta,
    )
