"""Examples to tensors and back: the prompts and targets of training, tokenised and batched,
the loss of a batch, and the dev split's loss and exact match."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sparqlqa.errors import ConfigError
from sparqlqa.ontology.link import EntityLinker, LinkedEntity
from sparqlqa.training.config import TrainConfig
from sparqlqa.training.examples import (
    Example,
    PromptBuilder,
    SchemaSource,
    load_split,
    schema_source,
)
from sparqlqa.training.translate import generate

IGNORE = -100  # label id the loss skips (prompt and padding positions)


def build_examples(config: TrainConfig) -> tuple[list[Example], list[Example], dict[str, str]]:
    """Training and dev examples, and the prefixes the targets are written with.

    Each source (``config.sources()``: the pairs with their schema, then each graph folder's)
    gets prompts from its own schema; the examples are pooled. Their prefixes are merged, the
    first source's winning where two bind one name (an adapter trained on one graph records
    that graph's own, which are the ones its service uses).
    """
    train: list[Example] = []
    dev: list[Example] = []
    prefixes: dict[str, str] = {}
    for data, schema in config.sources():
        more_train, more_dev, more_prefixes = _source_examples(config, data, schema)
        train += more_train
        dev += more_dev
        prefixes = {**more_prefixes, **prefixes}
    return train, dev, prefixes


def _source_examples(
    config: TrainConfig, data: Path, schema: Sequence[Path]
) -> tuple[list[Example], list[Example], dict[str, str]]:
    """The examples of one set of pairs, prompted with its schema."""
    source = schema_source(list(schema))
    builder = PromptBuilder(
        source,
        schema_items=config.schema_items,
        max_chars=config.prompt_max_chars,
        seed=config.seed,
        linker=_inference_linker(source) if config.linked_entities else None,
        linked_share=config.linked_entities,
    )
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
    return EntityLinker.from_store(source.store, schema=source.schema).entities


class Features:
    """Tokenised examples, re-ordered each epoch by a seeded permutation.

    With ``length_buckets`` (a number of batches), each run of that many batches of the
    shuffled order is sorted by length and cut into batches, and the batches are shuffled
    again: a batch then holds examples of about one length, so fewer pad tokens are computed,
    while every epoch still sees each example once, in an order fixed by the seed and the
    epoch (a resumed run skips to the very batch it stopped at).
    """

    def __init__(
        self,
        rows: list[dict[str, list[int]]],
        seed: int,
        *,
        batch_size: int = 1,
        length_buckets: int = 0,
    ) -> None:
        self.rows = rows
        self.seed = seed
        self.batch_size = batch_size
        self.length_buckets = length_buckets
        self.order = list(range(len(rows)))

    def reorder(self, epoch: int) -> None:
        # Not named set_epoch: accelerate calls set_epoch with its own count of iterations,
        # which restarts at 0 on resume.
        order = list(range(len(self.rows)))
        random.Random(self.seed * 100_003 + epoch).shuffle(order)
        if self.length_buckets and self.batch_size > 1:
            order = self._bucketed(order, random.Random(f"{self.seed}/{epoch}/batches"))
        self.order = order

    def _bucketed(self, order: list[int], rng: random.Random) -> list[int]:
        """``order`` regrouped into batches of like length, the batches shuffled; the one
        short batch (if the size does not divide) stays last, so that the loader, which cuts
        consecutive runs of ``batch_size``, cuts exactly these batches."""
        size = self.batch_size
        pool = size * self.length_buckets
        rows = self.rows

        def length(i: int) -> tuple[int, int]:
            # Targets first: their padding costs three decoder layers and the output layer.
            return len(rows[i]["labels"]), len(rows[i]["input_ids"])

        batches: list[list[int]] = []
        for start in range(0, len(order), pool):
            part = sorted(order[start : start + pool], key=length)
            batches += [part[k : k + size] for k in range(0, len(part), size)]
        short = batches.pop() if batches and len(batches[-1]) < size else None
        rng.shuffle(batches)
        if short is not None:
            batches.append(short)
        return [i for batch in batches for i in batch]

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


def special_ids(model: Any) -> tuple[int, int]:
    """The decoder start and pad ids of a (not yet wrapped) model."""
    config = model.config
    start = getattr(config, "decoder_start_token_id", None)
    pad = config.pad_token_id
    return (pad if start is None else start), pad


def evaluate(
    bundle: Any, dev: Sequence[Example], collate: Any, config: TrainConfig
) -> dict[str, float]:
    """Dev loss (teacher forcing) and exact match of greedy decoding on ``dev``."""
    import torch

    model = bundle.model
    device = next(model.parameters()).device
    rows = featurise(bundle, dev, config)
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(rows), config.batch_size):
            batch = collate(rows[start : start + config.batch_size])
            batch = {k: v.to(device) for k, v in batch.items()}
            loss = loss_of(model, batch, bundle.kind, *special_ids(model))
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
