"""Entity-disjoint splits: every entity belongs to exactly one split, decided by a hash.

A pair goes to the split of its entities; a pair whose entities fall in different splits is
dropped, so no entity of the test split is ever seen in training. Pairs without entities
(``How many suppliers are there?``) are split by their query, so the paraphrases of one query
stay together. Hashing (not a shuffle) lets shards and resumed runs agree without talking.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SplitRatios:
    """Share of entities (not pairs) per split."""

    train: float = 0.8
    dev: float = 0.1
    test: float = 0.1

    def __post_init__(self) -> None:
        shares = (self.train, self.dev, self.test)
        if any(s < 0 for s in shares) or abs(sum(shares) - 1.0) > 1e-6:
            raise ValueError(f"split ratios must be non-negative and sum to 1, got {shares}")

    @classmethod
    def parse(cls, text: str) -> SplitRatios:
        """``"0.8,0.1,0.1"`` or ``"80/10/10"`` → ratios."""
        parts = [float(p) for p in text.replace("/", ",").split(",") if p.strip()]
        if len(parts) != 3:
            raise ValueError(f"expected three split ratios (train,dev,test), got {text!r}")
        total = sum(parts)
        if total <= 0:
            raise ValueError(f"split ratios sum to {total}")
        return cls(*(p / total for p in parts))


def bucket(key: str, seed: int, ratios: SplitRatios) -> str:
    """The split of one entity (or query) ``key``."""
    digest = hashlib.sha256(f"{seed}\x00{key}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    if u < ratios.train:
        return "train"
    if u < ratios.train + ratios.dev:
        return "dev"
    return "test"


def split_of(entity_iris: Sequence[str], query: str, seed: int, ratios: SplitRatios) -> str | None:
    """The split of a pair, or None when its entities disagree (the pair is dropped)."""
    if not entity_iris:
        return bucket("query:" + " ".join(query.split()), seed, ratios)
    splits = {bucket(iri, seed, ratios) for iri in entity_iris}
    return splits.pop() if len(splits) == 1 else None
