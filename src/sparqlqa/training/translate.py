"""Inference: a trained model folder turns prompts into k candidate queries with scores.

``Translator`` loads torch and transformers only when it is built, so the service and the
kg layer can import this module (for the types) without them.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from sparqlqa.errors import TargetError
from sparqlqa.training.model import (
    ADAPTER_DIR,
    ModelBundle,
    adapter_base,
    load,
    peft_warnings_off,
    read_meta,
)
from sparqlqa.training.target import decode, normalise


@dataclass(frozen=True)
class Candidate:
    """One query the model proposes for a prompt."""

    target: str  # what the model wrote (slots, prefixed names)
    score: float  # mean log-probability per token (higher is better)
    sparql: str | None = None  # executable query (slots filled, PREFIX lines); None if not
    error: str | None = None  # why ``sparql`` is None


#: Why a candidate of constrained decoding has no query: the only way one can be incomplete.
TRUNCATED = "the query was cut by the length limit before it was complete"

_SLOT_NAME = re.compile(r"\b(?:ENT|NUM)\d+\b")
_SLOT_KINDS = ("ENT", "NUM")


@dataclass(frozen=True)
class _SlotVocab:
    """Where slots hide in a tokenizer's vocabulary: a BPE may write ``ENT0`` as one token or
    as ``ENT`` followed by ``0``."""

    strings: dict[int, str]  # token id -> its text
    whole: dict[int, frozenset[str]]  # tokens whose text names whole slots ("ENT0")
    kind: dict[str, list[int]]  # "ENT" -> tokens whose text contains "ENT"
    digits: dict[int, int]  # tokens whose text starts with a number -> that number


@functools.lru_cache(maxsize=8)
def _slot_vocab(tokenizer: Any) -> _SlotVocab:
    strings = {
        idx: tokenizer.convert_tokens_to_string([token])
        for token, idx in tokenizer.get_vocab().items()
    }
    whole = {i: frozenset(f) for i, t in strings.items() if (f := _SLOT_NAME.findall(t))}
    kind = {k: [i for i, t in strings.items() if k in t] for k in _SLOT_KINDS}
    digits = {i: int(m.group()) for i, t in strings.items() if (m := re.match(r"\d+", t))}
    return _SlotVocab(strings, whole, kind, digits)


def _offered(prompt: str) -> dict[str, set[int]]:
    """The slot numbers a prompt offers, per kind: {"ENT": {0, 1}, "NUM": set()}."""
    found: dict[str, set[int]] = {k: set() for k in _SLOT_KINDS}
    for name in _SLOT_NAME.findall(prompt):
        found[name[:3]].add(int(name[3:]))
    return found


def _slot_ban(tokenizer: Any, prompts: Sequence[str], rows_per_prompt: int) -> Any:
    """A logits processor that keeps the model from writing a slot its prompt does not offer
    (``ENT1`` when the question has one entity, ``NUM0`` when it has no number): such a
    candidate could never be filled."""
    import torch
    from transformers import LogitsProcessor

    vocab = _slot_vocab(tokenizer)
    offered = [_offered(p) for p in prompts]
    static: list[list[int]] = []  # per prompt: whole slots not offered, kinds with no slot
    for slots in offered:
        names = {f"{k}{n}" for k, ns in slots.items() for n in ns}
        ban = {i for i, found in vocab.whole.items() if not found <= names}
        for k in _SLOT_KINDS:
            if not slots[k]:
                ban.update(vocab.kind[k])
        static.append(sorted(ban))
    numbers: dict[int, list[int]] = {}
    for i, n in vocab.digits.items():
        numbers.setdefault(n, []).append(i)

    class SlotBan(LogitsProcessor):
        def __call__(self, input_ids: Any, scores: Any) -> Any:
            for row in range(scores.shape[0]):
                slots = offered[row // rows_per_prompt]
                ids = list(static[row // rows_per_prompt])
                # The number after a split "ENT" / "NUM" must be one the prompt offers.
                tail = "".join(vocab.strings.get(int(t), "") for t in input_ids[row, -4:])
                for k in _SLOT_KINDS:
                    if tail.endswith(k):
                        ids += [i for n, same in numbers.items() if n not in slots[k] for i in same]
                if ids:
                    scores[row, ids] = -torch.inf
            return scores

    return SlotBan()


def generate(
    bundle: ModelBundle,
    prompts: Sequence[str],
    *,
    k: int = 1,
    num_beams: int = 1,
    max_prompt_tokens: int = 256,
    max_new_tokens: int = 128,
    batch_size: int = 16,
    grammar: Mapping[str, str] | None = None,
    early_stopping: bool = False,
) -> list[list[tuple[str, float]]]:
    """The ``k`` best targets for each prompt with their mean token log-probabilities.

    ``early_stopping`` ends a beam search as soon as ``num_beams`` targets are finished,
    instead of going on while a longer one could still score better (fewer decoder steps).

    With ``grammar`` (the prefixes of the model), decoding is constrained to the target
    language (:mod:`sparqlqa.training.constrain`): only the prompt's schema names and slots,
    and an end only where the target is whole. Without it, only unoffered slots are banned.
    """
    import torch

    model: Any = bundle.model
    device = next(model.parameters()).device
    num_beams = max(num_beams, k)
    results: list[list[tuple[str, float]]] = []
    was_training = model.training
    model.eval()
    tok = bundle.tokenizer
    if bundle.kind == "causal":
        tok.padding_side = "left"
        tok.truncation_side = "left"  # keep the answer cue at the end of the prompt
    try:
        for start in range(0, len(prompts), batch_size):
            batch = list(prompts[start : start + batch_size])
            enc = tok(
                batch,
                padding=True,
                truncation=True,
                max_length=max_prompt_tokens,
                return_tensors="pt",
            ).to(device)
            if grammar is not None:
                from sparqlqa.training.constrain import grammar_constraint

                skip = enc["input_ids"].shape[1] if bundle.kind == "causal" else 1
                processor = grammar_constraint(
                    bundle.target_tokenizer,
                    batch,
                    grammar,
                    rows_per_prompt=num_beams,
                    skip=skip,
                )
            else:
                processor = _slot_ban(bundle.target_tokenizer, batch, num_beams)
            search: dict[str, Any] = {}
            if num_beams > 1:  # greedy search has no early stopping (transformers warns)
                search["early_stopping"] = early_stopping
            with torch.inference_mode():
                out = model.generate(
                    **search,
                    input_ids=enc["input_ids"],
                    attention_mask=enc["attention_mask"],
                    logits_processor=[processor],
                    num_beams=num_beams,
                    num_return_sequences=k,
                    do_sample=False,
                    max_new_tokens=max_new_tokens,
                    output_scores=True,
                    return_dict_in_generate=True,
                )
            sequences = out.sequences
            if bundle.kind == "causal":
                sequences = sequences[:, enc["input_ids"].shape[1] :]
            if num_beams > 1:
                scores = out.sequences_scores.tolist()
            else:
                steps = model.compute_transition_scores(
                    out.sequences, out.scores, normalize_logits=True
                )
                finite = torch.isfinite(steps) & (steps != 0)
                sums = torch.where(finite, steps, torch.zeros_like(steps)).sum(-1)
                scores = (sums / finite.sum(-1).clamp(min=1)).tolist()
            texts = bundle.target_tokenizer.batch_decode(sequences, skip_special_tokens=True)
            for i in range(len(batch)):
                found = [(normalise(texts[j]), float(scores[j])) for j in range(i * k, (i + 1) * k)]
                if grammar is not None:
                    # A beam cut by max_new_tokens may end mid-query: whole targets first.
                    from sparqlqa.training.constrain import is_complete

                    found.sort(key=lambda c: not is_complete(batch[i], c[0], grammar))
                results.append(found)
    finally:
        if was_training:
            model.train()
    return results


log = logging.getLogger(__name__)


class SharedBase:
    """One base model in memory with the LoRA adapters of several graphs on it (per-graph
    experts): loaded once per folder and device, whoever asks (:meth:`of`).

    Generation runs under :meth:`using`, which holds this base's lock while one adapter is
    active. A lock, not peft's per-call ``adapter_names``: peft 0.21 does take
    ``generate(..., adapter_names=[...])`` (beam search and encoder-decoder models included),
    but it works by registering forward pre-hooks on the shared LoRA layers for the length of
    the call, so two threads generating at once would each run the other's hooks too, and the
    last one registered would choose the adapter of both. The service translates one graph's
    batch at a time per base anyway (on CPU one generation already uses the cores), so the
    lock costs little, and inside it plain ``set_adapter`` keeps peft's fast single-adapter
    path.
    """

    #: The bases loaded, by folder and device, for as long as a translator holds them.
    _loaded: ClassVar[weakref.WeakValueDictionary[tuple[Path, str], SharedBase]] = (
        weakref.WeakValueDictionary()
    )
    _loading: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, folder: Path, device: str) -> None:
        self.folder = folder
        self.bundle, self.meta = load(folder, device=device)
        self.lock = threading.Lock()
        self.adapters: dict[Path, str] = {}  # adapter folder -> its name on the model

    @classmethod
    def of(cls, folder: Path, device: str) -> SharedBase:
        """The base of ``folder`` on ``device``: the one already loaded while any translator
        holds it, else loaded now."""
        key = (folder.resolve(), device)
        with cls._loading:
            base = cls._loaded.get(key)
            if base is None:
                base = cls(key[0], device)
                cls._loaded[key] = base
            return base

    def attach(self, adapter: Path) -> str:
        """Put the adapter saved in ``adapter`` on the base (once); its name there."""
        from peft import PeftModel

        adapter = adapter.resolve()
        with self.lock:
            if adapter in self.adapters:
                return self.adapters[adapter]
            name = f"graph{len(self.adapters)}"
            model: Any = self.bundle.model
            with peft_warnings_off():
                if isinstance(model, PeftModel):
                    model.load_adapter(str(adapter), adapter_name=name)
                else:
                    model = PeftModel.from_pretrained(model, str(adapter), adapter_name=name)
            model.eval()
            self.bundle.model = model
            self.adapters[adapter] = name
            return name

    @contextmanager
    def using(self, name: str) -> Iterator[ModelBundle]:
        """The base with adapter ``name`` active, for this thread alone until it exits."""
        with self.lock:
            self.bundle.model.set_adapter(name)
            yield self.bundle


class Translator:
    """A trained model folder, ready to translate prompts.

    ``prefixes`` are those the model was trained with: build the prompts' schema items with
    them (``ontology.prompt.schema_items(..., prefixes=translator.prefixes)``) so the model
    sees the names it learned.
    """

    def __init__(
        self,
        folder: Path | str,
        *,
        device: str | None = None,
        num_beams: int | None = None,
        batch_size: int = 16,
        constrained: bool = True,
        quantize: str = "none",
        early_stopping: bool = False,
    ) -> None:
        """``constrained`` (on by default) keeps decoding within the target grammar and the
        prompt's names, so that every candidate parses; off, only unoffered slots are banned
        (for comparison). ``quantize`` (:mod:`sparqlqa.training.quantize`: ``none`` or
        ``int8``) is checked before the model loads (``ConfigError`` for another value).
        ``early_stopping``: see :func:`generate`."""
        from sparqlqa.training.quantize import quantize as quantized
        from sparqlqa.training.quantize import quantize_mode

        self.quantize = quantize_mode(quantize)
        self.folder = Path(folder)
        if device is None:
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
        meta = read_meta(self.folder)
        self.base: SharedBase | None = None
        self.adapter = ""
        if meta.adapter_base:
            # A per-graph adapter: its base is shared with the other graphs' adapters.
            self.base = SharedBase.of(adapter_base(self.folder, meta), device)
            self.adapter = self.base.attach(self.folder / ADAPTER_DIR)
            self.bundle, self.meta = self.base.bundle, meta
            if self.quantize != "none":
                # Dynamic int8 replaces the Linear layers that the LoRA layers wrap.
                log.info("%s: a LoRA adapter, its base stays unquantized", self.folder)
        else:
            self.bundle, self.meta = load(self.folder, device=device)
            self.bundle.model = quantized(self.bundle.model, self.quantize, device)
        self.prefixes: dict[str, str] = dict(self.meta.prefixes)
        self.num_beams = num_beams or self.meta.num_beams
        self.max_prompt_tokens = self.meta.max_prompt_tokens
        self.max_new_tokens = self.meta.max_target_tokens
        self.batch_size = batch_size
        self.constrained = constrained
        self.early_stopping = early_stopping

    def translate(
        self,
        prompts: Sequence[str],
        k: int = 5,
        slot_iris: Sequence[Mapping[str, str]] | None = None,
        *,
        num_beams: int | None = None,
    ) -> list[list[Candidate]]:
        """``k`` candidates per prompt, best first. With ``slot_iris`` (one ``{"ENT0": iri}``
        per prompt) each candidate also carries its executable query, or why it has none."""
        if slot_iris is not None and len(slot_iris) != len(prompts):
            raise ValueError("give one slot mapping per prompt")
        with self._model() as bundle:
            raw = generate(
                bundle,
                prompts,
                k=k,
                num_beams=num_beams if num_beams is not None else (1 if k == 1 else self.num_beams),
                max_prompt_tokens=self.max_prompt_tokens,
                max_new_tokens=self.max_new_tokens,
                batch_size=self.batch_size,
                grammar=self.prefixes if self.constrained else None,
                early_stopping=self.early_stopping,
            )
        out: list[list[Candidate]] = []
        for i, group in enumerate(raw):
            slots = slot_iris[i] if slot_iris is not None else None
            out.append([self._candidate(prompts[i], t, score, slots) for t, score in group])
        return out

    @contextmanager
    def _model(self) -> Iterator[ModelBundle]:
        """The model to generate with: this folder's own, or the shared base with this
        folder's adapter active (and the base's lock held)."""
        if self.base is None:
            yield self.bundle
        else:
            with self.base.using(self.adapter) as bundle:
                yield bundle

    def _candidate(
        self, prompt: str, target: str, score: float, slots: Mapping[str, str] | None
    ) -> Candidate:
        if slots is None:
            return Candidate(target, score)
        if self.constrained:
            from sparqlqa.training.constrain import is_complete

            if not is_complete(prompt, target, self.prefixes):
                return Candidate(target, score, None, TRUNCATED)
        try:
            return Candidate(target, score, decode(target, slots, self.prefixes))
        except TargetError as exc:
            return Candidate(target, score, None, str(exc))
