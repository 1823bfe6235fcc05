"""Grammar-constrained decoding: at each beam step, only pieces that keep the target valid.

:class:`GrammarConstraint` is a transformers ``LogitsProcessor``. For each row of the beam it
keeps the :class:`~sparqlqa.training.grammar.Recogniser` position reached by the pieces
generated so far (positions are shared between rows with the same prefix, and computed once
per new piece), then walks a character trie of the tokenizer's pieces from that position:
a piece survives when every character of it is accepted; the end of sequence survives when
the text is a whole target. Every other score becomes ``-inf``.

torch and transformers are imported inside the functions, never at import time.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sparqlqa.training.recogniser import Recogniser


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    ids: list[int] = field(default_factory=list)  # pieces that end here


@dataclass(frozen=True)
class PieceTrie:
    """A tokenizer's pieces as text, in a trie by character."""

    root: _Node
    text: dict[int, str]  # id -> the text it writes ("" for special tokens)
    eos: int | None


@functools.lru_cache(maxsize=8)
def piece_trie(tokenizer: Any) -> PieceTrie:
    """The trie of ``tokenizer``'s pieces; special tokens, control characters and pieces that
    are not whole characters (byte fragments of UTF-8) are left out."""
    special = set(tokenizer.all_special_ids)
    root = _Node()
    text: dict[int, str] = {}
    for token, idx in tokenizer.get_vocab().items():
        piece = "" if idx in special else tokenizer.convert_tokens_to_string([token])
        text[idx] = piece
        if not piece or "\ufffd" in piece or min(piece) < " ":
            continue
        node = root
        for char in piece:
            node = node.children.setdefault(char, _Node())
        node.ids.append(idx)
    return PieceTrie(root, text, tokenizer.eos_token_id)


def allowed_ids(trie: PieceTrie, state: Recogniser) -> list[int]:
    """The pieces that may follow ``state`` (and the end of sequence when it is complete)."""
    out: list[int] = []
    stack: list[tuple[_Node, Recogniser]] = [(trie.root, state)]
    while stack:
        node, here = stack.pop()
        for char, child in node.children.items():
            after = here.step(char)
            if after is None:
                continue
            out.extend(child.ids)
            if child.children:
                stack.append((child, after))
    if trie.eos is not None and state.done:
        out.append(trie.eos)
    return out


def grammar_constraint(
    tokenizer: Any,
    prompts: Sequence[str],
    prefixes: Mapping[str, str],
    *,
    rows_per_prompt: int,
    skip: int,
) -> Any:
    """A logits processor for a batch of ``prompts`` (``rows_per_prompt`` rows each); the
    first ``skip`` ids of each row are not target text (the decoder start token, or the
    prompt of a causal model)."""
    import torch
    from transformers import LogitsProcessor

    trie = piece_trie(tokenizer)
    starts = [Recogniser.for_prompt(p, prefixes) for p in prompts]
    positions: dict[tuple[int, ...], Recogniser | None] = {}
    memo: dict[tuple[Any, ...], list[int]] = {}

    def position(row: int, ids: tuple[int, ...]) -> Recogniser | None:
        key = (row // rows_per_prompt, *ids)
        if key in positions:
            return positions[key]
        if not ids:
            found: Recogniser | None = starts[row // rows_per_prompt]
        else:
            before = position(row, ids[:-1])
            found = before.feed(trie.text.get(ids[-1], "")) if before is not None else None
            if found is not None and not trie.text.get(ids[-1]):
                found = None  # a special token inside the target
        positions[key] = found
        return found

    def everything(row: int, state: Recogniser) -> list[int]:
        key = (row // rows_per_prompt, id(state.parse), state.ctx, state.partial, state.spaced)
        if key not in memo:
            memo[key] = allowed_ids(trie, state)
        return memo[key]

    class GrammarConstraint(LogitsProcessor):
        def __call__(self, input_ids: Any, scores: Any) -> Any:
            masked = torch.full_like(scores, -torch.inf)
            rows_ids = input_ids[:, skip:].tolist()  # one conversion, not one per element
            rows: list[int] = []
            cols: list[int] = []
            for row, row_ids in enumerate(rows_ids):
                ids = tuple(row_ids)
                if trie.eos is not None and trie.eos in ids:
                    masked[row] = scores[row]  # a finished row (greedy search pads after it)
                    continue
                state = position(row, ids)
                if state is None:
                    continue  # a dead row: nothing can follow, beam search drops it
                allowed = everything(row, state)
                rows.extend([row] * len(allowed))
                cols.extend(allowed)
            if rows:
                # One scatter for the whole batch, not one per row.
                index = (
                    torch.tensor(rows, dtype=torch.long, device=scores.device),
                    torch.tensor(cols, dtype=torch.long, device=scores.device),
                )
                masked[index] = scores[index]
            return masked

    return GrammarConstraint()


def is_complete(prompt: str, target: str, prefixes: Mapping[str, str]) -> bool:
    """Whether ``target`` (in canonical spelling) is a whole target the prompt allows."""
    state = Recogniser.for_prompt(prompt, prefixes).feed(target)
    return state is not None and state.done
