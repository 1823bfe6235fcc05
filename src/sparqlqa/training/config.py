"""The training configuration: one typed dataclass, read from a YAML/JSON file and flags.

Every field carries its help text (``metadata["help"]``), shown by ``sparqlqa train run
--help``. A config file sets any field; flags on the command line override the file; the
resolved config is written beside the outputs (``train_config.json``) so that a run can be
repeated and resumed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparqlqa.errors import ConfigError


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass
class TrainConfig:
    """Everything a training run depends on."""

    # data
    data: str = field(
        default="",
        metadata=_help(
            "Generated pairs: a folder with train/dev/test.jsonl, or one JSONL "
            "file whose records carry 'split'."
        ),
    )
    schema: list[str] = field(
        default_factory=list,
        metadata=_help(
            "Where prompts take schema terms from: an embedded store folder (also gives the "
            "entities' classes), optionally with a schema.json to use instead of the store's "
            "own schema, or ontology files."
        ),
    )
    graphs: list[str] = field(
        default_factory=list,
        metadata=_help(
            "Graph folders (as `sparqlqa adapt` writes them) whose generated pairs are trained "
            "on as well, each with its own schema: pairs/ with store/ and schema.json (e.g. a "
            "shared base for per-graph adapters, docs/experts.md). data and schema may then "
            "be left out."
        ),
    )
    output_dir: str = field(
        default="",
        metadata=_help("Folder for the resolved config, metrics, checkpoints and model."),
    )
    overwrite_output_dir: bool = field(
        default=False, metadata=_help("Empty a non-empty output folder first.")
    )
    resume: bool = field(
        default=False, metadata=_help("Continue from the latest checkpoint in output_dir.")
    )
    max_train_examples: int = field(
        default=0, metadata=_help("Use only the first N training pairs of each source (0: all).")
    )
    schema_items: int = field(
        default=10, metadata=_help("Schema items per prompt: gold terms plus distractors.")
    )
    linked_entities: float = field(
        default=0.5,
        metadata=_help(
            "Share of training prompts whose entities are what the entity linker finds in the "
            "question: the gold entities plus the words it wrongly links, as at inference "
            "(needs a store as schema source; 0: gold entities only)."
        ),
    )
    prompt_max_chars: int = field(
        default=1600, metadata=_help("Prompt budget in characters (schema items cut first).")
    )
    # model
    model: str = field(
        default="minilm-seq2seq",
        metadata=_help(
            "A preset (minilm-seq2seq, tiny-seq2seq, tiny-codegen), "
            "a Hugging Face hub id or a local checkpoint folder."
        ),
    )
    decoder_layers: int = field(
        default=3, metadata=_help("minilm-seq2seq: decoder layers trained from scratch.")
    )
    encoder_layers: int = field(
        default=0,
        metadata=_help(
            "minilm-seq2seq: keep only the first N of MiniLM's 6 layers (0: all); fewer layers "
            "train and translate faster on CPU."
        ),
    )
    decoder_heads: int = field(
        default=6, metadata=_help("minilm-seq2seq: decoder attention heads (must divide 384).")
    )
    target_vocab_size: int = field(
        default=2000, metadata=_help("Presets: BPE vocabulary trained on the targets.")
    )
    add_target_tokens: bool = field(
        default=False,
        metadata=_help(
            "Add whole prefixed names, keywords and slots as tokens of the target tokenizer."
        ),
    )
    max_prompt_tokens: int = field(
        default=256, metadata=_help("Prompts are cut to this many tokens.")
    )
    max_target_tokens: int = field(
        default=128, metadata=_help("Targets are cut to this many tokens; generation stops here.")
    )
    lora_r: int = field(
        default=0, metadata=_help("LoRA rank (0: full fine-tuning). For large pretrained bases.")
    )
    lora_alpha: int = field(default=16, metadata=_help("LoRA scaling numerator."))
    lora_dropout: float = field(default=0.05, metadata=_help("Dropout on the LoRA branch."))
    merge_adapter: bool = field(
        default=True,
        metadata=_help(
            "With lora_r: merge the adapter into its base at the end. Off: model/ holds the "
            "adapter alone and names its base (model must then be a local model folder), so "
            "that a service loads the base once for several graphs' adapters."
        ),
    )
    freeze_encoder: bool = field(
        default=False, metadata=_help("seq2seq: keep the encoder's weights fixed (faster on CPU).")
    )
    freeze_encoder_layers: int = field(
        default=0,
        metadata=_help(
            "seq2seq: keep the encoder's embeddings and its lowest N layers fixed, train the "
            "rest (0: none; freeze_encoder fixes all of it)."
        ),
    )
    # optimisation
    seed: int = field(
        default=42, metadata=_help("Seed for data order, distractors, initialisation and dropout.")
    )
    epochs: float = field(
        default=10.0, metadata=_help("Passes over the training set (ignored when max_steps > 0).")
    )
    max_steps: int = field(
        default=0, metadata=_help("Optimizer steps to run (0: as many as epochs give).")
    )
    max_train_minutes: float = field(
        default=0.0,
        metadata=_help(
            "Stop after this much wall time (0: no limit); the "
            "model is saved as at the end of a run. On one process the linear and cosine "
            "schedules then decay with the clock (whichever of steps and time is further "
            "along), so the rate reaches its end when time is up."
        ),
    )
    schedule_by_clock: bool = field(
        default=True,
        metadata=_help(
            "With a time limit, let the linear and cosine schedules follow the clock too. Off: "
            "the schedule follows the steps alone and the time limit is only a cap, so the "
            "same seed and steps give the same model on an idle and on a busy machine."
        ),
    )
    batch_size: int = field(default=16, metadata=_help("Examples per device per forward pass."))
    length_buckets: int = field(
        default=50,
        metadata=_help(
            "Batches are cut from runs of this many batches of the shuffled data sorted by "
            "length, so a batch pads less (0: plain shuffled batches)."
        ),
    )
    gradient_accumulation_steps: int = field(
        default=1, metadata=_help("Forward passes per optimizer step.")
    )
    learning_rate: float = field(
        default=5e-4, metadata=_help("Peak learning rate (of the parts trained from scratch).")
    )
    encoder_learning_rate: float = field(
        default=0.0,
        metadata=_help("Peak learning rate of a pretrained encoder (0: same as learning_rate)."),
    )
    weight_decay: float = field(default=0.01, metadata=_help("AdamW weight decay."))
    warmup_ratio: float = field(
        default=0.05, metadata=_help("Share of the steps with a linear warm-up.")
    )
    lr_scheduler: str = field(
        default="linear", metadata=_help("linear, cosine or constant_with_warmup.")
    )
    max_grad_norm: float = field(default=1.0, metadata=_help("Gradient clipping (0: none)."))
    mixed_precision: str = field(
        default="auto", metadata=_help("auto (bf16 on a GPU that has it), no, bf16 or fp16.")
    )
    num_workers: int = field(default=0, metadata=_help("DataLoader worker processes."))
    num_threads: int = field(
        default=0,
        metadata=_help(
            "CPU threads for torch (0: its default, one per core; 1 is often faster on a "
            "busy shared machine). The count used is written to train_config.json: sums "
            "split over another number of threads round differently, so the same seed gives "
            "the same model only with the same count."
        ),
    )
    # evaluation, checkpoints
    eval_steps: int = field(
        default=200,
        metadata=_help("Evaluate on the dev split every N optimizer steps (0: at the end only)."),
    )
    eval_examples: int = field(
        default=200,
        metadata=_help("Dev pairs decoded (greedy) for exact match at each evaluation (0: all)."),
    )
    save_steps: int = field(
        default=200, metadata=_help("Save the training state every N steps, for resume (0: never).")
    )
    save_total_limit: int = field(
        default=2, metadata=_help("Training states kept (older ones are deleted).")
    )
    early_stopping_patience: int = field(
        default=0,
        metadata=_help("Stop after N evaluations without a better dev exact match (0: never)."),
    )
    num_beams: int = field(default=4, metadata=_help("Beam width the saved model uses by default."))

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.gradient_accumulation_steps < 1:
            raise ConfigError("batch_size and gradient_accumulation_steps must be at least 1")
        if self.length_buckets < 0 or self.num_threads < 0 or self.freeze_encoder_layers < 0:
            raise ConfigError(
                "length_buckets, num_threads and freeze_encoder_layers must be 0 or more"
            )
        if self.epochs <= 0 and self.max_steps <= 0:
            raise ConfigError("give epochs > 0 or max_steps > 0")
        if self.lr_scheduler not in ("linear", "cosine", "constant_with_warmup"):
            raise ConfigError(
                f"lr_scheduler {self.lr_scheduler!r}: use linear, cosine or constant_with_warmup"
            )
        if self.mixed_precision not in ("auto", "no", "bf16", "fp16"):
            raise ConfigError(
                f"mixed_precision {self.mixed_precision!r}: use auto, no, bf16 or fp16"
            )
        if not 0 <= self.warmup_ratio < 1:
            raise ConfigError("warmup_ratio must be in [0, 1)")
        if not 0 <= self.linked_entities <= 1:
            raise ConfigError("linked_entities must be in [0, 1]")
        if isinstance(self.schema, str):
            self.schema = [self.schema]
        if isinstance(self.graphs, str):
            self.graphs = [self.graphs]
        if not self.merge_adapter and not self.lora_r:
            raise ConfigError("merge_adapter off keeps a LoRA adapter: give lora_r > 0")

    def check_paths(self) -> None:
        """Refuse to start without data and schema (or graph folders) and output folder, or
        when they are not there."""
        # Graph folders bring their own pairs and schema; data and schema go together.
        pairs_needed = bool(self.data or self.schema or not self.graphs)
        wanted = ("data", "output_dir", "schema") if pairs_needed else ("output_dir",)
        missing = [n for n in wanted if not getattr(self, n)]
        if missing:
            raise ConfigError(f"missing: {', '.join(missing)} (set them in --config or as flags)")
        paths = [self.data, *self.schema] if self.data else []
        for path in paths:
            if not Path(path).exists():
                raise ConfigError(f"{path} does not exist (data or schema source)")
        for folder in self.graphs:
            if not (Path(folder) / "pairs").is_dir():
                raise ConfigError(f"{folder} is not a graph folder with generated pairs (pairs/)")
        if not self.merge_adapter and not local_model_folder(self.model):
            raise ConfigError(
                f"merge_adapter off: the adapter's base must be a local model folder, not "
                f"{self.model!r} (train the base first, e.g. with --graphs)"
            )

    def sources(self) -> list[tuple[Path, list[Path]]]:
        """Each set of training pairs with the schema sources of its prompts: ``data`` with
        ``schema``, then each graph folder's ``pairs/`` with its ``store/`` (if any) and
        ``schema.json`` (if any)."""
        out = [(Path(self.data), [Path(p) for p in self.schema])] if self.data else []
        for name in self.graphs:
            folder = Path(name)
            schema = [p for p in (folder / "store", folder / "schema.json") if p.exists()]
            out.append((folder / "pairs", schema))
        return out

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def local_model_folder(name: str) -> bool:
    """Whether ``name`` is a sparqlqa model folder here (``sparqlqa.json`` in it)."""
    return bool(name) and (Path(name) / "sparqlqa.json").is_file()


def _fields() -> list[dataclasses.Field[Any]]:
    return list(dataclasses.fields(TrainConfig))


def _base_type(f: dataclasses.Field[Any]) -> Any:
    hints = typing.get_type_hints(TrainConfig)
    return hints[f.name]


def read_config_file(path: Path) -> dict[str, Any]:
    """A config file's settings (YAML or JSON), checked against the known fields."""
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text) or {}
    except (json.JSONDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    known = {f.name for f in _fields()}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown settings {', '.join(unknown)}; see --help")
    return data


def build_parser() -> argparse.ArgumentParser:
    """An argparse parser with one flag per field (``learning_rate`` → ``--learning-rate``)."""
    parser = argparse.ArgumentParser(
        prog="sparqlqa train run",
        description="Train a translator (prompt → SPARQL target). Settings come from --config "
        "(YAML or JSON) and are overridden by flags.",
        argument_default=argparse.SUPPRESS,
    )
    parser.add_argument("--config", type=Path, help="YAML or JSON file with settings.")
    for f in _fields():
        kind = _base_type(f)
        flags = [f"--{f.name.replace('_', '-')}"]
        default = f.default_factory() if callable(f.default_factory) else f.default
        help_text = f"{f.metadata.get('help', '')} (default: {default!r})"
        if kind is bool:
            parser.add_argument(*flags, action=argparse.BooleanOptionalAction, help=help_text)
        elif kind == list[str]:
            parser.add_argument(*flags, nargs="+", help=help_text)
        else:
            parser.add_argument(*flags, type=kind, help=help_text)
    return parser


def parse_args(argv: Sequence[str]) -> TrainConfig:
    """The config from ``--config`` (if any) overridden by the other flags in ``argv``."""
    parser = build_parser()
    namespace = vars(parser.parse_args(list(argv)))
    settings: dict[str, Any] = {}
    config_path = namespace.pop("config", None)
    if config_path is not None:
        settings.update(read_config_file(Path(config_path)))
    settings.update(namespace)
    return from_dict(settings)


def from_dict(settings: dict[str, Any]) -> TrainConfig:
    """A config from a mapping of settings (unknown keys are an error)."""
    known = {f.name for f in _fields()}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise ConfigError(f"unknown settings {', '.join(unknown)}")
    hints = typing.get_type_hints(TrainConfig)
    return TrainConfig(**{k: _coerce(k, v, hints[k]) for k, v in settings.items()})


def _coerce(name: str, value: Any, kind: Any) -> Any:
    """``value`` as the field's type (YAML reads ``5e-4`` as a string, JSON ``1`` as an int)."""
    try:
        if kind is bool:
            if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
                return value.lower() in ("true", "yes")
            if not isinstance(value, bool):
                raise ValueError(f"expected true or false, got {value!r}")
            return value
        if kind in (int, float, str):
            if kind is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(f"expected a whole number, got {value!r}")
            return kind(value)
        if kind == list[str]:
            return [str(v) for v in ([value] if isinstance(value, str) else value)]
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: {exc}") from exc
    return value
