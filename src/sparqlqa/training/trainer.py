"""The training loop as an object: ``Trainer(config).run()``.

Building a trainer prepares the output folder, the examples, the model (built once, or the
very model a resumed run started from), the data loader, the optimiser and the schedule,
all through accelerate; ``run`` loops over batches, evaluates on the dev split every
``eval_steps``, saves the state every ``save_steps``, keeps the best model by dev exact
match and ends at the step limit, the time limit or early stopping.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sparqlqa.errors import ConfigError
from sparqlqa.training import model as model_lib
from sparqlqa.training.checkpoints import (
    STATE_FILE,
    TrainState,
    finish_best,
    latest_checkpoint,
    model_meta,
    prepare_output,
    save_adapter,
    save_model,
)
from sparqlqa.training.config import TrainConfig
from sparqlqa.training.features import (
    Features,
    build_examples,
    evaluate,
    featurise,
    loss_of,
    make_collate,
    special_ids,
)
from sparqlqa.training.optim import (
    clock_schedule,
    freeze_encoder,
    mixed_precision,
    param_groups,
    with_lora,
)


@dataclass
class TrainResult:
    output_dir: Path
    model_dir: Path
    global_step: int
    best_exact_match: float | None
    train_examples: int
    examples_per_s: float
    stopped: str  # "max_steps", "time_limit" or "early_stopping"


class Trainer:
    """One training run (or its resumption) of ``config``.

    ``on_step`` is called with the global step after each optimizer step (tests use it to
    interrupt a run).
    """

    def __init__(self, config: TrainConfig, *, on_step: Callable[[int], None] | None = None):
        import torch
        from accelerate import Accelerator
        from accelerate.utils import set_seed

        config.check_paths()
        if config.num_threads:
            torch.set_num_threads(config.num_threads)
        else:  # recorded: the thread count decides how sums are split, hence the rounding
            config.num_threads = torch.get_num_threads()
        # The same seed gives the same model: kernels with run-to-run differences are
        # replaced where torch has deterministic ones (warnings, not errors, where not).
        self.was_deterministic = torch.are_deterministic_algorithms_enabled()
        torch.use_deterministic_algorithms(True, warn_only=True)
        self.config = config
        self.on_step = on_step
        self.out = out = Path(config.output_dir)
        self.accelerator = accelerator = Accelerator(
            gradient_accumulation_steps=config.gradient_accumulation_steps,
            mixed_precision=mixed_precision(config.mixed_precision),
        )
        self.main = accelerator.is_main_process
        if self.main:
            prepare_output(out, config)
        accelerator.wait_for_everyone()
        self.checkpoint = latest_checkpoint(out) if config.resume else None
        if config.resume and self.checkpoint is None and (out / "model").is_dir():
            raise ConfigError(f"{out} holds a finished run (model/) and no checkpoint to resume")
        set_seed(config.seed)

        self.train_examples, dev_examples, self.prefixes = build_examples(config)
        if config.eval_examples and len(dev_examples) > config.eval_examples:
            # A seeded sample, not the head: generated files are grouped by template.
            picked = random.Random(config.seed).sample(
                range(len(dev_examples)), config.eval_examples
            )
            dev_examples = [dev_examples[i] for i in sorted(picked)]
        self.dev_examples = dev_examples
        self.bundle = self._model()
        self.start_id, self.pad_id = special_ids(self.bundle.model)
        self.features = Features(
            featurise(self.bundle, self.train_examples, config),
            config.seed,
            batch_size=config.batch_size,
            length_buckets=config.length_buckets,
        )
        self.collate = make_collate(self.bundle.tokenizer.pad_token_id)
        self.state = TrainState()
        self.session_start = time.perf_counter()
        self._prepare_optimisation()

        if self.checkpoint is not None:
            accelerator.load_state(str(self.checkpoint))
            self.state = TrainState(**json.loads((self.checkpoint / STATE_FILE).read_text()))
            accelerator.print(f"resumed from {self.checkpoint} at step {self.state.global_step}")
        self.metrics_path = out / "metrics.jsonl"
        self.session_start = time.perf_counter()  # the clock restarts after loading a checkpoint
        self.last_eval_step = -1
        self.running_loss, self.running_n = 0.0, 0

    # ---------------------------------------------------------------------------- set-up

    def _model(self) -> model_lib.ModelBundle:
        """The model as built (by the main process, saved in ``init/``) or reloaded from
        ``init/`` on resume, ready to train (frozen encoder, LoRA as configured)."""
        config, out, accelerator = self.config, self.out, self.accelerator
        init_dir = out / "init"
        resumed_init = (init_dir / model_lib.META_FILE).is_file()
        accelerator.wait_for_everyone()
        if self.main and not resumed_init:
            # Built once, by the main process; the others load the very same model and
            # tokenizers.
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
                [e.prompt for e in self.train_examples],
                [e.target for e in self.train_examples],
            )
            model_lib.save(built, init_dir, model_meta(config, self.prefixes, TrainState()))
            resolved = {**config.to_json(), "resume": False, "overwrite_output_dir": False}
            (out / "train_config.json").write_text(json.dumps(resolved, indent=2) + "\n")
        accelerator.wait_for_everyone()
        if self.main and not resumed_init:
            bundle = built
        else:
            bundle, _ = model_lib.load(init_dir)  # resume: the very model the run started from
        model: Any = bundle.model
        model.train()
        if bundle.kind == "seq2seq":
            freeze_encoder(model, config)
        if config.lora_r:
            bundle.model = with_lora(model, bundle.kind, config)
        return bundle

    def _prepare_optimisation(self) -> None:
        """The loader, AdamW and the schedule, wrapped by accelerate."""
        import torch
        from transformers import get_scheduler

        config, accelerator = self.config, self.accelerator
        model: Any = self.bundle.model
        loader: Any = torch.utils.data.DataLoader(
            self.features,  # type: ignore[arg-type]
            batch_size=config.batch_size,
            shuffle=False,  # Features shuffles per epoch, reproducibly across resumes
            collate_fn=self.collate,
            num_workers=config.num_workers,
        )
        # fused: one kernel per step for all parameters instead of a loop over tensors (the
        # same update; on CPU the loop's overhead is a tenth of a small model's step).
        optimizer = torch.optim.AdamW(
            param_groups(model, config), lr=config.learning_rate, fused=True
        )
        steps_per_epoch = math.ceil(
            math.ceil(len(self.features) / (config.batch_size * accelerator.num_processes))
            / config.gradient_accumulation_steps
        )
        self.total_steps = total = config.max_steps or max(
            1, math.ceil(config.epochs * steps_per_epoch)
        )
        clock_limit_s = 60 * config.max_train_minutes if accelerator.num_processes == 1 else 0.0
        scheduler: Any
        by_clock = clock_limit_s and config.schedule_by_clock
        if by_clock and config.lr_scheduler in ("linear", "cosine"):
            # A time budget usually ends the run long before max_steps: a schedule on steps
            # alone would stop at a high rate. This one is as far along as the steps or the
            # clock.
            scheduler = torch.optim.lr_scheduler.LambdaLR(
                optimizer,
                clock_schedule(
                    config.lr_scheduler,
                    int(config.warmup_ratio * total),
                    total,
                    lambda: self.elapsed() / clock_limit_s,
                ),
            )
        else:
            scheduler = get_scheduler(
                config.lr_scheduler,
                optimizer,
                num_warmup_steps=int(config.warmup_ratio * total) * accelerator.num_processes,
                num_training_steps=total * accelerator.num_processes,
            )
        self.model, self.optimizer, self.loader, self.scheduler = accelerator.prepare(
            model, optimizer, loader, scheduler
        )

    def elapsed(self) -> float:
        """Wall time of the run so far, earlier sessions included (for the time limit)."""
        return self.state.elapsed_s + time.perf_counter() - self.session_start

    # ------------------------------------------------------------------------------ loop

    def run(self) -> TrainResult:
        """Train to the end (see the module docstring); the final model is in ``model/``."""
        from tqdm.auto import tqdm

        self.progress = tqdm(
            total=self.total_steps,
            initial=self.state.global_step,
            disable=not self.main,
            desc="training",
            file=sys.stderr,
        )
        import torch

        try:
            stopped = self._loop()
            self.progress.close()
            if self.dev_examples and self.last_eval_step != self.state.global_step:
                self._evaluate()
            return self._finish(stopped)
        finally:
            torch.use_deterministic_algorithms(self.was_deterministic)

    def _loop(self) -> str:
        """Optimizer steps until a limit is reached; why the loop stopped."""
        config, accelerator, state = self.config, self.accelerator, self.state
        stopped = "max_steps"
        done = state.global_step >= self.total_steps
        while not done:
            epoch, skip = divmod(state.batches_seen, len(self.loader))
            self.features.reorder(epoch)
            batches = accelerator.skip_first_batches(self.loader, skip) if skip else self.loader
            step_start = time.perf_counter()
            for batch in batches:
                if not self._batch(batch):
                    continue
                state.global_step += 1
                state.train_s += time.perf_counter() - step_start
                self.progress.update(1)
                self.progress.set_postfix(
                    loss=f"{self.running_loss / max(self.running_n, 1):.4f}", refresh=False
                )
                if self.on_step is not None:
                    self.on_step(state.global_step)
                if state.global_step >= self.total_steps:
                    done = True
                elif config.max_train_minutes and self.elapsed() >= 60 * config.max_train_minutes:
                    done, stopped = True, "time_limit"
                eval_due = config.eval_steps and state.global_step % config.eval_steps == 0
                if eval_due and not done and self._evaluate():
                    done, stopped = True, "early_stopping"
                if config.save_steps and state.global_step % config.save_steps == 0 and not done:
                    self._save_state()
                if done:
                    break
                step_start = time.perf_counter()
        return stopped

    def _batch(self, batch: dict[str, Any]) -> bool:
        """Forward and backward one batch; True when it completed an optimizer step."""
        accelerator, model, config = self.accelerator, self.model, self.config
        with accelerator.accumulate(model):
            loss = loss_of(model, batch, self.bundle.kind, self.start_id, self.pad_id)
            accelerator.backward(loss)
            if accelerator.sync_gradients and config.max_grad_norm:
                accelerator.clip_grad_norm_(model.parameters(), config.max_grad_norm)
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad()
        self.state.batches_seen += 1
        self.state.examples_seen += len(batch["input_ids"]) * accelerator.num_processes
        self.running_loss += loss.detach().item()
        self.running_n += 1
        return bool(accelerator.sync_gradients)

    def _view(self) -> model_lib.ModelBundle:
        """The model being trained, unwrapped, with its tokenizers."""
        bundle = self.bundle
        unwrapped = self.accelerator.unwrap_model(self.model)
        return model_lib.ModelBundle(
            unwrapped, bundle.tokenizer, bundle.target_tokenizer, bundle.kind
        )

    def _evaluate(self) -> bool:
        """Evaluate, log, keep the best model; True when early stopping says stop."""
        config, accelerator, state = self.config, self.accelerator, self.state
        self.last_eval_step = state.global_step
        accelerator.wait_for_everyone()
        if self.main and self.dev_examples:
            view = self._view()
            figures = evaluate(view, self.dev_examples, self.collate, config)
            better = figures["dev_exact_match"] > state.best_exact_match or (
                figures["dev_exact_match"] == state.best_exact_match
                and figures["dev_loss"] < state.best_dev_loss
            )
            if better:
                state.best_exact_match = figures["dev_exact_match"]
                state.best_dev_loss = figures["dev_loss"]
                state.evals_without_gain = 0
                meta = model_meta(config, self.prefixes, state)
                save_model(view, self.out / "best", meta, config)
            else:
                state.evals_without_gain += 1
            line = {
                "step": state.global_step,
                "epoch": round(state.batches_seen / max(len(self.loader), 1), 3),
                "train_loss": self.running_loss / max(self.running_n, 1),
                **figures,
                "learning_rate": max(self.scheduler.get_last_lr()),
                "examples_per_s": state.examples_seen / max(state.train_s, 1e-9),
                "elapsed_s": round(self.elapsed(), 1),
            }
            with self.metrics_path.open("a") as fh:
                fh.write(json.dumps(line) + "\n")
            self.progress.write(
                f"step {state.global_step}: dev exact match {figures['dev_exact_match']:.3f}, "
                f"dev loss {figures['dev_loss']:.4f}"
            )
            patience = config.early_stopping_patience
            if patience and state.evals_without_gain >= patience:
                accelerator.set_trigger()
        self.running_loss, self.running_n = 0.0, 0
        stop = bool(accelerator.check_trigger())
        accelerator.wait_for_everyone()
        return stop

    def _save_state(self) -> None:
        """A checkpoint of the accelerate state and ours; the oldest beyond the limit go."""
        out, accelerator = self.out, self.accelerator
        folder = out / "checkpoints" / f"step-{self.state.global_step}"
        accelerator.save_state(str(folder))
        if self.main:
            snapshot = {**self.state.__dict__, "elapsed_s": self.elapsed()}
            (folder / STATE_FILE).write_text(json.dumps(snapshot) + "\n")
            kept = sorted(
                (out / "checkpoints").glob("step-*"), key=lambda p: int(p.name.split("-")[1])
            )
            for old in kept[: -self.config.save_total_limit or None]:
                shutil.rmtree(old)
        accelerator.wait_for_everyone()

    def _finish(self, stopped: str) -> TrainResult:
        """``model/`` (the best model, else the last) and ``train_result.json``."""
        out, config, state = self.out, self.config, self.state
        model_dir = out / "model"
        if self.main:
            view = self._view()
            if model_dir.exists():
                shutil.rmtree(model_dir)
            if (out / "best").is_dir():
                finish_best(view, out / "best", model_dir, config)
            elif config.lora_r and not config.merge_adapter:
                meta = model_meta(config, self.prefixes, state)
                save_adapter(view.model, model_dir, meta, config)
            else:
                if config.lora_r:
                    view.model = view.model.merge_and_unload()  # type: ignore[operator]
                model_lib.save(view, model_dir, model_meta(config, self.prefixes, state))
        result = TrainResult(
            output_dir=out,
            model_dir=model_dir,
            global_step=state.global_step,
            best_exact_match=state.best_exact_match if state.best_exact_match >= 0 else None,
            train_examples=len(self.train_examples),
            examples_per_s=state.examples_seen / max(state.train_s, 1e-9),
            stopped=stopped,
        )
        if self.main:
            summary = {
                **result.__dict__,
                "output_dir": str(out),
                "model_dir": str(model_dir),
                "elapsed_s": round(self.elapsed(), 1),
            }
            (out / "train_result.json").write_text(json.dumps(summary, indent=2) + "\n")
        self.accelerator.wait_for_everyone()
        return result
