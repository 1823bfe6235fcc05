"""The training loop: generated pairs → a translator model folder.

Read top to bottom: prepare the output folder, build the examples, build (or reload) the
model, then loop over batches with accelerate, evaluating on the dev split, saving the
training state every ``save_steps`` and keeping the best model by dev exact match.

The same command runs on CPU, one GPU or several (``accelerate launch -m training.train
--config ...`` or ``torchrun``): accelerate shards the batches and averages the gradients.

Output folder::

    train_config.json     the resolved configuration
    metrics.jsonl         one line per evaluation (step, losses, dev exact match, examples/s)
    init/                 the model as built, before training (resume rebuilds from it)
    checkpoints/step-N/   accelerate states for resume (the newest save_total_limit kept)
    best/                 the best model so far by dev exact match
    model/                the final model: save_pretrained files + sparqlqa.json
    train_result.json     final step, best dev figures, throughput
"""

from __future__ import annotations

import json
import math
import random
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sparqlqa.errors import ConfigError
from sparqlqa.training.config import TrainConfig, parse_args
from sparqlqa.training.examples import (
    Example,
    PromptBuilder,
    SchemaSource,
    load_split,
    schema_source,
)
from sparqlqa.training.target import TARGET_FORMAT_VERSION

if TYPE_CHECKING:
    from sparqlqa.ontology.link import LinkedEntity

IGNORE = -100  # label id the loss skips (prompt and padding positions)
STATE_FILE = "trainer_state.json"


@dataclass
class TrainResult:
    output_dir: Path
    model_dir: Path
    global_step: int
    best_exact_match: float | None
    train_examples: int
    examples_per_s: float
    stopped: str  # "max_steps", "time_limit" or "early_stopping"


@dataclass
class _State:
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


def build_examples(config: TrainConfig) -> tuple[list[Example], list[Example], dict[str, str]]:
    """Training and dev examples, and the prefixes the targets are written with."""
    source = schema_source([Path(p) for p in config.schema])
    builder = PromptBuilder(
        source,
        schema_items=config.schema_items,
        max_chars=config.prompt_max_chars,
        seed=config.seed,
        linker=_inference_linker(source) if config.linked_entities else None,
        linked_share=config.linked_entities,
    )
    data = Path(config.data)
    train_records = load_split(data, "train")
    if not train_records:
        raise ConfigError(f"no training pairs in {data} (split 'train')")
    if config.max_train_examples:
        train_records = train_records[: config.max_train_examples]
    train = builder.examples(train_records)
    # dev exact match is measured with the gold entities, as the figures are
    dev = builder.examples(load_split(data, "dev"), linked=False)
    return train, dev, source.prefixes


def _inference_linker(source: SchemaSource) -> Callable[[str], list[LinkedEntity]] | None:
    """The entity linker the service builds for this graph (``service.components``), as a
    function from a question to its best non-overlapping entities; ``None`` without a store
    (ontology files have no labels to link)."""
    if source.store is None:
        return None
    from sparqlqa.ontology.link import EntityLinker

    return EntityLinker.from_store(source.store, schema=source.schema).entities


class _Features:
    """Tokenised examples, re-ordered each epoch by a seeded permutation."""

    def __init__(self, rows: list[dict[str, list[int]]], seed: int) -> None:
        self.rows = rows
        self.seed = seed
        self.order = list(range(len(rows)))

    def reorder(self, epoch: int) -> None:
        # Not named set_epoch: accelerate calls set_epoch with its own count of iterations,
        # which restarts at 0 on resume.
        self.order = list(range(len(self.rows)))
        random.Random(self.seed * 100_003 + epoch).shuffle(self.order)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict[str, list[int]]:
        return self.rows[self.order[index]]


def featurise(
    bundle: Any, examples: Sequence[Example], config: TrainConfig
) -> list[dict[str, Any]]:
    """Token ids for each example: ``input_ids`` and ``labels`` (prompt positions ignored)."""
    tok, ttok = bundle.tokenizer, bundle.target_tokenizer
    eos = ttok.eos_token_id
    rows = []
    prompts = tok([e.prompt for e in examples], add_special_tokens=True)["input_ids"]
    if bundle.kind == "seq2seq":
        targets = ttok([e.target for e in examples], add_special_tokens=False)["input_ids"]
        for p, t in zip(prompts, targets, strict=True):
            p = p[: config.max_prompt_tokens]
            labels = [*t[: config.max_target_tokens - 1], eos]
            rows.append({"input_ids": p, "labels": labels})
    else:
        targets = tok([" " + e.target for e in examples], add_special_tokens=False)["input_ids"]
        for p, t in zip(prompts, targets, strict=True):
            p = p[-config.max_prompt_tokens :]  # keep the answer cue at the end
            t = [*t[: config.max_target_tokens - 1], eos]
            rows.append({"input_ids": p + t, "labels": [IGNORE] * len(p) + t})
    return rows


def make_collate(pad_id: int) -> Callable[[list[dict[str, list[int]]]], dict[str, Any]]:
    """Pads a batch on the right; ``decoder``-side labels pad with the ignored id."""

    def collate(rows: list[dict[str, list[int]]]) -> dict[str, Any]:
        import torch

        width = max(len(r["input_ids"]) for r in rows)
        label_width = max(len(r["labels"]) for r in rows)
        ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        labels = torch.full((len(rows), label_width), IGNORE, dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, : len(r["input_ids"])] = torch.tensor(r["input_ids"])
            mask[i, : len(r["input_ids"])] = 1
            labels[i, : len(r["labels"])] = torch.tensor(r["labels"])
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}

    return collate


def loss_of(model: Any, batch: dict[str, Any], kind: str, start_id: int, pad_id: int) -> Any:
    """Mean token loss of a batch. For seq2seq the decoder input is the labels shifted right
    behind ``start_id`` (computed here: EncoderDecoderModel warns when given labels)."""
    import torch.nn.functional as F

    if kind == "causal":
        return model(**batch).loss
    labels = batch["labels"]
    decoder_input_ids = labels.new_full(labels.shape, pad_id)
    decoder_input_ids[:, 1:] = labels[:, :-1]
    decoder_input_ids[:, 0] = start_id
    decoder_input_ids[decoder_input_ids == IGNORE] = pad_id
    logits = model(
        input_ids=batch["input_ids"],
        attention_mask=batch["attention_mask"],
        decoder_input_ids=decoder_input_ids,
        decoder_attention_mask=(labels != IGNORE).long(),
    ).logits
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1), ignore_index=IGNORE
    )


def _special_ids(model: Any) -> tuple[int, int]:
    """The decoder start and pad ids of a (not yet wrapped) model."""
    config = model.config
    start = getattr(config, "decoder_start_token_id", None)
    pad = config.pad_token_id
    return (pad if start is None else start), pad


def _mixed_precision(setting: str) -> str:
    import torch

    if setting != "auto":
        return setting
    return "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"


def _param_groups(model: Any, config: TrainConfig) -> list[dict[str, Any]]:
    """AdamW groups: no decay on biases and norms; the encoder at its own rate if asked."""
    encoder = model.get_encoder() if hasattr(model, "get_encoder") else None
    encoder_ids = {id(p) for p in encoder.parameters()} if encoder is not None else set()
    groups: dict[tuple[bool, bool], list[Any]] = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        no_decay = param.ndim < 2 or "norm" in name.lower()
        in_encoder = id(param) in encoder_ids and config.encoder_learning_rate > 0
        groups.setdefault((no_decay, in_encoder), []).append(param)
    return [
        {
            "params": params,
            "weight_decay": 0.0 if no_decay else config.weight_decay,
            "lr": config.encoder_learning_rate if in_encoder else config.learning_rate,
        }
        for (no_decay, in_encoder), params in groups.items()
    ]


def _meta(config: TrainConfig, prefixes: dict[str, str], state: _State) -> dict[str, Any]:
    from sparqlqa.ontology import prompt as ontology_prompt

    return {
        "base_model": config.model,
        "prefixes": prefixes,
        "target_format": TARGET_FORMAT_VERSION,
        "prompt_format": getattr(ontology_prompt, "PROMPT_FORMAT_VERSION", 1),
        "max_prompt_tokens": config.max_prompt_tokens,
        "max_target_tokens": config.max_target_tokens,
        "num_beams": config.num_beams,
        "schema_items": config.schema_items,
        "prompt_max_chars": config.prompt_max_chars,
        "trained_steps": state.global_step,
        "dev_exact_match": state.best_exact_match if state.best_exact_match >= 0 else None,
    }


def evaluate(
    bundle: Any, dev: Sequence[Example], collate: Any, config: TrainConfig
) -> dict[str, float]:
    """Dev loss (teacher forcing) and exact match of greedy decoding on ``dev``."""
    import torch

    from sparqlqa.training.translate import generate

    model = bundle.model
    device = next(model.parameters()).device
    rows = featurise(bundle, dev, config)
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(rows), config.batch_size):
            batch = collate(rows[start : start + config.batch_size])
            batch = {k: v.to(device) for k, v in batch.items()}
            loss = loss_of(model, batch, bundle.kind, *_special_ids(model))
            n = int((batch["labels"] != IGNORE).sum())
            total += float(loss) * n
            count += n
    predictions = generate(
        bundle,
        [e.prompt for e in dev],
        k=1,
        num_beams=1,
        max_prompt_tokens=config.max_prompt_tokens,
        max_new_tokens=config.max_target_tokens,
        batch_size=max(config.batch_size, 32),
    )
    exact = sum(p[0][0] == e.target for p, e in zip(predictions, dev, strict=True))
    model.train()
    return {"dev_loss": total / max(count, 1), "dev_exact_match": exact / max(len(dev), 1)}


def train(config: TrainConfig, *, on_step: Callable[[int], None] | None = None) -> TrainResult:
    """Run (or resume) the training ``config`` describes; see the module docstring.

    ``on_step`` is called with the global step after each optimizer step (tests use it to
    interrupt a run).
    """
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from tqdm.auto import tqdm
    from transformers import get_scheduler

    from sparqlqa.training import model as model_lib

    config.check_paths()
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    out = Path(config.output_dir)
    accelerator = Accelerator(
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        mixed_precision=_mixed_precision(config.mixed_precision),
    )
    main = accelerator.is_main_process
    if main:
        prepare_output(out, config)
    accelerator.wait_for_everyone()
    checkpoint = latest_checkpoint(out) if config.resume else None
    if config.resume and checkpoint is None and (out / "model").is_dir():
        raise ConfigError(f"{out} holds a finished run (model/) and no checkpoint to resume")
    set_seed(config.seed)

    train_examples, dev_examples, prefixes = build_examples(config)
    if config.eval_examples and len(dev_examples) > config.eval_examples:
        # A seeded sample, not the head: generated files are grouped by template.
        picked = random.Random(config.seed).sample(range(len(dev_examples)), config.eval_examples)
        dev_examples = [dev_examples[i] for i in sorted(picked)]
    init_dir = out / "init"
    resumed_init = (init_dir / model_lib.META_FILE).is_file()
    accelerator.wait_for_everyone()
    if main and not resumed_init:
        # Built once, by the main process; the others load the very same model and tokenizers.
        built = model_lib.build(
            model_lib.ModelSpec(
                config.model,
                decoder_layers=config.decoder_layers,
                decoder_heads=config.decoder_heads,
                encoder_layers=config.encoder_layers,
                target_vocab_size=config.target_vocab_size,
                add_target_tokens=config.add_target_tokens,
                max_positions=max(512, config.max_prompt_tokens + config.max_target_tokens),
            ),
            [e.prompt for e in train_examples],
            [e.target for e in train_examples],
        )
        model_lib.save(built, init_dir, _meta(config, prefixes, _State()))
        resolved = {**config.to_json(), "resume": False, "overwrite_output_dir": False}
        (out / "train_config.json").write_text(json.dumps(resolved, indent=2) + "\n")
    accelerator.wait_for_everyone()
    if main and not resumed_init:
        bundle = built
    else:
        bundle, _ = model_lib.load(init_dir)  # resume: the very model the run started from
    model: Any = bundle.model
    model.train()
    if config.freeze_encoder and bundle.kind == "seq2seq":
        for param in model.get_encoder().parameters():
            param.requires_grad = False
    if config.lora_r:
        model = _with_lora(model, bundle.kind, config)
        bundle.model = model

    start_id, pad_id = _special_ids(bundle.model)
    features = _Features(featurise(bundle, train_examples, config), config.seed)
    collate = make_collate(bundle.tokenizer.pad_token_id)
    loader: Any = torch.utils.data.DataLoader(
        features,  # type: ignore[arg-type]
        batch_size=config.batch_size,
        shuffle=False,  # _Features shuffles per epoch, reproducibly across resumes
        collate_fn=collate,
        num_workers=config.num_workers,
    )
    optimizer = torch.optim.AdamW(_param_groups(model, config), lr=config.learning_rate)
    steps_per_epoch = math.ceil(
        math.ceil(len(features) / (config.batch_size * accelerator.num_processes))
        / config.gradient_accumulation_steps
    )
    total_steps = config.max_steps or max(1, math.ceil(config.epochs * steps_per_epoch))
    state = _State()
    session_start = time.perf_counter()

    def elapsed() -> float:
        return state.elapsed_s + time.perf_counter() - session_start

    clock_limit_s = 60 * config.max_train_minutes if accelerator.num_processes == 1 else 0.0
    if clock_limit_s and config.schedule_by_clock and config.lr_scheduler in ("linear", "cosine"):
        # A time budget usually ends the run long before max_steps: a schedule on steps alone
        # would stop at a high rate. This one is as far along as the steps or the clock.
        scheduler: Any = torch.optim.lr_scheduler.LambdaLR(
            optimizer,
            _clock_schedule(
                config.lr_scheduler,
                int(config.warmup_ratio * total_steps),
                total_steps,
                lambda: elapsed() / clock_limit_s,
            ),
        )
    else:
        scheduler = get_scheduler(
            config.lr_scheduler,
            optimizer,
            num_warmup_steps=int(config.warmup_ratio * total_steps) * accelerator.num_processes,
            num_training_steps=total_steps * accelerator.num_processes,
        )
    model, optimizer, loader, scheduler = accelerator.prepare(model, optimizer, loader, scheduler)

    if checkpoint is not None:
        accelerator.load_state(str(checkpoint))
        state = _State(**json.loads((checkpoint / STATE_FILE).read_text()))
        accelerator.print(f"resumed from {checkpoint} at step {state.global_step}")

    metrics_path = out / "metrics.jsonl"
    session_start = time.perf_counter()  # the clock restarts after loading a checkpoint
    stopped = "max_steps"
    last_eval_step = -1
    running_loss, running_n = 0.0, 0
    progress = tqdm(
        total=total_steps,
        initial=state.global_step,
        disable=not main,
        desc="training",
        file=sys.stderr,
    )

    def do_eval() -> bool:
        """Evaluate, log, keep the best model; True when early stopping says stop."""
        nonlocal running_loss, running_n, last_eval_step
        last_eval_step = state.global_step
        accelerator.wait_for_everyone()
        if main and dev_examples:
            unwrapped = accelerator.unwrap_model(model)
            view = model_lib.ModelBundle(
                unwrapped, bundle.tokenizer, bundle.target_tokenizer, bundle.kind
            )
            figures = evaluate(view, dev_examples, collate, config)
            better = figures["dev_exact_match"] > state.best_exact_match or (
                figures["dev_exact_match"] == state.best_exact_match
                and figures["dev_loss"] < state.best_dev_loss
            )
            if better:
                state.best_exact_match = figures["dev_exact_match"]
                state.best_dev_loss = figures["dev_loss"]
                state.evals_without_gain = 0
                _save_model(view, out / "best", _meta(config, prefixes, state), config)
            else:
                state.evals_without_gain += 1
            line = {
                "step": state.global_step,
                "epoch": round(state.batches_seen / max(len(loader), 1), 3),
                "train_loss": running_loss / max(running_n, 1),
                **figures,
                "learning_rate": max(scheduler.get_last_lr()),
                "examples_per_s": state.examples_seen / max(state.train_s, 1e-9),
                "elapsed_s": round(elapsed(), 1),
            }
            with metrics_path.open("a") as fh:
                fh.write(json.dumps(line) + "\n")
            progress.write(
                f"step {state.global_step}: dev exact match {figures['dev_exact_match']:.3f}, "
                f"dev loss {figures['dev_loss']:.4f}"
            )
            patience = config.early_stopping_patience
            if patience and state.evals_without_gain >= patience:
                accelerator.set_trigger()
        running_loss, running_n = 0.0, 0
        stop = accelerator.check_trigger()
        accelerator.wait_for_everyone()
        return stop

    def save_state() -> None:
        folder = out / "checkpoints" / f"step-{state.global_step}"
        accelerator.save_state(str(folder))
        if main:
            snapshot = {**state.__dict__, "elapsed_s": elapsed()}
            (folder / STATE_FILE).write_text(json.dumps(snapshot) + "\n")
            kept = sorted(
                (out / "checkpoints").glob("step-*"), key=lambda p: int(p.name.split("-")[1])
            )
            for old in kept[: -config.save_total_limit or None]:
                shutil.rmtree(old)
        accelerator.wait_for_everyone()

    done = state.global_step >= total_steps
    while not done:
        epoch, skip = divmod(state.batches_seen, len(loader))
        features.reorder(epoch)
        batches = accelerator.skip_first_batches(loader, skip) if skip else loader
        step_start = time.perf_counter()
        for batch in batches:
            with accelerator.accumulate(model):
                loss = loss_of(model, batch, bundle.kind, start_id, pad_id)
                accelerator.backward(loss)
                if accelerator.sync_gradients and config.max_grad_norm:
                    accelerator.clip_grad_norm_(model.parameters(), config.max_grad_norm)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            state.batches_seen += 1
            state.examples_seen += len(batch["input_ids"]) * accelerator.num_processes
            running_loss += loss.detach().item()
            running_n += 1
            if not accelerator.sync_gradients:
                continue
            state.global_step += 1
            state.train_s += time.perf_counter() - step_start
            progress.update(1)
            progress.set_postfix(loss=f"{running_loss / max(running_n, 1):.4f}", refresh=False)
            if on_step is not None:
                on_step(state.global_step)
            if state.global_step >= total_steps:
                done = True
            elif config.max_train_minutes and elapsed() >= 60 * config.max_train_minutes:
                done, stopped = True, "time_limit"
            eval_due = config.eval_steps and state.global_step % config.eval_steps == 0
            if eval_due and not done and do_eval():
                done, stopped = True, "early_stopping"
            if config.save_steps and state.global_step % config.save_steps == 0 and not done:
                save_state()
            if done:
                break
            step_start = time.perf_counter()
    progress.close()
    if dev_examples and last_eval_step != state.global_step:
        do_eval()

    model_dir = out / "model"
    if main:
        unwrapped = accelerator.unwrap_model(model)
        view = model_lib.ModelBundle(
            unwrapped, bundle.tokenizer, bundle.target_tokenizer, bundle.kind
        )
        if model_dir.exists():
            shutil.rmtree(model_dir)
        if (out / "best").is_dir():
            _finish_best(view, out / "best", model_dir, config)
        else:
            if config.lora_r:
                view.model = view.model.merge_and_unload()  # type: ignore[operator]
            model_lib.save(view, model_dir, _meta(config, prefixes, state))
    result = TrainResult(
        output_dir=out,
        model_dir=model_dir,
        global_step=state.global_step,
        best_exact_match=state.best_exact_match if state.best_exact_match >= 0 else None,
        train_examples=len(train_examples),
        examples_per_s=state.examples_seen / max(state.train_s, 1e-9),
        stopped=stopped,
    )
    if main:
        summary = {
            **result.__dict__,
            "output_dir": str(out),
            "model_dir": str(model_dir),
            "elapsed_s": round(elapsed(), 1),
        }
        (out / "train_result.json").write_text(json.dumps(summary, indent=2) + "\n")
    accelerator.wait_for_everyone()
    return result


def _clock_schedule(
    kind: str, warmup_steps: int, total_steps: int, clock: Callable[[], float]
) -> Callable[[int], float]:
    """A learning-rate factor for ``LambdaLR``: warm-up on steps, then linear or cosine decay
    by the progress of steps or of ``clock()`` (the share of the time budget used), whichever
    is further."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / (warmup_steps + 1)
        by_steps = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        done = min(1.0, max(by_steps, clock()))
        return 1.0 - done if kind == "linear" else 0.5 * (1.0 + math.cos(math.pi * done))

    return factor


def _with_lora(model: Any, kind: str, config: TrainConfig) -> Any:
    from peft import LoraConfig, TaskType, get_peft_model

    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules="all-linear",
        task_type=TaskType.SEQ_2_SEQ_LM if kind == "seq2seq" else TaskType.CAUSAL_LM,
    )
    with warnings.catch_warnings():
        # peft 0.x still asks transformers 5 the deprecated is_gradient_checkpointing.
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
        return get_peft_model(model, lora)


def _save_model(bundle: Any, folder: Path, meta: dict[str, Any], config: TrainConfig) -> None:
    """A complete model folder; a LoRA model keeps only its adapter (merged at the end)."""
    from sparqlqa.training import model as model_lib

    if folder.exists():
        shutil.rmtree(folder)
    if config.lora_r:
        folder.mkdir(parents=True)
        bundle.model.save_pretrained(str(folder / "adapter"))
        (folder / "meta.json").write_text(json.dumps({**meta, "kind": bundle.kind}) + "\n")
        return
    model_lib.save(bundle, folder, meta)


def _finish_best(bundle: Any, best: Path, final: Path, config: TrainConfig) -> None:
    """Make the best model the final one (merging a LoRA adapter into its base)."""
    from sparqlqa.training import model as model_lib

    if not config.lora_r:
        shutil.copytree(best, final)
        return
    from peft import load_peft_weights, set_peft_model_state_dict

    set_peft_model_state_dict(bundle.model, load_peft_weights(str(best / "adapter")))
    merged = bundle.model.merge_and_unload()
    meta = json.loads((best / "meta.json").read_text())
    meta.pop("kind", None)
    model_lib.save(
        model_lib.ModelBundle(merged, bundle.tokenizer, bundle.target_tokenizer, bundle.kind),
        final,
        meta,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m training.train`` / ``accelerate launch -m training.train``: flags as in
    ``sparqlqa train run``."""
    config = parse_args(sys.argv[1:] if argv is None else argv)
    result = train(config)
    print(
        json.dumps(
            {
                "model_dir": str(result.model_dir),
                "global_step": result.global_step,
                "best_exact_match": result.best_exact_match,
            }
        )
    )


if __name__ == "__main__":
    main()
