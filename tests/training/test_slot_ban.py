"""Constrained decoding: a model cannot write a slot its prompt does not offer."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from sparqlqa.training.model import train_bpe  # noqa: E402
from sparqlqa.training.translate import _offered, _slot_ban  # noqa: E402

TARGETS = [
    "SELECT DISTINCT ?x0 WHERE { ENT0 pv:memberOf ?x0 }",
    "ASK { ENT0 pv:memberOf ENT1 }",
    "SELECT ?x0 WHERE { ?x0 pv:weight_g ?x1 FILTER ( ?x1 > NUM0 ) }",
    "SELECT ?x0 WHERE { ?x0 pv:weight_g ?x1 } ORDER BY DESC ( ?x1 ) LIMIT 1",
] * 20
ONE_ENTITY = (
    "question: Where does Ann work?\nentities: ENT0 = Ann (Employee)\nschema: (none)\nsparql:"
)
NOTHING = "question: Which part is heaviest?\nentities: (none)\nschema: (none)\nsparql:"


def test_offered_slots_come_from_the_prompt() -> None:
    assert _offered(ONE_ENTITY) == {"ENT": {0}, "NUM": set()}
    prompt = "question: q\nentities: ENT0 = a ; ENT1 = b\nvalues: NUM0 = 5\nsparql:"
    assert _offered(prompt) == {"ENT": {0, 1}, "NUM": {0}}


@pytest.mark.parametrize("vocab_size", [60, 400], ids=["split-slots", "whole-slots"])
def test_unoffered_slots_get_no_probability(vocab_size: int) -> None:
    tokenizer = train_bpe(TARGETS, vocab_size)
    spelled = {
        name: tokenizer(f" {name}", add_special_tokens=False).input_ids
        for name in ("ENT0", "ENT1", "NUM0")
    }
    ban = _slot_ban(tokenizer, [ONE_ENTITY, NOTHING], rows_per_prompt=2)
    size = len(tokenizer)
    for name, ids in spelled.items():
        prefix = torch.tensor([ids[:-1] or [0]] * 4)  # rows 0-1: ONE_ENTITY, rows 2-3: NOTHING
        scores = ban(prefix, torch.zeros(4, size))
        last = ids[-1]
        allowed_first = name == "ENT0"
        assert bool(torch.isfinite(scores[0, last])) == allowed_first, (name, ids)
        assert not torch.isfinite(scores[2, last]), (name, ids)
    # Ordinary tokens stay allowed everywhere.
    select = tokenizer("SELECT", add_special_tokens=False).input_ids[0]
    assert torch.isfinite(ban(torch.tensor([[0]] * 4), torch.zeros(4, size))[:, select]).all()
